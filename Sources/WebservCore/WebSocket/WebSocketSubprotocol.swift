/// `Sec-WebSocket-Protocol` negotiation (RFC 6455 §4.2.2): the server picks one of the names
/// the client offered; SPEC 9 makes it the first offered name the location lists.
public enum WebSocketSubprotocol {
    /// The first name in `offered` (comma-separated, client order) that `accepted` lists,
    /// compared exactly (subprotocol names are case-sensitive tokens); nil when none is.
    public static func choose(offered: [UInt8]?, accepted: [String]) -> String? {
        guard let offered, !accepted.isEmpty else { return nil }
        var chosen: String?
        Bytes.forEachToken(offered[...]) { token in
            guard chosen == nil else { return }
            let name = String(decoding: token, as: UTF8.self)
            if accepted.contains(name) { chosen = name }
        }
        return chosen
    }
}
