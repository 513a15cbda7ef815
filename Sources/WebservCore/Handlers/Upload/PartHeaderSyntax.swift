/// Byte-level pieces of MIME header syntax shared by the multipart parser and its boundary lookup.
enum PartHeaderSyntax {
    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }

    static func trimmed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lo = s.startIndex
        var hi = s.endIndex
        while lo < hi && isSpace(s[lo]) { lo += 1 }
        while hi > lo && isSpace(s[hi - 1]) { hi -= 1 }
        return s[lo..<hi]
    }

    /// ASCII case-insensitive comparison with a lower-case literal.
    static func equalsIgnoringCase<S: Collection<UInt8>>(_ bytes: S, _ lower: String) -> Bool {
        guard bytes.count == lower.utf8.count else { return false }
        return zip(bytes, lower.utf8).allSatisfy { a, b in
            (a >= UInt8(ascii: "A") && a <= UInt8(ascii: "Z") ? a | 0x20 : a) == b
        }
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The `; key=value` parameters after a header value's first item (RFC 2045 §5.1).
    ///
    /// Quoted values are unquoted; a backslash escapes only `"` and `\`, because browsers send
    /// Windows paths such as `C:\dir\a.txt` unescaped inside the quotes.
    static func parameters(_ value: ArraySlice<UInt8>) -> [(key: ArraySlice<UInt8>, value: [UInt8])] {
        var result: [(key: ArraySlice<UInt8>, value: [UInt8])] = []
        var i = value.firstIndex(of: UInt8(ascii: ";")) ?? value.endIndex
        while i < value.endIndex {
            i += 1  // past ";"
            while i < value.endIndex && isSpace(value[i]) { i += 1 }
            let keyStart = i
            while i < value.endIndex && value[i] != UInt8(ascii: "=") && value[i] != UInt8(ascii: ";") { i += 1 }
            let key = trimmed(value[keyStart..<i])
            var item: [UInt8] = []
            if i < value.endIndex && value[i] == UInt8(ascii: "=") {
                i += 1
                while i < value.endIndex && isSpace(value[i]) { i += 1 }
                if i < value.endIndex && value[i] == UInt8(ascii: "\"") {
                    i += 1
                    while i < value.endIndex && value[i] != UInt8(ascii: "\"") {
                        if value[i] == UInt8(ascii: "\\"), i + 1 < value.endIndex,
                            value[i + 1] == UInt8(ascii: "\"") || value[i + 1] == UInt8(ascii: "\\")
                        {
                            i += 1
                        }
                        item.append(value[i])
                        i += 1
                    }
                    // Skip the closing quote and anything up to the next parameter.
                    while i < value.endIndex && value[i] != UInt8(ascii: ";") { i += 1 }
                } else {
                    let start = i
                    while i < value.endIndex && value[i] != UInt8(ascii: ";") { i += 1 }
                    item = Array(trimmed(value[start..<i]))
                }
            } else {
                while i < value.endIndex && value[i] != UInt8(ascii: ";") { i += 1 }
            }
            if !key.isEmpty { result.append((key, item)) }
        }
        return result
    }
}
