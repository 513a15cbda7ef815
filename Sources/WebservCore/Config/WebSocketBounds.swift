/// What a WebSocket location may hold in memory: a connection's unsent output, a room's
/// history, the number of rooms (`websocket_max_output`, `websocket_room_history`,
/// `websocket_max_rooms`).
public struct WebSocketBounds: Sendable, Equatable {
    /// Bytes of unsent output past which a connection's frames are not read; 0: no bound.
    public var maxOutput = 1 << 20
    /// Messages a room keeps for polling, and the bytes they may hold together.
    public var historyCount = 100
    public var historyBytes = 1 << 20
    /// Rooms that may exist at once under one location.
    public var maxRooms = 1000

    public init() {}

    /// The settings of `own`, else `server`, else `http`, else the defaults.
    static func resolve(own: BlockSettings, server: BlockSettings, http: BlockSettings) -> WebSocketBounds {
        var b = WebSocketBounds()
        b.maxOutput = own.websocketMaxOutput ?? server.websocketMaxOutput ?? http.websocketMaxOutput ?? b.maxOutput
        let history = own.websocketRoomHistory ?? server.websocketRoomHistory ?? http.websocketRoomHistory
        if let history {
            b.historyCount = history.count
            b.historyBytes = history.bytes ?? b.historyBytes
        }
        b.maxRooms = own.websocketMaxRooms ?? server.websocketMaxRooms ?? http.websocketMaxRooms ?? b.maxRooms
        return b
    }

    /// The directive rows.
    static let directives: [DirectiveRow] = [
        DirectiveRow("websocket_max_output", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
            s.websocketMaxOutput = try Setters.size(n)
        },
        DirectiveRow("websocket_room_history", .anyHTTP, arguments: 1...2) { s, n, _ throws(ConfigError) in
            guard let count = Int(n.args[0]), count >= 0 else { throw Setters.invalidValue(n) }
            var bytes: Int?
            if n.args.count == 2 {
                guard let size = ConfigValues.size(n.args[1]) else { throw Setters.invalidValue(n, 1) }
                bytes = size
            }
            s.websocketRoomHistory = RoomHistoryLimit(count: count, bytes: bytes)
        },
        DirectiveRow("websocket_max_rooms", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
            guard let count = Int(n.args[0]), count >= 1 else { throw Setters.invalidValue(n) }
            s.websocketMaxRooms = count
        },
    ]
}

/// `websocket_room_history COUNT [SIZE];` as written.
struct RoomHistoryLimit: Sendable {
    var count: Int
    var bytes: Int?
}
