import XCTest

@testable import WebservCore

/// permessage-deflate through the session: RSV1 rules (RFC 7692 §6), inflated size limits, and
/// compressed sending.
final class PerMessageDeflateSessionTests: XCTestCase {
    private func session(
        deflate: PerMessageDeflateParameters? = PerMessageDeflateParameters(), maxMessageSize: Int = 1 << 20
    ) -> WebSocketSession {
        var configuration = WebSocketSession.Configuration(maxMessageSize: maxMessageSize, idlePingInterval: 0)
        configuration.deflate = deflate
        return WebSocketSession(configuration: configuration, now: 0)
    }

    private func compressed(_ text: String, fin: Bool = true) -> [UInt8] {
        ClientFrame.bytes(
            opcode: 0x1, payload: MessageDeflater(windowBits: 15, resetsContext: true)!.compress(Array(text.utf8)), fin: fin,
            rsv: 0b100)
    }

    private func closes(_ actions: [WebSocketSession.Action], with code: UInt16) -> Bool {
        actions.contains(.send(WebSocketFrameEncoder.encodeClose(code: code)))
    }

    func testCompressedMessageIsDeliveredInflated() {
        var s = session()
        XCTAssertEqual(s.receive(compressed("Hello")[...], now: 1), [.deliver(opcode: .text, payload: Array("Hello".utf8))])
        // The RFC's example frame, unmasked there; masked here as a client must.
        let rfc = ClientFrame.bytes(opcode: 0x1, payload: [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00], rsv: 0b100)
        XCTAssertEqual(s.receive(rfc[...], now: 1), [.deliver(opcode: .text, payload: Array("Hello".utf8))])
        // Uncompressed messages still pass on a deflate session.
        XCTAssertEqual(s.receive(ClientFrame.text("plain")[...], now: 1), [.deliver(opcode: .text, payload: Array("plain".utf8))])
    }

    func testFragmentedCompressedMessageWithPingInsideAtEverySplit() {
        let payload = MessageDeflater(windowBits: 15, resetsContext: true)!.compress(
            Array(String(repeating: "héllo wörld ", count: 300).utf8))
        let cut = payload.count / 3
        let bytes =
            ClientFrame.bytes(opcode: 0x1, payload: Array(payload[..<cut]), fin: false, rsv: 0b100)
            + ClientFrame.bytes(opcode: 0x9, payload: [1])
            + ClientFrame.bytes(opcode: 0x0, payload: Array(payload[cut...]))
        for pieces in FeedSplits.all(bytes) {
            var s = session()
            var actions: [WebSocketSession.Action] = []
            for piece in pieces { actions += s.receive(piece[...], now: 1) }
            XCTAssertEqual(
                actions,
                [
                    .send(WebSocketFrameEncoder.encode(opcode: .pong, payload: [1])),
                    .deliver(opcode: .text, payload: Array(String(repeating: "héllo wörld ", count: 300).utf8)),
                ])
        }
    }

    func testRSV1WithoutNegotiationIs1002() {
        var s = session(deflate: nil)
        XCTAssertTrue(closes(s.receive(compressed("Hello")[...], now: 1), with: 1002))
    }

    func testRSV1OnControlOrContinuationFramesAndRSV2Are1002() {
        let cases = [
            ClientFrame.bytes(opcode: 0x9, payload: [], rsv: 0b100),
            ClientFrame.bytes(opcode: 0x8, payload: [0x03, 0xE8], rsv: 0b100),
            compressed("He", fin: false) + ClientFrame.bytes(opcode: 0x0, payload: [0x00], rsv: 0b100),
            ClientFrame.bytes(opcode: 0x1, payload: [0x00], rsv: 0b010),
            ClientFrame.bytes(opcode: 0x1, payload: [0x00], rsv: 0b001),
        ]
        for bytes in cases {
            var s = session()
            XCTAssertTrue(closes(s.receive(bytes[...], now: 1), with: 1002), "\(bytes.prefix(2))")
        }
    }

    func testCorruptCompressedDataIs1002() {
        var s = session()
        XCTAssertTrue(
            closes(s.receive(ClientFrame.bytes(opcode: 0x2, payload: [0xFF, 0xFF], rsv: 0b100)[...], now: 1), with: 1002))
    }

    func testDeflateBombIs1009WithoutInflatingIt() {
        let bomb = MessageDeflater(windowBits: 15, resetsContext: true)!.compress([UInt8](repeating: 0x61, count: 64 << 20))
        XCTAssertLessThan(bomb.count, 1 << 20, "the bomb itself is within the limit")
        var s = session(maxMessageSize: 1 << 20)
        let actions = s.receive(ClientFrame.bytes(opcode: 0x1, payload: bomb, rsv: 0b100)[...], now: 1)
        XCTAssertTrue(closes(actions, with: 1009))
        XCTAssertFalse(actions.contains { if case .deliver = $0 { true } else { false } })
    }

    func testInflatedSizeOfAFragmentedMessageCountsAgainstTheLimit() {
        var rng = FeedSplits.SeededRNG(seed: 3)
        let message = (0..<1200).map { _ in UInt8.random(in: 0x61...0x64, using: &rng) }
        let payload = MessageDeflater(windowBits: 15, resetsContext: true)!.compress(message)
        let cut = payload.count / 2
        // One message of 1200 inflated bytes in two frames, limit 1000: the first frame fits.
        var s = session(maxMessageSize: 1000)
        let first = ClientFrame.bytes(opcode: 0x2, payload: Array(payload[..<cut]), fin: false, rsv: 0b100)
        XCTAssertEqual(s.receive(first[...], now: 1), [])
        let actions = s.receive(ClientFrame.bytes(opcode: 0x0, payload: Array(payload[cut...]))[...], now: 1)
        XCTAssertTrue(closes(actions, with: 1009), "\(actions)")
        var t = session(maxMessageSize: 1200)
        XCTAssertEqual(
            t.receive((first + ClientFrame.bytes(opcode: 0x0, payload: Array(payload[cut...])))[...], now: 1),
            [.deliver(opcode: .binary, payload: message)])
    }

    func testContextTakeoverAcrossMessagesAndClientNoContextTakeover() {
        let deflater = MessageDeflater(windowBits: 15, resetsContext: false)!
        let text = String(repeating: "context ", count: 20)
        var s = session()
        for _ in 0..<3 {
            let frame = ClientFrame.bytes(opcode: 0x1, payload: deflater.compress(Array(text.utf8)), rsv: 0b100)
            XCTAssertEqual(s.receive(frame[...], now: 1), [.deliver(opcode: .text, payload: Array(text.utf8))])
        }
        // A client without context takeover: each message stands alone, and the inflater resets.
        let fresh = MessageDeflater(windowBits: 15, resetsContext: true)!
        var t = session(deflate: PerMessageDeflateParameters(clientNoContextTakeover: true))
        for _ in 0..<3 {
            let frame = ClientFrame.bytes(opcode: 0x1, payload: fresh.compress(Array(text.utf8)), rsv: 0b100)
            XCTAssertEqual(t.receive(frame[...], now: 1), [.deliver(opcode: .text, payload: Array(text.utf8))])
        }
    }

    func testInvalidUTF8InsideACompressedTextIs1007() {
        var s = session()
        let frame = ClientFrame.bytes(
            opcode: 0x1, payload: MessageDeflater(windowBits: 15, resetsContext: true)!.compress([0x61, 0xFF]), rsv: 0b100)
        XCTAssertTrue(closes(s.receive(frame[...], now: 1), with: 1007))
    }

    func testEncodeMessageSetsRSV1AndCompresses() throws {
        var s = session(deflate: PerMessageDeflateParameters(serverNoContextTakeover: false))
        let text = Array(String(repeating: "echo ", count: 50).utf8)
        var first: [UInt8] = []
        s.encodeMessage(opcode: .text, payload: text, into: &first)
        XCTAssertEqual(first[0], 0xC1, "FIN, RSV1, text")
        var second: [UInt8] = []
        s.encodeMessage(opcode: .text, payload: text, into: &second)
        XCTAssertLessThan(second.count, first.count, "context taken over")
        let inflater = try XCTUnwrap(MessageInflater())
        for frame in [first, second] {
            var out: [UInt8] = []
            try inflater.inflate(Array(frame[2...]), final: true, into: &out, limit: 1 << 20)
            inflater.endMessage(resetContext: false)
            XCTAssertEqual(out, text)
        }
        var plain = session(deflate: nil)
        var frame: [UInt8] = []
        plain.encodeMessage(opcode: .binary, payload: [1, 2, 3], into: &frame)
        XCTAssertEqual(frame, [0x82, 0x03, 1, 2, 3])
    }

    func testBroadcastFramesCompressOncePerWindow() throws {
        let deflaters = BroadcastDeflaters()
        let text = Array(String(repeating: "room ", count: 40).utf8)
        var frames = BroadcastFrames(opcode: .text, payload: text, deflaters: deflaters)
        let a = frames.frame(windowBits: 15)
        XCTAssertEqual(a[0], 0xC1)
        XCTAssertEqual(frames.frame(windowBits: nil), WebSocketFrameEncoder.encode(opcode: .text, payload: text))
        XCTAssertEqual(frames.frame(windowBits: 15), a)
        let small = frames.frame(windowBits: 9)
        XCTAssertEqual(small[0], 0xC1)
        XCTAssertEqual(frames.frame(windowBits: 15), a)
        let inflater = try XCTUnwrap(MessageInflater())
        for frame in [a, small] {
            var out: [UInt8] = []
            try inflater.inflate(Array(frame[2...]), final: true, into: &out, limit: 1 << 20)
            inflater.endMessage(resetContext: false)
            XCTAssertEqual(out, text)
        }
        // The next message through the same shared compressor is unaffected by the first.
        var next = BroadcastFrames(opcode: .text, payload: text, deflaters: deflaters)
        XCTAssertEqual(next.frame(windowBits: 15), a)
    }
}
