/// Chat rooms of `websocket broadcast` locations, one per request path, shared by
/// WebSocket members and HTTP pollers. Bounded: at most `websocket_max_rooms` live rooms per
/// location, and a room with no members and no history is freed.
final class BroadcastRooms {
    private var rooms: [String: BroadcastRoom] = [:]
    /// Live rooms per location (`BroadcastRooms.key`).
    private var live: [String: Int] = [:]
    private unowned let server: Server

    init(server: Server) { self.server = server }

    static func shared(_ server: Server) -> BroadcastRooms {
        if let r = server.extensions["broadcast"] as? BroadcastRooms { return r }
        let r = BroadcastRooms(server: server)
        server.extensions["broadcast"] = r
        return r
    }

    /// Rooms are counted per location, named by its path.
    static func key(_ location: LocationConfig) -> String { (location.exact ? "= " : "") + location.path }

    /// The room `name`, if it exists (a poll does not create one).
    func existing(_ name: String) -> BroadcastRoom? { rooms[name] }

    /// The room `name`, created if needed; nil when `location` already has `websocket_max_rooms`
    /// live rooms (logged: the caller answers 503).
    func room(_ name: String, location: LocationConfig) -> BroadcastRoom? {
        if let r = rooms[name] { return r }
        let key = Self.key(location)
        let bounds = location.websocketBounds
        let count = live[key, default: 0]
        guard count < bounds.maxRooms else {
            server.logError(
                "room \"\(name)\" not opened: location \"\(location.path)\" has \(count) rooms (websocket_max_rooms \(bounds.maxRooms))"
            )
            return nil
        }
        let r = BroadcastRoom(
            name: name, location: key, history: BroadcastHistory(capacity: bounds.historyCount, maxBytes: bounds.historyBytes),
            registry: self)
        rooms[name] = r
        live[key] = count + 1
        return r
    }

    /// Frees `room` when nothing keeps it: no member and no message to poll.
    func releaseIfUnused(_ room: BroadcastRoom) {
        guard room.memberCount == 0, room.history.isEmpty, rooms[room.name] === room else { return }
        rooms[room.name] = nil
        live[room.location, default: 1] -= 1
        if live[room.location] == 0 { live[room.location] = nil }
    }

    var count: Int { rooms.count }
}

/// One room: members in join order and the last messages (`websocket_room_history`).
/// Publishing encodes the frame once and queues it to every member, the sender included, so
/// all see one order; every member's queue shares that one frame.
final class BroadcastRoom {
    let name: String
    /// Its location's key in `BroadcastRooms`.
    let location: String
    private(set) var history: BroadcastHistory
    private var members: [ObjectIdentifier: WebSocketConnection] = [:]
    private var order: [WebSocketConnection] = []
    private unowned let registry: BroadcastRooms

    init(name: String, location: String, history: BroadcastHistory, registry: BroadcastRooms) {
        self.name = name
        self.location = location
        self.history = history
        self.registry = registry
    }

    var memberCount: Int { order.count }

    func join(_ m: WebSocketConnection) {
        guard members[ObjectIdentifier(m)] == nil else { return }
        members[ObjectIdentifier(m)] = m
        order.append(m)
    }

    func leave(_ m: WebSocketConnection) {
        guard members.removeValue(forKey: ObjectIdentifier(m)) != nil else { return }
        order.removeAll { $0 === m }
        registry.releaseIfUnused(self)
    }

    @discardableResult
    func publish(opcode: WebSocketOpcode, payload: [UInt8]) -> Int {
        let id = history.append(payload)
        let frame = WebSocketFrameEncoder.encode(opcode: opcode == .binary ? .binary : .text, payload: payload)
        for m in order { m.sendEncoded(frame) }
        registry.releaseIfUnused(self)
        return id
    }
}

/// The HTTP side of a room: `GET ?since=N` answers JSON, `POST` publishes the body (201).
enum BroadcastPolling {
    static func handle(_ c: Connection, location: LocationConfig) {
        guard let req = c.request else { return }
        let rooms = BroadcastRooms.shared(c.server)
        switch req.method {
        case .get, .head:
            let since = sinceParameter(req) ?? 0
            var r = Response(status: 200, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")])
            // A room nobody opened has no messages; polling it does not create it.
            let history = rooms.existing(req.pathString)?.history ?? BroadcastHistory()
            r.body = .bytes(history.pollJSON(since: since))
            c.respond(r)
        case .post:
            guard let room = rooms.room(req.pathString, location: location) else { return c.respondError(503) }
            let limit = location.websocketMaxMessage
            c.receiveBody(into: PublishSink(room: room, limit: limit))
        default:
            c.respondError(405, headers: [("Allow", "GET, HEAD, POST")])
        }
    }

    static func sinceParameter(_ req: RequestHead) -> Int? {
        guard let q = req.queryRange else { return nil }
        for pair in req.bytes[q].split(separator: 0x26) {
            if pair.starts(with: Array("since=".utf8)) { return Bytes.parseDecimal(pair.dropFirst(6)) }
        }
        return nil
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
