import XCTest

@testable import WebservCore

/// `Range: bytes=` (RFC 9110 §14.1.2) as nginx's range filter reads it, one range served.
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
        XCTAssertEqual(parse("bytes=30-40,50-,10-10"), .unsatisfiable, "every range starts past the end")
    }

    func testInvalidRangeSetIsUnsatisfiable() {
        for s in [
            "bytes=abc", "bytes=3-1", "bytes=5-2", "bytes=-", "bytes=a-b", "bytes=+1-2", "bytes=1--2", "bytes=1-2x",
            "bytes=1-x", "bytes=-x", "bytes=- 3", "bytes=0-1,", "bytes=,0-1", "bytes=0-1;2-3", "bytes=1 2-3", "bytes=\t1-2",
            "bytes=99999999999999999999-", "bytes=0-99999999999999999999", "bytes=-99999999999999999999",
        ] {
            XCTAssertEqual(parse(s), .unsatisfiable, s)
        }
    }

    func testOtherUnitsAndEmptySetsAreIgnored() {
        // nginx ignores a value that does not start with "bytes=" and holds no range after it.
        for s in ["", "bytes=", "BYTES", "items=0-1", "bytes 0-1", "bytes:0-1", "none"] {
            XCTAssertEqual(parse(s), .full, s)
        }
    }

    func testMoreThanOneSatisfiableRangeGetsTheWholeFile() {
        for s in ["bytes=0-1,3-4", "bytes=-1,0-0", "bytes=0-,0-", "bytes=0-1,3-4,abc"] {
            XCTAssertEqual(parse(s), .full, s)
        }
    }

    func testOneSatisfiableRangeAmongUnsatisfiableOnes() {
        XCTAssertEqual(parse("bytes=50-60, 2-5"), .partial(2, 5))
        XCTAssertEqual(parse("bytes=2-5,20-"), .partial(2, 5))
        XCTAssertEqual(parse("bytes=3-1,-2"), .partial(8, 9))
    }

    func testSpacesAroundTheParts() {
        XCTAssertEqual(parse("bytes= 2 - 5 "), .partial(2, 5))
        XCTAssertEqual(parse("bytes=  -3"), .partial(7, 9))
        XCTAssertEqual(parse("bytes=7 -  "), .partial(7, 9))
    }
}
