/// Incremental UTF-8 validator that fails on the first byte that cannot start or continue a
/// well-formed sequence, so a text message can be rejected before it is complete.
public struct UTF8Validator: Sendable {
    /// Continuation bytes still expected for the current character.
    private var remaining: UInt8 = 0
    /// Allowed range of the next continuation byte (narrower than 80...BF right after E0, ED, F0, F4).
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF
    private var failed = false

    public init() {}

    /// True when every byte fed so far is valid and no character is cut in half.
    public var isAtCharacterBoundary: Bool { !failed && remaining == 0 }

    /// True once an invalid byte has been seen (until `reset()`).
    public var hasFailed: Bool { failed }

    public mutating func reset() {
        self = UTF8Validator()
    }

    /// Feeds more bytes; returns false as soon as the stream can no longer be valid UTF-8.
    public mutating func feed(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// Feeds more bytes; returns false as soon as the stream can no longer be valid UTF-8.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if failed { return false }
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var i = 0
        while i < count {
            if remaining == 0 {
                // ASCII runs are the common case: test eight bytes at a time for a set high bit.
                while i &+ 8 <= count,
                    base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
                {
                    i &+= 8
                }
                if i == count { break }
                let byte = base.load(fromByteOffset: i, as: UInt8.self)
                i &+= 1
                if byte < 0x80 { continue }
                // RFC 3629 §4, the UTF8-2/3/4 rules: the first continuation byte's range excludes
                // overlongs (E0, F0), surrogates U+D800-DFFF (ED) and code points above U+10FFFF (F4).
                switch byte {
                case 0xC2...0xDF: begin(1, 0x80, 0xBF)
                case 0xE0: begin(2, 0xA0, 0xBF)
                case 0xE1...0xEC, 0xEE...0xEF: begin(2, 0x80, 0xBF)
                case 0xED: begin(2, 0x80, 0x9F)
                case 0xF0: begin(3, 0x90, 0xBF)
                case 0xF1...0xF3: begin(3, 0x80, 0xBF)
                case 0xF4: begin(3, 0x80, 0x8F)
                default:  // 80-C1 (stray continuation, overlong 2-byte lead), F5-FF
                    failed = true
                    return false
                }
            } else {
                let byte = base.load(fromByteOffset: i, as: UInt8.self)
                i &+= 1
                guard byte >= lower, byte <= upper else {
                    failed = true
                    return false
                }
                remaining &-= 1
                lower = 0x80
                upper = 0xBF
            }
        }
        return true
    }

    @inline(__always)
    private mutating func begin(_ continuations: UInt8, _ low: UInt8, _ high: UInt8) {
        remaining = continuations
        lower = low
        upper = high
    }

    /// Validates a complete byte sequence.
    public static func isValid(_ bytes: some Collection<UInt8>) -> Bool {
        var validator = UTF8Validator()
        let ok =
            bytes.withContiguousStorageIfAvailable { validator.feed(UnsafeRawBufferPointer($0)) }
            ?? Array(bytes).withUnsafeBytes { validator.feed($0) }
        return ok && validator.isAtCharacterBoundary
    }

    /// `bytes` if they are UTF-8, else a copy with each invalid sequence replaced by U+FFFD.
    public static func repaired(_ bytes: some Collection<UInt8>) -> [UInt8] {
        isValid(bytes) ? Array(bytes) : Array(String(decoding: bytes, as: UTF8.self).utf8)
    }
}
