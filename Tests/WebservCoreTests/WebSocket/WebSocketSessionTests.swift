import XCTest

@testable import WebservCore

final class WebSocketSessionTests: XCTestCase {
    typealias Action = WebSocketSession.Action

    private func session(maxMessageSize: Int = 1 << 20, idle: Int = 0) -> WebSocketSession {
        WebSocketSession(
            configuration: .init(maxMessageSize: maxMessageSize, idlePingInterval: idle, pongTimeout: 1_000, closeTimeout: 5_000),
            now: 0)
    }

    private func closeFrame(_ code: UInt16?) -> Action { .send(WebSocketFrameEncoder.encodeClose(code: code)) }

    func testDeliversMessages() {
        var s = session()
        let actions = s.receive((ClientFrame.text("hello") + ClientFrame.bytes(opcode: 0x2, payload: [1, 2]))[...], now: 1)
        XCTAssertEqual(
            actions, [.deliver(opcode: .text, payload: Array("hello".utf8)), .deliver(opcode: .binary, payload: [1, 2])])
    }

    func testPingIsAnsweredWithSamePayloadEvenInsideFragmentedMessage() {
        var s = session()
        let bytes =
            ClientFrame.text("frag", fin: false) + ClientFrame.bytes(opcode: 0x9, payload: Array("are you there".utf8))
            + ClientFrame.bytes(opcode: 0x0, payload: Array("ment".utf8))
        XCTAssertEqual(
            s.receive(bytes[...], now: 1),
            [
                .send(WebSocketFrameEncoder.encode(opcode: .pong, payload: Array("are you there".utf8))),
                .deliver(opcode: .text, payload: Array("fragment".utf8)),
            ])
    }

    func testSameActionsWhenFedByteByByte() {
        let bytes =
            ClientFrame.text("héllo", fin: false) + ClientFrame.bytes(opcode: 0x9, payload: [7])
            + ClientFrame.bytes(opcode: 0x0, payload: Array(" wörld".utf8)) + ClientFrame.close(code: 1000)
        var whole = session()
        let expected = whole.receive(bytes[...], now: 1)
        var single = session()
        var actions: [Action] = []
        for i in bytes.indices { actions += single.receive(bytes[i...i], now: 1) }
        XCTAssertEqual(actions, expected)
        XCTAssertEqual(expected.last, .closeConnection)
    }

    func testCloseIsEchoedWithSameCode() {
        var s = session()
        XCTAssertEqual(
            s.receive(ClientFrame.close(code: 1001, reason: Array("bye".utf8))[...], now: 1),
            [closeFrame(1001), .closeConnection])
        XCTAssertEqual(s.state, .closed)
        XCTAssertEqual(s.peerCloseCode, 1001)
        XCTAssertEqual(s.receive(ClientFrame.text("late")[...], now: 2), [])
    }

    func testServerCloseWaitsForThePeerOnlyAsLongAsAsked() {
        var s = session()
        XCTAssertEqual(s.close(code: 1000, now: 100, wait: 500), [closeFrame(1000)])
        XCTAssertEqual(s.state, .closing(deadline: 600))
        XCTAssertEqual(s.tick(now: 599), [])
        XCTAssertEqual(s.tick(now: 600), [.closeConnection])
        var d = session()
        _ = d.close(code: 1001, now: 100)
        XCTAssertEqual(d.state, .closing(deadline: 5_100), "closeTimeout by default")
    }

    func testCloseWithoutCodeIsAnsweredWithoutCode() {
        var s = session()
        XCTAssertEqual(s.receive(ClientFrame.close(code: nil)[...], now: 1), [.send([0x88, 0x00]), .closeConnection])
    }

    /// A bad close frame is still the peer's close: once ours is sent, both are, and the TCP
    /// connection closes at once (§5.5.1, §7.1.1) instead of waiting for a second close.
    func testInvalidCloseCodeFailsWith1002AndClosesAtOnce() {
        for code: UInt16 in [1005, 1006, 999, 1016, 5000] {
            var s = session()
            XCTAssertEqual(
                s.receive(ClientFrame.close(code: code)[...], now: 1), [closeFrame(1002), .closeConnection], "\(code)")
            XCTAssertEqual(s.state, .closed)
        }
    }

    func testOneByteClosePayloadIsProtocolError() {
        var s = session()
        XCTAssertEqual(
            s.receive(ClientFrame.bytes(opcode: 0x8, payload: [0x03])[...], now: 1), [closeFrame(1002), .closeConnection])
        XCTAssertEqual(s.state, .closed)
    }

    func testInvalidCloseReasonIs1007() {
        var s = session()
        XCTAssertEqual(
            s.receive(ClientFrame.close(code: 1000, reason: [0xCE, 0xBA, 0xE1, 0xBD])[...], now: 1),
            [closeFrame(1007), .closeConnection])
    }

    func testBadMessageStillWaitsForThePeersClose() {
        var s = session()
        XCTAssertEqual(s.receive(ClientFrame.bytes(opcode: 0x1, payload: [0xFF])[...], now: 1), [closeFrame(1007)])
        XCTAssertEqual(s.state, .closing(deadline: 5_001))
        XCTAssertEqual(s.receive(ClientFrame.close(code: 1007)[...], now: 2), [.closeConnection])
        XCTAssertEqual(s.state, .closed)
    }

    func testMalformedHeaderSendsCloseAndDropsConnectionAtOnce() {
        var s = session()
        let unmasked = ClientFrame.bytes(opcode: 0x1, payload: Array("hi".utf8), mask: nil)
        XCTAssertEqual(s.receive(unmasked[...], now: 1), [closeFrame(1002), .closeConnection])
        var r = session()
        XCTAssertEqual(
            r.receive(ClientFrame.bytes(opcode: 0x1, payload: [], rsv: 4)[...], now: 1), [closeFrame(1002), .closeConnection])
    }

    func testInvalidUTF8FailsBeforeTheFrameIsComplete() {
        var s = session()
        var payload = Array("valid start ".utf8) + [0xED, 0xA0, 0x80] + Array("rest never arrives".utf8)
        payload += [UInt8](repeating: 0x41, count: 1000)
        let frame = ClientFrame.bytes(opcode: 0x1, payload: payload)
        // Header (8 bytes with 16-bit length) plus 20 payload bytes: the surrogate is inside.
        XCTAssertEqual(s.receive(frame.prefix(8 + 20), now: 1), [closeFrame(1007)])
        // The rest of the frame is ignored; the peer's close completes the handshake.
        XCTAssertEqual(s.receive(frame.dropFirst(28), now: 2), [])
        XCTAssertEqual(s.receive(ClientFrame.close(code: 1007)[...], now: 3), [.closeConnection])
    }

    func testInvalidUTF8SplitAcrossFragmentsFailsOnItsFragment() {
        var s = session()
        let first = ClientFrame.text("κόσμε", fin: false)
        let second = ClientFrame.bytes(opcode: 0x0, payload: [0xF4, 0x90], fin: false)
        XCTAssertEqual(s.receive(first[...], now: 1), [])
        XCTAssertEqual(s.receive(second[...], now: 1), [closeFrame(1007)])
    }

    func testMessageTooBigIs1009BeforePayloadArrives() {
        var s = session(maxMessageSize: 100)
        let header = ClientFrame.bytes(opcode: 0x2, payload: [], rawLength: 1 << 32).prefix(14)
        XCTAssertEqual(s.receive(header, now: 1), [closeFrame(1009), .closeConnection])
    }

    func testFragmentedMessageOverLimitIs1009() {
        var s = session(maxMessageSize: 100)
        let bytes =
            ClientFrame.bytes(opcode: 0x2, payload: [UInt8](repeating: 0, count: 60), fin: false)
            + ClientFrame.bytes(opcode: 0x0, payload: [UInt8](repeating: 0, count: 60))
        XCTAssertEqual(s.receive(bytes[...], now: 1), [closeFrame(1009), .closeConnection])
    }

    func testContinuationWithoutStartIs1002() {
        var s = session()
        XCTAssertEqual(s.receive(ClientFrame.bytes(opcode: 0x0, payload: [1])[...], now: 1), [closeFrame(1002)])
    }

    func testServerCloseIgnoresDataUntilPeerCloses() {
        var s = session()
        XCTAssertEqual(s.close(code: 1001, now: 10), [closeFrame(1001)])
        XCTAssertFalse(s.canSend)
        XCTAssertEqual(s.send(opcode: .text, payload: Array("x".utf8)), [])
        XCTAssertEqual(s.close(code: 1000, now: 11), [])
        let late = ClientFrame.text("late") + ClientFrame.bytes(opcode: 0x9, payload: [])
        XCTAssertEqual(s.receive(late[...], now: 12), [])
        XCTAssertEqual(s.receive(ClientFrame.close(code: 1001)[...], now: 13), [.closeConnection])
        XCTAssertEqual(s.peerCloseCode, 1001)
    }

    func testCloseTimeout() {
        var s = session()
        _ = s.fail(.internalError, now: 100)
        XCTAssertEqual(s.nextDeadline, 5_100)
        XCTAssertEqual(s.tick(now: 5_099), [])
        XCTAssertEqual(s.tick(now: 5_100), [.closeConnection])
        XCTAssertEqual(s.state, .closed)
        XCTAssertNil(s.nextDeadline)
    }

    func testFailSendsMappedCode() {
        var s = session()
        XCTAssertEqual(s.fail(.policyViolation, now: 0), [closeFrame(1008)])
        XCTAssertEqual(s.fail(.policyViolation, now: 1), [.closeConnection])
    }

    func testIdlePingThenPongTimeout() {
        var s = session(idle: 30_000)
        XCTAssertEqual(s.nextDeadline, 30_000)
        XCTAssertEqual(s.tick(now: 29_999), [])
        XCTAssertEqual(s.tick(now: 30_000), [.send([0x89, 0x00])])
        XCTAssertEqual(s.nextDeadline, 31_000)
        XCTAssertEqual(s.tick(now: 30_500), [])
        XCTAssertEqual(s.tick(now: 31_000), [.closeConnection])
        XCTAssertEqual(s.state, .closed)
    }

    func testPongKeepsIdleConnectionAlive() {
        var s = session(idle: 30_000)
        _ = s.tick(now: 30_000)
        XCTAssertEqual(s.receive(ClientFrame.bytes(opcode: 0xA, payload: [])[...], now: 30_200), [])
        XCTAssertEqual(s.tick(now: 31_000), [])
        XCTAssertEqual(s.nextDeadline, 60_200)
        XCTAssertEqual(s.tick(now: 60_200), [.send([0x89, 0x00])])
    }

    func testSendFramesUnmasked() {
        let s = session()
        XCTAssertEqual(s.send(opcode: .text, payload: Array("hi".utf8)), [.send([0x81, 0x02, 0x68, 0x69])])
    }
}

/// Pings in one read: a few are each answered, a flood gets one pong, for the last (RFC 6455
/// §5.5.3 allows answering only the most recent ping).
final class WebSocketPongCoalescingTests: XCTestCase {
    func pongs(_ actions: [WebSocketSession.Action]) -> [[UInt8]] {
        actions.compactMap { if case .send(let b) = $0, b.first == 0x8A { return Array(b.dropFirst(2)) } else { return nil } }
    }

    func testAFewPingsAreEachAnswered() {
        var s = WebSocketSession(now: 0)
        var bytes: [UInt8] = []
        for i in 0..<10 { bytes += ClientFrame.bytes(opcode: 0x9, payload: Array("payload-\(i)".utf8)) }
        XCTAssertEqual(pongs(s.receive(bytes[...], now: 1)), (0..<10).map { Array("payload-\($0)".utf8) })
    }

    func testAFloodOfPingsGetsOnePongForTheLast() {
        var s = WebSocketSession(now: 0)
        var bytes: [UInt8] = []
        for i in 0..<1000 { bytes += ClientFrame.bytes(opcode: 0x9, payload: Array("\(i)".utf8)) }
        bytes += ClientFrame.text("after")
        let actions = s.receive(bytes[...], now: 1)
        XCTAssertEqual(pongs(actions), [Array("999".utf8)])
        XCTAssertEqual(actions.last, .deliver(opcode: .text, payload: Array("after".utf8)))
        XCTAssertEqual(actions.count, 2)
    }
}
