import XCTest

@testable import WebservCore

final class WebSocketMessageAssemblerTests: XCTestCase {
    private func frame(_ opcode: WebSocketOpcode, _ payload: [UInt8], fin: Bool = true) -> WebSocketFrame {
        WebSocketFrame(fin: fin, opcode: opcode, payload: payload)
    }

    private func assertThrows(_ expected: WebSocketError, line: UInt = #line, _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), line: line) { XCTAssertEqual($0 as? WebSocketError, expected, line: line) }
    }

    func testUnfragmentedMessages() throws {
        var assembler = WebSocketMessageAssembler()
        XCTAssertEqual(try assembler.push(frame(.text, Array("hi".utf8))), .message(opcode: .text, payload: Array("hi".utf8)))
        XCTAssertEqual(try assembler.push(frame(.binary, [0xFF, 0x00])), .message(opcode: .binary, payload: [0xFF, 0x00]))
        XCTAssertEqual(try assembler.push(frame(.text, [])), .message(opcode: .text, payload: []))
    }

    func testFragmentsWithInterleavedPing() throws {
        var assembler = WebSocketMessageAssembler()
        XCTAssertNil(try assembler.push(frame(.text, Array("frag".utf8), fin: false)))
        XCTAssertTrue(assembler.isAssembling)
        XCTAssertEqual(try assembler.push(frame(.ping, [1, 2])), .ping([1, 2]))
        XCTAssertNil(try assembler.push(frame(.continuation, Array("men".utf8), fin: false)))
        XCTAssertEqual(try assembler.push(frame(.pong, [])), .pong([]))
        XCTAssertEqual(
            try assembler.push(frame(.continuation, Array("ted".utf8))),
            .message(opcode: .text, payload: Array("fragmented".utf8)))
        XCTAssertFalse(assembler.isAssembling)
        XCTAssertNil(try assembler.push(frame(.binary, [1], fin: false)))
        XCTAssertNil(try assembler.push(frame(.continuation, [], fin: false)))
        XCTAssertEqual(try assembler.push(frame(.continuation, [2])), .message(opcode: .binary, payload: [1, 2]))
    }

    func testUTF8SequenceSplitAcrossFragmentsIsAccepted() throws {
        var assembler = WebSocketMessageAssembler()
        let euro: [UInt8] = [0xE2, 0x82, 0xAC]
        XCTAssertNil(try assembler.push(frame(.text, [0x41, euro[0]], fin: false)))
        XCTAssertNil(try assembler.push(frame(.continuation, [euro[1]], fin: false)))
        XCTAssertEqual(try assembler.push(frame(.continuation, [euro[2]])), .message(opcode: .text, payload: [0x41] + euro))
    }

    func testContinuationWithoutStartIsProtocolError() {
        var assembler = WebSocketMessageAssembler()
        assertThrows(.unexpectedContinuation) { _ = try assembler.push(frame(.continuation, [1])) }
        XCTAssertEqual(WebSocketError.unexpectedContinuation.closeCode, 1002)
    }

    func testNewDataFrameInsideFragmentedMessageIsProtocolError() {
        var assembler = WebSocketMessageAssembler()
        _ = try? assembler.push(frame(.text, Array("a".utf8), fin: false))
        assertThrows(.expectedContinuation) { _ = try assembler.push(frame(.binary, [1])) }
    }

    func testInvalidUTF8FailsOnTheFragmentCarryingIt() throws {
        var assembler = WebSocketMessageAssembler()
        XCTAssertNil(try assembler.push(frame(.text, Array("κόσμε".utf8), fin: false)))
        // The surrogate begins here; the message is far from finished, yet it fails now.
        assertThrows(.invalidUTF8) { _ = try assembler.push(frame(.continuation, [0xED, 0xA0], fin: false)) }
        XCTAssertEqual(WebSocketError.invalidUTF8.closeCode, 1007)
    }

    func testTruncatedUTF8AtMessageEndFails() {
        var assembler = WebSocketMessageAssembler()
        assertThrows(.invalidUTF8) { _ = try assembler.push(frame(.text, [0x41, 0xE2, 0x82])) }
    }

    func testBinaryIsNotValidated() throws {
        var assembler = WebSocketMessageAssembler()
        XCTAssertEqual(try assembler.push(frame(.binary, [0xFF])), .message(opcode: .binary, payload: [0xFF]))
    }

    func testPartialInspectionFailsBeforeFrameIsComplete() throws {
        var assembler = WebSocketMessageAssembler()
        try assembler.inspectPartial(opcode: .text, payload: Array("ok".utf8)[...])
        try assembler.inspectPartial(opcode: .text, payload: Array("ok ".utf8)[...])
        assertThrows(.invalidUTF8) { try assembler.inspectPartial(opcode: .text, payload: Array("ok ".utf8)[...] + [0xC0]) }
    }

    func testPartialInspectionIsNotRepeatedWhenFrameCompletes() throws {
        var assembler = WebSocketMessageAssembler()
        let payload: [UInt8] = [0x61, 0xE2, 0x82, 0xAC, 0x62]
        try assembler.inspectPartial(opcode: .text, payload: payload[..<2])
        try assembler.inspectPartial(opcode: .text, payload: payload[..<3])
        XCTAssertEqual(try assembler.push(frame(.text, payload)), .message(opcode: .text, payload: payload))
        // Binary frames are ignored by the partial check.
        try assembler.inspectPartial(opcode: .binary, payload: [0xFF])
        XCTAssertEqual(try assembler.push(frame(.binary, [0xFF])), .message(opcode: .binary, payload: [0xFF]))
    }

    func testMessageSizeLimitCountsAllFragments() throws {
        var assembler = WebSocketMessageAssembler(maxMessageSize: 10)
        XCTAssertNil(try assembler.push(frame(.binary, [UInt8](repeating: 0, count: 6), fin: false)))
        XCTAssertEqual(assembler.remainingMessageBudget, 4)
        assertThrows(.messageTooBig) { _ = try assembler.push(frame(.continuation, [UInt8](repeating: 0, count: 5))) }
        XCTAssertEqual(WebSocketError.messageTooBig.closeCode, 1009)
        var other = WebSocketMessageAssembler(maxMessageSize: 10)
        assertThrows(.messageTooBig) { _ = try other.push(frame(.text, [UInt8](repeating: 0x41, count: 11))) }
    }

    func testClosePayloads() throws {
        var assembler = WebSocketMessageAssembler()
        XCTAssertEqual(try assembler.push(frame(.close, [])), .close(code: nil, reason: []))
        XCTAssertEqual(try assembler.push(frame(.close, [0x03, 0xE8])), .close(code: 1000, reason: []))
        XCTAssertEqual(
            try assembler.push(frame(.close, [0x0B, 0xB8] + Array("bye".utf8))), .close(code: 3000, reason: Array("bye".utf8)))
        assertThrows(.invalidClosePayload) { _ = try assembler.push(frame(.close, [0x03])) }
        assertThrows(.invalidUTF8) { _ = try assembler.push(frame(.close, [0x03, 0xE8, 0xFF])) }
    }

    func testCloseCodeValidationFollowsAutobahn() {
        for valid: UInt16 in [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999] {
            XCTAssertTrue(WebSocketMessageAssembler.isValidCloseCode(valid), "\(valid)")
        }
        for invalid: UInt16 in [0, 999, 1004, 1005, 1006, 1012, 1013, 1014, 1015, 1016, 1100, 2000, 2999, 5000, 65535] {
            XCTAssertFalse(WebSocketMessageAssembler.isValidCloseCode(invalid), "\(invalid)")
            var assembler = WebSocketMessageAssembler()
            assertThrows(.invalidCloseCode(invalid)) {
                _ = try assembler.push(frame(.close, [UInt8(invalid >> 8), UInt8(invalid & 0xFF)]))
            }
        }
    }
}
