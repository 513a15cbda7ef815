import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// Rooms are bounded: history by count and bytes (`websocket_room_history`), their number by
/// `websocket_max_rooms` (beyond it: 503 and an error-log line), and empty rooms are freed.
final class RoomBoundsTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}};
            access_log off;
            error_log {{ROOT}}/error.log;
            location /chat/ { websocket broadcast; websocket_max_message 2m; }
            location /few/ { websocket broadcast; websocket_max_rooms 10; }
            location /small/ { websocket broadcast; websocket_room_history 5 1k; }
        }
        """

    func post(_ c: RawClient, _ path: String, _ body: String) -> Int? {
        c.send("POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        return c.readResponse()?.status
    }

    func poll(_ port: Int, _ path: String) throws -> [[String: Any]] {
        let r = try XCTUnwrap(httpRequest(port: port, "GET \(path)?since=0 HTTP/1.1\r\nHost: x\r\n\r\n"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
        return try XCTUnwrap(json["messages"] as? [[String: Any]])
    }

    /// Before: 200 posts of ~1 MiB to each of 3 rooms, +601 MiB.
    func testLargeHistoryPostsAreBoundedByBytes() throws {
        let s = try TestServer(config: Self.config)
        let before = s.rssKiB
        let body = String(repeating: "h", count: 1_000_000)
        let c = try RawClient(port: s.port, timeout: 20)
        for i in 0..<60 {
            for room in ["a", "b", "c"] { XCTAssertEqual(post(c, "/chat/\(room)", body), 201, "post \(i)") }
        }
        let grown = s.rssKiB - before
        print("60 posts of 1 MB to each of 3 rooms: RSS +\(grown) KiB")
        // Each room keeps 1m of history: one of these messages.
        for room in ["a", "b", "c"] { XCTAssertEqual(try poll(s.port, "/chat/\(room)").count, 1) }
        XCTAssertLessThan(grown, 24 << 10, "RSS grew \(grown) KiB")
    }

    func testHistoryCountAndSizeAreConfigurable() throws {
        let s = try TestServer(config: Self.config)
        let c = try RawClient(port: s.port)
        for i in 1...20 { XCTAssertEqual(post(c, "/small/r", "message \(i) " + String(repeating: ".", count: 90)), 201) }
        let kept = try poll(s.port, "/small/r")
        XCTAssertEqual(kept.compactMap { $0["id"] as? Int }, [16, 17, 18, 19, 20])
        for i in 1...20 { XCTAssertEqual(post(c, "/small/big", String(repeating: "\(i % 10)", count: 300)), 201) }
        XCTAssertEqual(
            try poll(s.port, "/small/big").compactMap { $0["id"] as? Int }, [18, 19, 20], "1k holds three of 300 bytes")
    }

    /// Before: 50,000 room names were never freed.
    func testRoomsBeyondTheCapAre503AndLogged() throws {
        let s = try TestServer(config: Self.config)
        let c = try RawClient(port: s.port)
        for i in 0..<10 { XCTAssertEqual(post(c, "/few/room\(i)", "hi"), 201) }
        XCTAssertEqual(post(c, "/few/room10", "hi"), 503)
        XCTAssertEqual(post(c, "/few/room3", "again"), 201, "an existing room still takes posts")
        XCTAssertNil(try WebSocketClient(port: s.port, path: "/few/another"), "joining a new room past the cap")
        XCTAssertEqual(try httpRequest(port: s.port, "GET /few/another?since=0 HTTP/1.1\r\nHost: x\r\n\r\n")?.status, 200)
        XCTAssertTrue(
            waitUntil(timeout: 5) {
                ((try? String(contentsOfFile: s.path("error.log"), encoding: .utf8)) ?? "").contains("websocket_max_rooms 10")
            })
    }

    func testEmptyRoomsAreFreed() throws {
        let s = try TestServer(config: Self.config)
        // 200 distinct names joined and left under a cap of 10: each is freed when its member
        // leaves (no history), so none is refused.
        for i in 0..<200 {
            let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/few/passing\(i)"), "room \(i) refused")
            ws.sendClose(1000)
            XCTAssertEqual(ws.receiveClose(), .some(1000))
        }
        // Rooms only polls keep do not hold the cap either.
        for i in 0..<50 {
            XCTAssertEqual(try httpRequest(port: s.port, "GET /few/polled\(i)?since=0 HTTP/1.1\r\nHost: x\r\n\r\n")?.status, 200)
        }
        let c = try RawClient(port: s.port)
        XCTAssertTrue(waitUntil(timeout: 5) { self.post(c, "/few/last", "x") == 201 })
    }

    /// Before: each poll kept a copy of its poller key (address + User-Agent) for the whole
    /// poll window: 4,000 polls with a 16 KiB User-Agent held +64 MiB (20,000: +159 MiB).
    func testFastPollersWithHugeUserAgentsHoldBoundedMemory() throws {
        let s = try TestServer(config: Self.config)
        let c = try RawClient(port: s.port, timeout: 10)
        let agent = String(repeating: "a", count: 16 << 10)
        let poll = "GET /chat/p?since=0 HTTP/1.1\r\nHost: x\r\nUser-Agent: \(agent)\r\n\r\n"
        XCTAssertEqual(c.request(poll)?.status, 200)
        let before = s.rssKiB
        var last: HTTPResponse?
        for _ in 0..<80 {
            c.send(String(repeating: poll, count: 50))
            for _ in 0..<50 { last = c.readResponse() }
        }
        XCTAssertEqual(last?.status, 200)
        XCTAssertTrue(last?.text.contains("\"members\": 1") ?? false, last?.text ?? "no answer")
        let grown = s.rssKiB - before
        XCTAssertLessThan(grown, 16 << 10, "4,000 polls with a 16 KiB User-Agent: RSS +\(grown) KiB")
    }
}
