/// Serialises server frames, which are never masked (RFC 6455 §5.1).
public enum WebSocketFrameEncoder {
    /// Returns one frame.
    public static func encode(opcode: WebSocketOpcode, payload: some Collection<UInt8>, fin: Bool = true) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(payload.count + 10)
        encode(opcode: opcode, payload: payload, fin: fin, into: &out)
        return out
    }

    /// Appends one frame to `buffer`, so many frames can share one write.
    public static func encode(
        opcode: WebSocketOpcode, payload: some Collection<UInt8>, fin: Bool = true, into buffer: inout [UInt8]
    ) {
        appendHeader(opcode: opcode, length: payload.count, fin: fin, into: &buffer)
        buffer.append(contentsOf: payload)
    }

    /// Appends the header alone, for callers that write the payload from elsewhere (writev).
    public static func appendHeader(opcode: WebSocketOpcode, length: Int, fin: Bool = true, into buffer: inout [UInt8]) {
        buffer.append((fin ? 0x80 : 0) | opcode.raw)
        // §5.2: 7-bit length up to 125, 126 + 16-bit, or 127 + 64-bit, all in network byte order.
        if length <= 125 {
            buffer.append(UInt8(length))
        } else if length <= 0xFFFF {
            buffer.append(126)
            buffer.append(UInt8(truncatingIfNeeded: length >> 8))
            buffer.append(UInt8(truncatingIfNeeded: length))
        } else {
            buffer.append(127)
            for shift in stride(from: 56, through: 0, by: -8) {
                buffer.append(UInt8(truncatingIfNeeded: UInt64(length) >> UInt64(shift)))
            }
        }
    }

    /// A close frame: no body when `code` is nil, else the code in network order then the reason,
    /// cut (on a character boundary) so the payload stays within the 125-byte control frame limit.
    public static func encodeClose(code: UInt16?, reason: [UInt8] = []) -> [UInt8] {
        var out = [UInt8]()
        encodeClose(code: code, reason: reason, into: &out)
        return out
    }

    public static func encodeClose(code: UInt16?, reason: [UInt8] = [], into buffer: inout [UInt8]) {
        guard let code else {
            encode(opcode: .close, payload: EmptyCollection(), into: &buffer)
            return
        }
        // Cut on a character boundary so a long UTF-8 reason stays valid.
        var cut = min(reason.count, 123)
        if cut < reason.count {
            while cut > 0, reason[cut] & 0xC0 == 0x80 { cut -= 1 }
        }
        let kept = reason[..<cut]
        appendHeader(opcode: .close, length: 2 + kept.count, into: &buffer)
        buffer.append(UInt8(truncatingIfNeeded: code >> 8))
        buffer.append(UInt8(truncatingIfNeeded: code))
        buffer.append(contentsOf: kept)
    }
}
