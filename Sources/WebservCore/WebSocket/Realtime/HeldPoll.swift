/// A long poll (SPEC 9): a room `GET ?since=N&wait=S` with nothing newer than N yet, held
/// without a response until a message is published or its deadline passes. It costs a room
/// entry and a deadline, no CPU while it waits; a client that leaves is cleaned up by `abort`.
final class HeldPoll: StreamSource, TimedHandler, RoomListener {
    /// Not `weak` (see `WebSocketConnection.owner`); the connection calls `abort` before it goes.
    private unowned let connection: Connection
    private let room: BroadcastRoom
    private let since: Int
    private let deadline: Int
    private let poller: String
    private let window: Int
    private var waiting = true

    private init(connection: Connection, room: BroadcastRoom, since: Int, deadline: Int, poller: String, window: Int) {
        self.connection = connection
        self.room = room
        self.since = since
        self.deadline = deadline
        self.poller = poller
        self.window = window
    }

    static func hold(
        _ c: Connection, room: BroadcastRoom, since: Int, deadline: Int, poller: String, window: Int
    ) {
        let held = HeldPoll(connection: c, room: room, since: since, deadline: deadline, poller: poller, window: window)
        // A stream source keeps the exchange open (and watches for the client leaving).
        c.streamSource = held
        room.addListener(held)
        c.loop.addTimed(held)
    }

    var isMember: Bool { false }
    var clientKey: String? { nil }

    func published(_ message: BroadcastHistory.Message, event: [UInt8]) {
        answer()
    }

    func checkTimers(now: Int, loop: EventLoop) {
        if now >= deadline || connection.server.stopping { answer() }
    }

    /// Answers with the room's JSON (empty `messages` when the wait ran out).
    private func answer() {
        guard waiting else { return }
        release()
        connection.streamSource = nil
        BroadcastPolling.answer(connection, room: room, since: since, poller: poller, window: window)
    }

    func outputDrained(connection: Connection) {}

    func abort() {
        release()
    }

    private func release() {
        guard waiting else { return }
        waiting = false
        room.removeListener(self)
        connection.loop.removeTimed(self)
    }
}
