import Foundation
import XCTest

/// SPEC 9's WebSocket options: subprotocols, and exec's binary mode, program cap and stderr.
final class WebSocketOptionsTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}};
            access_log off;
            error_log {{ROOT}}/error.log;
            location /chat/ { websocket broadcast; websocket_subprotocols chat.v2 chat.v1; }
            location /plain { websocket echo; }
            location /proto { websocket exec /bin/sh -c "echo \\"p=$SEC_WEBSOCKET_PROTOCOL\\""; websocket_subprotocols a b; }
            location /cat { websocket exec /bin/cat; websocket_exec_binary on; }
            location /one { websocket exec /bin/sh -c "echo warned >&2; cat"; websocket_exec_max 1; }
        }
        """

    static let upgradeHead =
        "Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"

    func upgrade(_ s: TestServer, _ path: String, protocols: String? = nil) throws -> HTTPResponse? {
        let offer = protocols.map { "Sec-WebSocket-Protocol: \($0)\r\n" } ?? ""
        return try httpRequest(port: s.port, "GET \(path) HTTP/1.1\r\n\(Self.upgradeHead)\(offer)\r\n", head: true)
    }

    func testSubprotocolIsTheFirstOfferedNameTheLocationLists() throws {
        let s = try TestServer(config: Self.config)
        var r = try XCTUnwrap(upgrade(s, "/chat/a", protocols: "chat.v1, chat.v2"))
        XCTAssertEqual(r.status, 101)
        XCTAssertEqual(r.header("Sec-WebSocket-Protocol"), "chat.v1", "the client's order decides")
        r = try XCTUnwrap(upgrade(s, "/chat/a", protocols: "other, chat.v2"))
        XCTAssertEqual(r.header("Sec-WebSocket-Protocol"), "chat.v2")
        r = try XCTUnwrap(upgrade(s, "/chat/a", protocols: "other"))
        XCTAssertEqual(r.status, 101)
        XCTAssertNil(r.header("Sec-WebSocket-Protocol"), "none in common: 101 without the header")
        r = try XCTUnwrap(upgrade(s, "/plain", protocols: "chat.v1"))
        XCTAssertEqual(r.status, 101)
        XCTAssertNil(r.header("Sec-WebSocket-Protocol"), "a location without the directive chooses none")
    }

    func testExecSeesTheChosenSubprotocol() throws {
        let s = try TestServer(config: Self.config)
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/proto", extraHeaders: "Sec-WebSocket-Protocol: x, b, a\r\n"))
        XCTAssertEqual(ws.receive()?.text, "p=b")
        let none = try XCTUnwrap(WebSocketClient(port: s.port, path: "/proto"))
        XCTAssertEqual(none.receive()?.text, "p=")
    }

    func testExecBinaryModeSendsBytesAsTheyAre() throws {
        let s = try TestServer(config: Self.config)
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/cat"))
        let bytes: [UInt8] = [0x00, 0xFF, 0x0A, 0x80, 0x41]
        ws.send(opcode: 2, bytes)
        let m = try XCTUnwrap(ws.receive())
        XCTAssertEqual(m.opcode, 2, "stdout bytes come back as a binary message")
        XCTAssertEqual(m.payload, bytes, "written to stdin as they are, no newline added")
        ws.sendText("line")
        XCTAssertEqual(ws.receive()?.payload, Array("line\n".utf8), "a text message is still a line")
    }

    func testExecMaxRefusesWith503BeforeTheUpgradeAndFreesTheSlotWhenTheProgramEnds() throws {
        let s = try TestServer(config: Self.config)
        var first: WebSocketClient? = try XCTUnwrap(WebSocketClient(port: s.port, path: "/one"))
        first?.sendText("hi")
        XCTAssertEqual(first?.receive()?.text, "hi")
        let refused = try XCTUnwrap(upgrade(s, "/one"))
        XCTAssertEqual(refused.status, 503)
        XCTAssertNil(refused.header("Sec-WebSocket-Accept"))
        XCTAssertTrue(
            waitUntil(timeout: 5) { self.errorLog(s).contains("refused client 127.0.0.1") }, errorLog(s) + s.stderr)
        XCTAssertTrue(errorLog(s).contains("(client 127.0.0.1:"), "stderr lines name the connection")
        XCTAssertTrue(errorLog(s).contains("warned"))
        first?.sendClose(1000)
        first = nil
        var statuses: [Int] = []
        XCTAssertTrue(
            waitUntil(timeout: 5) {
                let status = (try? self.upgrade(s, "/one"))?.flatMap { $0.status } ?? 0
                statuses.append(status)
                return status == 101
            }, "the slot is free again: \(statuses)")
    }

    func errorLog(_ s: TestServer) -> String {
        (try? String(contentsOfFile: s.path("error.log"), encoding: .utf8)) ?? ""
    }
}
