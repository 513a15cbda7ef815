#if canImport(Glibc)
    import Glibc
#endif

/// Error responses: the location's `error_page` (an internal request for its URI), else a
/// small built-in HTML page.
public enum ErrorPages {
    public static func builtInPage(_ title: String) -> String {
        "<!DOCTYPE html>\n<html><head><title>\(title)</title></head>\n<body><center><h1>\(title)</h1></center><hr><center>webserv</center></body></html>\n"
    }

    public static func builtIn(_ status: Int, headers: [(name: String, value: String)] = []) -> Response {
        .html(status, builtInPage("\(status) \(HTTPStatus.reason(status))"), headers: headers)
    }

    public static func response(status: Int, connection c: Connection, headers: [(name: String, value: String)]) -> Response {
        let server = c.serverConfig
        let location = c.request.map { Dispatcher.location(for: $0.path, in: server) } ?? server.fallbackLocation
        guard let page = location.errorPages[status] else {
            return builtIn(status, headers: headers)
        }
        if !page.uri.hasPrefix("/") {
            // A URL: redirect with `=CODE` when that is a redirect status, else 302 (nginx).
            let code = page.overrideStatus.flatMap { Redirect.isRedirect($0) ? $0 : nil } ?? 302
            return Redirect.response(code, location: page.uri)
        }
        let finalStatus = page.overrideStatus ?? status
        // The internal request: map the page's URI through its own location.
        let raw = Array(page.uri.utf8.prefix { $0 != 0x3F })
        if let uri = try? PathNormalizer.normalize(raw[...]) {
            let target = Dispatcher.location(for: uri, in: server)
            if let path = FileResolver.map(uri, location: target), case .found(let info) = FileResolver.fileInfo(path),
                info.isRegular
            {
                let fd = FileResolver.cString(path).withUnsafeBufferPointer { open($0.baseAddress!, O_RDONLY | O_CLOEXEC) }
                if fd >= 0 {
                    var h = headers
                    h.append(("Content-Type", StaticFile.contentType(for: path, location: target)))
                    return Response(status: finalStatus, headers: h, body: .file(fd: fd, offset: 0, length: info.size))
                }
            }
        }
        return builtIn(finalStatus, headers: headers)
    }
}
