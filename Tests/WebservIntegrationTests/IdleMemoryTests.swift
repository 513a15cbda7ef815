import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// Idle connections are cheap: an idle keep-alive connection holds no input or output buffer,
/// an idle room member little more, and memory goes back after a burst. RSS from /proc.
final class IdleMemoryTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/www;
            access_log off;
            error_log {{ROOT}}/error.log;
            location /chat/ { websocket broadcast; }
        }
        """

    /// A connected socket that has had one answered request, left open.
    func keepAliveConnection(_ port: Int) throws -> Int32 {
        let c = try RawClient(port: port, timeout: 5)
        c.send("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
        guard c.readResponse()?.status == 200 else { throw TestError.timeout("no answer") }
        return dup(c.fd)
    }

    /// Closes with a reset: thousands of sockets in TIME_WAIT would slow every later test that
    /// reads /proc/net/tcp (RobustnessTests does, against a 1 s send_timeout).
    func resetAndClose(_ fd: Int32) {
        var linger = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        close(fd)
    }

    /// Before: 20.9 KiB per idle keep-alive connection (nginx: 0.6 KiB).
    func testIdleKeepAliveConnectionsCostAtMostOneKiBEach() throws {
        let s = try TestServer(config: Self.config, files: ["www/index.html": String(repeating: "x", count: 1000)])
        // Warm up: the first connections grow tables that stay (poll set, dictionaries).
        var fds: [Int32] = []
        for _ in 0..<200 { fds.append(try keepAliveConnection(s.port)) }
        for fd in fds { resetAndClose(fd) }
        fds = []
        XCTAssertTrue(waitUntil(timeout: 5) { s.openFDs < 20 })
        let before = s.rssKiB
        let count = 5000
        for _ in 0..<count { fds.append(try keepAliveConnection(s.port)) }
        let during = s.rssKiB
        let perConnection = Double(during - before) * 1024 / Double(count)
        print("\(count) idle keep-alive connections: RSS +\(during - before) KiB, \(Int(perConnection)) bytes each")
        XCTAssertLessThanOrEqual(perConnection, 1024, "\(Int(perConnection)) bytes per idle connection")
        for fd in fds { resetAndClose(fd) }
        XCTAssertTrue(waitUntil(timeout: 10) { s.openFDs < 20 }, "connections not closed")
        // After the burst, memory goes back (within 20 % of before, or 1 MiB).
        let returned = waitUntil(timeout: 5) { s.rssKiB <= max(before * 6 / 5, before + 1024) }
        print("after they close: RSS \(s.rssKiB) KiB (before \(before) KiB, with them \(during) KiB)")
        XCTAssertTrue(returned, "RSS \(s.rssKiB) KiB after the burst, \(before) KiB before")
    }

    /// Before: ~24 KiB per idle room member.
    func testIdleRoomMembersCostAtMostTwoKiBEach() throws {
        let s = try TestServer(config: Self.config, files: ["www/index.html": "x"])
        var warm: [WebSocketClient] = []
        for _ in 0..<100 { warm.append(try XCTUnwrap(WebSocketClient(port: s.port, path: "/chat/idle"))) }
        for ws in warm { ws.raw.resetOnClose() }
        warm = []
        XCTAssertTrue(waitUntil(timeout: 5) { s.openFDs < 20 })
        let before = s.rssKiB
        let count = 2000
        var members: [WebSocketClient] = []
        for _ in 0..<count { members.append(try XCTUnwrap(WebSocketClient(port: s.port, path: "/chat/idle"))) }
        let grown = s.rssKiB - before
        let perMember = Double(grown) * 1024 / Double(count)
        print("\(count) idle room members: RSS +\(grown) KiB, \(Int(perMember)) bytes each")
        XCTAssertLessThanOrEqual(perMember, 2048, "\(Int(perMember)) bytes per idle member")
        for ws in members { ws.raw.resetOnClose() }
    }
}
