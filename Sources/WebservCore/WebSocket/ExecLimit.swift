/// `websocket_exec_max`: running exec programs per location. A connection takes a slot before
/// its program starts (a full location answers 503 before the upgrade) and gives it back
/// when the program is ended or exits.
final class ExecLimit {
    private var running: [String: Int] = [:]

    /// The location's key: its server and its path, as written.
    static func key(server: Int, location: LocationConfig) -> String {
        "\(server) \(location.exact ? "=" : "")\(location.path)"
    }

    /// Takes a slot for the connection's program; when the location is full, logs the refusal
    /// and returns false.
    func admit(_ c: Connection, location: LocationConfig) -> Bool {
        let max = location.realtime.execMax
        if acquire(Self.key(server: c.serverIndex, location: location), max: max) { return true }
        c.server.logError(
            "websocket exec: \(max) programs already run in location \"\(location.path)\", refused client \(c.peerAddress)")
        return false
    }

    /// Takes a slot; false when `max` programs already run there.
    func acquire(_ key: String, max: Int) -> Bool {
        let n = running[key, default: 0]
        guard n < max else { return false }
        running[key] = n + 1
        return true
    }

    func release(_ key: String) {
        guard let n = running[key] else { return }
        running[key] = n > 1 ? n - 1 : nil
    }
}
