import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// Every WebSocket byte the server holds is bounded, whatever the client does: a client that
/// sends and never reads, a flood of pings, a room member that reads slowly or not at all.
/// RSS is read from /proc/PID/status; the figures in the messages are what the issue measured.
final class WebSocketBackpressureTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}};
            access_log off;
            error_log {{ROOT}}/error.log;
            send_timeout 2s;
            location /echo { websocket echo; }
            location /chat/ { websocket broadcast; }
        }
        """

    /// Sends `frame` again and again without blocking for `seconds` or until `limit` bytes;
    /// returns the bytes the server took.
    func flood(_ fd: Int32, _ frame: [UInt8], seconds: TimeInterval, limit: Int) -> Int {
        var sent = 0
        var offset = 0
        let end = Date().addingTimeInterval(seconds)
        while Date() < end && sent < limit {
            let n = frame[offset...].withUnsafeBytes { send(fd, $0.baseAddress!, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
            if n > 0 {
                sent += n
                offset = (offset + n) % frame.count
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&p, 1, 50)
            } else {
                break
            }
        }
        return sent
    }

    func testEchoClientThatNeverReadsIsPausedThenDroppedBySendTimeout() throws {
        let s = try TestServer(config: Self.config)
        let before = s.rssKiB
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/echo", receiveBuffer: 64 << 10))
        let frame = WebSocketClient.frame(opcode: 2, payload: [UInt8](repeating: 0x55, count: 64 << 10))
        // Before: 300 MiB taken in 0.7 s, RSS +528 MiB. Now the server stops reading once about
        // 1 MiB waits for the client, so the client's own send blocks.
        let sent = flood(ws.raw.fd, frame, seconds: 3, limit: 300 << 20)
        XCTAssertLessThan(sent, 64 << 20, "the server kept reading a client that does not read")
        let grown = s.rssKiB - before
        print("non-reading echo client: server took \(sent >> 10) KiB in 3 s, RSS +\(grown) KiB")
        XCTAssertLessThan(grown, 24 << 10, "RSS grew \(grown) KiB")
        // Nothing can be written to it: send_timeout (2 s) ends it.
        let closed = waitUntil(timeout: 8) { self.serverClosed(ws.raw.fd) }
        XCTAssertTrue(closed, "a WebSocket that cannot be written was not dropped by send_timeout")
    }

    /// True when the peer has reset or closed (our side sees an error on send).
    func serverClosed(_ fd: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        _ = poll(&p, 1, 0)
        if p.revents & Int16(POLLERR | POLLHUP) != 0 { return true }
        var info = tcp_info()
        var length = socklen_t(MemoryLayout<tcp_info>.size)
        getsockopt(fd, Int32(IPPROTO_TCP), TCP_INFO, &info, &length)
        return info.tcpi_state != UInt8(TCP_ESTABLISHED)
    }

    func testAMillionUnreadPingsCostAFewPongs() throws {
        let s = try TestServer(config: Self.config)
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/echo", receiveBuffer: 64 << 10))
        let before = s.rssKiB
        let ping = WebSocketClient.frame(opcode: 9, payload: [])
        var batch: [UInt8] = []
        for _ in 0..<10_000 { batch += ping }
        // Before: +130 MiB of queued pongs.
        let sent = flood(ws.raw.fd, batch, seconds: 60, limit: 1_000_000 * ping.count)
        XCTAssertEqual(sent, 1_000_000 * ping.count, "the server stopped reading pings")
        // The server has read them all when an echo comes back (after some pongs).
        ws.send(opcode: 1, Array("done".utf8))
        var pongs = 0
        while let f = ws.receive() {
            if f.opcode == 10 { pongs += 1 } else if f.opcode == 1 { break }
        }
        XCTAssertGreaterThan(pongs, 0)
        XCTAssertLessThan(pongs, 100_000, "\(pongs) pongs for a million pings")
        let grown = s.rssKiB - before
        print("1,000,000 unread pings: \(pongs) pongs, RSS +\(grown) KiB")
        XCTAssertLessThan(grown, 16 << 10, "RSS grew \(grown) KiB")
    }

    /// Before: +602 MiB for 150 members that never read and 100 posts of 64 KiB.
    func testIdleMembersShareOneCopyOfEachMessage() throws {
        let s = try TestServer(config: Self.config)
        var members: [WebSocketClient] = []
        for _ in 0..<150 {
            members.append(try XCTUnwrap(WebSocketClient(port: s.port, path: "/chat/big", receiveBuffer: 16 << 10)))
        }
        let before = s.rssKiB
        let body = String(repeating: "m", count: 64 << 10)
        let poster = try RawClient(port: s.port, timeout: 10)
        for _ in 0..<100 {
            poster.send("POST /chat/big HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            XCTAssertEqual(poster.readResponse()?.status, 201)
        }
        let grown = s.rssKiB - before
        print("150 idle members, 100 posts of 64 KiB: RSS +\(grown) KiB")
        // 6.4 MB published; one copy in the queues, one in history (1 MiB of it).
        XCTAssertLessThan(grown, 40 << 10, "RSS grew \(grown) KiB for 6.4 MB published to 150 members")
        withExtendedLifetime(members) {}
    }

    /// Before: a member ~2 MiB behind held everything that ever passed through it.
    func testSlowSteadyMemberHoldsOnlyItsBacklog() throws {
        let s = try TestServer(config: Self.config)
        let slow = try XCTUnwrap(WebSocketClient(port: s.port, path: "/chat/steady", receiveBuffer: 32 << 10))
        let publisher = try XCTUnwrap(WebSocketClient(port: s.port, path: "/chat/steady"))
        let before = s.rssKiB
        let message = [UInt8](repeating: 0x61, count: 32 << 10)
        let slowFD = slow.raw.fd
        let publisherFD = publisher.raw.fd
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 16 << 10)
            while recv(slowFD, &buffer, buffer.count, 0) > 0 { usleep(2_000) }
        }
        reader.start()
        let drainer = Thread {
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while recv(publisherFD, &buffer, buffer.count, 0) > 0 {}
        }
        drainer.start()
        var peak = 0
        for i in 0..<1500 {
            publisher.send(opcode: 2, message)
            if i % 100 == 0 { peak = max(peak, s.rssKiB - before) }
        }
        peak = max(peak, s.rssKiB - before)
        print("slow steady member, 48 MiB published: RSS peak +\(peak) KiB")
        // 48 MiB passed through; the slow member's queue is bounded (closed 1008 if it stays
        // over websocket_max_output longer than send_timeout, or over the hard cap).
        XCTAssertLessThan(peak, 32 << 10, "RSS grew \(peak) KiB while 48 MiB passed a slow member")
        shutdown(slow.raw.fd, Int32(SHUT_RDWR))
        shutdown(publisher.raw.fd, Int32(SHUT_RDWR))
    }
}
