/// The framing step's chunked coding (RFC 9112 §7.1): a chunk is its size in hex, CRLF, the
/// bytes, CRLF; the body ends with a zero-size chunk and no trailers. Pure.
public enum ChunkedFraming {
    /// The line before `count` bytes of chunk data.
    public static func chunkHead(_ count: Int) -> [UInt8] {
        var line: [UInt8] = []
        Bytes.appendHex(count, to: &line)
        line.append(contentsOf: crlf)
        return line
    }

    public static let crlf: [UInt8] = [0x0D, 0x0A]
    public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    /// One chunk, whole (tests and small bodies); empty for empty data, which would end the body.
    public static func chunk(_ data: some Collection<UInt8>) -> [UInt8] {
        guard !data.isEmpty else { return [] }
        return chunkHead(data.count) + data + crlf
    }
}
