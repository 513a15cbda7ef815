import Foundation
import XCTest

@testable import WebservCore

final class BroadcastHistoryTests: XCTestCase {
    private func json(_ history: BroadcastHistory, since: Int) -> String {
        String(decoding: history.pollJSON(since: since), as: UTF8.self)
    }

    func testEmptyRoom() {
        let history = BroadcastHistory()
        XCTAssertEqual(json(history, since: 0), #"{"next": 0, "messages": []}"#)
        XCTAssertEqual(json(history, since: 7), #"{"next": 7, "messages": []}"#)
    }

    func testIdsStartAtOneAndPollReturnsNewerMessages() {
        var history = BroadcastHistory()
        XCTAssertEqual(history.append(Array("hello".utf8), time: 1_700_000_000_001), 1)
        XCTAssertEqual(history.append(Array("world".utf8), time: 1_700_000_000_002), 2)
        XCTAssertEqual(
            json(history, since: 0),
            #"{"next": 2, "messages": [{"id": 1, "time": 1700000000001, "data": "hello"}, {"id": 2, "time": 1700000000002, "data": "world"}]}"#
        )
        XCTAssertEqual(
            json(history, since: 1), #"{"next": 2, "messages": [{"id": 2, "time": 1700000000002, "data": "world"}]}"#)
        XCTAssertEqual(json(history, since: 2), #"{"next": 2, "messages": []}"#)
        XCTAssertEqual(json(history, since: 99), #"{"next": 2, "messages": []}"#)
        XCTAssertEqual(history.messages(after: -5).map(\.id), [1, 2])
    }

    func testKeepsOnlyTheLastHundred() {
        var history = BroadcastHistory()
        for i in 1...350 { history.append(Array("m\(i)".utf8)) }
        XCTAssertEqual(history.messages(after: 0).map(\.id), Array(251...350))
        XCTAssertEqual(history.messages(after: 300).map(\.id), Array(301...350))
        XCTAssertEqual(history.messages(after: 350).count, 0)
        XCTAssertEqual(history.lastID, 350)
    }

    func testJSONEscaping() {
        var out: [UInt8] = []
        JSON.appendString(Array("a\"b\\c\n\t\u{01}\u{1F}é€😀/".utf8), into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), #""a\"b\\c\n\t\u0001\u001fé€😀/""#)
        out = []
        JSON.appendString([0x0D, 0x08, 0x0C, 0x0B, 0x00], into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), #""\r\b\f\u000b\u0000""#, "short escapes where JSON has them")
    }

    func testInvalidUTF8IsReplaced() {
        var out: [UInt8] = []
        JSON.appendString([0x61, 0xFF, 0x62, 0xC0, 0xAF], into: &out)
        XCTAssertTrue(UTF8Validator.isValid(out))
        let text = String(decoding: out, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("\"a\u{FFFD}b\u{FFFD}"), text)
    }

    func testPollOutputParsesAsJSON() throws {
        var history = BroadcastHistory()
        history.append(Array("quote \" and \\ and \u{7}".utf8))
        history.append([0xDE, 0xAD, 0xBE, 0xEF])
        let object = try JSONSerialization.jsonObject(with: Data(history.pollJSON(since: 0))) as? [String: Any]
        XCTAssertEqual(object?["next"] as? Int, 2)
        let messages = object?["messages"] as? [[String: Any]]
        XCTAssertEqual(messages?.first?["data"] as? String, "quote \" and \\ and \u{7}")
        XCTAssertEqual(messages?.count, 2)
        XCTAssertNil(object?["members"], "members only when the room counts them")
    }

    /// SPEC 9: each message carries its server time, the answer the room's member count.
    func testPollJSONCarriesTimeAndMembers() throws {
        var history = BroadcastHistory()
        history.append(Array("hi".utf8), time: 1_765_000_000_123)
        let object = try JSONSerialization.jsonObject(with: Data(history.pollJSON(since: 0, members: 3))) as? [String: Any]
        XCTAssertEqual(object?["members"] as? Int, 3)
        XCTAssertEqual(object?["next"] as? Int, 1)
        let message = (object?["messages"] as? [[String: Any]])?.first
        XCTAssertEqual(message?["id"] as? Int, 1)
        XCTAssertEqual(message?["time"] as? Int, 1_765_000_000_123)
        XCTAssertEqual(message?["data"] as? String, "hi")
        XCTAssertEqual(
            String(decoding: history.pollJSON(since: 1, members: 0), as: UTF8.self),
            #"{"next": 1, "messages": [], "members": 0}"#)
    }
}

/// `websocket_room_history COUNT SIZE`: the history is bounded by count and by bytes.
final class BroadcastHistoryBoundsTests: XCTestCase {
    func testBytesBoundDropsTheOldest() {
        var history = BroadcastHistory(capacity: 100, maxBytes: 1000)
        for _ in 0..<10 { history.append([UInt8](repeating: 0x61, count: 300)) }
        XCTAssertEqual(history.count, 3)
        XCTAssertEqual(history.bytes, 900)
        XCTAssertEqual(history.messages(after: 0).map(\.id), [8, 9, 10])
        XCTAssertEqual(history.lastID, 10)
    }

    func testCountBoundAndBytesAccountingStayExact() {
        var history = BroadcastHistory(capacity: 5, maxBytes: 1 << 20)
        var expected: [Int] = []
        for i in 1...50 {
            history.append([UInt8](repeating: 0x62, count: i))
            expected.append(i)
            if expected.count > 5 { expected.removeFirst() }
            XCTAssertEqual(history.bytes, expected.reduce(0, +))
            XCTAssertEqual(history.messages(after: 0).map(\.id), expected)
        }
    }

    func testAMessageLargerThanTheBoundIsNotKept() {
        var history = BroadcastHistory(capacity: 100, maxBytes: 10)
        history.append(Array("small".utf8))
        XCTAssertEqual(history.append([UInt8](repeating: 0x63, count: 11)), 2)
        XCTAssertTrue(history.isEmpty)
        XCTAssertEqual(history.bytes, 0)
        XCTAssertEqual(String(decoding: history.pollJSON(since: 0), as: UTF8.self), #"{"next": 2, "messages": []}"#)
    }

    func testZeroCountKeepsNothing() {
        var history = BroadcastHistory(capacity: 0)
        XCTAssertEqual(history.append(Array("x".utf8)), 1)
        XCTAssertTrue(history.isEmpty)
    }
}
