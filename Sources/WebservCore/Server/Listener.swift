import CSystem

#if canImport(Glibc)
    import Glibc
#endif

/// A listening socket. Accepts in batches; when descriptors run out (EMFILE) it stops
/// polling for a moment instead of spinning, and new clients wait in the backlog.
final class Listener: PollHandler {
    let fd: Int32
    /// What to bind, and which servers a connection on it belongs to.
    let socket: ListenSocket
    var address: ListenAddress { socket.address }
    let boundPort: UInt16
    unowned let server: Server
    var pausedUntil = 0

    static let backlog: Int32 = 4096
    static let notSentLowWater: Int32 = 128 * 1024
    /// TCP_NOTSENT_LOWAT (linux/tcp.h), which Glibc's netinet/tcp.h does not always name.
    static let tcpNotSentLowat: Int32 = 25

    init(socket: ListenSocket, server: Server) throws(SystemError) {
        self.socket = socket
        self.server = server
        let address = socket.address
        let family = address.isIPv6 ? AF_INET6 : AF_INET
        let s = Glibc.socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw SystemError("socket", errno) }
        var one: Int32 = 1
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if address.isIPv6 { setsockopt(s, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size)) }
        // Accepted sockets inherit these (Linux), which saves two calls per connection.
        setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        // Keep at most this much not-yet-sent data in a socket: a client that stops reading
        // then holds ~100 KiB of kernel memory instead of the autotuned send buffer (MiBs),
        // and the copying into it stops early. Sent-but-unacknowledged data is not limited,
        // so fast clients on long paths are not slowed down.
        var lowat = Self.notSentLowWater
        setsockopt(s, Int32(IPPROTO_TCP), Self.tcpNotSentLowat, &lowat, socklen_t(MemoryLayout<Int32>.size))
        var storage = sockaddr_storage()
        let length = SocketAddress.fill(&storage, host: address.host, port: address.port)
        guard length > 0 else {
            Sys.close(s)
            throw SystemError("inet_pton \(address)", EINVAL)
        }
        let rc = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, length) }
        }
        guard rc == 0 else {
            let e = errno
            Sys.close(s)
            throw SystemError("bind() to \(address)", e)
        }
        guard listen(s, Self.backlog) == 0 else {
            let e = errno
            Sys.close(s)
            throw SystemError("listen() on \(address)", e)
        }
        Sys.setNonBlocking(s)
        Sys.setCloseOnExec(s)
        fd = s
        boundPort = SocketAddress.localPort(s)
    }

    var boundDescription: String {
        address.isIPv6 ? "[\(address.host)]:\(boundPort)" : "\(address.host):\(boundPort)"
    }

    func pollReady(fd: Int32, events: Int16, loop: EventLoop) {
        // A bounded batch keeps one listener from starving established connections.
        for _ in 0..<64 {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let c = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    // Non-blocking and close-on-exec from the start: two fcntl() calls fewer per
                    // connection (nginx uses accept4 the same way).
                    webserv_accept_nonblocking(fd, $0, &length)
                }
            }
            if c < 0 {
                let e = errno
                if e == EINTR || e == ECONNABORTED { continue }
                if e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM {
                    // Out of descriptors: stop polling this listener for 100 ms.
                    pausedUntil = loop.now + 100
                    loop.setEvents(fd, 0)
                    server.logError("accept() failed (\(e): \(String(cString: strerror(e)))), pausing accepts")
                }
                return
            }
            // A wildcard socket that also serves specific addresses asks which one was reached.
            let route = socket.route(local: socket.specific.isEmpty ? nil : SocketAddress.local(c))
            server.accepted(fd: c, on: route.address, group: route.group, peer: storage, ssl: socket.ssl)
        }
    }

    func checkPause(now: Int, loop: EventLoop) {
        if pausedUntil != 0 && now >= pausedUntil {
            pausedUntil = 0
            loop.setEvents(fd, Int16(POLLIN))
        }
    }
}

/// sockaddr conversions.
enum SocketAddress {
    static func fill(_ storage: inout sockaddr_storage, host: String, port: UInt16) -> socklen_t {
        if host.contains(":") {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &a.sin6_addr) == 1 else { return 0 }
            withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee = a } }
            return socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &a.sin_addr) == 1 else { return 0 }
        withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee = a } }
        return socklen_t(MemoryLayout<sockaddr_in>.size)
    }

    static func describe(_ storage: inout sockaddr_storage) -> (String, Int) {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        if Int32(storage.ss_family) == AF_INET6 {
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                    var addr = p.pointee.sin6_addr
                    inet_ntop(AF_INET6, &addr, &buffer, socklen_t(buffer.count))
                    return (Bytes.string(cString: buffer), Int(UInt16(bigEndian: p.pointee.sin6_port)))
                }
            }
        }
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                var addr = p.pointee.sin_addr
                inet_ntop(AF_INET, &addr, &buffer, socklen_t(buffer.count))
                return (Bytes.string(cString: buffer), Int(UInt16(bigEndian: p.pointee.sin_port)))
            }
        }
    }

    static func localPort(_ fd: Int32) -> UInt16 { local(fd).port }

    /// The socket's own address (getsockname), in the numeric form `listen` addresses take.
    static func local(_ fd: Int32) -> ListenAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let (host, port) = describe(&storage)
        return ListenAddress(host: host, port: UInt16(truncatingIfNeeded: port))
    }
}
