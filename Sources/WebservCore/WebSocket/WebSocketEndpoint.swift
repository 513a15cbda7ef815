/// A request to a `websocket` location: the RFC 6455 handshake, 426 for plain requests to
/// echo/exec endpoints, and HTTP polling for broadcast rooms.
enum WebSocketEndpoint {
    static func handle(_ c: Connection, location: LocationConfig, mode: WebSocketMode) {
        guard let req = c.request else { return }
        let result = WebSocketHandshake.validate(
            method: req.methodString, versionMajor: 1, versionMinor: req.minorVersion,
            header: { name in joinedHeader(req, name) }, allowedOrigins: location.websocketOrigins)
        switch result {
        case .reject(let status, let headers):
            c.respondError(status, headers: headers.map { (name: $0.0, value: $0.1) })
        case .notUpgrade:
            if case .broadcast = mode {
                BroadcastPolling.handle(c, location: location)
            } else {
                var headers: [(name: String, value: String)] = [("Upgrade", "websocket"), ("Connection", "Upgrade")]
                headers.append(("Sec-WebSocket-Version", "13"))
                c.respond(ErrorPages.builtIn(426, headers: headers))
            }
        case .accept(var headers):
            // A handshake is a GET without a body (RFC 6455 §4.1): bytes after its head would
            // be read as the first frames.
            if req.framing != .none && req.framing != .contentLength(0) { return c.respondError(400) }
            // realtime: a full exec location refuses before the upgrade.
            if case .exec = mode, !c.server.execLimit.admit(c, location: location) {
                return c.respondError(503)
            }
            let session = WebSocketConnection(
                mode: mode, room: req.pathString, request: req, location: location, connection: c)
            // realtime: the subprotocol is chosen before an exec program starts (it sees it).
            session.subprotocol = WebSocketSubprotocol.choose(
                offered: joinedHeader(req, "sec-websocket-protocol"), accepted: location.realtime.subprotocols)
            if let name = session.subprotocol { headers.append(("Sec-WebSocket-Protocol", name)) }
            guard session.start(connection: c) else { return c.respondError(session.refusal ?? 500) }
            var r = Response(status: 101, headers: headers.map { (name: $0.0, value: $0.1) } + session.negotiatedHeaders)
            r.close = false
            c.respond(r)
            c.upgrade(to: session)
        }
    }

    /// Header lookup by lower-case name, repeated fields joined with ", " (RFC 9110 §5.3).
    static func joinedHeader(_ req: RequestHead, _ name: String) -> [UInt8]? {
        let lower = Array(name.utf8)
        var out: [UInt8]?
        for f in req.headers where Bytes.lowercased(req.bytes[f.name]) == lower {
            if out == nil { out = Array(req.bytes[f.value]) } else { out! += [0x2C, 0x20] + req.bytes[f.value] }
        }
        return out
    }
}
