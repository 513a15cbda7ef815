/// Server-Sent Events on the wire (WHATWG HTML, "Server-sent events": the event stream format).
public enum SSEEncoder {
    /// `id: I` then one `data:` line per line of the message (split at CR, LF and CRLF, as an
    /// event stream's parser splits), then the blank line that dispatches the event. Bytes that
    /// are not UTF-8 (a binary message) are replaced by U+FFFD: the stream is UTF-8 text.
    public static func event(id: Int, data: [UInt8]) -> [UInt8] {
        let text = UTF8Validator.isValid(data) ? data : UTF8Validator.repaired(data)
        var out: [UInt8] = []
        out.reserveCapacity(text.count + 24)
        Bytes.append("id: \(id)\ndata: ", to: &out)
        var i = 0
        while i < text.count {
            let byte = text[i]
            if byte == 0x0D || byte == 0x0A {
                Bytes.append("\ndata: ", to: &out)
                if byte == 0x0D && i + 1 < text.count && text[i + 1] == 0x0A { i += 1 }
            } else {
                out.append(byte)
            }
            i += 1
        }
        Bytes.append("\n\n", to: &out)
        return out
    }

    /// A comment line (`: text`) and a blank line: EventSource ignores it, proxies see traffic.
    public static func comment(_ text: String) -> [UInt8] {
        Array(": \(text)\n\n".utf8)
    }
}
