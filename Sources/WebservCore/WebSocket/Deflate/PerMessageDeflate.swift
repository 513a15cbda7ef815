/// Framing of compressed messages (RFC 7692 §6): one frame with RSV1 set.
enum PerMessageDeflate {
    /// RSV1 in the first header byte: "Per-Message Compressed".
    static let compressedBit: UInt8 = 0x40

    static func appendCompressedFrame(opcode: WebSocketOpcode, compressed: [UInt8], into buffer: inout [UInt8]) {
        let start = buffer.count
        WebSocketFrameEncoder.encode(opcode: opcode, payload: compressed, into: &buffer)
        buffer[start] |= compressedBit
    }
}
