/// A location's settings for real time over HTTP and the WebSocket extras (SPEC 9): SSE
/// heartbeats, long polling, subprotocols and exec's options.
public struct RealtimeSettings: Sendable {
    /// Milliseconds between SSE comment heartbeats (`websocket_sse_heartbeat`).
    public var sseHeartbeat = 15_000
    /// Milliseconds: the longest a long poll is held, and how long a poller counts as a member
    /// (`websocket_poll_max_wait`).
    public var pollMaxWait = 30_000
    /// Subprotocol names the location accepts (`websocket_subprotocols`), in configured order.
    public var subprotocols: [String] = []
    /// exec stdout as binary messages, binary messages to stdin as they are (`websocket_exec_binary`).
    public var execBinary = false
    /// Running exec programs allowed at once in this location (`websocket_exec_max`).
    public var execMax = 1024

    public init() {}
}
