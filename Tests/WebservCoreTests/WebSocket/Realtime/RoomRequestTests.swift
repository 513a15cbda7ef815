import XCTest

@testable import WebservCore

/// How a room request is read: SSE by `Accept`, the poller's identity, the exec cap's slots.
final class RoomRequestTests: XCTestCase {
    private func head(_ fields: String, target: String = "/chat/a") throws -> RequestHead {
        try RequestHeadParser.parse(Array("GET \(target) HTTP/1.1\r\nHost: x\r\n\(fields)\r\n".utf8))
    }

    func testEventStreamIsChosenByAccept() throws {
        XCTAssertTrue(BroadcastPolling.acceptsEventStream(try head("Accept: text/event-stream\r\n")))
        XCTAssertTrue(BroadcastPolling.acceptsEventStream(try head("Accept: text/html, Text/Event-Stream;q=0.5\r\n")))
        XCTAssertTrue(BroadcastPolling.acceptsEventStream(try head("Accept: text/event-stream ; charset=utf-8\r\n")))
        XCTAssertFalse(BroadcastPolling.acceptsEventStream(try head("Accept: text/event-streams\r\n")))
        XCTAssertFalse(BroadcastPolling.acceptsEventStream(try head("Accept: application/json, */*\r\n")))
        XCTAssertFalse(BroadcastPolling.acceptsEventStream(try head("")))
    }

    func testClientKeyComesFromTheQuery() throws {
        XCTAssertEqual(BroadcastPolling.clientKey(try head("", target: "/chat/a?since=3&client=tab7")), "client tab7")
        XCTAssertNil(BroadcastPolling.clientKey(try head("", target: "/chat/a?since=3")))
        XCTAssertNil(BroadcastPolling.clientKey(try head("")))
    }

    func testExecLimitSlots() {
        let limit = ExecLimit()
        XCTAssertTrue(limit.acquire("0 /x", max: 2))
        XCTAssertTrue(limit.acquire("0 /x", max: 2))
        XCTAssertFalse(limit.acquire("0 /x", max: 2), "a third program")
        XCTAssertTrue(limit.acquire("1 /x", max: 2), "another server's location has its own slots")
        limit.release("0 /x")
        XCTAssertTrue(limit.acquire("0 /x", max: 2), "a released slot is free again")
        limit.release("0 /y")  // never taken: no effect
        XCTAssertFalse(limit.acquire("0 /x", max: 2))
    }
}
