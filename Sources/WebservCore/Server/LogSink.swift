#if canImport(Glibc)
    import Glibc
#endif

/// One log destination (a file, a pipe, a terminal, a socket) that never blocks the loop.
///
/// Lines are written at once when the destination takes them; what it cannot take waits in a
/// buffer of at most `limit` bytes, written when poll() reports the destination writable.
/// A line that does not fit is dropped whole and counted; once the buffer has drained, the
/// count is reported (`onDropped`), so a reader learns that lines are missing and how many.
///
/// Standard output and error are shared with the process that started us (a shell, a
/// terminal): setting O_NONBLOCK on them would change that file description for everyone.
/// A pipe or a terminal is therefore opened again through /proc/self/fd, which gives a file
/// description of our own to make non-blocking; a socket is written with MSG_DONTWAIT.
public final class LogSink: PollHandler {
    enum Kind {
        /// A regular file: writes complete (or fail: disk full), they never wait for a reader.
        case file
        /// A descriptor of our own, non-blocking.
        case nonBlocking
        /// A socket, written with MSG_DONTWAIT.
        case socket
    }

    public let fd: Int32
    let kind: Kind
    /// Whether `fd` is ours to close.
    private let ownsFD: Bool
    /// The most bytes held while the destination cannot take them.
    public let limit: Int
    /// Lines dropped since the count was last reported.
    public private(set) var dropped = 0
    /// Lines dropped in all.
    public private(set) var droppedTotal = 0
    /// Told the number of lines dropped, once the destination takes lines again.
    public var onDropped: ((Int) -> Void)?

    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var loop: EventLoop?
    private var registered = false

    public static let defaultLimit = 64 * 1024

    init(fd: Int32, kind: Kind, owned: Bool, limit: Int = LogSink.defaultLimit) {
        self.fd = fd
        self.kind = kind
        self.ownsFD = owned
        self.limit = limit
    }

    deinit {
        if registered { loop?.unregister(fd) }
        if ownsFD { Sys.close(fd) }
    }

    /// A sink for `fd` (a private description is made when it is a pipe or terminal); `owned`:
    /// `fd` is closed with the sink.
    public static func forDescriptor(_ fd: Int32, owned: Bool = false, limit: Int = LogSink.defaultLimit) -> LogSink {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return LogSink(fd: fd, kind: .file, owned: owned, limit: limit) }
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            return LogSink(fd: fd, kind: .file, owned: owned, limit: limit)
        case S_IFSOCK:
            return LogSink(fd: fd, kind: .socket, owned: owned, limit: limit)
        default:
            var own = open("/proc/self/fd/\(fd)", O_WRONLY | O_CLOEXEC | O_NONBLOCK)
            if own < 0 {
                // No /proc: a copy by dup shares the file description, so in this one case the
                // parent's descriptor turns non-blocking too; still better than a frozen server.
                own = fcntl(fd, F_DUPFD_CLOEXEC, 3)
                guard own >= 0 else { return LogSink(fd: fd, kind: .file, owned: owned, limit: limit) }
                Sys.setNonBlocking(own)
            }
            if owned { Sys.close(fd) }
            return LogSink(fd: own, kind: .nonBlocking, owned: true, limit: limit)
        }
    }

    /// Writes are retried from the loop when the destination was full.
    func attach(to loop: EventLoop) { self.loop = loop }

    public var pendingBytes: Int { pending.count - pendingStart }

    /// Writes `line` now, queues it, or drops it (counted) when the buffer has no room.
    public func write(_ line: [UInt8]) {
        if pendingBytes == 0 {
            let n = attempt(line[...])
            if n == line.count { return }
            if n < 0 { return drop() }
            append(line[n...])
        } else if pendingBytes + line.count <= limit {
            append(line[...])
            flush()
        } else {
            flush()
            if pendingBytes + line.count <= limit { append(line[...]) } else { drop() }
        }
        waitForWritable()
    }

    private func drop() {
        dropped += 1
        droppedTotal += 1
    }

    private func append(_ bytes: ArraySlice<UInt8>) {
        if pendingStart > 0 && pendingStart == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
        }
        pending.append(contentsOf: bytes)
    }

    /// Writes as much of the pending bytes as the destination takes.
    public func flush() {
        while pendingBytes > 0 {
            let n = attempt(pending[pendingStart...])
            if n <= 0 {
                // A destination that fails (disk full, reader gone) loses what waits.
                if n < 0 { discardPending() }
                break
            }
            pendingStart += n
        }
        if pendingBytes == 0 {
            pending = []
            pendingStart = 0
            if dropped > 0, let report = onDropped {
                let count = dropped
                dropped = 0
                report(count)
            }
        }
        waitForWritable()
    }

    private func discardPending() {
        // Count the whole lines lost (a partly written one included).
        var lines = 0
        for b in pending[pendingStart...] where b == 0x0A { lines += 1 }
        dropped += lines
        droppedTotal += lines
        pending = []
        pendingStart = 0
    }

    /// Bytes written (0: would block), or -1 when the destination failed.
    private func attempt(_ bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBytes { p in
            while true {
                let n: Int
                if kind == .socket {
                    n = send(fd, p.baseAddress!, p.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
                } else {
                    n = Glibc.write(fd, p.baseAddress!, p.count)
                }
                if n >= 0 { return n }
                let e = errno
                if e == EINTR { continue }
                return e == EAGAIN || e == EWOULDBLOCK ? 0 : -1
            }
        }
    }

    /// Asks the loop for POLLOUT while bytes wait; stops asking once they are out.
    private func waitForWritable() {
        guard let loop else { return }
        if pendingBytes > 0 && !registered {
            registered = true
            loop.register(fd, events: Int16(POLLOUT), handler: self)
        } else if pendingBytes == 0 && registered {
            registered = false
            loop.unregister(fd)
        }
    }

    public func pollReady(fd: Int32, events: Int16, loop: EventLoop) {
        if events & Int16(POLLERR | POLLNVAL) != 0 && pendingBytes > 0 {
            discardPending()
        }
        flush()
    }
}
