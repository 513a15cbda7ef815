/// A cached file's compressed copies: compressed once, kept beside the identity bytes and
/// revalidated with them, so a compressed hit costs no more than a plain one.
extension FileCache.Entry: EncodedVariants {
    struct EncodedKey: Hashable {
        let coding: ContentCoding
        let level: Int
    }

    var length: Int { contents.count }

    func encoded(_ coding: ContentCoding, level: Int) -> (body: [UInt8], headerLines: [UInt8])? {
        let key = EncodedKey(coding: coding, level: level)
        if let variant = encodedVariants[key] { return variant }
        guard let body = BodyEncoder.compress(contents, coding, level: level) else { return nil }
        var h: [UInt8] = []
        Bytes.append("Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n", to: &h)
        Bytes.append("Last-Modified: \(lastModified)\r\nETag: \(CompressionFilter.weakened(etag))\r\n", to: &h)
        Bytes.append("Content-Encoding: \(coding.token)\r\nVary: Accept-Encoding\r\n", to: &h)
        encodedVariants[key] = (body, h)
        return (body, h)
    }
}
