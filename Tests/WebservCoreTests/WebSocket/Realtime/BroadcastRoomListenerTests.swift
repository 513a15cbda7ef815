import XCTest

@testable import WebservCore

/// A room's SSE-style listeners: told of each message in publish order, counted in `members`
/// with the pollers, and a poller that is also a listener (same `client`) counted once.
final class BroadcastRoomListenerTests: XCTestCase {
    final class Recorder: RoomListener {
        let isMember: Bool
        let clientKey: String?
        var heard: [(id: Int, data: String, event: String)] = []
        init(member: Bool, client: String? = nil) {
            isMember = member
            clientKey = client
        }
        func published(_ message: BroadcastHistory.Message, event: [UInt8]) {
            heard.append((message.id, String(decoding: message.data, as: UTF8.self), String(decoding: event, as: UTF8.self)))
        }
    }

    func testListenersHearEveryMessageInOrderWithItsEventEncodedOnce() {
        let room = BroadcastRoom()
        let a = Recorder(member: true)
        let b = Recorder(member: false)
        room.addListener(a)
        room.addListener(b)
        room.addListener(a)  // twice is once
        for text in ["one", "two\nlines", "three"] { room.publish(opcode: .text, payload: Array(text.utf8)) }
        XCTAssertEqual(a.heard.map(\.id), [1, 2, 3])
        XCTAssertEqual(b.heard.map(\.data), ["one", "two\nlines", "three"])
        XCTAssertEqual(a.heard[1].event, "id: 2\ndata: two\ndata: lines\n\n")
        room.removeListener(b)
        room.publish(opcode: .text, payload: Array("four".utf8))
        XCTAssertEqual(a.heard.count, 4)
        XCTAssertEqual(b.heard.count, 3, "a removed listener hears nothing more")
        XCTAssertGreaterThan(room.history.messages(after: 3).first?.time ?? 0, 1_700_000_000_000, "server time in ms")
    }

    func testMembersCountStreamsAndPollersAndAClientOnce() {
        let room = BroadcastRoom()
        XCTAssertEqual(room.members(now: 0, pollWindow: 1000), 0)
        let stream = Recorder(member: true, client: "client p1")
        room.addListener(stream)
        room.addListener(Recorder(member: false))  // a held poll: counted as a poller instead
        XCTAssertEqual(room.members(now: 0, pollWindow: 1000), 1)
        room.pollers.seen("10.0.0.1 curl", now: 0)
        room.pollers.seen("client p1", now: 0)
        XCTAssertEqual(room.members(now: 10, pollWindow: 1000), 2, "p1 polls and streams: once")
        room.pollers.seen("client p2", now: 10)
        XCTAssertEqual(room.members(now: 20, pollWindow: 1000), 3)
        room.removeListener(stream)
        XCTAssertEqual(room.members(now: 30, pollWindow: 1000), 3, "p1 still counts as a poller")
        XCTAssertEqual(room.members(now: 1011, pollWindow: 1000), 0, "pollers expire")
    }
}
