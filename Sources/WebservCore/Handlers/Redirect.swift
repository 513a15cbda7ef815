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

    /// `return CODE [URL|TEXT]`, as nginx's rewrite module answers it: a redirect; the text as
    /// the body; a code of 400 or more without text is an error like any other (so `error_page`
    /// applies); any other code without text, an empty body. The text's type is nginx's: by the
    /// URI's extension, else the location's `default_type` when one is set (`return 200 '{…}';
    /// default_type application/json;`), else text/plain.
    static func answer(_ c: Connection, _ r: ReturnDirective, location: LocationConfig) {
        if r.text == nil && r.status == 444 {
            // nginx's non-standard 444 (`return 444;` for unwanted clients): no response at
            // all, the connection is closed; the access log says 444.
            c.log.status = 444
            c.server.accessLog(c)
            return c.closeGracefully()
        }
        if r.text == nil && r.status >= 400 { return c.respondError(r.status) }
        var expanded = r
        if let template = r.template, !template.isLiteral {
            var variables = c.variables()
            variables.status = r.status  // nginx sets the status before it expands the text
            expanded.text = template.expand(variables)
        }
        let type = c.request.map { textType(path: $0.path, location: location) } ?? "text/plain"
        c.respond(response(for: expanded, contentType: type))
    }

    /// nginx's own default_type is text/plain, ours application/octet-stream (SPEC 2): an
    /// untyped text is text/plain unless the configuration names a default_type, even that one.
    static func textType(path: [UInt8], location: LocationConfig) -> String {
        let type = StaticFile.contentType(for: path, location: location)
        return type == ConfigResolver.defaultType && !location.defaultTypeIsConfigured ? "text/plain" : type
    }

    /// The response for a `return` that is not an error without text.
    public static func response(for r: ReturnDirective, contentType: String = "text/plain") -> Response {
        // `return 301;`: nginx sends an empty Location.
        if isRedirect(r.status) { return response(r.status, location: r.text ?? "") }
        guard let text = r.text else { return Response(status: r.status) }
        var resp = Response(status: r.status, body: .bytes(Array(text.utf8)))
        resp.headers.append(("Content-Type", contentType))
        return resp
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
