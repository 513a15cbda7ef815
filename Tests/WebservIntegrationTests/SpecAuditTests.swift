import Foundation
import XCTest

/// Seams the SPEC 7–9 audit of the merged main found: each test is one sentence of SPEC
/// checked against the real binary, where the merged branches disagreed.
final class SpecAuditTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}};
            access_log off;
            location /chat/ { websocket broadcast; websocket_poll_max_wait 1s; }
        }
        """

    /// The `members` count of a room's polling JSON; nil when the server did not answer.
    func members(_ s: TestServer, _ target: String) -> Int? {
        guard let r = try? httpRequest(port: s.port, "GET \(target) HTTP/1.1\r\nHost: x\r\nUser-Agent: audit\r\n\r\n"),
            let json = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any]
        else { return nil }
        return json["members"] as? Int
    }

    /// A member leaving its room (close handshake or a dropped socket, with or without a
    /// `client` id) once crashed the server: the room read the upgrade request, which the
    /// connection had already dropped.
    func testBroadcastMembersLeaveTheirRoomAndTheServerGoesOn() throws {
        let s = try TestServer(config: Self.config)
        let a = try XCTUnwrap(WebSocketClient(port: s.port, path: "/chat/leave"))
        var b: WebSocketClient? = try XCTUnwrap(WebSocketClient(port: s.port, path: "/chat/leave?client=page1"))
        let c = try XCTUnwrap(WebSocketClient(port: s.port, path: "/chat/leave"))
        XCTAssertEqual(members(s, "/chat/leave?since=0"), 4, "three members and the poller")
        a.sendClose(1000)
        XCTAssertEqual(a.receiveClose(), .some(1000))
        b?.raw.resetOnClose()
        b = nil
        c.sendText("still here")
        XCTAssertEqual(c.receive()?.text, "still here")
        XCTAssertTrue(
            waitUntil(timeout: 5) { self.members(s, "/chat/leave?since=1") == 2 },
            "the members that left are no longer counted")
        XCTAssertEqual(s.stop(), 0, "the server is still running and stops cleanly")
    }
}
