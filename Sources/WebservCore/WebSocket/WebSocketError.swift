/// Every way a WebSocket peer can break the protocol; `closeCode` is the one map to the wire.
public enum WebSocketError: Error, Equatable, Sendable {
    /// "The server MUST close the connection upon receiving a frame that is not masked." (§5.1)
    case unmaskedFrame
    /// RSV bits set with no extension negotiated (§5.2).
    case reservedBitsSet
    case reservedOpcode(UInt8)
    /// "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented." (§5.5)
    case controlFrameTooLong
    case fragmentedControlFrame
    /// A 64-bit length whose most significant bit is set (§5.2).
    case invalidPayloadLength
    case unexpectedContinuation
    case expectedContinuation
    /// A close payload of exactly one byte (§5.5.1: if there is a body, the first two bytes are the code).
    case invalidClosePayload
    case invalidCloseCode(UInt16)
    /// Text message or close reason that is not UTF-8 (§8.1).
    case invalidUTF8
    /// A frame or message larger than the configured maximum.
    case messageTooBig
    case policyViolation
    /// A permessage-deflate payload zlib cannot inflate (RFC 7692 §7.2.2); a protocol error, as
    /// Python `websockets` treats it.
    case invalidCompressedData
    case internalError

    /// The status code sent in our close frame (§7.4.1).
    public var closeCode: UInt16 {
        switch self {
        case .unmaskedFrame, .reservedBitsSet, .reservedOpcode, .controlFrameTooLong,
            .fragmentedControlFrame, .invalidPayloadLength, .unexpectedContinuation,
            .expectedContinuation, .invalidClosePayload, .invalidCloseCode, .invalidCompressedData:
            1002
        case .invalidUTF8: 1007
        case .policyViolation: 1008
        case .messageTooBig: 1009
        case .internalError: 1011
        }
    }
}
