import XCTest

@testable import WebservCore

final class HTTPDateTests: XCTestCase {
    private func format(_ t: Int) -> String { String(decoding: HTTPDate.format(t), as: UTF8.self) }
    /// Wed, 25 Nov 2026 00:37:24 GMT: where two-digit years are placed from.
    private static let now = 1_795_567_044
    private func parse(_ s: String, now: Int = now) -> Int? { HTTPDate.parse(Array(s.utf8)[...], now: now) }

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

    func testParsesTheObsoleteRFC850Form() {
        XCTAssertEqual(parse("Sunday, 06-Nov-94 08:49:37 GMT"), 784_111_777)
        XCTAssertEqual(parse("Wednesday, 25-Nov-26 00:37:24 GMT"), 1_795_567_044)
        XCTAssertEqual(parse("Saturday, 01-Jan-00 00:00:00 GMT"), 946_684_800)
        XCTAssertEqual(parse("Friday, 31-Dec-99 23:59:59 GMT"), 946_684_799)
    }

    func testTwoDigitYearsMoreThan50YearsAheadAreInThePast() {
        // RFC 9110 §5.6.7, seen from November 2026: 76 is 2076 (50 years ahead), 77 is 1977.
        XCTAssertEqual(parse("Sunday, 01-Mar-76 00:00:00 GMT"), 3_350_246_400)
        XCTAssertEqual(parse("Tuesday, 01-Mar-77 00:00:00 GMT"), 226_022_400)
        XCTAssertEqual(HTTPDate.fullYear(26, now: Self.now), 2026)
        XCTAssertEqual(HTTPDate.fullYear(94, now: Self.now), 1994)
        XCTAssertEqual(HTTPDate.fullYear(0, now: Self.now), 2000)
        XCTAssertEqual(HTTPDate.fullYear(76, now: Self.now), 2076)
        XCTAssertEqual(HTTPDate.fullYear(77, now: Self.now), 1977)
        // From 1 Jan 1970: 19 is 2019 (49 years ahead), 21 is 1921.
        XCTAssertEqual(HTTPDate.fullYear(19, now: 0), 2019)
        XCTAssertEqual(HTTPDate.fullYear(20, now: 0), 2020)
        XCTAssertEqual(HTTPDate.fullYear(21, now: 0), 1921)
        XCTAssertEqual(HTTPDate.fullYear(70, now: 0), 1970)
        XCTAssertEqual(parse("Thursday, 01-Jan-70 00:00:00 GMT", now: 0), 0)
    }

    func testParsesTheAsctimeForm() {
        XCTAssertEqual(parse("Sun Nov  6 08:49:37 1994"), 784_111_777, "space-padded day")
        XCTAssertEqual(parse("Sun Nov 06 08:49:37 1994"), 784_111_777, "two-digit day")
        XCTAssertEqual(parse("Wed Nov 25 00:37:24 2026"), 1_795_567_044)
        XCTAssertEqual(parse("Thu Jan  1 00:00:00 1970"), 0)
        XCTAssertEqual(parse("Tue Feb 29 00:00:00 2000"), 951_782_400)
    }

    func testAllThreeFormsOfOneInstantAgree() {
        var rng = FeedSplits.SeededRNG(seed: 5)
        for _ in 0..<500 {
            // Within 49 years of `now`, where a two-digit year is unambiguous.
            let t = Int.random(in: (Self.now - 49 * 31_536_000)...(Self.now + 49 * 31_536_000), using: &rng)
            let imf = format(t)
            let parts = imf.split(separator: " ")  // "Sun," "06" "Nov" "1994" "08:49:37" "GMT"
            let day = String(parts[0].dropLast())
            let longDay = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"].first {
                $0.hasPrefix(day)
            }!
            let rfc850 = "\(longDay), \(parts[1])-\(parts[2])-\(parts[3].suffix(2)) \(parts[4]) GMT"
            let paddedDay = parts[1].hasPrefix("0") ? " " + parts[1].dropFirst() : String(parts[1])
            let asctime = "\(day) \(parts[2]) \(paddedDay) \(parts[4]) \(parts[3])"
            XCTAssertEqual(parse(imf), t, imf)
            XCTAssertEqual(parse(rfc850), t, rfc850)
            XCTAssertEqual(parse(asctime), t, asctime)
        }
    }

    func testRefusesOtherFormsAndGarbage() {
        for s in [
            "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT", "", "garbage",
            "Sun, 06 Nov 1994 08:49:37 GMT ", " Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 0x Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT", "Sun, 06-Nov-1994 08:49:37 GMT", "sun, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 gmt", "Funday, 06-Nov-94 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT", "Sunday, 6-Nov-94 08:49:37 GMT", "Sunday, 06 Nov 94 08:49:37 GMT",
            "Sun, 06-Nov-94 08:49:37 GMT", "Sunday 06-Nov-94 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37",
            "Sun Nov 6 08:49:37 1994", "Sun Nov   6 08:49:37 1994", "Sun Nov  6 08:49:37 94", "Sun Nov  6 08:49:37 1994 GMT",
            "Sunday Nov  6 08:49:37 1994", "Sun, Nov  6 08:49:37 1994", "Sun Nov  6 8:49:37 1994",
            "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 29 Feb 1900 00:00:00 GMT", "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 1994 08:49:60 GMT", "Sun, 06 Nov 1994 08-49-37 GMT",
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
