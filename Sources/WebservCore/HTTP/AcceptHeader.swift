/// The `Accept` header (RFC 9110 §12.5.1), asked about one media type at a time.
enum AcceptHeader {
    /// The quality (0…1000) the first member naming `type` (any case, any parameters) gives
    /// it; nil when no member names it. `type;q=0` means "not acceptable".
    static func quality(of type: StaticString, in accept: ArraySlice<UInt8>) -> Int? {
        var quality: Int?
        Bytes.forEachToken(accept) { member in
            guard quality == nil else { return }
            let parts = member.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
            guard Bytes.equalsLowercased(AcceptEncoding.trimmed(parts[0]), type) else { return }
            var q = 1000
            for parameter in parts.dropFirst() {
                let p = AcceptEncoding.trimmed(parameter)
                if p.count >= 2, p.first! | 0x20 == UInt8(ascii: "q"), p[p.startIndex + 1] == UInt8(ascii: "=") {
                    q = AcceptEncoding.qvalue(p.dropFirst(2)) ?? 0
                }
            }
            quality = q
        }
        return quality
    }

    /// `type` is named with a quality above 0.
    static func accepts(_ type: StaticString, in accept: ArraySlice<UInt8>?) -> Bool {
        guard let accept else { return false }
        return (quality(of: type, in: accept) ?? 0) > 0
    }
}
