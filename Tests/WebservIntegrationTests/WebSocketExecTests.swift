import Foundation
import XCTest

/// `websocket exec`: websocketd semantics over raw sockets, with children checked in /proc.
final class WebSocketExecTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}};
            access_log off;
            error_log {{ROOT}}/error.log;
            location /upper { websocket exec {{REPO}}/cgi-bin/upper.py; }
            location /env { websocket exec /bin/sh -c "echo $QUERY_STRING; echo $REMOTE_ADDR; echo $HTTP_X_TOKEN; echo $PATH_INFO"; }
            location /lines { websocket exec /bin/sh -c "printf 'a\\\\nb\\\\r\\\\nc'"; }
            location /sleeper { websocket exec /bin/sleep 60; }
            location /missing { websocket exec /no/such/program; }
            location /stderr { websocket exec /bin/sh -c "echo oops >&2; echo out"; }
            location /binary { websocket exec /bin/sh -c "printf '\\\\377\\\\376bad\\\\n'; sleep 5"; }
            location /closes-stdout { websocket exec /bin/sh -c "echo bye; exec 1>&-; sleep 60"; }
        }
        """

    func testEachMessageIsALineAndEachLineAMessage() throws {
        let s = try TestServer(config: Self.config)
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/upper"))
        ws.sendText("hello")
        XCTAssertEqual(ws.receive()?.text, "HELLO")
        ws.sendText("über straße")
        XCTAssertEqual(ws.receive()?.text, "ÜBER STRASSE")
        for i in 0..<50 { ws.sendText("m\(i)") }
        for i in 0..<50 { XCTAssertEqual(ws.receive()?.text, "M\(i)") }
    }

    /// A text frame must carry UTF-8 (RFC 6455 §5.6): bytes that are not become U+FFFD.
    func testLinesThatAreNotUTF8AreRepairedNotSentAsInvalidText() throws {
        let s = try TestServer(config: Self.config)
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/binary"))
        let m = try XCTUnwrap(ws.receive())
        XCTAssertEqual(m.opcode, 1)
        XCTAssertEqual(m.payload, Array("\u{FFFD}\u{FFFD}bad".utf8))
    }

    func testProgramGetsACGIStyleEnvironment() throws {
        let s = try TestServer(config: Self.config)
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/env/extra?room=7", extraHeaders: "X-Token: abc\r\n"))
        XCTAssertEqual(ws.receive()?.text, "room=7")
        XCTAssertEqual(ws.receive()?.text, "127.0.0.1")
        XCTAssertEqual(ws.receive()?.text, "abc")
        XCTAssertEqual(ws.receive()?.text, "/extra")
    }

    func testProgramExitClosesWith1000AfterItsLastLine() throws {
        let s = try TestServer(config: Self.config)
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/lines"))
        XCTAssertEqual(ws.receive()?.text, "a")
        XCTAssertEqual(ws.receive()?.text, "b", "CRLF line ends are trimmed")
        XCTAssertEqual(ws.receive()?.text, "c", "an unterminated last line is still sent")
        XCTAssertEqual(ws.receiveClose(), .some(1000))
        XCTAssertTrue(waitUntil(timeout: 5) { s.children.isEmpty })
    }

    func testProgramExitClosesTheConnectionWithinASecondThoughTheClientNeverAnswers() throws {
        // SPEC 5: close 1000, then the TCP connection closed within 1 s without the client's close.
        let s = try TestServer(config: Self.config)
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/lines"))
        XCTAssertEqual(ws.receiveClose(), .some(1000))
        let closeSeen = Date()
        XCTAssertNil(ws.receive(), "no frame after the close, then end of stream")
        XCTAssertLessThan(Date().timeIntervalSince(closeSeen), 1.0, "the server held the connection open")
    }

    /// As websocketd: a program that closes its stdout has ended its side; the session closes
    /// with 1000 and the program is ended, though it runs on. Before: the socket stayed open,
    /// silent, as long as the program ran.
    func testProgramClosingItsStdoutEndsTheSessionAndTheProgram() throws {
        let s = try TestServer(config: Self.config)
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/closes-stdout"))
        XCTAssertEqual(ws.receive()?.text, "bye")
        XCTAssertEqual(ws.receiveClose(), .some(1000))
        XCTAssertTrue(waitUntil(timeout: 5) { s.children.isEmpty }, "children: \(s.children)")
    }

    func testClientLeavingEndsTheProgram() throws {
        let s = try TestServer(config: Self.config)
        let baseline = s.openFDs
        var clients: [WebSocketClient] = []
        for _ in 0..<5 { clients.append(try XCTUnwrap(WebSocketClient(port: s.port, path: "/sleeper"))) }
        XCTAssertTrue(waitUntil(timeout: 5) { s.children.count == 5 })
        clients.removeAll()  // sockets close
        XCTAssertTrue(waitUntil(timeout: 8) { s.children.isEmpty }, "children: \(s.children)")
        XCTAssertTrue(waitUntil(timeout: 5) { s.openFDs == baseline }, "fds \(s.openFDs) vs \(baseline)")
    }

    func testProgramThatCannotStartIsRefused() throws {
        let s = try TestServer(config: Self.config)
        let r = try XCTUnwrap(
            httpRequest(
                port: s.port,
                "GET /missing HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ))
        XCTAssertEqual(r.status, 500)
    }

    func testStderrGoesToTheErrorLog() throws {
        let s = try TestServer(config: Self.config)
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/stderr"))
        XCTAssertEqual(ws.receive()?.text, "out")
        XCTAssertTrue(
            waitUntil(timeout: 5) { ((try? String(contentsOfFile: s.path("error.log"), encoding: .utf8)) ?? "").contains("oops") }
        )
    }

    func testPlainRequestGets426() throws {
        let s = try TestServer(config: Self.config)
        let r = try XCTUnwrap(httpRequest(port: s.port, "GET /upper HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(r.status, 426)
        XCTAssertTrue(s.children.isEmpty)
    }
}
