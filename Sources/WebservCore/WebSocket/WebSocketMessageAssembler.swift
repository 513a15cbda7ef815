/// What the assembler makes of frames: whole messages and control frames.
public enum WebSocketEvent: Equatable, Sendable {
    /// A complete text or binary message.
    case message(opcode: WebSocketOpcode, payload: [UInt8])
    case ping([UInt8])
    case pong([UInt8])
    case close(code: UInt16?, reason: [UInt8])
}

/// Joins fragments into messages (RFC 6455 §5.4), validating text incrementally so bad UTF-8
/// fails on the fragment that carries it.
public struct WebSocketMessageAssembler: Sendable {
    public var maxMessageSize: Int

    /// Opcode of the fragmented message in progress.
    private var messageOpcode: WebSocketOpcode?
    private var buffer: [UInt8] = []
    private var validator = UTF8Validator()
    /// Bytes of the frame in progress already validated through `inspectPartial`.
    private var validatedPrefix = 0

    public init(maxMessageSize: Int = 1 << 20) {
        self.maxMessageSize = maxMessageSize
    }

    /// True while a fragmented message is open.
    public var isAssembling: Bool { messageOpcode != nil }

    /// Room left for the message in progress; a decoder limit that rejects a frame before it is buffered.
    public var remainingMessageBudget: Int { maxMessageSize - buffer.count }

    /// Consumes one frame; returns an event when the frame completes something.
    public mutating func push(_ frame: WebSocketFrame) throws(WebSocketError) -> WebSocketEvent? {
        switch frame.opcode {
        case .ping:
            return .ping(frame.payload)
        case .pong:
            return .pong(frame.payload)
        case .close:
            return try Self.parseClose(frame.payload)
        case .text, .binary:
            // "the fragments of one message MUST NOT be interleaved between the fragments of another" (§5.4)
            guard messageOpcode == nil else { throw .expectedContinuation }
            guard frame.payload.count <= maxMessageSize else { throw .messageTooBig }
            if frame.opcode == .text { try validate(frame.payload[...], final: frame.fin) }
            if frame.fin { return .message(opcode: frame.opcode, payload: frame.payload) }
            messageOpcode = frame.opcode
            buffer = frame.payload
            return nil
        case .continuation:
            guard let opcode = messageOpcode else { throw .unexpectedContinuation }
            guard frame.payload.count <= maxMessageSize - buffer.count else { throw .messageTooBig }
            if opcode == .text { try validate(frame.payload[...], final: frame.fin) }
            buffer.append(contentsOf: frame.payload)
            guard frame.fin else { return nil }
            messageOpcode = nil
            var message = [UInt8]()
            swap(&message, &buffer)
            return .message(opcode: opcode, payload: message)
        case .reserved(let value):
            throw .reservedOpcode(value)
        }
    }

    /// Validates the part of a text frame received so far, so invalid UTF-8 fails before the
    /// frame is complete. `payload` is the frame's whole payload so far.
    public mutating func inspectPartial(opcode: WebSocketOpcode, payload: ArraySlice<UInt8>) throws(WebSocketError) {
        let isText = (opcode == .text && messageOpcode == nil) || (opcode == .continuation && messageOpcode == .text)
        guard isText, payload.count > validatedPrefix else { return }
        guard validator.feed(payload[(payload.startIndex + validatedPrefix)...]) else { throw .invalidUTF8 }
        validatedPrefix = payload.count
    }

    private mutating func validate(_ payload: ArraySlice<UInt8>, final: Bool) throws(WebSocketError) {
        let unseen = payload[(payload.startIndex + min(validatedPrefix, payload.count))...]
        validatedPrefix = 0
        guard validator.feed(unseen) else { throw .invalidUTF8 }
        if final {
            guard validator.isAtCharacterBoundary else { throw .invalidUTF8 }
            validator.reset()
        }
    }

    /// §5.5.1: an empty body, or a 2-byte code followed by a UTF-8 reason.
    static func parseClose(_ payload: [UInt8]) throws(WebSocketError) -> WebSocketEvent {
        if payload.isEmpty { return .close(code: nil, reason: []) }
        guard payload.count >= 2 else { throw .invalidClosePayload }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        guard isValidCloseCode(code) else { throw .invalidCloseCode(code) }
        let reason = payload[2...]
        guard UTF8Validator.isValid(reason) else { throw .invalidUTF8 }
        return .close(code: code, reason: Array(reason))
    }

    /// Codes a peer may send (§7.4.1, §7.4.2, as Autobahn tests them): 1000-1003 and 1007-1011
    /// are defined; 1004-1006 and 1015 must never be sent; 1012-2999 are unassigned;
    /// 3000-3999 are registered and 4000-4999 private.
    public static func isValidCloseCode(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1011, 3000...4999: true
        default: false
        }
    }
}
