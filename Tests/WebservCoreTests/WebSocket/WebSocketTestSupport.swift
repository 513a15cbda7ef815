@testable import WebservCore

/// Builds client frames byte by byte, including malformed ones.
enum ClientFrame {
    /// `lengthBytes` forces the 2- or 8-byte extended length form (0 = shortest).
    static func bytes(
        opcode: UInt8, payload: [UInt8], fin: Bool = true, rsv: UInt8 = 0,
        mask: [UInt8]? = [0x37, 0xFA, 0x21, 0x3D], lengthBytes: Int = 0, rawLength: UInt64? = nil
    ) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode]
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        let length = rawLength ?? UInt64(payload.count)
        if lengthBytes == 8 || (lengthBytes == 0 && length > 0xFFFF) {
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: length >> UInt64(shift))) }
        } else if lengthBytes == 2 || (lengthBytes == 0 && length > 125) {
            out.append(maskBit | 126)
            out.append(UInt8(truncatingIfNeeded: length >> 8))
            out.append(UInt8(truncatingIfNeeded: length))
        } else {
            out.append(maskBit | UInt8(length))
        }
        if let mask {
            out += mask
            out += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        } else {
            out += payload
        }
        return out
    }

    static func text(_ string: String, fin: Bool = true) -> [UInt8] { bytes(opcode: 0x1, payload: Array(string.utf8), fin: fin) }
    static func close(code: UInt16?, reason: [UInt8] = []) -> [UInt8] {
        var payload: [UInt8] = []
        if let code { payload = [UInt8(code >> 8), UInt8(code & 0xFF)] + reason }
        return bytes(opcode: 0x8, payload: payload)
    }
}

extension WebSocketFrameDecoder {
    /// Appends and drains every complete frame.
    mutating func feed(_ bytes: ArraySlice<UInt8>) throws(WebSocketError) -> [WebSocketFrame] {
        append(bytes)
        var frames: [WebSocketFrame] = []
        while let frame = try nextFrame() { frames.append(frame) }
        return frames
    }
}
