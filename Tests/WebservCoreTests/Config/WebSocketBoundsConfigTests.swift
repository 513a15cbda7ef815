import XCTest

@testable import WebservCore

/// `websocket_max_output`, `websocket_room_history`, `websocket_max_rooms`: defaults,
/// inheritance and errors.
final class WebSocketBoundsConfigTests: XCTestCase {
    func testDefaults() throws {
        let config = try XCTUnwrap(loadConfig("server { location /chat/ { websocket broadcast; } }"))
        let bounds = config.servers[0].locations[0].websocketBounds
        XCTAssertEqual(bounds.maxOutput, 1 << 20)
        XCTAssertEqual(bounds.historyCount, 100)
        XCTAssertEqual(bounds.historyBytes, 1 << 20)
        XCTAssertEqual(bounds.maxRooms, 1000)
    }

    func testInheritedAndOverridden() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                http {
                    websocket_max_output 256k;
                    websocket_room_history 10 64k;
                    server {
                        websocket_max_rooms 5;
                        location /a/ { websocket broadcast; }
                        location /b/ { websocket broadcast; websocket_room_history 3; websocket_max_output 0; }
                    }
                }
                """))
        let a = config.servers[0].locations[0].websocketBounds
        XCTAssertEqual(a.maxOutput, 256 << 10)
        XCTAssertEqual(a.historyCount, 10)
        XCTAssertEqual(a.historyBytes, 64 << 10)
        XCTAssertEqual(a.maxRooms, 5)
        let b = config.servers[0].locations[1].websocketBounds
        XCTAssertEqual(b.maxOutput, 0)
        XCTAssertEqual(b.historyCount, 3)
        XCTAssertEqual(b.historyBytes, 1 << 20, "a COUNT alone keeps the default SIZE")
        XCTAssertEqual(b.maxRooms, 5)
    }

    func testInvalidValuesAreErrorsAtTheirLine() {
        XCTAssertEqual(
            configError("server {\n websocket_room_history many;\n}"),
            "test.conf:2: error: invalid value \"many\" in \"websocket_room_history\" directive")
        XCTAssertEqual(
            configError("server {\n websocket_room_history 5 lots;\n}"),
            "test.conf:2: error: invalid value \"lots\" in \"websocket_room_history\" directive")
        XCTAssertEqual(
            configError("server {\n websocket_max_rooms 0;\n}"),
            "test.conf:2: error: invalid value \"0\" in \"websocket_max_rooms\" directive")
        XCTAssertNotNil(configError("server { websocket_max_output 1m 2m; }"))
        XCTAssertNotNil(configError("server { websocket_room_history 1 2 3; }"))
    }
}
