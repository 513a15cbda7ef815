/// nginx's `charset` (ngx_http_charset_module, without recoding): the charset named in the
/// Content-Type of answers whose media type is among `charset_types`. Pure.
enum Charset {
    /// nginx's default `charset_types`.
    static let defaultTypes = [
        "text/html", "text/xml", "text/plain", "text/vnd.wap.wml", "application/javascript", "application/rss+xml",
    ]

    /// `type` with `; charset=NAME` when `charset` is set, the media type is text/html or one
    /// of `types` (lower-case; `*` is any: nginx's charset_types lists types "in addition to
    /// text/html") and `type` names no charset of its own; else `type` as it is.
    static func contentType(_ type: String, charset: String?, types: [String]) -> String {
        guard let charset else { return type }
        let lower = type.lowercased()
        if lower.contains("charset=") { return type }
        let media = lower.prefix { $0 != ";" }.trimmingSpaces
        guard media == "text/html" || types.contains("*") || types.contains(where: { $0 == media }) else { return type }
        return type + "; charset=" + charset
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        return s
    }
}
