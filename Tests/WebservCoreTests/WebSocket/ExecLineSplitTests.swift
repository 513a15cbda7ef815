import XCTest

@testable import WebservCore

/// An exec line longer than a message is sent in pieces cut between characters, so valid
/// UTF-8 stays valid (a piece is never "repaired" into U+FFFD).
final class ExecLineSplitTests: XCTestCase {
    func testCutLeavesAnUnfinishedCharacterForTheNextPiece() {
        let euro: [UInt8] = [0xE2, 0x82, 0xAC]
        XCTAssertEqual(ExecBridge.characterBoundary(Array("abc".utf8)), 3)
        XCTAssertEqual(ExecBridge.characterBoundary(Array("ab".utf8) + euro), 5, "a finished character stays")
        XCTAssertEqual(ExecBridge.characterBoundary(Array("ab".utf8) + euro.prefix(2)), 2)
        XCTAssertEqual(ExecBridge.characterBoundary(Array("ab".utf8) + euro.prefix(1)), 2)
        XCTAssertEqual(ExecBridge.characterBoundary(Array("a".utf8) + [0xF0, 0x9F, 0x98]), 1, "4-byte character")
        XCTAssertEqual(ExecBridge.characterBoundary(Array("a".utf8) + [0xF0, 0x9F, 0x98, 0x80]), 5)
    }

    func testBytesThatAreNotUTF8AreNotHeldBack() {
        XCTAssertEqual(ExecBridge.characterBoundary([0x61, 0x80, 0x80]), 3, "stray continuation bytes")
        XCTAssertEqual(ExecBridge.characterBoundary([0xE2, 0x82]), 2, "nothing before the unfinished character")
        XCTAssertEqual(ExecBridge.characterBoundary([]), 0)
    }
}
