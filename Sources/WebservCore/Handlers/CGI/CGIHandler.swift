#if canImport(Glibc)
    import Glibc
#endif

/// The `cgi EXT [INTERPRETER];` content handler: finds the script, builds its RFC 3875
/// environment and starts a `CGIExchange`. Declines (returns false) when the path names no
/// existing script, so the static handler answers (404 and friends) as for any file.
public enum CGIHandler {
    /// nginx's limit on internal redirects; past it the request fails with 500.
    static let maxInternalRedirects = 10

    public static func handle(_ c: Connection, location: LocationConfig) -> Bool {
        guard let req = c.request else { return false }
        let script = CGIScript.find(
            path: req.path, extensions: location.cgi.map(\.ext),
            map: { FileResolver.map($0, location: location) },
            isRegularFile: { path in
                if case .found(let info) = FileResolver.fileInfo(path) { return info.isRegular }
                return false
            })
        guard let script else { return false }
        let interpreter = location.cgi.first { $0.ext == script.ext }?.interpreter
        let file = tidy(String(decoding: script.file, as: UTF8.self))

        if interpreter == nil && access(file, X_OK) != 0 {
            c.server.logError("cgi script \"\(file)\" is not executable and has no interpreter")
            c.respondError(403)
            return true
        }
        if case .chunked = req.framing {
            // CONTENT_LENGTH must be known before the script starts (RFC 3875 §4.1.2): the
            // de-chunked body is spooled to an unlinked temporary file first (as lighttpd does).
            guard
                let spool = CGIBodySpool(
                    connection: c,
                    start: { c, length, fd in
                        start(
                            c, location: location, script: script, file: file, interpreter: interpreter,
                            contentLength: length, spool: fd)
                    })
            else {
                c.respondError(500)
                return true
            }
            c.receiveBody(into: spool)
            return true
        }
        var length: Int?
        if case .contentLength(let n) = req.framing { length = n }
        start(c, location: location, script: script, file: file, interpreter: interpreter, contentLength: length, spool: nil)
        return true
    }

    static func start(
        _ c: Connection, location: LocationConfig, script: CGIScript, file: String, interpreter: String?,
        contentLength: Int?, spool: Int32?
    ) {
        guard let req = c.request else {
            if let spool { Sys.close(spool) }
            return
        }
        let environment = CGIEnvironment.build(
            requestInfo(c, req: req, location: location, script: script, file: file, contentLength: contentLength))
        let directory = ConfigFiles.directory(of: file)
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                executable: interpreter ?? file, arguments: interpreter == nil ? [] : [file],
                environment: environment, workingDirectory: directory.isEmpty ? nil : directory, server: c.server)
        } catch {
            if let spool { Sys.close(spool) }
            c.server.logError("cgi \"\(file)\": \(error)")
            c.respondError(500)
            return
        }
        let source: CGIExchange.Input
        if let spool {
            source = .file(spool)
        } else if contentLength.map({ $0 > 0 }) ?? false {
            source = .connection
        } else {
            source = .none
        }
        let exchange = CGIExchange(
            connection: c, child: child, input: source, timeout: location.cgiTimeout, label: "cgi script \"\(file)\"")
        exchange.start()
    }

    static func requestInfo(
        _ c: Connection, req: RequestHead, location: LocationConfig, script: CGIScript, file: String, contentLength: Int?
    ) -> CGIRequestInfo {
        let root = tidy(location.alias ?? location.root)
        let pathInfo = String(decoding: script.pathInfo, as: UTF8.self)
        var translated: String?
        if !script.pathInfo.isEmpty,
            let mapped = FileResolver.map(
                script.pathInfo, location: Dispatcher.location(for: script.pathInfo, in: c.serverConfig))
        {
            translated = tidy(String(decoding: mapped, as: UTF8.self))
        }
        var serverName = c.serverConfig.serverNames.first { !$0.isEmpty && !$0.hasPrefix("*") } ?? c.local.host
        if let host = req.host {
            // The Host header without its port; "[::1]:8080" keeps its brackets.
            let end: Int
            if host.first == UInt8(ascii: "[") {
                end = host.firstIndex(of: UInt8(ascii: "]")).map { $0 + 1 } ?? host.endIndex
            } else {
                end = host.firstIndex(of: UInt8(ascii: ":")) ?? host.endIndex
            }
            if end > host.startIndex { serverName = String(decoding: host[..<end], as: UTF8.self) }
        }
        var info = CGIRequestInfo(
            method: req.methodString, requestURI: req.errorPage?.originalTarget ?? req.requestURI,
            scriptName: String(decoding: script.scriptName, as: UTF8.self),
            scriptFilename: file, pathInfo: pathInfo, pathTranslated: translated, queryString: req.query,
            contentLength: contentLength, contentType: req.headerString("content-type"),
            serverName: serverName, serverPort: c.localPort,
            serverProtocol: req.minorVersion == 0 ? "HTTP/1.0" : "HTTP/1.1",
            remoteAddr: c.peerAddress, remotePort: c.peerPort, headers: req.headerPairs, documentRoot: root)
        info.https = c.isTLS
        return info
    }

    /// Drops the "/./" that a `root .` leaves in paths, for tidy SCRIPT_FILENAME values.
    static func tidy(_ path: String) -> String {
        var p = path
        while let r = p.firstRange(of: "/./") { p.replaceSubrange(r, with: "/") }
        if p.hasSuffix("/.") { p.removeLast(2) }
        return p.isEmpty ? "/" : p
    }
}
