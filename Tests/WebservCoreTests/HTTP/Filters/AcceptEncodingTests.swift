import XCTest

@testable import WebservCore

/// RFC 9110 §12.5.3 negotiation: q-values, `*`, `identity;q=0`, refusals, and br before gzip
/// on equal quality.
final class AcceptEncodingTests: XCTestCase {
    let onTheFly: [ContentCoding] = [.br, .gzip]

    func choose(_ value: String, _ offered: [ContentCoding]? = nil) -> ContentCoding? {
        AcceptEncoding(Array(value.utf8)).choose(offered ?? onTheFly)
    }

    func testPrefersBrotliWhenQualitiesAreEqual() {
        XCTAssertEqual(choose("gzip, deflate, br"), .br)
        XCTAssertEqual(choose("gzip, br"), .br)
        XCTAssertEqual(choose("br;q=0.8, gzip;q=0.8"), .br)
    }

    func testHigherQualityWins() {
        XCTAssertEqual(choose("br;q=0.5, gzip"), .gzip)
        XCTAssertEqual(choose("br;q=0.5, gzip;q=0.6"), .gzip)
        XCTAssertEqual(choose("br;q=0.501, gzip;q=0.5"), .br)
    }

    func testQualityZeroRefuses() {
        XCTAssertNil(choose("gzip;q=0"))
        XCTAssertEqual(choose("gzip;q=0, *"), .br)
        XCTAssertNil(choose("gzip;q=0, *", [.gzip]), "an explicit q=0 beats *")
        XCTAssertNil(choose("br;q=0.000, gzip;q=0.0"))
    }

    func testStarCoversUnnamedCodings() {
        XCTAssertEqual(choose("*"), .br)
        XCTAssertEqual(choose("*", [.gzip]), .gzip)
        XCTAssertEqual(choose("br;q=0.1, *;q=0.5"), .gzip)
        XCTAssertNil(choose("*;q=0"))
    }

    func testIdentityDoesNotChangeTheChoice() {
        XCTAssertEqual(choose("gzip;q=0.5, identity;q=0"), .gzip)
        XCTAssertNil(choose("identity;q=0"), "nothing we offer is accepted: identity is still sent (as nginx)")
        XCTAssertNil(choose("identity"))
        let parsed = AcceptEncoding(Array("identity;q=0".utf8))
        XCTAssertEqual(parsed.identity, 0)
    }

    func testEmptyAndUnknownCodings() {
        XCTAssertNil(choose(""))
        XCTAssertNil(choose("deflate, compress"))
        XCTAssertNil(choose(" , ,,"))
    }

    func testSyntaxVariants() {
        XCTAssertEqual(choose("GZIP"), .gzip)
        XCTAssertEqual(choose("x-gzip"), .gzip)
        XCTAssertEqual(choose("  gzip ; q=1.0 ,br;Q=0.2"), .gzip)
        XCTAssertEqual(choose("gzip;level=9;q=0.4, br;q=0.3"), .gzip)
        XCTAssertEqual(choose("zstd, br", [.zstd, .br, .gzip]), .zstd, "ties go to the offered order")
    }

    func testMalformedQualityCountsAsZero() {
        XCTAssertNil(choose("gzip;q=2"))
        XCTAssertNil(choose("gzip;q=1.5"))
        XCTAssertNil(choose("gzip;q=0.1234"))
        XCTAssertNil(choose("gzip;q=abc"))
        XCTAssertNil(choose("gzip;q="))
        XCTAssertEqual(choose("gzip;q=1.000"), .gzip)
        XCTAssertEqual(choose("gzip;q=0.001"), .gzip)
    }

    func testFirstEntryOfACodingCounts() {
        XCTAssertNil(choose("gzip;q=0, gzip", [.gzip]))
        XCTAssertEqual(choose("gzip, gzip;q=0", [.gzip]), .gzip)
    }

    func testSeveralFieldsAreOneList() {
        var accept = AcceptEncoding(Array("gzip;q=0.4".utf8))
        accept.add(bytes("br;q=0.9, gzip"))
        XCTAssertEqual(accept.quality(.gzip), 400, "the first member naming gzip counts")
        XCTAssertEqual(accept.choose(onTheFly), .br)
        XCTAssertEqual(accept, AcceptEncoding(Array("gzip;q=0.4, br;q=0.9, gzip".utf8)))
    }

    func testQValues() {
        XCTAssertEqual(AcceptEncoding.qvalue(bytes("0")), 0)
        XCTAssertEqual(AcceptEncoding.qvalue(bytes("1")), 1000)
        XCTAssertEqual(AcceptEncoding.qvalue(bytes("0.5")), 500)
        XCTAssertEqual(AcceptEncoding.qvalue(bytes("0.25")), 250)
        XCTAssertEqual(AcceptEncoding.qvalue(bytes("0.")), 0)
        XCTAssertNil(AcceptEncoding.qvalue(bytes("1.001")))
        XCTAssertNil(AcceptEncoding.qvalue(bytes(".5")))
        XCTAssertNil(AcceptEncoding.qvalue(bytes("")))
    }
}
