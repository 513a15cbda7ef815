import XCTest

@testable import WebservCore

/// SPEC 9's directives: defaults, inheritance and refused values.
final class RealtimeSettingsTests: XCTestCase {
    func testDefaults() throws {
        let config = try XCTUnwrap(loadConfig("server { location /chat/ { websocket broadcast; } }"))
        let realtime = config.servers[0].locations[0].realtime
        XCTAssertEqual(realtime.sseHeartbeat, 15_000)
        XCTAssertEqual(realtime.pollMaxWait, 30_000)
        XCTAssertEqual(realtime.subprotocols, [])
        XCTAssertFalse(realtime.execBinary)
        XCTAssertEqual(realtime.execMax, 1024)
    }

    func testInheritedHTTPToServerToLocationNearestWins() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                http {
                    websocket_sse_heartbeat 5s; websocket_poll_max_wait 10s; websocket_exec_max 3;
                    server {
                        websocket_subprotocols a b; websocket_exec_binary on;
                        location /x { websocket_poll_max_wait 500ms; websocket_subprotocols c; }
                        location /y { websocket_exec_binary off; websocket_sse_heartbeat 1m; }
                    }
                }
                """))
        let x = config.servers[0].locations[0].realtime
        let y = config.servers[0].locations[1].realtime
        XCTAssertEqual(x.sseHeartbeat, 5000)
        XCTAssertEqual(x.pollMaxWait, 500)
        XCTAssertEqual(x.subprotocols, ["c"])
        XCTAssertTrue(x.execBinary)
        XCTAssertEqual(x.execMax, 3)
        XCTAssertEqual(y.sseHeartbeat, 60_000)
        XCTAssertEqual(y.pollMaxWait, 10_000)
        XCTAssertEqual(y.subprotocols, ["a", "b"])
        XCTAssertFalse(y.execBinary)
    }

    func testRefusedValues() {
        XCTAssertEqual(
            configError("server {\n websocket_sse_heartbeat 0;\n}"),
            "test.conf:2: error: invalid value \"0\" in \"websocket_sse_heartbeat\" directive")
        XCTAssertEqual(
            configError("server {\n websocket_poll_max_wait soon;\n}"),
            "test.conf:2: error: invalid value \"soon\" in \"websocket_poll_max_wait\" directive")
        XCTAssertEqual(
            configError("server {\n websocket_exec_max 0;\n}"),
            "test.conf:2: error: invalid value \"0\" in \"websocket_exec_max\" directive")
        XCTAssertEqual(
            configError("server {\n websocket_exec_binary yes;\n}"),
            "test.conf:2: error: \"websocket_exec_binary\" directive must be \"on\" or \"off\"")
        XCTAssertEqual(
            configError("server {\n websocket_subprotocols;\n}"),
            "test.conf:2: error: invalid number of arguments in \"websocket_subprotocols\" directive")
        // A name a client could never send (RFC 6455 §4.1: a token) is an error, not a dead entry.
        for (bad, value) in [("\"chat v1\"", "chat v1"), ("a,b", "a,b"), ("\"\"", "")] {
            XCTAssertEqual(
                configError("server {\n websocket_subprotocols ok \(bad);\n}"),
                "test.conf:2: error: invalid value \"\(value)\" in \"websocket_subprotocols\" directive", bad)
        }
    }
}
