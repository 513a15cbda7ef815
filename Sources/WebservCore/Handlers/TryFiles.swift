/// `try_files FILE ... URI|=CODE;` as nginx: the first FILE that exists (a name ending in `/`
/// must be a directory, any other a file) becomes the request's path in this same location;
/// if none does, an internal redirect to URI through the locations, or the status CODE.
enum TryFilesHandler {
    /// Answers the request: the location's content handler with the path found, else the
    /// fallback.
    static func run(_ c: Connection, _ tryFiles: TryFiles, location: LocationConfig) {
        guard let req = c.request else { return }
        let variables = c.variables()
        for file in tryFiles.files {
            var name = Array(file.expand(variables).utf8)
            let wantsDirectory = file.source.hasSuffix("/")
            if wantsDirectory, name.count > 1 { name.removeLast() }
            guard isSafe(name), let mapped = FileResolver.map(name, location: location),
                case .found(let info) = FileResolver.fileInfo(mapped)
            else { continue }
            if wantsDirectory ? info.isDirectory : !info.isDirectory {
                c.request?.path = name
                if let found = c.request { Dispatcher.content(c, found, location: location) }
                return
            }
        }
        switch tryFiles.fallback {
        case .status(let code):
            c.respondError(code)
        case .uri(let template):
            guard req.internalRedirects < CGIHandler.maxInternalRedirects else {
                c.server.logError("rewrite or internal redirection cycle while internally redirecting to \"\(template.source)\"")
                c.respondError(500)
                return
            }
            guard var next = InternalRedirect.retarget(req, to: template.expand(variables)) else {
                c.respondError(500)
                return
            }
            // Unlike an error page, the redirected request keeps its method and body (nginx).
            next.method = req.method
            next.methodRange = req.methodRange
            next.framing = req.framing
            c.request = next
            Dispatcher.handle(c)
        }
    }

    /// An absolute path with no `..` segment and no NUL: a variable (`$args`) cannot climb out.
    static func isSafe(_ path: [UInt8]) -> Bool {
        guard path.first == UInt8(ascii: "/"), !path.contains(0) else { return false }
        return !path.split(separator: UInt8(ascii: "/")).contains { $0.elementsEqual([0x2E, 0x2E]) }
    }
}
