/// The frames of one broadcast message, each encoded once: plain, and compressed once per
/// compressor window size among the members (broadcast members negotiate
/// `server_no_context_takeover`, so one compressed payload suits every member with that window).
struct BroadcastFrames {
    let opcode: WebSocketOpcode
    let payload: [UInt8]
    let deflaters: BroadcastDeflaters
    private var plain: [UInt8]?
    /// By compressor window bits (9...15); a handful at most.
    private var compressed: [(windowBits: Int, frame: [UInt8])] = []

    init(opcode: WebSocketOpcode, payload: [UInt8], deflaters: BroadcastDeflaters) {
        self.opcode = opcode
        self.payload = payload
        self.deflaters = deflaters
    }

    /// The frame for a member with these negotiated parameters.
    mutating func frame(for deflate: PerMessageDeflateParameters?) -> [UInt8] {
        guard let deflate, let deflater = deflaters.deflater(windowBits: deflate.compressorWindowBits) else {
            if let plain { return plain }
            let frame = WebSocketFrameEncoder.encode(opcode: opcode, payload: payload)
            plain = frame
            return frame
        }
        if let cached = compressed.first(where: { $0.windowBits == deflater.windowBits }) { return cached.frame }
        var frame: [UInt8] = []
        PerMessageDeflate.appendCompressedFrame(opcode: opcode, compressed: deflater.compress(payload), into: &frame)
        compressed.append((deflater.windowBits, frame))
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
