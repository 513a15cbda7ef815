/// The headers of one multipart/form-data part that the upload handler needs (RFC 7578 §4.2, §4.4).
public struct MultipartPartHeaders: Equatable, Sendable {
    /// The form field name from `Content-Disposition: form-data; name="..."`.
    public var name: String?
    /// The client's file name, raw (not yet sanitised); `filename*` wins over `filename`.
    public var fileName: String?
    public var contentType: String?

    public init(name: String? = nil, fileName: String? = nil, contentType: String? = nil) {
        self.name = name
        self.fileName = fileName
        self.contentType = contentType
    }

    /// Parses header lines ending in LF (CR optional); lines without a colon are malformed.
    init(parsing block: ArraySlice<UInt8>) throws {
        var lineStart = block.startIndex
        while lineStart < block.endIndex {
            var lineEnd = block[lineStart...].firstIndex(of: 10) ?? block.endIndex
            let next = lineEnd < block.endIndex ? lineEnd + 1 : lineEnd
            if lineEnd > lineStart && block[lineEnd - 1] == 13 { lineEnd -= 1 }
            try parseLine(block[lineStart..<lineEnd])
            lineStart = next
        }
    }

    private mutating func parseLine(_ line: ArraySlice<UInt8>) throws {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
            throw MultipartError.malformedHeader
        }
        let name = line[..<colon]
        let value = PartHeaderSyntax.trimmed(line[(colon + 1)...])
        // Part headers other than these two mean nothing to a stored upload (RFC 7578 §4.8).
        if PartHeaderSyntax.equalsIgnoringCase(name, "content-disposition") {
            parseDisposition(value)
        } else if PartHeaderSyntax.equalsIgnoringCase(name, "content-type") {
            contentType = String(decoding: value, as: UTF8.self)
        }
    }

    /// `form-data; name="field"; filename="a.txt"; filename*=UTF-8''%E2%82%AC.txt`
    private mutating func parseDisposition(_ value: ArraySlice<UInt8>) {
        var extendedName: String?
        for (key, raw) in PartHeaderSyntax.parameters(value) {
            if PartHeaderSyntax.equalsIgnoringCase(key, "name") {
                name = String(decoding: raw, as: UTF8.self)
            } else if PartHeaderSyntax.equalsIgnoringCase(key, "filename") {
                fileName = String(decoding: raw, as: UTF8.self)
            } else if PartHeaderSyntax.equalsIgnoringCase(key, "filename*") {
                extendedName = Self.decodeExtendedValue(raw)
            }
        }
        if let extendedName { fileName = extendedName }
    }

    /// RFC 8187 `charset'language'pct-encoded`; only UTF-8 (and its ASCII subset) is understood.
    static func decodeExtendedValue(_ raw: [UInt8]) -> String? {
        let parts = raw.split(separator: UInt8(ascii: "'"), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let charset = parts[0]
        guard PartHeaderSyntax.equalsIgnoringCase(charset, "utf-8") || PartHeaderSyntax.equalsIgnoringCase(charset, "us-ascii")
        else { return nil }
        var out: [UInt8] = []
        let encoded = parts[2]
        var i = encoded.startIndex
        while i < encoded.endIndex {
            if encoded[i] == UInt8(ascii: "%"), i + 2 < encoded.endIndex,
                let hi = PartHeaderSyntax.hexValue(encoded[i + 1]), let lo = PartHeaderSyntax.hexValue(encoded[i + 2])
            {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(encoded[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
