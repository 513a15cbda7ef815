/// A connection after `101 Switching Protocols`: feeds bytes to the pure `WebSocketSession`
/// and executes its actions; the mode (echo, broadcast, exec) decides what a message does.
final class WebSocketConnection: UpgradedProtocol {
    let mode: WebSocketMode
    let roomName: String
    var session: WebSocketSession
    /// The connection that owns this object; every path that closes it calls `release` first.
    /// Not `weak`: a weak reference gives the Connection a side table, and every retain and
    /// release of it then takes the slow path, on each message.
    private unowned let owner: Connection
    /// nil once released (the connection closed or is closing).
    var connection: Connection? { released ? nil : owner }
    var room: BroadcastRoom?
    var exec: ExecBridge?
    /// The upgrade request, for `start` (an exec program's environment); dropped after it, so
    /// an idle member does not hold its request head.
    var request: RequestHead { startRequest! }
    private var startRequest: RequestHead?
    /// The `client=ID` its upgrade request named (room presence), kept past `start`.
    let clientKey: String?
    /// The location's settings, for `start` (a room, an exec program); dropped after it. Held
    /// in a box, not inline: `LocationConfig` is large, and every idle member would carry it.
    var location: LocationConfig { startLocation!.config }
    private var startLocation: ServerRoutes.Location?
    private var released = false
    /// The `Sec-WebSocket-Protocol` the handshake chose (exec sees it as SEC_WEBSOCKET_PROTOCOL).
    var subprotocol: String?

    /// The compressor window of this member's broadcast frames; nil without permessage-deflate.
    let broadcastWindowBits: Int?

    /// `websocket_max_output`: past its limit the peer's frames are not read, and a room member
    /// that stays past it for `send_timeout` (or would pass its hard cap) is disconnected (1008).
    private var outputBound: OutputBound

    init(mode: WebSocketMode, room: String, request: RequestHead, location: LocationConfig, connection c: Connection) {
        self.mode = mode
        self.roomName = room
        self.startRequest = request
        self.clientKey = BroadcastPolling.clientKey(request)
        self.startLocation = ServerRoutes.Location(location)
        self.owner = c
        let max = location.websocketMaxMessage > 0 ? location.websocketMaxMessage : Int.max / 4
        var configuration = WebSocketSession.Configuration(maxMessageSize: max)
        configuration.deflate = Self.negotiateDeflate(mode: mode, request: request, location: location)
        session = WebSocketSession(configuration: configuration, now: c.loop.now)
        broadcastWindowBits = configuration.deflate?.compressorWindowBits
        outputBound = OutputBound(location: location, sendTimeout: c.serverConfig.sendTimeout)
        c.upgradedOutputLimit = outputBound.limit
    }

    /// permessage-deflate for this connection, if the location allows it and the client offered an
    /// acceptable form. Broadcast members always get `server_no_context_takeover`, so a room
    /// compresses each message once per window size rather than once per member.
    static func negotiateDeflate(mode: WebSocketMode, request: RequestHead, location: LocationConfig)
        -> PerMessageDeflateParameters?
    {
        guard location.websocketDeflate,
            let offers = WebSocketEndpoint.joinedHeader(request, "sec-websocket-extensions")
        else { return nil }
        var broadcast = false
        if case .broadcast = mode { broadcast = true }
        return PerMessageDeflateNegotiation.negotiate(header: offers, forceServerNoContextTakeover: broadcast)
    }

    /// Headers the 101 adds for what was negotiated.
    var negotiatedHeaders: [(name: String, value: String)] {
        session.configuration.deflate.map { [("Sec-WebSocket-Extensions", $0.responseHeader)] } ?? []
    }

    /// Why `start` failed, when not a 500.
    var refusal: Int?

    /// Prepares the mode before the 101 goes out (an exec program must start first).
    func start(connection c: Connection) -> Bool {
        defer {
            startRequest = nil
            startLocation = nil
        }
        switch mode {
        case .echo:
            return true
        case .broadcast:
            room = c.server.rooms.room(roomName, location: location)
            guard let room else {
                refusal = 503  // websocket_max_rooms
                return false
            }
            room.join(self)
            return true
        case .exec(let command):
            exec = ExecBridge.start(command: command, session: self, connection: c)
            return exec != nil
        }
    }

    // MARK: UpgradedProtocol

    func inputAvailable(connection c: Connection) {
        let actions = c.input.withReadable { session.receive($0, now: c.loop.now) }
        c.input.consume(c.input.readableCount)
        // The decoder copied what it needs: an idle member holds no read buffer. A read that
        // filled the buffer means more is coming: it keeps it (grown) until the peer pauses.
        session.releaseIdleStorage()
        if !c.lastReadFilledInput, var storage = c.input.takeStorage() { c.server.inputBuffers.give(&storage) }
        perform(actions, on: c)
    }

    func outputDrained(connection c: Connection) {
        exec?.outputDrained()
    }

    func checkTimers(now: Int, connection c: Connection) {
        if room != nil, isOverLimitTooLong(c, now: now) {
            perform(session.close(code: 1008, reason: Array("too slow".utf8), now: now), on: c)
        }
        perform(session.tick(now: now), on: c)
    }

    /// A member that stays over the output bound longer than `send_timeout` reads too slowly
    /// for its room: it would hold the room's messages without end.
    private func isOverLimitTooLong(_ c: Connection, now: Int) -> Bool {
        outputBound.isOverTooLong(pending: c.output.pendingBytes, now: now)
    }

    func serverStopping(connection c: Connection) {
        perform(session.close(code: 1001, now: c.loop.now), on: c)
    }

    func closed(connection c: Connection) {
        release()
    }

    // MARK: actions

    func perform(_ actions: [WebSocketSession.Action], on c: Connection) {
        for action in actions {
            switch action {
            case .send(let bytes):
                c.prepareOutput()
                c.output.append(bytes)
            case .deliver(let opcode, let payload):
                deliver(opcode: opcode, payload: payload, on: c)
            case .closeConnection:
                release()
                c.closeGracefully()
                return
            }
        }
        if c.state != .closed { c.flush() }
    }

    func deliver(opcode: WebSocketOpcode, payload: [UInt8], on c: Connection) {
        switch mode {
        case .echo:
            // The message arrived while open; actions keep order, so its echo still precedes
            // any close frame a later bad frame in the same read produced.
            c.prepareOutput()
            session.encodeMessage(opcode: opcode, payload: payload, into: &c.output.buffer)
        case .broadcast:
            room?.publish(opcode: opcode, payload: payload)
        case .exec:
            exec?.toProgram(payload, opcode: opcode)
        }
    }

    /// Queues a pre-encoded frame (broadcast fan-out encodes once for every member).
    func sendEncoded(_ frame: [UInt8]) {
        guard let c = acceptingOutput(frame.count) else { return }
        c.output.appendShared(frame)
        c.flush()
    }

    /// A text message from the server side (exec output lines), encoded in place.
    func sendText(_ payload: ArraySlice<UInt8>) {
        send(.text, payload)
    }

    /// A message from the server side (exec output), encoded in place.
    func send(_ opcode: WebSocketOpcode, _ payload: ArraySlice<UInt8>) {
        guard let c = acceptingOutput(payload.count + 10) else { return }
        c.prepareOutput()
        session.encodeMessage(opcode: opcode, payload: payload, into: &c.output.buffer)
        c.flush()
    }

    /// The connection, if `bytes` more may be queued on it now. A member that does not read
    /// cannot grow our memory: past the backlog limit it is closed with 1008 (policy).
    private func acceptingOutput(_ bytes: Int) -> Connection? {
        guard let c = connection, c.state == .upgraded, session.canSend else { return nil }
        if !outputBound.admits(pending: c.output.pendingBytes, adding: bytes)
            || (room != nil && isOverLimitTooLong(c, now: c.loop.now))
        {
            perform(session.close(code: 1008, reason: Array("backlog full".utf8), now: c.loop.now), on: c)
            return nil
        }
        return c
    }

    /// Server-initiated close (exec program exited: 1000), waiting `wait` ms for the peer's close.
    func closeSession(code: UInt16, wait: Int? = nil) {
        guard let c = connection, c.state == .upgraded else { return }
        perform(session.close(code: code, now: c.loop.now, wait: wait), on: c)
    }

    /// Leaves the room, ends the program; safe to call more than once.
    func release() {
        guard !released else { return }
        released = true
        room?.leave(self)
        room = nil
        exec?.end()
        exec = nil
    }
}
