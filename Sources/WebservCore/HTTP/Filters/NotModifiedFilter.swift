/// nginx's not_modified filter for the 200 answers that carry no validator of their own (a
/// `return` text, a listing): static files evaluate their validators themselves (`StaticFile`).
/// Without an ETag, an If-Match other than `*` cannot hold (412, RFC 9110 §13.1.1), and
/// `If-None-Match: *` holds for any current representation (304 to GET and HEAD, §13.1.2).
/// If-Unmodified-Since is ignored without a modification date (§13.1.4; nginx answers 412).
/// Streamed bodies (CGI, SSE) go as they are. Pure.
enum NotModifiedFilter {
    /// 304 or 412 when the preconditions decide, else nil (the answer goes out as it is).
    static func status(_ req: RequestHead, for response: Response) -> Int? {
        guard response.status == 200, req.method == .get || req.method == .head, response.rawHeaders == nil else {
            return nil
        }
        switch response.body {
        case .empty, .bytes: break
        case .file, .stream: return nil
        }
        if response.headers.contains(where: { isValidator($0.name) }) { return nil }
        if let value = req.header("if-match"), !StaticFile.isStar(value) { return 412 }
        if let value = req.header("if-none-match"), StaticFile.isStar(value) { return 304 }
        return nil
    }

    static func isValidator(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower == "etag" || lower == "last-modified"
    }
}
