/// A room's Server-Sent Events subscriber (SPEC 9): a 200 `text/event-stream` response that
/// never ends on its own. Messages arrive as `id:`/`data:` events, a comment heartbeat keeps
/// proxies from closing it, and a subscriber that stops reading is dropped (backpressure).
final class SSEStream: StreamSource, TimedHandler, RoomListener {
    /// Not `weak` (see `WebSocketConnection.owner`); the connection calls `abort` before it goes.
    private unowned let connection: Connection
    private let room: BroadcastRoom
    private let heartbeat: Int
    private var nextHeartbeat: Int
    private var backpressure: SubscriberBackpressure
    private var subscribed = true
    let clientKey: String?

    static let heartbeatComment = SSEEncoder.comment("heartbeat")

    private init(connection c: Connection, room: BroadcastRoom, location: LocationConfig, clientKey: String?) {
        self.connection = c
        self.room = room
        self.clientKey = clientKey
        heartbeat = location.realtime.sseHeartbeat
        nextHeartbeat = c.loop.now + heartbeat
        // The same backlog bound as a WebSocket member's (WebSocketConnection.backlogLimit).
        let max = location.websocketMaxMessage > 0 ? location.websocketMaxMessage : Int.max / 4
        backpressure = SubscriberBackpressure(
            limit: Swift.max(4 << 20, Swift.min(max, 64 << 20) * 2), stallTimeout: c.serverConfig.sendTimeout,
            now: c.loop.now)
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
        guard backpressure.accepts(pending: c.output.pendingBytes, adding: bytes.count) else { return drop() }
        bytes.withUnsafeBytes { c.streamData($0) }
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
        if backpressure.stalled(pending: c.output.pendingBytes, now: now) { return drop() }
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
