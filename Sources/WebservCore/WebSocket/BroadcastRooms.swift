/// Chat rooms of `websocket broadcast` locations, one per request path, shared by
/// WebSocket members, SSE streams and HTTP pollers. Bounded: at most `websocket_max_rooms` live
/// rooms per location. A room is freed when its last member, stream or held poll leaves and it
/// has no history and no poller seen within the poll window; a room that only pollers keep
/// stays until its location reaches the cap, where it gives way (`makePlace`).
final class BroadcastRooms {
    private var rooms: [String: BroadcastRoom] = [:]
    /// Live rooms per location (`BroadcastRooms.key`).
    private var live: [String: Int] = [:]
    /// One compressor per window size, shared by every room (members take no context over).
    private let deflaters = BroadcastDeflaters()
    private unowned let server: Server

    init(server: Server) { self.server = server }

    /// Rooms are counted per location, named by its path.
    static func key(_ location: LocationConfig) -> String { (location.exact ? "= " : "") + location.path }

    /// The room `name`, if it exists.
    func existing(_ name: String) -> BroadcastRoom? { rooms[name] }

    /// The room `name`, created if needed; nil when `location` already has `websocket_max_rooms`
    /// live rooms that are all in use (logged: the caller answers 503).
    func room(_ name: String, location: LocationConfig) -> BroadcastRoom? {
        if let r = rooms[name] { return r }
        let key = Self.key(location)
        let bounds = location.websocketBounds
        let count = makePlace(location) ? live[key, default: 0] : bounds.maxRooms
        guard count < bounds.maxRooms else {
            server.logError(
                "room \"\(name)\" not opened: location \"\(location.path)\" has \(count) rooms (websocket_max_rooms \(bounds.maxRooms))"
            )
            return nil
        }
        let r = BroadcastRoom(
            name: name, location: key, history: BroadcastHistory(capacity: bounds.historyCount, maxBytes: bounds.historyBytes),
            registry: self, deflaters: deflaters, pollWindow: location.realtime.pollMaxWait)
        rooms[name] = r
        live[key] = count + 1
        return r
    }

    /// Frees `room` when nothing keeps it: no member, stream or held poll, no message, and no
    /// poller seen within the poll window (they count in `members`).
    func releaseIfUnused(_ room: BroadcastRoom) {
        guard room.isUnused, rooms[room.name] === room,
            room.pollers.count(now: server.loop.now, window: room.pollWindow) == 0
        else { return }
        remove(room)
    }

    /// Makes room for one more room of `location` if it can, and says whether there is. At the
    /// cap, its rooms that only pollers keep are freed first, those seen longer ago than the
    /// poll window (their presence no longer counts), then, if still needed, the others:
    /// polled names never hold the cap.
    func makePlace(_ location: LocationConfig) -> Bool {
        let key = Self.key(location)
        let cap = location.websocketBounds.maxRooms
        guard live[key, default: 0] >= cap else { return true }
        let now = server.loop.now
        let pollerOnly = rooms.values.filter { $0.location == key && $0.isUnused }
        for room in pollerOnly where room.pollers.count(now: now, window: room.pollWindow) == 0 { remove(room) }
        for room in pollerOnly where live[key, default: 0] >= cap && rooms[room.name] === room { remove(room) }
        return live[key, default: 0] < cap
    }

    private func remove(_ room: BroadcastRoom) {
        rooms[room.name] = nil
        live[room.location, default: 1] -= 1
        if live[room.location] == 0 { live[room.location] = nil }
    }

    var count: Int { rooms.count }
}

/// One room: members in join order and the last messages (`websocket_room_history`).
/// Publishing encodes the frame once (per deflate window) and queues it to every member, the
/// sender included, so all see one order; every member's queue shares that one frame. Then SSE
/// streams and held long polls hear it (`RoomListener`), the SSE event encoded once too.
final class BroadcastRoom {
    let name: String
    /// Its location's key in `BroadcastRooms`.
    let location: String
    private(set) var history: BroadcastHistory
    private var members: [ObjectIdentifier: WebSocketConnection] = [:]
    private var order: [WebSocketConnection] = []
    /// The registry that frees it when unused (none for a room made alone, as in unit tests).
    private weak var registry: BroadcastRooms?
    private let deflaters: BroadcastDeflaters
    /// Milliseconds a poller counts after its poll (its location's `websocket_poll_max_wait`).
    let pollWindow: Int

    init(
        name: String = "", location: String = "", history: BroadcastHistory = BroadcastHistory(),
        registry: BroadcastRooms? = nil, deflaters: BroadcastDeflaters = BroadcastDeflaters(), pollWindow: Int = 0
    ) {
        self.name = name
        self.location = location
        self.history = history
        self.registry = registry
        self.deflaters = deflaters
        self.pollWindow = pollWindow
    }

    var memberCount: Int { order.count }

    /// No member, stream or held poll, and no message to poll.
    var isUnused: Bool { order.isEmpty && listeners.isEmpty && history.isEmpty }

    // realtime: SSE streams and held long polls hear each message after the WebSocket members
    // (the order among members of one message does not matter, only the order of messages).
    private var listeners: [ObjectIdentifier: RoomListener] = [:]
    private var streamCount = 0
    /// HTTP pollers seen lately, counted in `members`.
    var pollers = PollerPresence()

    /// Poller keys of the WebSocket and SSE members that named a `client`, with how many
    /// connections each has.
    private var liveClients: [String: Int] = [:]

    func addListener(_ l: RoomListener) {
        guard listeners.updateValue(l, forKey: ObjectIdentifier(l)) == nil else { return }
        if l.isMember { streamCount += 1 }
        addClient(l.clientKey)
    }

    func removeListener(_ l: RoomListener) {
        guard listeners.removeValue(forKey: ObjectIdentifier(l)) != nil else { return }
        if l.isMember { streamCount -= 1 }
        removeClient(l.clientKey)
        registry?.releaseIfUnused(self)
    }

    private func addClient(_ key: String?) {
        if let key { liveClients[key, default: 0] += 1 }
    }

    private func removeClient(_ key: String?) {
        guard let key, let n = liveClients[key] else { return }
        liveClients[key] = n > 1 ? n - 1 : nil
    }

    /// WebSocket and SSE members plus the pollers seen within `pollWindow` ms (SPEC 9). A
    /// poller whose `client` id is also a member's counts once.
    func members(now: Int, pollWindow: Int) -> Int {
        let polling = pollers.count(now: now, window: pollWindow)
        var counted = 0
        for key in liveClients.keys where pollers.contains(key) { counted += 1 }
        return order.count + streamCount + polling - counted
    }

    func join(_ m: WebSocketConnection) {
        guard members[ObjectIdentifier(m)] == nil else { return }
        members[ObjectIdentifier(m)] = m
        order.append(m)
        addClient(m.clientKey)  // realtime
    }

    func leave(_ m: WebSocketConnection) {
        guard members.removeValue(forKey: ObjectIdentifier(m)) != nil else { return }
        order.removeAll { $0 === m }
        removeClient(m.clientKey)  // realtime
        registry?.releaseIfUnused(self)
    }

    private func notifyListeners(_ message: BroadcastHistory.Message) {
        let event = SSEEncoder.event(id: message.id, data: message.data)
        for l in Array(listeners.values) { l.published(message, event: event) }
    }

    @discardableResult
    func publish(opcode: WebSocketOpcode, payload: [UInt8]) -> Int {
        let time = Clock.wallMilliseconds()
        let id = history.append(payload, time: time)
        var frames = BroadcastFrames(opcode: opcode == .binary ? .binary : .text, payload: payload, deflaters: deflaters)
        for m in order { m.sendEncoded(frames.frame(windowBits: m.broadcastWindowBits)) }
        if !listeners.isEmpty { notifyListeners(BroadcastHistory.Message(id: id, data: payload, time: time)) }
        registry?.releaseIfUnused(self)
        return id
    }
}

/// The HTTP side of a room: `GET ?since=N[&wait=S]` answers JSON (at once, or when a message
/// comes: long polling), `GET` with `Accept: text/event-stream` streams it (SSE), `POST`
/// publishes the body (201).
enum BroadcastPolling {
    static func handle(_ c: Connection, location: LocationConfig) {
        guard let req = c.request else { return }
        let rooms = c.server.rooms
        if rooms.existing(req.pathString) == nil, !rooms.makePlace(location),
            answersAtOnceWithoutRoom(c, req, location: location)
        {
            return
        }
        guard let room = rooms.room(req.pathString, location: location) else {
            return c.respondError(503)
        }
        switch req.method {
        case .get, .head:
            let query = req.queryRange.map { PollQuery.parse(req.bytes[$0]) } ?? PollQuery()
            if acceptsEventStream(req) {
                let lastEventID = req.header("last-event-id").flatMap { Bytes.parseDecimal($0) }
                return SSEStream.open(
                    c, room: room, location: location, resumeAfter: lastEventID ?? query.since,
                    clientKey: query.client.map { "client " + $0 })
            }
            let since = query.since ?? 0
            let window = location.realtime.pollMaxWait
            let poller = query.client.map { "client " + $0 } ?? pollerKey(c, req)
            room.pollers.seen(poller, now: c.loop.now)
            let decision = LongPoll.decide(
                since: since, lastID: room.history.lastID, wait: query.wait, maxWait: window, now: c.loop.now,
                isHead: req.method == .head, stopping: c.server.stopping)
            switch decision {
            case .answer:
                answer(c, room: room, since: since, poller: poller, window: window)
            case .hold(let deadline):
                HeldPoll.hold(c, room: room, since: since, deadline: deadline, poller: poller, window: window)
            }
        case .post:
            let limit = location.websocketMaxMessage
            c.receiveBody(into: PublishSink(room: room, limit: limit))
        default:
            c.respondError(405, headers: [("Allow", "GET, HEAD, POST")])
        }
    }

    /// The poll's JSON answer; the poller is seen again now (it counts itself in `members`).
    static func answer(_ c: Connection, room: BroadcastRoom, since: Int, poller: String, window: Int) {
        room.pollers.seen(poller, now: c.loop.now)
        let members = room.members(now: c.loop.now, pollWindow: window)
        respondJSON(c, room.history.pollJSON(since: since, members: members))
    }

    /// A poll of a room that does not exist and cannot be opened (every `websocket_max_rooms`
    /// place in use) and that would be answered at once (no `wait`): nothing to read, so it is
    /// answered (empty, the poller its only member) rather than refused.
    /// Returns false when the request needs the room (SSE, a held poll, a POST).
    static func answersAtOnceWithoutRoom(_ c: Connection, _ req: RequestHead, location: LocationConfig) -> Bool {
        guard req.method == .get || req.method == .head, !acceptsEventStream(req) else { return false }
        let query = req.queryRange.map { PollQuery.parse(req.bytes[$0]) } ?? PollQuery()
        let since = query.since ?? 0
        let decision = LongPoll.decide(
            since: since, lastID: 0, wait: query.wait, maxWait: location.realtime.pollMaxWait, now: c.loop.now,
            isHead: req.method == .head, stopping: c.server.stopping)
        guard case .answer = decision else { return false }
        respondJSON(c, BroadcastHistory(capacity: 1, maxBytes: 1).pollJSON(since: since, members: 1))
        return true
    }

    static func respondJSON(_ c: Connection, _ body: [UInt8]) {
        var r = Response(status: 200, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")])
        r.body = .bytes(body)
        c.respond(r)
    }

    /// The poller key of a request that names a `client` (WebSocket members' too).
    static func clientKey(_ req: RequestHead) -> String? {
        guard let q = req.queryRange, let id = PollQuery.parse(req.bytes[q]).client else { return nil }
        return "client " + id
    }

    /// A poller is its address and User-Agent: two browsers behind one address are two
    /// members, one script polling again is the same one. (A `client` id replaces both.)
    static func pollerKey(_ c: Connection, _ req: RequestHead) -> String {
        let agent = req.header("user-agent").map { String(decoding: $0, as: UTF8.self) } ?? ""
        return c.peerAddress + " " + agent
    }

    /// `Accept` lists `text/event-stream` (any parameters) with a quality above 0.
    static func acceptsEventStream(_ req: RequestHead) -> Bool {
        AcceptHeader.accepts("text/event-stream", in: req.header("accept"))
    }

    /// Collects a posted message (bounded by websocket_max_message), then publishes it.
    final class PublishSink: BodySink {
        let room: BroadcastRoom
        let limit: Int
        var data: [UInt8] = []

        init(room: BroadcastRoom, limit: Int) {
            self.room = room
            self.limit = limit
        }

        func bodyData(_ bytes: UnsafeRawBufferPointer, connection: Connection) throws(HandlerError) {
            if limit > 0 && data.count + bytes.count > limit { throw HandlerError(413) }
            data.append(contentsOf: bytes)
        }

        func bodyEnd(connection c: Connection) {
            guard UTF8Validator.isValid(data) else { return c.respondError(400) }
            let id = room.publish(opcode: .text, payload: data)
            var r = Response(status: 201, headers: [("Content-Type", "application/json")])
            r.body = .bytes(Array("{\"id\": \(id)}\n".utf8))
            c.respond(r)
        }

        func abort() { data = [] }
    }
}
