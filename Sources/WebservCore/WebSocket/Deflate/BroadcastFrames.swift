/// The frames of one broadcast message, each encoded once: plain, and compressed once per
/// compressor window size among the members (broadcast members negotiate
/// `server_no_context_takeover`, so one compressed payload suits every member with that window).
struct BroadcastFrames {
    let opcode: WebSocketOpcode
    let payload: [UInt8]
    let deflaters: BroadcastDeflaters
    /// By compressor window bits (nil: uncompressed); a handful at most, the last used first.
    private var encoded: [(windowBits: Int?, frame: [UInt8])] = []

    init(opcode: WebSocketOpcode, payload: [UInt8], deflaters: BroadcastDeflaters) {
        self.opcode = opcode
        self.payload = payload
        self.deflaters = deflaters
    }

    /// The frame for a member whose compressor window is `windowBits` (nil: no permessage-deflate).
    mutating func frame(windowBits: Int?) -> [UInt8] {
        if let first = encoded.first, first.windowBits == windowBits { return first.frame }
        if let i = encoded.firstIndex(where: { $0.windowBits == windowBits }) {
            encoded.swapAt(0, i)
            return encoded[0].frame
        }
        var frame: [UInt8] = []
        if let windowBits, let deflater = deflaters.deflater(windowBits: windowBits) {
            PerMessageDeflate.appendCompressedFrame(opcode: opcode, compressed: deflater.compress(payload), into: &frame)
        } else {
            WebSocketFrameEncoder.encode(opcode: opcode, payload: payload, into: &frame)
        }
        encoded.insert((windowBits, frame), at: 0)
        return frame
    }
}

/// Compressors without context takeover, one per window size, created on first use.
final class BroadcastDeflaters {
    private var byWindowBits: [Int: MessageDeflater] = [:]

    func deflater(windowBits: Int) -> MessageDeflater? {
        if let d = byWindowBits[windowBits] { return d }
        let d = MessageDeflater(windowBits: windowBits, resetsContext: true)
        byWindowBits[windowBits] = d
        return d
    }
}
