extension MultipartScanner {
    /// The boundary parameter of a `multipart/...` Content-Type, or nil when the type is not
    /// multipart or the boundary is missing or invalid (RFC 2046 §5.1.1: 1 to 70 bchars, not
    /// ending in a space). The parameter name is case-insensitive and the value may be quoted.
    public static func boundary(fromContentType value: ArraySlice<UInt8>) -> [UInt8]? {
        let semicolon = value.firstIndex(of: UInt8(ascii: ";")) ?? value.endIndex
        let mediaType = PartHeaderSyntax.trimmed(value[..<semicolon])
        guard mediaType.count > 10,
            PartHeaderSyntax.equalsIgnoringCase(mediaType.prefix(10), "multipart/")
        else { return nil }
        for (key, raw) in PartHeaderSyntax.parameters(value)
        where PartHeaderSyntax.equalsIgnoringCase(key, "boundary") {
            guard (1...70).contains(raw.count), raw.last != UInt8(ascii: " "),
                raw.allSatisfy(isBoundaryChar)
            else { return nil }
            return raw
        }
        return nil
    }

    /// bchars: DIGIT / ALPHA / "'" / "(" / ")" / "+" / "_" / "," / "-" / "." / "/" / ":" / "=" / "?" / SP
    private static func isBoundaryChar(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return "'()+_,-./:=? ".utf8.contains(b)
        }
    }
}
