// Range and HTTP-date values (RFC 9110 §14.2, §5.6.7), both rewritten for nginx's and the
// RFC's forms: never a trap, a partial range always inside the file, and a parsed date
// (from 1970 on) always one the server's own format reads back to the same second.
@testable import WebservCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = Array(UnsafeBufferPointer(start: data, count: size))
    // The first byte picks the file size (0, small, or huge), the rest is the header value.
    let sizes = [0, 1, 5, 10, 1000, 1 << 40, Int.max / 2]
    let fileSize = sizes[Int(raw.first ?? 0) % sizes.count]
    let value = raw.dropFirst()
    switch ByteRange.parse(value, size: fileSize) {
    case .partial(let first, let last):
        Fuzz.require(0 <= first && first <= last && last < fileSize, "range \(first)-\(last) outside \(fileSize) bytes")
    case .full, .unsatisfiable:
        break
    }
    // Also with "bytes=" in front, so most inputs reach the range grammar.
    if case .partial(let first, let last) = ByteRange.parse(Array("bytes=".utf8)[...] + value, size: fileSize) {
        Fuzz.require(0 <= first && first <= last && last < fileSize, "range \(first)-\(last) outside \(fileSize) bytes")
    }
    let now = 1_764_000_000  // 2025-11-24
    // Read-back holds where the server writes dates (file times, from 1970 on); earlier ones
    // parse (they are valid HTTP-dates) but are never formatted.
    if let seconds = HTTPDate.parse(value, now: now), seconds >= 0 {
        let formatted = HTTPDate.format(seconds)
        Fuzz.require(HTTPDate.parse(formatted[...], now: now) == seconds,
            "date \(seconds) does not read back from \(String(decoding: formatted, as: UTF8.self))")
    }
    return 0
}
