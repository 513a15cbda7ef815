import XCTest

@testable import WebservCore

final class WebSocketFrameEncoderTests: XCTestCase {
    func testSmallUnmaskedTextFrame() {
        // RFC 6455 §5.7: "A single-frame unmasked text message".
        XCTAssertEqual(
            WebSocketFrameEncoder.encode(opcode: .text, payload: Array("Hello".utf8)), [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
    }

    func testLengthForms() {
        let medium = WebSocketFrameEncoder.encode(opcode: .binary, payload: [UInt8](repeating: 0, count: 256))
        XCTAssertEqual(Array(medium.prefix(4)), [0x82, 0x7E, 0x01, 0x00])
        XCTAssertEqual(medium.count, 260)
        let large = WebSocketFrameEncoder.encode(opcode: .binary, payload: [UInt8](repeating: 0, count: 65536))
        XCTAssertEqual(Array(large.prefix(10)), [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0])
        XCTAssertEqual(
            Array(WebSocketFrameEncoder.encode(opcode: .text, payload: [UInt8](repeating: 0, count: 125)).prefix(2)), [0x81, 125])
        XCTAssertEqual(
            Array(WebSocketFrameEncoder.encode(opcode: .text, payload: [UInt8](repeating: 0, count: 126)).prefix(4)),
            [0x81, 126, 0, 126])
    }

    func testNonFinalAndControlFrames() {
        XCTAssertEqual(
            WebSocketFrameEncoder.encode(opcode: .text, payload: Array("Hel".utf8), fin: false), [0x01, 0x03, 0x48, 0x65, 0x6C])
        XCTAssertEqual(WebSocketFrameEncoder.encode(opcode: .pong, payload: [1, 2]), [0x8A, 0x02, 1, 2])
    }

    func testCloseFrames() {
        XCTAssertEqual(WebSocketFrameEncoder.encodeClose(code: nil), [0x88, 0x00])
        XCTAssertEqual(WebSocketFrameEncoder.encodeClose(code: 1000), [0x88, 0x02, 0x03, 0xE8])
        XCTAssertEqual(
            WebSocketFrameEncoder.encodeClose(code: 1001, reason: Array("bye".utf8)),
            [0x88, 0x05, 0x03, 0xE9] + Array("bye".utf8))
    }

    func testLongCloseReasonIsCutOnCharacterBoundary() {
        let reason = Array(String(repeating: "é", count: 100).utf8)  // 200 bytes
        let frame = WebSocketFrameEncoder.encodeClose(code: 1000, reason: reason)
        XCTAssertLessThanOrEqual(frame.count - 2, 125)
        XCTAssertTrue(UTF8Validator.isValid(frame.dropFirst(4)))
        XCTAssertEqual(frame.count - 4, 122)
    }

    func testAppendsIntoExistingBuffer() {
        var buffer: [UInt8] = [0xAA]
        WebSocketFrameEncoder.encode(opcode: .text, payload: Array("a".utf8), into: &buffer)
        WebSocketFrameEncoder.encodeClose(code: 1000, into: &buffer)
        XCTAssertEqual(buffer, [0xAA, 0x81, 0x01, 0x61, 0x88, 0x02, 0x03, 0xE8])
    }

    func testServerFramesCarryNoMask() {
        let payload = (0..<1000).map { UInt8(truncatingIfNeeded: $0) }
        let server = WebSocketFrameEncoder.encode(opcode: .binary, payload: payload)
        XCTAssertEqual(server[1] & 0x80, 0)
        XCTAssertEqual(Array(server.suffix(1000)), payload)
    }
}
