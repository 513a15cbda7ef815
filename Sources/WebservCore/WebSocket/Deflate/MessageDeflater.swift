import CZlib

/// Compresses permessage-deflate messages (RFC 7692 §7.2.1) through zlib's raw deflate: each
/// message ends with a sync flush whose trailing 0x00 0x00 0xff 0xff is removed. The context
/// (the window of earlier messages) is kept unless `resetsContext`.
/// A class because zlib keeps pointers into its `z_stream`; used on the loop thread only.
public final class MessageDeflater: @unchecked Sendable {
    /// zlib's default level: a chat message is small, and a broadcast one is compressed once.
    static let level: Int32 = 6
    /// A compressor of one connection: a 4 KiB window and zlib's memLevel 5, as Python `websockets`
    /// chooses, cost ~40 KiB instead of ~260 KiB at 15/8; using less window than negotiated is
    /// always allowed (the peer's window is an upper bound). Chat messages lose almost nothing.
    static let connectionWindowBits = 12
    static let connectionMemoryLevel: Int32 = 5

    public let windowBits: Int
    /// `server_no_context_takeover`: every message starts from an empty window.
    public let resetsContext: Bool
    public let memoryLevel: Int32
    private let stream: UnsafeMutablePointer<z_stream>

    /// A compressor for one connection with these negotiated parameters.
    public static func forConnection(_ deflate: PerMessageDeflateParameters) -> MessageDeflater? {
        MessageDeflater(
            windowBits: min(deflate.compressorWindowBits, connectionWindowBits), resetsContext: deflate.serverNoContextTakeover,
            memoryLevel: connectionMemoryLevel)
    }

    /// nil when zlib cannot allocate its state. `windowBits` 9...15 (see
    /// `PerMessageDeflateParameters.compressorWindowBits` for 8).
    public init?(windowBits: Int, resetsContext: Bool, memoryLevel: Int32 = 8) {
        self.windowBits = windowBits
        self.resetsContext = resetsContext
        self.memoryLevel = memoryLevel
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = webserv_deflateInit2(
            stream, Self.level, Z_DEFLATED, -Int32(windowBits), memoryLevel, Z_DEFAULT_STRATEGY)
        guard status == Z_OK else {
            stream.deallocate()
            return nil
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// The compressed payload of one message.
    public func compress(_ payload: some Collection<UInt8>) -> [UInt8] {
        // §7.2.3.6: an empty message may be the single octet 0x00 (an empty stored block once
        // the receiver appends its tail); it leaves the context untouched.
        guard !payload.isEmpty else { return [0x00] }
        var output: [UInt8] = []
        let done: Void? = payload.withContiguousStorageIfAvailable { p in
            compress(UnsafeRawBufferPointer(p), into: &output)
        }
        if done == nil { Array(payload).withUnsafeBytes { compress($0, into: &output) } }
        return output
    }

    private func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = UInt32(input.count)
        var room = min(Int(deflateBound(stream, UInt(input.count))) + 16, MessageInflater.step)
        while true {
            let start = output.count
            output.append(contentsOf: MessageInflater.zeros[..<room])
            let status = output.withUnsafeMutableBufferPointer { p in
                stream.pointee.next_out = p.baseAddress! + start
                stream.pointee.avail_out = UInt32(room)
                return deflate(stream, Z_SYNC_FLUSH)
            }
            let unused = Int(stream.pointee.avail_out)
            output.removeLast(unused)
            // "If deflate returns with avail_out == 0, this function must be called again with
            // the same value of the flush parameter and more output space" (zlib.h).
            if unused > 0 || (status != Z_OK && status != Z_BUF_ERROR) { break }
            room = MessageInflater.step
        }
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        stream.pointee.avail_in = 0
        // §7.2.1: "Remove 4 octets (that are 0x00 0x00 0xff 0xff) from the tail end."
        if output.count >= 4, output[(output.count - 4)...].elementsEqual([0x00, 0x00, 0xFF, 0xFF]) {
            output.removeLast(4)
        }
        if resetsContext { deflateReset(stream) }
    }
}
