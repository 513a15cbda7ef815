import XCTest

@testable import WebservCore

/// `Range: bytes=` with one range (RFC 9110 §14.1.2); anything we do not serve gets the full file.
final class ByteRangeTests: XCTestCase {
    private func parse(_ s: String, size: Int = 10) -> ByteRange.Result { ByteRange.parse(Array(s.utf8)[...], size: size) }

    func testClosedRange() {
        XCTAssertEqual(parse("bytes=0-0"), .partial(0, 0))
        XCTAssertEqual(parse("bytes=2-5"), .partial(2, 5))
        XCTAssertEqual(parse("bytes=0-9"), .partial(0, 9))
        XCTAssertEqual(parse("bytes=5-100"), .partial(5, 9), "the last position is clamped")
        XCTAssertEqual(parse("BYTES=1-2"), .partial(1, 2), "the unit is case-insensitive")
    }

    func testOpenRange() {
        XCTAssertEqual(parse("bytes=5-"), .partial(5, 9))
        XCTAssertEqual(parse("bytes=9-"), .partial(9, 9))
        XCTAssertEqual(parse("bytes=0-"), .partial(0, 9))
    }

    func testSuffixRange() {
        XCTAssertEqual(parse("bytes=-3"), .partial(7, 9))
        XCTAssertEqual(parse("bytes=-10"), .partial(0, 9))
        XCTAssertEqual(parse("bytes=-50"), .partial(0, 9))
    }

    func testUnsatisfiable() {
        XCTAssertEqual(parse("bytes=10-"), .unsatisfiable)
        XCTAssertEqual(parse("bytes=10-20"), .unsatisfiable)
        XCTAssertEqual(parse("bytes=-0"), .unsatisfiable)
        XCTAssertEqual(parse("bytes=0-", size: 0), .unsatisfiable)
        XCTAssertEqual(parse("bytes=-5", size: 0), .unsatisfiable)
    }

    func testInvalidOrUnsupportedGetsTheWholeFile() {
        for s in [
            "bytes=5-2", "bytes=a-b", "bytes=-", "bytes=", "items=0-1", "bytes 0-1", "bytes=0-1,3-4", "bytes=+1-2", "bytes=1--2",
            "",
        ] {
            XCTAssertEqual(parse(s), .full, s)
        }
    }
}
