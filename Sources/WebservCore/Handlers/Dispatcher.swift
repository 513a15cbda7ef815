/// Routes a parsed request: server `return`, location choice, method and size checks, then
/// the location's content handler (WebSocket, CGI, upload, DELETE, static files).
public enum Dispatcher {
    public static func location(for path: [UInt8], in server: ServerConfig) -> LocationConfig {
        server.locationIndex(for: path[...]).map { server.locations[$0] } ?? server.fallbackLocation
    }

    /// Dispatches `c.request` again (an internal redirect, an error page, try_files).
    static func handle(_ c: Connection) {
        guard let req = c.request else { return }
        handle(c, req)
    }

    /// Dispatches `req`, which is `c.request`: the caller lends its own copy, so the head's
    /// arrays are not retained again on the way to the handler.
    static func handle(_ c: Connection, _ req: RequestHead) {
        if req.method == .other { return c.respondError(501) }
        // Settings are borrowed from `ServerRoutes`, never copied (see there).
        let routes = c.server.routes[c.serverIndex]
        if let r = routes.config.returnDirective { return Redirect.answer(c, r, location: routes.config.fallbackLocation) }
        let location = routes.location(for: req.path)
        c.route = location
        location.withConfig { route(c, req, location: $0) }
    }

    /// The location's `return`, method and size checks, then its content handler.
    private static func route(_ c: Connection, _ req: RequestHead, location: LocationConfig) {
        c.bodyReader?.chooseLimit(location.clientMaxBodySize)
        // nginx checks a declared length as soon as the location is found (its find-config
        // phase), before `return`, access rules and the method.
        if case .contentLength(let n) = req.framing, location.clientMaxBodySize > 0, n > location.clientMaxBodySize {
            return c.respondError(413)
        }

        // `return` belongs to nginx's rewrite phase, which runs before any method check.
        if let r = location.returnDirective { return Redirect.answer(c, r, location: location) }
        if !AccessControl.permits(c, req, location: location) { return }  // site: allow/deny, auth_basic
        if !isAllowed(req.method, in: location) {
            return c.respondError(405, headers: [("Allow", allowHeader(location))])
        }

        if let tryFiles = location.tryFiles { return TryFilesHandler.run(c, tryFiles, location: location) }  // site
        content(c, req, location: location)
    }

    /// The location's content handler for `req` (which is `c.request`).
    static func content(_ c: Connection, _ req: RequestHead, location: LocationConfig) {
        if let mode = location.websocket {
            return ContentHandlers.websocket(c, location: location, mode: mode)
        }
        if !location.cgi.isEmpty, ContentHandlers.cgi(c, location: location) { return }
        switch req.method {
        case .get, .head:
            StaticFile.handle(c, req, location: location)
        case .post where location.uploadStore != nil, .put where location.uploadStore != nil:
            ContentHandlers.upload(c, location: location)
        case .delete:
            Delete.handle(c, location: location)
        default:
            // An allowed method that no handler takes. A target that does not exist is 404
            // first, as nginx's static module answers POST and FastCGI a missing script.
            if let status = missingTargetStatus(req.path, location: location) { return c.respondError(status) }
            c.respondError(405, headers: [("Allow", allowHeader(methods: location.allowMethods.filter { taken($0, location) }))])
        }
    }

    /// Whether a handler here takes `method` for a target that is no script (static files and
    /// DELETE, the upload store's POST and PUT): the `Allow` of a 405 names no method it refuses.
    static func taken(_ method: String, _ location: LocationConfig) -> Bool {
        switch method {
        case "GET", "HEAD", "DELETE": return true
        case "POST", "PUT": return location.uploadStore != nil
        default: return false
        }
    }

    /// 404 (or 403) when nothing the request could act on is at its path; nil when something is.
    static func missingTargetStatus(_ path: [UInt8], location: LocationConfig) -> Int? {
        guard let file = FileResolver.map(path, location: location) else { return 403 }  // climbs out
        if case .status(let status) = FileResolver.fileInfo(file) { return status }
        return nil
    }

    static func isAllowed(_ method: HTTPMethod, in location: LocationConfig) -> Bool {
        let name = method.name
        if location.allowMethods.contains(name) { return true }
        if method == .head && location.allowMethods.contains("GET") { return true }
        // A broadcast room takes messages by POST: that is part of what the location is.
        if method == .post, case .broadcast = location.websocket { return true }
        return false
    }

    static func allowHeader(_ location: LocationConfig) -> String {
        var methods = location.allowMethods
        if case .broadcast = location.websocket { methods.append("POST") }
        return allowHeader(methods: methods)
    }

    /// The `Allow` value in one order whatever the configuration's: GET, HEAD (which GET
    /// implies), POST, PUT, DELETE, then the others as configured, each once.
    static func allowHeader(methods: [String]) -> String {
        var ordered = canonicalOrder.filter { methods.contains($0) || ($0 == "HEAD" && methods.contains("GET")) }
        for m in methods where !ordered.contains(m) { ordered.append(m) }
        return ordered.joined(separator: ", ")
    }

    static let canonicalOrder = ["GET", "HEAD", "POST", "PUT", "DELETE"]
}

/// Content handlers that later layers provide (WebSocket, CGI, uploads).
enum ContentHandlers {
    static func websocket(_ c: Connection, location: LocationConfig, mode: WebSocketMode) {
        WebSocketEndpoint.handle(c, location: location, mode: mode)
    }

    /// Returns false when the request is not for a CGI script.
    static func cgi(_ c: Connection, location: LocationConfig) -> Bool {
        CGIHandler.handle(c, location: location)
    }

    static func upload(_ c: Connection, location: LocationConfig) {
        UploadHandler.handle(c, location: location)
    }
}
