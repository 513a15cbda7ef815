/// `return` and the directory slash redirect.
public enum Redirect {
    public static func isRedirect(_ status: Int) -> Bool {
        status == 301 || status == 302 || status == 303 || status == 307 || status == 308
    }

    public static func response(_ status: Int, location: String) -> Response {
        let title = "\(status) \(HTTPStatus.reason(status))"
        return .html(
            status, ErrorPages.builtInPage(title),
            headers: [("Location", sanitize(location))])
    }

    /// `return CODE [URL|TEXT]`.
    public static func response(for r: ReturnDirective) -> Response {
        if isRedirect(r.status) { return response(r.status, location: r.text ?? "/") }
        if let text = r.text {
            var resp = Response(status: r.status, body: .bytes(Array(text.utf8)))
            resp.headers.append(("Content-Type", "text/plain"))
            return resp
        }
        return ErrorPages.builtIn(r.status)
    }

    /// A Location header can never split the response: CR, LF and NUL are percent-encoded.
    static func sanitize(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            case "\0": out += "%00"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
