/// nginx's not_modified filter for the 200 answers that carry no validator of their own (a
/// `return` text, a listing): static files evaluate their validators themselves (`StaticFile`).
/// Without an ETag, an If-Match other than `*` cannot hold (412, RFC 9110 §13.1.1), and
/// `If-None-Match: *` holds for any current representation (304 to GET and HEAD, §13.1.2).
/// If-Unmodified-Since is ignored without a modification date (§13.1.4; nginx answers 412).
/// Streamed bodies (CGI, SSE) go as they are. Pure.
enum NotModifiedFilter {
    /// Whether `response` is one the filter judges: a 200 in memory without validators. Asked
    /// first, without the request: a cached file's answer (prebuilt head) costs one compare.
    static func applies(to response: Response) -> Bool {
        guard response.status == 200, response.rawHeaders == nil else { return false }
        switch response.body {
        case .empty, .bytes: break
        case .file, .stream: return false
        }
        return !response.headers.contains(where: { isValidator($0.name) })
    }

    /// For a response the filter `applies(to:)`: 304 or 412 when the preconditions decide,
    /// else nil (the answer goes out as it is).
    static func status(_ req: RequestHead) -> Int? {
        guard req.method == .get || req.method == .head else { return nil }
        if let value = req.header("if-match"), !StaticFile.isStar(value) { return 412 }
        if let value = req.header("if-none-match"), StaticFile.isStar(value) { return 304 }
        return nil
    }

    static func isValidator(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower == "etag" || lower == "last-modified"
    }
}
