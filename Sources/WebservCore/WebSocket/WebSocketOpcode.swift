/// A frame's 4-bit opcode (RFC 6455 §5.2); reserved values are kept so they can be reported.
public enum WebSocketOpcode: Hashable, Sendable {
    case continuation
    case text
    case binary
    case close
    case ping
    case pong
    /// %x3-7 (reserved non-control) or %xB-F (reserved control).
    case reserved(UInt8)

    /// Decodes the low four bits of `raw`.
    public init(raw: UInt8) {
        switch raw & 0x0F {
        case 0x0: self = .continuation
        case 0x1: self = .text
        case 0x2: self = .binary
        case 0x8: self = .close
        case 0x9: self = .ping
        case 0xA: self = .pong
        case let other: self = .reserved(other)
        }
    }

    public var raw: UInt8 {
        switch self {
        case .continuation: 0x0
        case .text: 0x1
        case .binary: 0x2
        case .close: 0x8
        case .ping: 0x9
        case .pong: 0xA
        case .reserved(let value): value & 0x0F
        }
    }

    /// "Control frames are identified by opcodes where the most significant bit of the opcode is 1." (§5.5)
    public var isControl: Bool { raw & 0x08 != 0 }
}
