/// Receives a request body as it arrives (uploads, CGI stdin, broadcast posts, discarding).
public protocol BodySink: AnyObject {
    /// Decoded body bytes; throwing refuses the request with that status.
    func bodyData(_ bytes: UnsafeRawBufferPointer, connection: Connection) throws(HandlerError)
    /// The whole body arrived; the sink now answers through `connection.respond`.
    func bodyEnd(connection: Connection)
    /// The exchange ended before the body did (client gone, timeout, error): clean up.
    func abort()
}

/// Produces a streamed response body (CGI output); paused while the client is slow.
public protocol StreamSource: AnyObject {
    /// The connection's output drained below its limit: produce more.
    func outputDrained(connection: Connection)
    /// The client went away or the connection closes: stop and clean up.
    func abort()
}

/// Takes over a connection after `101 Switching Protocols`.
public protocol UpgradedProtocol: AnyObject {
    /// New bytes arrived in `connection.input`.
    func inputAvailable(connection: Connection)
    /// Output drained completely.
    func outputDrained(connection: Connection)
    /// Deadline checks (pings, close timeouts).
    func checkTimers(now: Int, connection: Connection)
    /// The server is stopping: start a polite close (WebSocket 1001).
    func serverStopping(connection: Connection)
    /// The socket is gone: release everything (rooms, child processes). Called once.
    func closed(connection: Connection)
}
