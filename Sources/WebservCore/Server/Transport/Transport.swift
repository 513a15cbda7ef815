#if canImport(Glibc)
    import Glibc
#endif

/// How a connection's bytes reach its socket: in the clear, or through TLS. nginx swaps its
/// connection's `recv`/`send`/`send_chain` slots the same way once a handshake is done; what
/// sits above (HTTP, WebSocket, handlers, CGI) learns only whether the scheme is https.
public protocol Transport {
    /// True when bytes travel encrypted (the request's scheme is `https`).
    var isTLS: Bool { get }
    /// One read into `buffer`'s free space, first making room for `want` bytes.
    func read(into buffer: inout ByteBuffer, want: Int) throws(SystemError) -> IOResult
    /// Sends from `bytes`; `more` says that more follows at once (MSG_MORE).
    func send(_ bytes: UnsafeRawPointer, _ count: Int, more: Bool) throws(SystemError) -> IOResult
    /// Sends up to `count` bytes of `file` from `offset`, which it advances.
    func sendFile(_ file: Int32, offset: inout Int, count: Int) throws(SystemError) -> IOResult
    /// Ends our direction in order (TLS: close_notify first); the peer may still send.
    func shutdownWrite()
    /// Releases the socket.
    func close()
    /// The poll events to ask for when the connection wants to read (`POLLIN`) and/or write
    /// (`POLLOUT`): a TLS read can need the socket writable, a TLS write readable.
    func events(_ wanted: Int32) -> Int32
    /// Whether poll's `revents` let the connection read and write now.
    func ready(_ revents: Int16) -> (read: Bool, write: Bool)
    /// The server a TLS client's SNI name chose; nil without TLS or SNI.
    var sniServer: Int? { get }
    /// A plain HTTP request arrived on a TLS port (it gets nginx's 400, then the close).
    var sentPlainHTTP: Bool { get }
    /// The connection has been idle a while: give back what the transport keeps for traffic.
    func releaseIdleMemory()
}

/// The plain TCP transport: read, send and sendfile on the socket, as before the seam. A
/// struct holding the descriptor, so the hot path pays no reference counting for it.
public struct PlainTransport: Transport {
    public let fd: Int32

    public init(fd: Int32) { self.fd = fd }

    public var isTLS: Bool { false }
    public var sniServer: Int? { nil }
    public var sentPlainHTTP: Bool { false }

    @inline(__always)
    public func read(into buffer: inout ByteBuffer, want: Int) throws(SystemError) -> IOResult {
        try buffer.read(from: fd, want: want)
    }

    @inline(__always)
    public func send(_ bytes: UnsafeRawPointer, _ count: Int, more: Bool) throws(SystemError) -> IOResult {
        try Sys.send(fd, bytes, count, more: more)
    }

    @inline(__always)
    public func sendFile(_ file: Int32, offset: inout Int, count: Int) throws(SystemError) -> IOResult {
        try Sys.sendfile(fd, file, offset: &offset, count: count)
    }

    public func shutdownWrite() { _ = shutdown(fd, Int32(SHUT_WR)) }

    public func releaseIdleMemory() {}

    public func close() { Sys.close(fd) }

    @inline(__always)
    public func events(_ wanted: Int32) -> Int32 { wanted }

    @inline(__always)
    public func ready(_ revents: Int16) -> (read: Bool, write: Bool) {
        (revents & Int16(POLLIN | POLLHUP | POLLERR) != 0, revents & Int16(POLLOUT) != 0)
    }
}
