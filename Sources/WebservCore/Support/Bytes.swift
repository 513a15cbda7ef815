/// Small byte helpers used across the request path (no String round-trips).
public enum Bytes {
    /// The text of a NUL-terminated C buffer (getcwd, inet_ntop fill one).
    public static func string(cString buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// ASCII case-insensitive comparison with a lower-case literal.
    @inline(__always)
    public static func equalsLowercased(_ bytes: ArraySlice<UInt8>, _ lower: StaticString) -> Bool {
        guard bytes.count == lower.utf8CodeUnitCount else { return false }
        let l = lower.utf8Start
        var k = 0
        for b in bytes {
            let c = (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
            if c != l[k] { return false }
            k += 1
        }
        return true
    }

    public static func equals(_ bytes: ArraySlice<UInt8>, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        return bytes.elementsEqual(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    public static func lowercased(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        bytes.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }
    }

    /// 1*DIGIT without sign or spaces, refusing overflow.
    public static func parseDecimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for b in bytes {
            guard let d = ByteClass.digit(b) else { return nil }
            value = value * 10 + d
        }
        return value
    }

    /// Calls `body` with each comma-separated token, trimmed of spaces and tabs.
    public static func forEachToken(_ bytes: ArraySlice<UInt8>, _ body: (ArraySlice<UInt8>) -> Void) {
        var start = bytes.startIndex
        var i = start
        func emit(_ s: Int, _ e: Int) {
            var s = s
            var e = e
            while s < e && (bytes[s] == 0x20 || bytes[s] == 0x09) { s += 1 }
            while e > s && (bytes[e - 1] == 0x20 || bytes[e - 1] == 0x09) { e -= 1 }
            if s < e { body(bytes[s..<e]) }
        }
        while i < bytes.endIndex {
            if bytes[i] == 0x2C {
                emit(start, i)
                start = i + 1
            }
            i += 1
        }
        emit(start, bytes.endIndex)
    }

    /// Where `needle` first occurs in `bytes` (case-sensitive), or nil.
    static func firstIndex(of needle: StaticString, in bytes: ArraySlice<UInt8>) -> Int? {
        let n = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard bytes.count >= n.count else { return nil }
        for i in bytes.startIndex...(bytes.endIndex - n.count) where bytes[i..<(i + n.count)].elementsEqual(n) {
            return i
        }
        return nil
    }

    static func contains(_ bytes: ArraySlice<UInt8>, _ needle: StaticString) -> Bool {
        firstIndex(of: needle, in: bytes) != nil
    }

    public static func containsToken(_ bytes: ArraySlice<UInt8>, _ lower: StaticString) -> Bool {
        var found = false
        forEachToken(bytes) { if equalsLowercased($0, lower) { found = true } }
        return found
    }

    /// Appends the decimal form of a non-negative integer.
    @inline(__always)
    public static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(truncatingIfNeeded: value) &+ 0x30)
            return
        }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while n > 0 {
                d[19 - count] = UInt8(truncatingIfNeeded: n % 10) &+ 0x30
                n /= 10
                count += 1
            }
            out.append(contentsOf: d[(20 - count)...])
        }
    }

    public static func append(_ s: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    public static func append(_ s: String, to out: inout [UInt8]) {
        out.append(contentsOf: s.utf8)
    }
}

/// 256-entry byte classes of RFC 9110 §5.6.
public enum ByteClass {
    /// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    /// as two 64-bit masks (bytes 0–63, 64–127): a test on the hot path without a global
    /// table, whose lazy initialisation would be checked on every call.
    private static let tokenLow: UInt64 = 0x03ff_6cfa_0000_0000
    private static let tokenHigh: UInt64 = 0x57ff_ffff_c7ff_fffe

    @inline(__always)
    public static func isToken(_ b: UInt8) -> Bool {
        if b < 64 { return tokenLow >> UInt64(b) & 1 != 0 }
        if b < 128 { return tokenHigh >> UInt64(b &- 64) & 1 != 0 }
        return false
    }

    /// field-vchar / SP / HTAB, obs-text allowed; CTLs (NUL, CR, LF …) are not.
    @inline(__always)
    public static func isFieldValue(_ b: UInt8) -> Bool { b >= 0x20 ? b != 0x7F : b == 0x09 }

    @inline(__always)
    public static func digit(_ b: UInt8) -> Int? {
        b >= 0x30 && b <= 0x39 ? Int(b &- 0x30) : nil
    }

    @inline(__always)
    public static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b &- 0x30
        case 0x41...0x46: return b &- 0x37
        case 0x61...0x66: return b &- 0x57
        default: return nil
        }
    }
}

extension Bytes {
    public static func appendHex(_ value: Int, to out: inout [UInt8]) {
        let digits: StaticString = "0123456789abcdef"
        var shift = 60
        while shift > 0 && (value >> shift) & 0xF == 0 { shift -= 4 }
        while shift >= 0 {
            out.append(digits.utf8Start[(value >> shift) & 0xF])
            shift -= 4
        }
    }
}
