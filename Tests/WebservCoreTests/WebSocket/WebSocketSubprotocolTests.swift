import XCTest

@testable import WebservCore

final class WebSocketSubprotocolTests: XCTestCase {
    private func choose(_ offered: String?, _ accepted: [String]) -> String? {
        WebSocketSubprotocol.choose(offered: offered.map { Array($0.utf8) }, accepted: accepted)
    }

    func testFirstOfferedNameTheLocationListsWins() {
        XCTAssertEqual(choose("chat.v1, chat.v2", ["chat.v2", "chat.v1"]), "chat.v1", "client order")
        XCTAssertEqual(choose("x,  chat.v2 ,chat.v1", ["chat.v1", "chat.v2"]), "chat.v2")
        XCTAssertEqual(choose("a, b, a", ["b"]), "b")
    }

    func testNoneWhenNothingMatches() {
        XCTAssertNil(choose("zzz", ["chat"]))
        XCTAssertNil(choose(nil, ["chat"]))
        XCTAssertNil(choose("chat", []))
        XCTAssertNil(choose("CHAT", ["chat"]), "names are case-sensitive")
        XCTAssertNil(choose(" , ", ["chat"]))
    }
}
