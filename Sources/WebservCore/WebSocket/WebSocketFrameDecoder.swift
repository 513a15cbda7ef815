/// Incremental decoder of client frames (RFC 6455 §5.2): bytes go in with `append`, frames come
/// out of `nextFrame`. Consumed bytes are dropped, and a frame's length is checked against
/// `maxPayloadLength` as soon as its header is complete, before any of its payload is kept.
public struct WebSocketFrameDecoder: Sendable {
    /// Largest data frame payload accepted; a longer one fails with `.messageTooBig` (1009).
    public var maxPayloadLength: Int
    /// permessage-deflate was negotiated: RSV1 may mark the first frame of a message (RFC 7692 §6).
    public var allowsCompressedFrames = false

    /// Bytes received but not yet consumed, starting at `readIndex`.
    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// The frame whose payload is being collected, if its header has been read.
    private var header: Header?
    /// Unmasked payload collected so far for `header`.
    private var payload: [UInt8] = []

    /// A parsed frame header.
    private struct Header: Sendable {
        var fin: Bool
        /// RSV1 (RFC 7692's "Per-Message Compressed" bit).
        var compressed: Bool
        var opcode: WebSocketOpcode
        var length: Int
        /// The masking key with byte j of the key at bits 8j..<8j+8.
        var maskKey: UInt32
    }

    public init(maxPayloadLength: Int = 1 << 20) {
        self.maxPayloadLength = maxPayloadLength
    }

    /// Bytes appended but not yet consumed by a frame.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// The frame whose payload is still arriving and its unmasked bytes so far, so a text
    /// payload can be checked before it is complete.
    public var partialFrame: (opcode: WebSocketOpcode, payload: ArraySlice<UInt8>)? {
        header.map { ($0.opcode, payload[...]) }
    }

    /// The partial frame has RSV1 set: its payload is compressed and cannot be checked yet.
    public var partialFrameIsCompressed: Bool { header?.compressed ?? false }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        var bytes = bytes.assumingMemoryBound(to: UInt8.self)
        guard !bytes.isEmpty else { return }
        if let current = header, readIndex == buffer.count {
            // Mid-payload with nothing buffered: copy straight into the payload, skipping the buffer.
            let take = min(current.length - payload.count, bytes.count)
            let start = payload.count
            payload.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<take]))
            Self.unmask(&payload, from: start, key: current.maskKey)
            bytes = UnsafeBufferPointer(rebasing: bytes[take...])
            if bytes.isEmpty { return }
        }
        compact()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Frees the buffer's storage once everything in it was consumed.
    public mutating func releaseIdleStorage() {
        if readIndex == buffer.count && buffer.capacity > 0 {
            buffer = []
            readIndex = 0
        }
    }

    /// Drops consumed bytes once they are at least half the buffer, so memory stays bounded
    /// by what one read can deliver while moves stay amortised O(1).
    private mutating func compact() {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex > 0, readIndex >= buffer.count / 2 {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }

    /// Returns the next complete frame, or nil when more bytes are needed.
    public mutating func nextFrame() throws(WebSocketError) -> WebSocketFrame? {
        if header == nil {
            guard let parsed = try parseHeader() else { return nil }
            header = parsed
            payload = []
            // The length is already within the limit; still grow gradually for huge frames.
            payload.reserveCapacity(min(parsed.length, 1 << 18))
        }
        guard let current = header else { return nil }
        let missing = current.length - payload.count
        if missing > 0 {
            let take = min(missing, buffer.count - readIndex)
            if take > 0 {
                let start = payload.count
                payload.append(contentsOf: buffer[readIndex..<(readIndex + take)])
                readIndex += take
                Self.unmask(&payload, from: start, key: current.maskKey)
            }
            if payload.count < current.length { return nil }
        }
        header = nil
        var complete = [UInt8]()
        swap(&complete, &payload)
        return WebSocketFrame(
            fin: current.fin, reservedBits: current.compressed ? 0b100 : 0, opcode: current.opcode, payload: complete)
    }

    /// Reads and checks a header, failing as soon as its first two bytes show a violation.
    private mutating func parseHeader() throws(WebSocketError) -> Header? {
        let available = buffer.count - readIndex
        guard available >= 2 else { return nil }
        let b0 = buffer[readIndex]
        let b1 = buffer[readIndex + 1]
        let fin = b0 & 0x80 != 0
        let opcode = WebSocketOpcode(raw: b0)
        // "MUST be 0 unless an extension is negotiated that defines meanings for non-zero values." (§5.2)
        let compressed = b0 & 0x40 != 0
        guard b0 & 0x30 == 0, !compressed || allowsCompressedFrames else { throw .reservedBitsSet }
        if case .reserved(let value) = opcode { throw .reservedOpcode(value) }
        // "An endpoint MUST NOT set the "Per-Message Compressed" bit of control frames and
        // non-first fragments of a data message." (RFC 7692 §6.1)
        if compressed, opcode.isControl || opcode == .continuation { throw .reservedBitsSet }
        let length7 = b1 & 0x7F
        if opcode.isControl {
            guard fin else { throw .fragmentedControlFrame }
            guard length7 <= 125 else { throw .controlFrameTooLong }
        }
        // "a client MUST mask all frames that it sends to the server" (§5.1)
        guard b1 & 0x80 != 0 else { throw .unmaskedFrame }
        let extended = length7 == 126 ? 2 : (length7 == 127 ? 8 : 0)
        guard available >= 2 + extended + 4 else { return nil }
        var cursor = readIndex + 2
        var length = UInt64(length7)
        if extended > 0 {
            length = 0
            for _ in 0..<extended {
                length = length << 8 | UInt64(buffer[cursor])
                cursor += 1
            }
            // "the most significant bit MUST be 0" (§5.2)
            guard length >> 63 == 0 else { throw .invalidPayloadLength }
        }
        if !opcode.isControl, length > UInt64(max(maxPayloadLength, 0)) { throw .messageTooBig }
        let key =
            UInt32(buffer[cursor]) | UInt32(buffer[cursor + 1]) << 8
            | UInt32(buffer[cursor + 2]) << 16 | UInt32(buffer[cursor + 3]) << 24
        readIndex = cursor + 4
        return Header(fin: fin, compressed: compressed, opcode: opcode, length: Int(length), maskKey: key)
    }

    /// "octet i of the transformed data is the XOR of octet i of the original data with octet at
    /// index i modulo 4 of the masking key" (§5.3) — applied eight bytes at a time when aligned to the key.
    private static func unmask(_ bytes: inout [UInt8], from start: Int, key: UInt32) {
        bytes.withUnsafeMutableBytes { raw in
            let end = raw.count
            var i = start
            while i < end, i & 3 != 0 {
                raw[i] ^= UInt8(truncatingIfNeeded: key >> UInt32((i & 3) * 8))
                i += 1
            }
            let wide = UInt64(littleEndian: UInt64(key) | UInt64(key) << 32)
            while i + 8 <= end {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ wide
                raw.storeBytes(of: word, toByteOffset: i, as: UInt64.self)
                i += 8
            }
            while i < end {
                raw[i] ^= UInt8(truncatingIfNeeded: key >> UInt32((i & 3) * 8))
                i += 1
            }
        }
    }
}
