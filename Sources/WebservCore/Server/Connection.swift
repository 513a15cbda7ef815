#if canImport(Glibc)
    import Glibc
#endif

/// Linux's POLLRDHUP (the peer shut down writing), which Glibc's module does not export.
let pollRDHUP: Int16 = 0x2000

/// One client socket: reads request heads, frames bodies, writes responses in order, and
/// keeps the connection alive or closes it. Handlers decide what to answer; the connection
/// only executes (Hummingbird's connection state handler plays the same role).
public final class Connection: PollHandler {
    public enum State {
        /// Waiting for the first byte of a request (keep-alive idle between requests).
        case idle
        /// Some bytes of a request head arrived.
        case readingHead
        /// The request is being answered; its body may still be arriving.
        case exchange
        /// The response is out; reading and discarding until the client closes (lingering close).
        case lingering
        case upgraded
        case closed
    }

    public let fd: Int32
    /// Moves the bytes: plain TCP or TLS. Nothing above the connection touches `fd` for I/O.
    let transport: any Transport
    /// `transport` when it is plain TCP: the hot path calls it directly (no witness table, no
    /// reference counting, a specialised `OutputQueue.flush`), as fast as before the seam.
    let plainTransport: PlainTransport?
    /// True on a TLS connection (the scheme is `https`).
    public var isTLS: Bool { transport.isTLS }
    /// The port the client connected to (getsockname: right for `listen ...:0` too).
    public var localPort: Int { Int(SocketAddress.localPort(fd)) }
    /// Unchecked: the server owns every connection and outlives it, and a checked
    /// `unowned` reference costs an atomic increment and decrement on each use.
    public unowned(unsafe) let server: Server
    public let local: ListenAddress
    /// The group of virtual hosts listening on `local`, as the listening socket routed it.
    let vhostGroup: Int
    /// The client's socket address; formatted only when asked for (access log, CGI), since
    /// inet_ntop and the String cost more than the rest of accepting a connection.
    private let peer: sockaddr_storage
    public private(set) lazy var peerAddress: String = peerDescription.0
    public var peerPort: Int { peerDescription.1 }
    private var peerDescription: (String, Int) {
        var storage = peer
        return SocketAddress.describe(&storage)
    }
    public internal(set) var state = State.idle
    /// Holds storage only while there are bytes to parse (`BufferPool`): idle costs nothing.
    public var input = ByteBuffer(capacity: 0)
    public var output = OutputQueue()
    var parser = RequestHeadParser()

    /// The request being answered.
    public internal(set) var request: RequestHead?
    /// The server block whose settings apply: the address's default server until a request's
    /// `Host` picks another (for timeouts, error pages and the access log of a request that
    /// fails before its head is parsed, as in nginx).
    public internal(set) var serverIndex: Int
    /// The default server of the address this connection was accepted on.
    let defaultServerIndex: Int
    var responseStarted = false
    var responseComplete = false
    var keepAlive = true
    var streamChunked = false
    /// A refused head that began with `HEAD `: its error answer has no body (as nginx), though
    /// no request was parsed to say so.
    var answerHeadOnly = false
    var bodyReader: BodyReader?
    /// The location that answers the request (set by the dispatcher): the filter stage reads
    /// its settings.
    var route: ServerRoutes.Location?
    /// The compression step's stream, when a streamed body is compressed.
    var bodyEncoder: BodyEncoder?
    var bodySink: BodySink?
    var bodyPaused = false
    public var streamSource: StreamSource?
    public var upgradedProtocol: UpgradedProtocol?
    /// An upgraded protocol may stop reading while its consumer is full (exec stdin).
    public var upgradedWantsInput = true {
        didSet { if oldValue != upgradedWantsInput { updateInterest() } }
    }
    /// An upgraded protocol is not read while this much output waits: a peer that sends and
    /// never reads fills its own TCP window instead of our memory (`websocket_max_output`).
    public var upgradedOutputLimit = Int.max
    var log = AccessLogEntry()
    var deadline = Int.max
    var requestsServed = 0
    var closeAfterFlush = false
    /// The last read filled the input buffer: more is likely waiting, so the next read may grow it.
    var lastReadFilledInput = false
    /// Inside `process()`, whose loop finishes a completed exchange itself.
    var processing = false

    init(
        fd: Int32, transport: (any Transport)?, server: Server, local: ListenAddress, group: Int, peer: sockaddr_storage
    ) {
        self.fd = fd
        // nil is plain TCP (known without a dynamic cast, which would cost each connection).
        if let transport {
            self.transport = transport
            self.plainTransport = nil
        } else {
            let plain = PlainTransport(fd: fd)
            self.transport = plain
            self.plainTransport = plain
        }
        self.server = server
        self.local = local
        self.vhostGroup = group
        self.defaultServerIndex = server.vhosts.serverIndex(inGroup: group, host: nil)
        self.serverIndex = defaultServerIndex
        self.peer = peer
    }

    public var loop: EventLoop { server.loop }
    /// The chosen server's settings, borrowed in place: a copy of the struct would cost
    /// dozens of retains and releases, several times per request.
    public var serverConfig: ServerConfig {
        _read { yield server.routes[serverIndex].config }
    }

    func start() {
        loop.register(fd, events: Int16(POLLIN), handler: self)
        deadline = loop.now + serverConfig.clientHeaderTimeout
    }

    // MARK: poll events

    public func pollReady(fd: Int32, events: Int16, loop: EventLoop) {
        // Both directions are gone (or the socket failed): nothing can be sent any more.
        if events & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 && events & Int16(POLLIN) == 0 {
            close()
            return
        }
        // The client shut down its side while a stream source (CGI) works on its answer: it
        // is gone, as nginx's upstream module concludes; end the source now, not at its timeout.
        if events & pollRDHUP != 0 && state == .exchange && bodyReader == nil && streamSource != nil {
            close()
            return
        }
        let ready = plainTransport?.ready(events) ?? transport.ready(events)
        if ready.write { writable() }
        if state == .closed { return }
        if ready.read { readable() }
    }

    func readable() {
        // Backpressure: while a response is pending, do not read more pipelined requests.
        if state == .exchange && bodyReader == nil {
            updateInterest()
            return
        }
        // Bodies (uploads, CGI input) stream in large reads; heads and WebSocket frames use a
        // small buffer lent from the server's pool while there are bytes to parse. It grows
        // only when more is needed: a read that filled it (a big head, a stream of frames)
        // makes the next read ask for more; a grown buffer is freed, not pooled, when idle.
        let want = state == .exchange ? 128 * 1024 : (lastReadFilledInput ? 16 * 1024 : 512)
        if input.capacity == 0 { input.adopt(server.inputBuffers.take()) }
        let before = input.readableCount
        let result: IOResult
        do {
            if let plain = plainTransport {
                result = try plain.read(into: &input, want: want)
            } else {
                result = try transport.read(into: &input, want: want)
            }
        } catch {
            close()
            return
        }
        switch result {
        case .wouldBlock:
            // A TLS handshake or read may now wait for the socket to be writable.
            if transport.isTLS { updateInterest() }
            return
        case .eof:
            peerClosed()
        case .processed:
            lastReadFilledInput = input.readableCount == input.capacity && input.readableCount > before
            if state == .lingering {
                input.clear()
                return
            }
            process()
        }
    }

    /// The client closed its side (or reset).
    func peerClosed() {
        switch state {
        case .idle, .lingering, .closed:
            close()
        case .readingHead:
            close()
        case .exchange:
            if bodyReader != nil {
                // A body cut short: nothing it started may stay behind.
                close()
            } else if output.isEmpty && responseComplete {
                close()
            } else {
                // Half-close after a complete request: finish writing the response, then close.
                keepAlive = false
                loop.setEvents(fd, Int16(transport.events(POLLOUT)))
            }
        case .upgraded:
            close()
        }
    }

    // MARK: request cycle

    /// Parses and answers what is in the input buffer, as far as it goes.
    func process() {
        let outer = processing
        processing = true
        defer { processing = outer }
        while true {
            switch state {
            case .idle, .readingHead:
                guard !input.isEmpty else { return updateInterest() }
                if !startNextRequest() { return updateInterest() }
            case .exchange:
                if bodyReader != nil && !bodyPaused && !input.isEmpty {
                    feedBody()
                    continue
                }
                if exchangeFinished() {
                    finishExchange()
                    if state == .closed { return }
                    continue
                }
                return updateInterest()
            case .upgraded:
                upgradedProtocol?.inputAvailable(connection: self)
                return
            case .lingering, .closed:
                return
            }
        }
    }

    /// Tries to take a complete head from the input. Returns false when more bytes are needed.
    func startNextRequest() -> Bool {
        let found: Int?
        beginExchange()
        do {
            found = try input.withReadable { (p) throws(HTTPParseError) -> Int? in try parser.findEnd(p) }
        } catch {
            state = .exchange
            request = nil
            keepAlive = false
            log.begin(now: loop.now)
            if case .badRequest = error {
                // A request line refused as soon as it ended (no version): logged as received.
                log.requestLine = input.withReadable { Self.firstLine($0) }
            }
            answerHeadOnly = input.withReadable { Self.startsWithHEAD($0) }
            respondError(error.status)
            return true
        }
        guard let length = found else {
            if state == .idle {
                state = .readingHead
                deadline = loop.now + serverConfig.clientHeaderTimeout
            }
            return false
        }
        let bytes = input.readableBytes(length)
        input.consume(length)
        parser.reset()
        state = .exchange
        log.begin(now: loop.now)
        do {
            let head = try RequestHeadParser.parse(bytes)
            request = head
            serverIndex = virtualHost(head.host)
            // `keepalive_timeout 0` turns keep-alive off (nginx): every response closes.
            keepAlive = head.keepAlive && !server.stopping && serverConfig.keepaliveTimeout > 0
            // `keepalive_requests N`: the Nth request on the connection is its last.
            if keepAlive, let limit = serverConfig.keepaliveRequests, requestsServed + 1 >= limit { keepAlive = false }
            if server.logsAccess(serverIndex) {
                log.requestLine.append(contentsOf: bytes.prefix { $0 != 0x0D && $0 != 0x0A })
            }
            if case .none = head.framing {
                bodyReader = nil
            } else {
                bodyReader = BodyReader(framing: head.framing, limit: serverConfig.fallbackLocation.clientMaxBodySize)
            }
            deadline = loop.now + serverConfig.clientBodyTimeout
            if plainTransport != nil || !refusedByTransport() { Dispatcher.handle(self, head) }
        } catch {
            request = nil
            keepAlive = false
            log.requestLine = Array(bytes.prefix { $0 != 0x0D && $0 != 0x0A }.prefix(2048))
            answerHeadOnly = bytes.withUnsafeBytes { Self.startsWithHEAD($0) }
            respondError(error.status)
        }
        return true
    }

    /// Forgets the last exchange's response state before the next head is looked for, so an
    /// error found before it parses (414, 431, a 408 while waiting) is answered, not taken
    /// for a second response to the previous request.
    func beginExchange() {
        responseStarted = false
        responseComplete = false
        streamChunked = false
        answerHeadOnly = false
        route = nil
        bodyEncoder = nil
    }

    /// The first line of `p` after the empty lines a client may send first, at most 2 KiB.
    static func firstLine(_ p: UnsafeRawBufferPointer) -> [UInt8] {
        let line = p.drop { $0 == 0x0D || $0 == 0x0A }.prefix { $0 != 0x0D && $0 != 0x0A }
        return Array(line.prefix(2048))
    }

    static func startsWithHEAD(_ p: UnsafeRawBufferPointer) -> Bool {
        p.count >= 5 && p[0] == 0x48 && p[1] == 0x45 && p[2] == 0x41 && p[3] == 0x44 && p[4] == 0x20
    }

    /// The server block for this connection's address and a Host value.
    func virtualHost(_ host: ArraySlice<UInt8>?) -> Int {
        server.vhosts.serverIndex(inGroup: vhostGroup, host: host)
    }

    func exchangeFinished() -> Bool {
        responseComplete && bodyReader == nil && output.isEmpty
    }

    /// The response is out and the body consumed: log, then keep alive or close.
    func finishExchange() {
        server.accessLog(self)
        requestsServed += 1
        let clientAskedToClose = request?.keepAlive == false
        request = nil
        if !keepAlive || server.stopping {
            // Lingering protects a response from the reset that closing with unread input
            // causes. A client that asked to close and sent nothing more gets a plain close
            // (as from nginx): no shutdown, no wait for its FIN.
            if clientAskedToClose && input.isEmpty { close() } else { closeGracefully() }
            return
        }
        state = .idle
        deadline = loop.now + serverConfig.keepaliveTimeout
        // The next request starts again from the address's default server.
        serverIndex = defaultServerIndex
        releaseIdleBuffers()
    }

    /// An idle connection gives its buffers back to the server's pools (when they are empty).
    public func releaseIdleBuffers() {
        if var storage = input.takeStorage() { server.inputBuffers.give(&storage) }
        if output.isEmpty && output.buffer.capacity > 0 {
            server.outputBuffers.give(&output.buffer)
            output.releaseStorage()
        }
    }

    /// Gives the output buffer storage from the pool before bytes are appended to it.
    @inline(__always)
    public func prepareOutput() {
        if output.buffer.capacity == 0 { output.buffer = server.outputBuffers.take() }
    }

    /// POLLIN when we want bytes, POLLOUT while output is pending.
    func updateInterest() {
        guard state != .closed else { return }
        var events: Int32 = 0
        switch state {
        case .idle, .readingHead, .lingering:
            events = POLLIN
        case .upgraded:
            if upgradedWantsInput && output.pendingBytes < upgradedOutputLimit { events = POLLIN }
        case .exchange:
            if bodyReader != nil && !bodyPaused {
                events = POLLIN
            } else if streamSource != nil {
                events = Int32(pollRDHUP)
            }
        case .closed:
            return
        }
        if !output.isEmpty { events |= POLLOUT }
        loop.setEvents(fd, Int16(plainTransport == nil ? transport.events(events) : events))
    }
}
