/// JSON string literals (RFC 8259 §7), shared by the upload report and broadcast polling.
public enum JSON {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `bytes` as a JSON string: quote, backslash and control characters escaped,
    /// UTF-8 passed through, bytes that are not UTF-8 (binary messages) replaced by U+FFFD.
    public static func appendString(_ bytes: [UInt8], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let text = UTF8Validator.repaired(bytes)
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            // The two-character escapes where JSON has them, as most encoders write them.
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0x08: out.append(contentsOf: "\\b".utf8)
            case 0x0C: out.append(contentsOf: "\\f".utf8)
            case 0x00..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    public static func string(_ s: String) -> String {
        var out: [UInt8] = []
        appendString(Array(s.utf8), into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
