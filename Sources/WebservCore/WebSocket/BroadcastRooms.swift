/// Chat rooms of `websocket broadcast` locations, one per request path, shared by
/// WebSocket members and HTTP pollers.
final class BroadcastRooms {
    private var rooms: [String: BroadcastRoom] = [:]
    /// One compressor per window size, shared by every room (members take no context over).
    private let deflaters = BroadcastDeflaters()

    static func shared(_ server: Server) -> BroadcastRooms {
        if let r = server.extensions["broadcast"] as? BroadcastRooms { return r }
        let r = BroadcastRooms()
        server.extensions["broadcast"] = r
        return r
    }

    func room(_ name: String) -> BroadcastRoom {
        if let r = rooms[name] { return r }
        let r = BroadcastRoom(deflaters: deflaters)
        rooms[name] = r
        return r
    }
}

/// One room: members in join order and the last 100 messages. Publishing encodes the frame
/// once and queues it to every member, the sender included, so all see one order.
final class BroadcastRoom {
    private(set) var history = BroadcastHistory(capacity: 100)
    private var members: [ObjectIdentifier: WebSocketConnection] = [:]
    private var order: [WebSocketConnection] = []
    private let deflaters: BroadcastDeflaters

    init(deflaters: BroadcastDeflaters = BroadcastDeflaters()) {
        self.deflaters = deflaters
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
    }

    @discardableResult
    func publish(opcode: WebSocketOpcode, payload: [UInt8]) -> Int {
        let id = history.append(payload)
        var frames = BroadcastFrames(opcode: opcode == .binary ? .binary : .text, payload: payload, deflaters: deflaters)
        for m in order { m.sendEncoded(frames.frame(windowBits: m.broadcastWindowBits)) }
        return id
    }
}

/// The HTTP side of a room: `GET ?since=N` answers JSON, `POST` publishes the body (201).
enum BroadcastPolling {
    static func handle(_ c: Connection, location: LocationConfig) {
        guard let req = c.request else { return }
        let room = BroadcastRooms.shared(c.server).room(req.pathString)
        switch req.method {
        case .get, .head:
            let since = sinceParameter(req) ?? 0
            var r = Response(status: 200, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")])
            r.body = .bytes(room.history.pollJSON(since: since))
            c.respond(r)
        case .post:
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
