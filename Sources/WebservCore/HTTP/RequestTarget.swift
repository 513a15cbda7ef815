/// The request-target forms of RFC 9112 §3.2 that more than the parser asks about.
enum RequestTarget {
    /// For an absolute-form "http://host[:port]/path" (or https), the authority's range; the
    /// path follows it. Nil for any other form, or an empty authority.
    static func absoluteFormAuthority(_ t: ArraySlice<UInt8>) -> Range<Int>? {
        let lower = t.prefix(8).map { $0 | 0x20 }
        let schemeLength: Int
        if lower.starts(with: Array("http://".utf8)) {
            schemeLength = 7
        } else if lower.starts(with: Array("https://".utf8)) {
            schemeLength = 8
        } else {
            return nil
        }
        let authorityStart = t.startIndex + schemeLength
        let end = t[authorityStart...].firstIndex { $0 == 0x2F || $0 == 0x3F } ?? t.endIndex
        return end > authorityStart ? authorityStart..<end : nil
    }
}
