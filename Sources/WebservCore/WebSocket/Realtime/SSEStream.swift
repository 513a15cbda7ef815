/// A room's Server-Sent Events subscriber (SPEC 9): a 200 `text/event-stream` response that
/// never ends on its own. Messages arrive as `id:`/`data:` events, a comment heartbeat keeps
/// proxies from closing it, and a subscriber that stops reading is dropped (`OutputBound`, and
/// `send_timeout` as for any response).
final class SSEStream: StreamSource, TimedHandler, RoomListener {
    /// Not `weak` (see `WebSocketConnection.owner`); the connection calls `abort` before it goes.
    private unowned let connection: Connection
    private let room: BroadcastRoom
    private let heartbeat: Int
    private var nextHeartbeat: Int
    private var outputBound: OutputBound
    private var subscribed = true
    let clientKey: String?

    static let heartbeatComment = SSEEncoder.comment("heartbeat")

    private init(connection c: Connection, room: BroadcastRoom, location: LocationConfig, clientKey: String?) {
        self.connection = c
        self.room = room
        self.clientKey = clientKey
        heartbeat = location.realtime.sseHeartbeat
        nextHeartbeat = c.loop.now + heartbeat
        // The same bound as a WebSocket member's of this room (websocket_max_output).
        outputBound = OutputBound(location: location, sendTimeout: c.serverConfig.sendTimeout)
    }

    /// Starts the stream; with `resumeAfter` (Last-Event-ID or `since`) the kept messages after
    /// that id come first, without it the stream starts live.
    static func open(
        _ c: Connection, room: BroadcastRoom, location: LocationConfig, resumeAfter: Int?, clientKey: String?
    ) {
        var response = Response(
            status: 200, headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])
        response.body = .stream
        if c.request?.method == .head { return c.respond(response) }
        let stream = SSEStream(connection: c, room: room, location: location, clientKey: clientKey)
        c.streamSource = stream
        c.respond(response)
        room.addListener(stream)
        c.loop.addTimed(stream)
        if let after = resumeAfter {
            for m in room.history.messages(after: after) { stream.send(SSEEncoder.event(id: m.id, data: m.data)) }
        }
    }

    func published(_ message: BroadcastHistory.Message, event: [UInt8]) {
        send(event)
    }

    var isMember: Bool { true }

    private func send(_ bytes: [UInt8]) {
        guard subscribed else { return }
        let c = connection
        let pending = c.output.pendingBytes
        guard outputBound.admits(pending: pending, adding: bytes.count),
            !outputBound.isOverTooLong(pending: pending, now: c.loop.now)
        else { return drop() }
        // send_timeout runs from the first byte that waits until the next that goes, as on a
        // WebSocket: queueing more behind unsent bytes does not restart it.
        let deadline = c.deadline
        bytes.withUnsafeBytes { c.streamData($0) }
        if pending > 0 { c.deadline = deadline }
        nextHeartbeat = c.loop.now + heartbeat
    }

    // MARK: TimedHandler

    func checkTimers(now: Int, loop: EventLoop) {
        guard subscribed else { return }
        let c = connection
        if c.server.stopping {
            // The stream ends cleanly (the last chunk), so the client may reconnect elsewhere.
            unsubscribe()
            c.streamSource = nil
            c.streamEnd(closingConnection: true)
            return
        }
        if outputBound.isOverTooLong(pending: c.output.pendingBytes, now: now) { return drop() }
        if now >= nextHeartbeat { send(Self.heartbeatComment) }
    }

    // MARK: StreamSource

    func outputDrained(connection: Connection) {}

    func abort() {
        unsubscribe()
    }

    /// Leaves the room and the timers; safe to call more than once.
    private func unsubscribe() {
        guard subscribed else { return }
        subscribed = false
        room.removeListener(self)
        connection.loop.removeTimed(self)
    }

    /// The subscriber does not read: its backlog is dropped with the connection.
    private func drop() {
        unsubscribe()
        connection.close()
    }
}
