import CZlib

/// Decompresses permessage-deflate messages (RFC 7692 §7.2.2) frame by frame through zlib's raw
/// inflate, in bounded steps: output stops one byte past the caller's limit, so a deflate bomb
/// costs at most the limit plus one step of memory before it is refused.
/// A class because zlib keeps pointers into its `z_stream`; owned by one session on the loop thread.
public final class MessageInflater: @unchecked Sendable {
    /// Output produced per call to zlib.
    static let step = 64 << 10
    /// §7.2.2: "Append 4 octets of 0x00 0x00 0xff 0xff to the tail end of the payload of the message".
    private static let tail: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]
    /// Space for one step, appended and then trimmed to what zlib wrote.
    static let zeros = [UInt8](repeating: 0, count: step)

    private let stream: UnsafeMutablePointer<z_stream>
    /// The peer ended its DEFLATE stream with a BFINAL block (§7.2.3.4): the rest of this
    /// message is ignored and the next one starts a new stream.
    private var streamEnded = false

    /// nil when zlib cannot allocate its state.
    public init?() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // The largest window reads a stream made with any smaller one.
        guard webserv_inflateInit2(stream, -15) == Z_OK else {
            stream.deallocate()
            return nil
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Appends the inflated bytes of one frame's payload to `output`; `final` marks the message's
    /// last frame. Throws `.messageTooBig` as soon as `output` would pass `limit` bytes, and
    /// `.invalidCompressedData` for a stream zlib cannot read.
    public func inflate(
        _ payload: [UInt8], final: Bool, into output: inout [UInt8], limit: Int
    ) throws(WebSocketError) {
        if let error = payload.withUnsafeBytes({ run($0, into: &output, limit: limit) }) { throw error }
        guard final else { return }
        if let error = Self.tail.withUnsafeBytes({ run($0, into: &output, limit: limit) }) { throw error }
        // With its tail a message ends between blocks (zlib's data_type bit 128), or after a final
        // block. An empty payload, say, leaves a stored block half read: refused here, rather
        // than corrupting the next message.
        if !streamEnded && stream.pointee.data_type & 128 == 0 { throw .invalidCompressedData }
    }

    /// Ends a message: a stream that ended, or a peer that takes no context over, starts afresh.
    public func endMessage(resetContext: Bool) {
        if resetContext || streamEnded { inflateReset(stream) }
        streamEnded = false
    }

    /// Inflates `input` into `output`; the error that stops it, if any.
    private func run(_ input: UnsafeRawBufferPointer, into output: inout [UInt8], limit: Int) -> WebSocketError? {
        guard !input.isEmpty, !streamEnded else { return nil }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = UInt32(input.count)
        defer {
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
        }
        // Small messages get small steps (a chat line should not cost a 64 KiB copy), large ones grow to `step`.
        var step = min(max(1024, input.count * 4), Self.step)
        while true {
            // One byte past the limit is enough to know it was exceeded.
            let room = min(step, limit - output.count + 1)
            step = min(step * 2, Self.step)
            let start = output.count
            output.append(contentsOf: Self.zeros[..<room])
            let status = output.withUnsafeMutableBufferPointer { p in
                stream.pointee.next_out = p.baseAddress! + start
                stream.pointee.avail_out = UInt32(room)
                return CZlib.inflate(stream, Z_SYNC_FLUSH)
            }
            let unused = Int(stream.pointee.avail_out)
            output.removeLast(unused)
            stream.pointee.next_out = nil
            if output.count > limit { return .messageTooBig }
            switch status {
            case Z_OK:
                // All input read and zlib stopped before filling the space: nothing is pending.
                if stream.pointee.avail_in == 0 && unused > 0 { return nil }
            case Z_STREAM_END:
                streamEnded = true
                return nil
            case Z_BUF_ERROR:
                // No progress possible: everything given was consumed and flushed.
                return nil
            default:
                return .invalidCompressedData
            }
        }
    }
}
