// Accept-Encoding (RFC 9110 §12.5.3) and the compression decision: never a trap, qualities
// within 0...1000, the chosen coding one of those offered with the highest quality (ties to
// the server's order), and an extra empty member or a cut into two fields changing nothing.
@testable import WebservCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = Array(UnsafeBufferPointer(start: data, count: size))
    let parsed = AcceptEncoding(raw)
    for coding in ContentCoding.allCases {
        let q = parsed.quality(coding)
        Fuzz.require(0 <= q && q <= 1000, "quality \(q) of \(coding)")
    }
    for offered in [[ContentCoding.br, .gzip], [.gzip], [.zstd, .br, .gzip], [.gzip, .br]] {
        let best = offered.map { parsed.quality($0) }.max() ?? 0
        let chosen = parsed.choose(offered)
        if best == 0 {
            Fuzz.require(chosen == nil, "chose \(String(describing: chosen)) though nothing is accepted")
        } else {
            let first = offered.first { parsed.quality($0) == best }
            Fuzz.require(chosen == first, "chose \(String(describing: chosen)), expected \(String(describing: first))")
        }
    }
    Fuzz.require(AcceptEncoding(raw + Array(", ,".utf8)) == parsed, "empty members changed the result")
    // Cut at a comma into two header fields: one list (RFC 9110 §5.3), the same result.
    if let comma = raw.firstIndex(of: UInt8(ascii: ",")) {
        var twoFields = AcceptEncoding(Array(raw[..<comma]))
        twoFields.add(raw[(comma + 1)...])
        Fuzz.require(twoFields == parsed, "two fields differ from one")
    }
    // The same bytes as a Content-Type: the decision never traps and only encodes what it offers.
    var settings = CompressionSettings()
    settings.gzip = true
    settings.brotli = raw.first.map { $0 & 1 == 0 } ?? false
    settings.gzipTypes = ["text/html", "text/plain", "*"].filter { _ in raw.count % 3 != 0 }
    let type = Substring(String(decoding: raw, as: UTF8.self))
    let decision = CompressionFilter.decide(
        status: 200, contentType: type, alreadyEncoded: false, length: raw.count, settings: settings, accept: parsed)
    if case .encode(let coding, _) = decision {
        Fuzz.require(coding == .gzip || (coding == .br && settings.brotli), "encoded with \(coding)")
        Fuzz.require(parsed.quality(coding) > 0, "encoded with a refused coding")
    }
    return 0
}
