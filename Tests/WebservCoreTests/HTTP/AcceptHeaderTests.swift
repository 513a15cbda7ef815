import XCTest

@testable import WebservCore

/// `Accept` members and their q-values, for the JSON listings and the SSE switch.
final class AcceptHeaderTests: XCTestCase {
    func q(_ type: StaticString, _ header: String) -> Int? {
        AcceptHeader.quality(of: type, in: Array(header.utf8)[...])
    }

    func testQualityOfTheFirstMemberNamingTheType() {
        XCTAssertEqual(q("text/event-stream", "text/event-stream"), 1000)
        XCTAssertEqual(q("text/event-stream", "TEXT/Event-Stream ; q=0.5"), 500)
        XCTAssertEqual(q("application/json", "text/html,application/json;charset=utf-8;Q=0.25,*/*"), 250)
        XCTAssertEqual(q("application/json", "application/json;q=0, application/json"), 0, "the first member counts")
        XCTAssertEqual(q("application/json", "application/json;q=2"), 0, "a malformed q refuses")
        XCTAssertNil(q("application/json", "application/jsonp, */*"))
        XCTAssertNil(q("application/json", ""))
    }

    func testAcceptsNeedsAQualityAboveZero() {
        XCTAssertTrue(AcceptHeader.accepts("text/event-stream", in: Array("text/event-stream;q=0.001".utf8)[...]))
        XCTAssertFalse(AcceptHeader.accepts("text/event-stream", in: Array("text/event-stream;q=0".utf8)[...]))
        XCTAssertFalse(AcceptHeader.accepts("text/event-stream", in: nil))
    }
}
