/// `websocket_exec_max`: running exec programs per location. A connection takes a slot before
/// its program starts (a full location answers 503 before the upgrade) and gives it back
/// when the program is ended or exits.
final class ExecLimit {
    private var running: [String: Int] = [:]

    static func shared(_ server: Server) -> ExecLimit {
        if let l = server.extensions["execLimit"] as? ExecLimit { return l }
        let l = ExecLimit()
        server.extensions["execLimit"] = l
        return l
    }

    /// The location's key: its server and its path, as written.
    static func key(server: Int, location: LocationConfig) -> String {
        "\(server) \(location.exact ? "=" : "")\(location.path)"
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

    func count(_ key: String) -> Int { running[key, default: 0] }
}
