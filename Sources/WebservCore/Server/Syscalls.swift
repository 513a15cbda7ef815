#if canImport(Glibc)
    import Glibc
#endif

/// An errno from a failed system call.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public var call: String
    public var errno: Int32
    public init(_ call: String, _ errno: Int32) {
        self.call = call
        self.errno = errno
    }
    /// nginx's form: `bind() to 127.0.0.1:80 failed (98: Address already in use)`; a `call`
    /// that already names the function with its "()" (and what it acted on) is kept as is.
    public var description: String {
        let what = call.contains("()") ? call : call + "()"
        return "\(what) failed (\(errno): \(String(cString: strerror(errno))))"
    }
}

/// What a non-blocking read or write did.
public enum IOResult: Equatable {
    case processed(Int)
    case wouldBlock
    /// Read returned 0: the peer closed its side.
    case eof
}

/// The one thin layer over the syscalls the server uses (NIO's System.swift): EINTR is
/// retried, EAGAIN becomes `.wouldBlock`, other errnos are thrown.
public enum Sys {
    @inline(__always)
    public static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) throws(SystemError) -> IOResult {
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n > 0 { return .processed(n) }
            if n == 0 { return .eof }
            let e = errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
            throw SystemError("read", e)
        }
    }

    @inline(__always)
    public static func write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) throws(SystemError) -> IOResult {
        while true {
            let n = Glibc.write(fd, buffer, count)
            if n >= 0 { return .processed(n) }
            let e = errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
            throw SystemError("write", e)
        }
    }

    /// Socket send that never raises SIGPIPE. `more`: a file follows at once (MSG_MORE), so
    /// the kernel holds these bytes back to share segments with it, as TCP_CORK would.
    @inline(__always)
    public static func send(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int, more: Bool = false) throws(SystemError)
        -> IOResult
    {
        let flags = Int32(MSG_NOSIGNAL) | (more ? Int32(MSG_MORE) : 0)
        while true {
            let n = Glibc.send(fd, buffer, count, flags)
            if n >= 0 { return .processed(n) }
            let e = errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
            throw SystemError("send", e)
        }
    }

    public static func sendfile(_ out: Int32, _ input: Int32, offset: inout Int, count: Int) throws(SystemError) -> IOResult {
        while true {
            var off = off_t(offset)
            let n = Glibc.sendfile(out, input, &off, count)
            if n >= 0 {
                offset = Int(off)
                return n == 0 ? .eof : .processed(n)
            }
            let e = errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
            throw SystemError("sendfile", e)
        }
    }

    public static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    public static func setCloseOnExec(_ fd: Int32) {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    /// A non-blocking, close-on-exec pipe (Glibc here has no pipe2).
    /// A close-on-exec pipe, both ends non-blocking unless asked otherwise.
    public static func pipe(nonBlocking: Bool = true) throws(SystemError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        if let pipe2 {
            guard pipe2(&fds, O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0)) == 0 else { throw SystemError("pipe", errno) }
            return (fds[0], fds[1])
        }
        guard Glibc.pipe(&fds) == 0 else { throw SystemError("pipe", errno) }
        for fd in fds {
            if nonBlocking { setNonBlocking(fd) }
            setCloseOnExec(fd)
        }
        return (fds[0], fds[1])
    }

    /// glibc's pipe2 (flags set atomically, one call instead of five), which the Glibc module
    /// hides behind _GNU_SOURCE; looked up once.
    private static let pipe2: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self)
    }()

    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// The soft limit on open descriptors (RLIMIT_NOFILE); 1,024 when it cannot be read.
    static func openFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: limit.rlim_cur)  // RLIM_INFINITY (all ones) clamps to Int.max
    }
}

/// Monotonic milliseconds for deadlines; wall-clock seconds for dates.
public enum Clock {
    public static func monotonicMilliseconds() -> Int { monotonicMicroseconds() / 1000 }

    public static func monotonicMicroseconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int(ts.tv_sec) * 1_000_000 + Int(ts.tv_nsec) / 1000
    }

    public static func wallSeconds() -> Int { Int(time(nil)) }

    public static func wallNanoseconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int(ts.tv_sec) &* 1_000_000_000 &+ Int(ts.tv_nsec)
    }

    /// Milliseconds since the epoch (broadcast messages carry it, SPEC 9).
    public static func wallMilliseconds() -> Int { wallNanoseconds() / 1_000_000 }
}
