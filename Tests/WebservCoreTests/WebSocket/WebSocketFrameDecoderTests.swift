import XCTest

@testable import WebservCore

final class WebSocketFrameDecoderTests: XCTestCase {
    /// A stream mixing every length form, fragments and control frames.
    private func sampleStream() -> (bytes: [UInt8], frames: [WebSocketFrame]) {
        let payloads: [(UInt8, [UInt8], Bool)] = [
            (0x1, Array("Hello".utf8), true),
            (0x2, [], true),
            (0x1, Array("frag".utf8), false),
            (0x9, Array("ping!".utf8), true),
            (0x0, Array("ment".utf8), true),
            (0x2, (0..<126).map { UInt8($0 & 0xFF) }, true),
            (0x2, (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }, true),
            (0x1, Array(String(repeating: "é", count: 300).utf8), true),
            (0xA, [], true),
            (0x8, [0x03, 0xE8], true),
        ]
        var bytes: [UInt8] = []
        var frames: [WebSocketFrame] = []
        for (index, (opcode, payload, fin)) in payloads.enumerated() {
            let mask: [UInt8] = [UInt8(index), 0xA5, 0x5A, UInt8(0xFF - index)]
            bytes += ClientFrame.bytes(opcode: opcode, payload: payload, fin: fin, mask: mask)
            frames.append(WebSocketFrame(fin: fin, opcode: WebSocketOpcode(raw: opcode), payload: payload))
        }
        return (bytes, frames)
    }

    private func decodeInChunks(_ bytes: [UInt8], splits: [Int]) throws -> [WebSocketFrame] {
        var decoder = WebSocketFrameDecoder()
        var frames: [WebSocketFrame] = []
        var start = 0
        for (index, end) in (splits + [bytes.count]).enumerated() where end >= start {
            // Alternate the slice and raw-pointer entry points; the latter copies mid-payload
            // bytes straight into the frame.
            if index % 2 == 0 {
                frames += try decoder.feed(bytes[start..<end])
            } else {
                bytes[start..<end].withUnsafeBytes { decoder.append($0) }
                while let frame = try decoder.nextFrame() { frames.append(frame) }
            }
            start = end
        }
        XCTAssertEqual(decoder.bufferedByteCount, 0)
        XCTAssertNil(decoder.partialFrame)
        return frames
    }

    func testDecodesWholeStream() throws {
        let (bytes, expected) = sampleStream()
        XCTAssertEqual(try decodeInChunks(bytes, splits: []), expected)
    }

    func testDecodesByteByByte() throws {
        let (bytes, expected) = sampleStream()
        XCTAssertEqual(try decodeInChunks(bytes, splits: Array(0..<bytes.count)), expected)
    }

    func testDecodesAtRandomSplits() throws {
        let (bytes, expected) = sampleStream()
        var rng = SplitMix64(seed: 6455)
        for _ in 0..<50 {
            let splits = (0..<Int.random(in: 1...40, using: &rng)).map { _ in Int.random(in: 0...bytes.count, using: &rng) }
                .sorted()
            XCTAssertEqual(try decodeInChunks(bytes, splits: splits), expected)
        }
    }

    func testUnmasksAtEveryKeyPhase() throws {
        // Payload chunks that start at each offset modulo 4 and 8 exercise the byte and word paths.
        let payload = (0..<257).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let frame = ClientFrame.bytes(opcode: 0x2, payload: payload, mask: [0xDE, 0xAD, 0xBE, 0xEF])
        for first in 4..<20 {
            XCTAssertEqual(try decodeInChunks(frame, splits: [first, first + 13]).first?.payload, payload)
        }
    }

    func testAcceptsNonMinimalLengthEncoding() throws {
        let frames = try decodeInChunks(ClientFrame.bytes(opcode: 0x1, payload: Array("hi".utf8), lengthBytes: 8), splits: [])
        XCTAssertEqual(frames, [WebSocketFrame(opcode: .text, payload: Array("hi".utf8))])
    }

    func testLeavesFollowingBytesBuffered() throws {
        var decoder = WebSocketFrameDecoder()
        let first = ClientFrame.text("one")
        let second = ClientFrame.text("two")
        decoder.append((first + second.prefix(3))[...])
        XCTAssertEqual(try decoder.nextFrame()?.payload, Array("one".utf8))
        XCTAssertNil(try decoder.nextFrame())
        XCTAssertEqual(decoder.bufferedByteCount, 3)
        decoder.append(second.dropFirst(3))
        XCTAssertEqual(try decoder.nextFrame()?.payload, Array("two".utf8))
        XCTAssertEqual(decoder.bufferedByteCount, 0)
    }

    func testPartialFrameExposesUnmaskedPrefix() throws {
        var decoder = WebSocketFrameDecoder()
        let frame = ClientFrame.text("partial payload")
        decoder.append(frame.prefix(6 + 7))
        XCTAssertNil(try decoder.nextFrame())
        XCTAssertEqual(decoder.partialFrame?.opcode, .text)
        XCTAssertEqual(decoder.partialFrame.map { Array($0.payload) }, Array("partial".utf8))
    }

    private func assertRejects(_ bytes: [UInt8], _ expected: WebSocketError, maxPayloadLength: Int = 1 << 20, line: UInt = #line)
    {
        var decoder = WebSocketFrameDecoder(maxPayloadLength: maxPayloadLength)
        decoder.append(bytes[...])
        XCTAssertThrowsError(try decoder.nextFrame(), line: line) { XCTAssertEqual($0 as? WebSocketError, expected, line: line) }
        XCTAssertEqual(expected.closeCode, expected == .messageTooBig ? 1009 : 1002, line: line)
    }

    func testRejectsReservedBits() {
        for rsv: UInt8 in 1...7 { assertRejects(ClientFrame.bytes(opcode: 0x1, payload: [], rsv: rsv), .reservedBitsSet) }
    }

    func testRejectsReservedOpcodes() {
        for opcode: UInt8 in [3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF] {
            assertRejects(ClientFrame.bytes(opcode: opcode, payload: []), .reservedOpcode(opcode))
        }
    }

    func testRejectsUnmaskedFrameAfterTwoBytes() {
        assertRejects(Array(ClientFrame.bytes(opcode: 0x1, payload: Array("hello".utf8), mask: nil).prefix(2)), .unmaskedFrame)
    }

    func testRejectsControlFrameOver125Bytes() {
        assertRejects(ClientFrame.bytes(opcode: 0x9, payload: [UInt8](repeating: 0, count: 126)), .controlFrameTooLong)
        assertRejects([0x88, 0xFE], .controlFrameTooLong)  // detected from the first two bytes alone
    }

    func testRejectsFragmentedControlFrame() {
        assertRejects(ClientFrame.bytes(opcode: 0x9, payload: [], fin: false), .fragmentedControlFrame)
    }

    func testRejects64BitLengthWithHighBitSet() {
        assertRejects(ClientFrame.bytes(opcode: 0x2, payload: [], rawLength: 1 << 63), .invalidPayloadLength)
    }

    func testRejectsTooBigFrameBeforeBufferingPayload() {
        // Only the header is present: a hostile length fails without waiting for (or allocating) the payload.
        let header = Array(ClientFrame.bytes(opcode: 0x2, payload: [], rawLength: 1 << 40).prefix(14))
        assertRejects(header, .messageTooBig)
        assertRejects(
            ClientFrame.bytes(opcode: 0x2, payload: [UInt8](repeating: 1, count: 101)), .messageTooBig, maxPayloadLength: 100)
    }

    func testAcceptsFrameAtExactLimit() throws {
        var decoder = WebSocketFrameDecoder(maxPayloadLength: 100)
        let frames = try decoder.feed(ClientFrame.bytes(opcode: 0x2, payload: [UInt8](repeating: 1, count: 100))[...])
        XCTAssertEqual(frames.first?.payload.count, 100)
    }

    func testDropsConsumedBytes() throws {
        var decoder = WebSocketFrameDecoder()
        let frame = ClientFrame.text(String(repeating: "x", count: 1000))
        for _ in 0..<1000 {
            _ = try decoder.feed(frame[...] + frame.prefix(10))
            _ = try decoder.feed(frame.dropFirst(10))
            XCTAssertLessThanOrEqual(decoder.bufferedByteCount, 10)
        }
    }
}
