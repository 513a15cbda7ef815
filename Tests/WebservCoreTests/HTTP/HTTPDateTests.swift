import XCTest

@testable import WebservCore

final class HTTPDateTests: XCTestCase {
    private func format(_ t: Int) -> String { String(decoding: HTTPDate.format(t), as: UTF8.self) }
    private func parse(_ s: String) -> Int? { HTTPDate.parse(Array(s.utf8)[...]) }

    func testFormatsIMFFixdate() {
        XCTAssertEqual(format(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT")
        XCTAssertEqual(format(0), "Thu, 01 Jan 1970 00:00:00 GMT")
        XCTAssertEqual(format(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT")
        XCTAssertEqual(format(1_700_000_000), "Tue, 14 Nov 2023 22:13:20 GMT")
    }

    func testFormatThenParseRoundTrips() {
        var rng = FeedSplits.SeededRNG(seed: 9)
        for _ in 0..<2000 {
            let t = Int.random(in: 0...4_102_444_800, using: &rng)
            XCTAssertEqual(parse(format(t)), t, format(t))
        }
    }

    func testParsesTheRFCExample() {
        XCTAssertEqual(parse("Sun, 06 Nov 1994 08:49:37 GMT"), 784_111_777)
    }

    func testRefusesOtherFormsAndGarbage() {
        for s in [
            "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT", "", "garbage",
            "Sun, 06 Nov 1994 08:49:37 GMT ", "Sun, 0x Nov 1994 08:49:37 GMT",
        ] {
            XCTAssertNil(parse(s), s)
        }
    }

    func testDateCacheChangesOncePerSecond() {
        var cache = DateCache()
        cache.update(wallSeconds: 784_111_777)
        XCTAssertEqual(String(decoding: cache.value, as: UTF8.self), "Sun, 06 Nov 1994 08:49:37 GMT")
        XCTAssertEqual(String(decoding: cache.logValue, as: UTF8.self), "06/Nov/1994:08:49:37 +0000")
        cache.update(wallSeconds: 784_111_778)
        XCTAssertEqual(String(decoding: cache.value, as: UTF8.self), "Sun, 06 Nov 1994 08:49:38 GMT")
    }
}
