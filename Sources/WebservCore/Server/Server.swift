#if canImport(Glibc)
    import Glibc
#endif

/// The running server: configuration, listeners, live connections, child processes and
/// logs, all driven by one `EventLoop` on one thread.
public final class Server: TimedHandler {
    public let configuration: Configuration
    public let vhosts: VirtualHosts
    /// `configuration.servers` again, behind references (see `ServerRoutes`).
    let routes: [ServerRoutes]
    public let loop = EventLoop()
    public let files = FileCache()
    /// Finished gzip encoders for the next compressed response.
    let encoders = EncoderPool()
    /// The block file bodies are read into before they are compressed, used synchronously
    /// (`FileBodySource`): one for the whole server.
    let fileReadBlock = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    /// Where each upload name's search for a free suffix starts (UploadNameHints).
    public let uploadNames = UploadNameHints()
    public internal(set) var stopping = false
    var listeners: [Listener] = []
    var connections: [ObjectIdentifier: Connection] = [:]
    var signals: SignalPipe?
    var stopDeadline = 0
    /// Connections and children still there when the stop deadline passed (for the last line).
    var forcedAtStop = 0
    let logFiles = LogFiles()
    var accessLogs: [LogSink?] = []
    lazy var errorLog = LogSink.forDescriptor(2)
    /// Exit callbacks of child processes (CGI, WebSocket exec), by pid.
    var children: [pid_t: (Int32) -> Void] = [:]
    /// Process groups of children that were told to end and get SIGKILL after a grace period
    /// (`ChildProcess.terminate`); the server does not leave them behind when it exits.
    var groupsToEnd: Set<pid_t> = []
    /// Things to tell when the server stops (WebSocket rooms, children).
    public var shutdownHooks: [() -> Void] = []
    /// Buffers lent to connections while they are busy (idle connections hold none). They
    /// start small, as nginx's `client_header_buffer_size` 1k: a typical head or frame fits,
    /// and a bigger one grows its buffer (freed, not pooled, afterwards), so 1,000 busy
    /// connections hold 2 MiB of input buffers, not 16.
    public let inputBuffers = BufferPool(size: 2048, limit: 64, keptCapacity: 2048, filled: true)
    /// A small answer (head and a 1 KiB cached body) fits without growing.
    public let outputBuffers = BufferPool(size: 2048, limit: 64, keptCapacity: 320 * 1024, filled: false)
    /// The most connections since memory was last trimmed (see `trimAfterBurst`).
    var connectionPeak = 0
    /// The chat rooms of every `websocket broadcast` location (made when first used).
    lazy var rooms = BroadcastRooms(server: self)
    /// Running `websocket exec` programs per location (`websocket_exec_max`).
    let execLimit = ExecLimit()
    /// Certificates and SNI for TLS listeners; nil when nothing is TLS.
    var tls: TLSServers?

    public init(configuration: Configuration) {
        self.configuration = configuration
        self.vhosts = VirtualHosts(configuration)
        self.routes = configuration.servers.map(ServerRoutes.init)
    }

    deinit { fileReadBlock.deallocate() }

    /// Opens logs and binds every listen socket (`VirtualHosts.sockets`); prints one line per socket.
    public func start() throws(StartError) {
        let logs = try Self.openLogs(configuration, in: logFiles)
        accessLogs = logs.access
        if let sink = logs.error { errorLog = sink }
        if TLSServers.needed(configuration) {
            do {
                tls = try TLSServers(configuration, vhosts: vhosts)
            } catch {
                throw .listen(error)
            }
        }
        attachLogs()
        for socket in vhosts.sockets {
            do {
                listeners.append(try Listener(socket: socket, server: self))
            } catch {
                throw .listen(ConfigError(file: socket.file, line: socket.line, message: error.description))
            }
        }
        for l in listeners {
            loop.register(l.fd, events: Int16(POLLIN), handler: l, pinned: true)
            LogFiles.write(1, Array("listening on \(l.boundDescription)\n".utf8))
        }
        let s: SignalPipe
        do {
            s = try SignalPipe()
        } catch {
            throw .system(error)
        }
        s.onStop = { [unowned self] in self.stop() }
        s.onChild = { [unowned self] in self.reapChildren() }
        s.onHangUp = { [unowned self] in
            self.logError("signal 1 (SIGHUP) received: reloading the configuration is not supported, ignored")
        }
        s.onUser = { [unowned self] sig in
            let what = sig == SIGUSR1 ? "SIGUSR1) received: reopening the logs" : "SIGUSR2) received: upgrading the binary"
            self.logError("signal \(sig) (\(what) is not supported, ignored")
        }
        signals = s
        loop.register(s.readFD, events: Int16(POLLIN), handler: s, pinned: true)
        // perf
        if let watch = files.startWatching() {
            loop.register(watch.fd, events: Int16(POLLIN), handler: watch, pinned: true)
            loop.firstFD = watch.fd
        }
        loop.addTimed(self)
    }

    public var boundPorts: [UInt16] { listeners.map(\.boundPort) }

    public func run() {
        loop.run()
        if stopping {
            let forced = forcedAtStop
            LogFiles.write(1, Array((forced == 0 ? "stopped\n" : "stopped: \(forced) still open at the deadline, ended\n").utf8))
        }
        killPendingGroups()
        for group in groupsToEnd { kill(-group, SIGKILL) }
        for sink in logFiles.all { sink.flush() }
        for l in listeners { Sys.close(l.fd) }
        // The loop holds the server as its timed handler: drop that cycle so the server and all
        // it owns are freed, and LeakSanitizer can tell a real leak from this one.
        loop.removeTimed(self)
    }

    /// A new connection to `address`, which `group` of virtual hosts serves.
    func accepted(fd: Int32, on address: ListenAddress, group: Int, peer: sockaddr_storage, ssl: Bool = false) {
        if stopping {
            Sys.close(fd)
            return
        }
        // nil: plain TCP.
        let transport: (any Transport)? = ssl ? tls.map { TLSTransport(fd: fd, servers: $0, group: group) } : nil
        let c = Connection(fd: fd, transport: transport, server: self, local: address, group: group, peer: peer)
        connections[ObjectIdentifier(c)] = c
        connectionPeak = max(connectionPeak, connections.count)
        c.start()
    }

    func connectionClosed(_ c: Connection) {
        connections[ObjectIdentifier(c)] = nil
        if stopping && connections.isEmpty && children.isEmpty { loop.running = false }
    }

    public func checkTimers(now: Int, loop: EventLoop) {
        trimAfterBurst()
        for l in listeners { l.checkPause(now: now, loop: loop) }
        for c in Array(connections.values) { c.checkTimers(now: now) }
        if stopping {
            if connections.isEmpty && children.isEmpty {
                loop.running = false
            } else if now >= stopDeadline {
                forcedAtStop = connections.count + children.count
                for c in Array(connections.values) { c.close() }
                // Each child leads its own process group: end what it started too.
                for pid in children.keys { kill(-pid, SIGKILL) }
                reapChildren()
                loop.running = false
            }
        }
    }

    /// SIGINT/SIGTERM: stop accepting, let responses in flight finish (a few seconds at most).
    public func stop() {
        guard !stopping else { return }
        stopping = true
        stopDeadline = loop.now + 3000
        LogFiles.write(1, Array(stopSummary().utf8))
        for l in listeners {
            loop.unregister(l.fd)
            Sys.close(l.fd)
        }
        listeners.removeAll()
        for hook in shutdownHooks { hook() }
        for c in Array(connections.values) { c.shutdownRequested() }
        if connections.isEmpty && children.isEmpty { loop.running = false }
    }

    /// What a graceful stop closes and waits for, on stdout beside the `listening on` lines.
    func stopSummary() -> String {
        let addresses = listeners.map(\.boundDescription).joined(separator: ", ")
        let webSockets = connections.values.filter { $0.state == .upgraded }.count
        func count(_ n: Int, _ what: String, _ plural: String = "s") -> String { "\(n) \(what)\(n == 1 ? "" : plural)" }
        return "stopping: closed \(addresses.isEmpty ? "no listener" : addresses); "
            + "\(count(connections.count, "connection")) to finish (\(count(webSockets, "WebSocket")) closing with 1001), "
            + "\(count(children.count, "child process", "es")) to end\n"
    }

    /// When many connections have gone since the peak, malloc's free memory goes back to the
    /// system (glibc keeps freed heap otherwise, and RSS would stay at its peak after a burst).
    func trimAfterBurst() {
        let live = connections.count
        guard connectionPeak - live >= 256, live <= connectionPeak / 2 else { return }
        connectionPeak = live
        inputBuffers.drain()
        outputBuffers.drain()
        _ = Self.mallocTrim?(0)
    }

    /// glibc's malloc_trim(pad), which the Glibc module does not declare (malloc.h).
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()

    // MARK: child processes

    public func watchChild(_ pid: pid_t, onExit: @escaping (Int32) -> Void) {
        children[pid] = onExit
    }

    func reapChildren() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            if let callback = children.removeValue(forKey: pid) { callback(status) }
        }
    }

    // MARK: logs

    /// Whether requests to server `index` are logged (their request line is kept).
    func logsAccess(_ index: Int) -> Bool {
        index < accessLogs.count && accessLogs[index] != nil
    }

    func accessLog(_ c: Connection) {
        guard c.serverIndex < accessLogs.count, let sink = accessLogs[c.serverIndex] else { return }
        let line = CombinedLogFormat.line(
            remote: c.peerAddress, time: loop.dates.logValue, request: c.log.requestLine,
            status: c.log.status, bytes: c.log.bodyBytes,
            referer: c.request?.header("referer"), userAgent: c.request?.header("user-agent"),
            authorization: c.request?.header("authorization"))
        sink.write(line)
    }

    /// Logs go through the loop when their destination is full; lines dropped then are counted
    /// in the error log once it takes lines again (an access log stays pure `combined`).
    private func attachLogs() {
        for sink in logFiles.all { sink.attach(to: loop) }
        errorLog.attach(to: loop)
        errorLog.onDropped = { [unowned self] n in self.logError("\(n) error log lines dropped: the log could not take them") }
        for case let sink? in accessLogs where sink !== errorLog {
            sink.onDropped = { [unowned self] n in self.logError("\(n) access log lines dropped: the log could not take them") }
        }
    }

    public func logError(_ message: String) {
        var t = time(nil)
        var tm = tm()
        localtime_r(&t, &tm)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let stamp =
            "\(tm.tm_year + 1900)/\(two(tm.tm_mon + 1))/\(two(tm.tm_mday)) \(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec))"
        errorLog.write(Array("\(stamp) [error] \(getpid())#0: \(message)\n".utf8))
    }
}

/// Why `Server.start` failed. An address that cannot be bound is reported at its `listen`
/// directive, the way configuration errors are (SPEC §1); anything else as the failed call.
extension Server {
    /// What `-t` checks beyond the configuration: the logs a start would open open (nginx's -t
    /// opens them too, creating missing files).
    public static func checkLogs(_ configuration: Configuration) throws(StartError) {
        _ = try openLogs(configuration, in: LogFiles())
    }

    /// Every server's access log and the first server's error log; a file that cannot be
    /// opened is reported at the directive that named it.
    static func openLogs(
        _ configuration: Configuration, in files: LogFiles
    ) throws(StartError) -> (access: [LogSink?], error: LogSink?) {
        var path = ""
        do {
            var access: [LogSink?] = []
            for server in configuration.servers {
                path = server.accessLog ?? ""
                access.append(try server.accessLog.map { (p) throws(SystemError) in try files.open(p, standard: 1) })
            }
            guard let first = configuration.servers.first else { return (access, nil) }
            path = first.errorLog
            return (access, try files.open(first.errorLog, standard: 2))
        } catch {
            guard let place = configuration.logPlaces[path] else { throw .system(error) }
            throw .listen(ConfigError(file: place.file, line: place.line, message: error.description))
        }
    }
}

public enum StartError: Error, CustomStringConvertible {
    case listen(ConfigError)
    case system(SystemError)

    /// The line for stderr.
    public var description: String {
        switch self {
        case .listen(let error): return error.description
        case .system(let error): return "webserv: \(error)"
        }
    }
}

/// One server's settings and locations behind references, built once at start, so the
/// request path borrows them in place: copying a `ServerConfig` or `LocationConfig` struct
/// costs dozens of retains and releases, and the request path did it several times.
final class ServerRoutes {
    final class Location {
        let config: LocationConfig
        // perf
        /// Some step of the filter stage after the headers may change a response here (gzip or
        /// brotli on the fly): otherwise a response passes that stage with this one check.
        let filtersBodies: Bool
        init(_ config: LocationConfig) {
            self.config = config
            self.filtersBodies = config.compression.compressesOnTheFly
        }

        /// Hands the settings to `body` without copying them.
        func withConfig(_ body: (borrowing LocationConfig) -> Void) { body(config) }
    }

    let config: ServerConfig
    /// `config.locations`, in the same order.
    let locations: [Location]
    let fallback: Location

    init(_ config: ServerConfig) {
        self.config = config
        self.locations = config.locations.map(Location.init)
        self.fallback = Location(config.fallbackLocation)
    }

    /// The location for a normalised path (`ServerConfig.locationIndex` rules).
    func location(for path: [UInt8]) -> Location {
        config.locationIndex(for: path[...]).map { locations[$0] } ?? fallback
    }
}
