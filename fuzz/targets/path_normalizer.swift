// Path normaliser: `PathNormalizer.normalize` against a straightforward reference
// (decode everything, split on "/", resolve segments with a stack).
@testable import WebservCore

/// The specification of normalisation, written for clarity instead of speed.
private func reference(_ raw: [UInt8]) -> [UInt8]? {
    guard raw.first == 0x2F else { return nil }
    var decoded: [UInt8] = []
    var i = 0
    while i < raw.count {
        var c = raw[i]
        i += 1
        if c == 0x25 {
            guard i + 1 < raw.count, let hi = ByteClass.hexValue(raw[i]), let lo = ByteClass.hexValue(raw[i + 1]) else { return nil }
            c = hi << 4 | lo
            i += 2
        }
        if c == 0 { return nil }
        decoded.append(c)
    }
    let segments = decoded.dropFirst().split(separator: 0x2F, omittingEmptySubsequences: false)
    var stack: [ArraySlice<UInt8>] = []
    var trailingSlash = false
    for (k, segment) in segments.enumerated() {
        let last = k == segments.count - 1
        if segment.isEmpty || segment.elementsEqual([0x2E]) {
            if last { trailingSlash = true }
        } else if segment.elementsEqual([0x2E, 0x2E]) {
            guard !stack.isEmpty else { return nil }
            stack.removeLast()
            if last { trailingSlash = true }
        } else {
            stack.append(segment)
        }
    }
    var out: [UInt8] = [0x2F]
    out += stack.joined(separator: [0x2F])
    if trailingSlash && !stack.isEmpty { out.append(0x2F) }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = Array(UnsafeBufferPointer(start: data, count: size))
    // Also as a slice that does not start at 0, as the request parser passes it.
    let offset = [UInt8(ascii: "x")] + raw
    let result = try? PathNormalizer.normalize(raw[...])
    let sliced = try? PathNormalizer.normalize(offset[1...])
    Fuzz.require(result == sliced, "result depends on the slice's start index")
    let expected = reference(raw)
    Fuzz.require(result == expected,
        "normalize gives \(result.map { String(decoding: $0, as: UTF8.self) } ?? "failure"), reference \(expected.map { String(decoding: $0, as: UTF8.self) } ?? "failure")")
    if let result {
        Fuzz.require(result.first == 0x2F && !result.contains(0), "not absolute, or NUL")
        if !result.contains(0x25) { Fuzz.require((try? PathNormalizer.normalize(result[...])) == result, "not idempotent") }
    }
    return 0
}
