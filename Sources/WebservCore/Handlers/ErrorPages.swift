/// Error responses: the location's `error_page` (an internal request for its URI), else a
/// small built-in HTML page.
public enum ErrorPages {
    public static func builtInPage(_ title: String) -> String {
        "<!DOCTYPE html>\n<html><head><title>\(title)</title></head>\n<body><center><h1>\(title)</h1></center><hr><center>webserv</center></body></html>\n"
    }

    public static func builtIn(_ status: Int, headers: [(name: String, value: String)] = []) -> Response {
        .html(status, builtInPage("\(status) \(HTTPStatus.reason(status))"), headers: headers)
    }

    /// Answers `status`: a URL page redirects; a URI page is dispatched as an internal GET (HEAD
    /// stays HEAD) through the normal locations and handlers, and whatever its handler answers
    /// is sent with the error's status (`ErrorPageRequest`). Without a page, or when the page
    /// itself fails, the built-in page for `status`.
    static func answer(_ c: Connection, status: Int, headers: [(name: String, value: String)]) {
        if let failed = c.request?.errorPage {
            // An error while answering the error page: never a second error_page (nginx).
            c.request?.errorPage = nil
            // With `=` the page's own status counts: its failure is the answer.
            if failed.status == nil { return c.respond(builtIn(status, headers: headers)) }
            return c.respond(builtIn(failed.original, headers: failed.headers))
        }
        let server = c.serverConfig
        let location = c.request.map { Dispatcher.location(for: $0.path, in: server) } ?? server.fallbackLocation
        guard let page = location.errorPages[status] else {
            return c.respond(builtIn(status, headers: headers))
        }
        var variables: VariableContext {
            var context = c.variables()
            context.status = status
            return context
        }
        let uri = page.template.isLiteral ? page.uri : page.template.expand(variables)
        if !uri.hasPrefix("/") {
            // A URL: redirect with `=CODE` when that is a redirect status, else 302 (nginx).
            let code = page.shownStatus(for: 302).flatMap { Redirect.isRedirect($0) ? $0 : nil } ?? 302
            return c.respond(Redirect.response(code, location: uri))
        }
        // The error refused the body; the page's request has none, so decide now, on the
        // original request, whether it is drained or the connection closes.
        c.declineBody(status: status)
        guard var head = InternalRedirect.retarget(c.request ?? bareRequest, to: uri) else {
            return c.respond(builtIn(status, headers: headers))
        }
        let target = Dispatcher.location(for: head.path, in: server)
        if target.websocket != nil || target.uploadStore != nil {
            // Not content an error page can show: no upgrade, nothing stored.
            return c.respond(builtIn(status, headers: headers))
        }
        // The page is sent whole: a client's Range or validators were about the original URI.
        head.headers.removeAll { StaticFile.isConditional(head.bytes[$0.name]) }
        head.errorPage = ErrorPageRequest(
            status: page.shownStatus(for: status), original: status, headers: headers,
            originalTarget: c.request?.requestURI ?? "/")
        c.request = head
        Dispatcher.handle(c)
    }

    /// An error page's response takes the error's status. Last-Modified and Accept-Ranges only
    /// describe a 200 (nginx's header and range filters drop them too).
    static func applyStatus(_ page: ErrorPageRequest, to response: inout Response) {
        if let status = page.status {
            response.status = status
            response.reason = nil
        }
        response.headers.append(contentsOf: page.headers)
        if response.status != 200 {
            response.headers.removeAll {
                let name = $0.name.lowercased()
                return name == "last-modified" || name == "accept-ranges"
            }
        }
    }

    /// What an error before any parsed head (400, 408) stands for when its page is dispatched.
    /// `keepAlive` true only so the connection is closed as for no request at all: gracefully.
    static var bareRequest: RequestHead {
        RequestHead(
            bytes: Array("GET /".utf8), method: .get, methodRange: 0..<3, targetRange: 4..<5, minorVersion: 1,
            headers: [], path: [UInt8(ascii: "/")], queryRange: nil, hostRange: nil, framing: .none,
            keepAlive: true, expectsContinue: false)
    }
}

/// The internal request an `error_page URI` makes: the status its response is sent with (the
/// error's, `=CODE`, or with `=` the page's own; a redirect is sent as it is), and the original error for when the
/// page itself fails.
public struct ErrorPageRequest: Sendable {
    /// nil: the page's own status (`error_page CODE = URI`).
    public var status: Int?
    public var original: Int
    /// Headers the error came with (`Allow` of a 405, `Content-Range` of a 416).
    public var headers: [(name: String, value: String)]
    /// The request target that failed: a CGI page sees it as REQUEST_URI (nginx's
    /// `$request_uri` is the original request's), so it can say what was not found.
    public var originalTarget: String
}
