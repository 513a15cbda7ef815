import XCTest

@testable import WebservCore

/// The framing step: Content-Length when the length is known, chunked for a stream of unknown
/// length on HTTP/1.1, the close on HTTP/1.0, nothing for statuses without content.
final class ResponseFramingTests: XCTestCase {
    func testKnownLengthsUseContentLength() {
        XCTAssertEqual(ResponseFraming.choose(status: 200, streamed: false, knownLength: true, minorVersion: 1), .contentLength)
        XCTAssertEqual(ResponseFraming.choose(status: 404, streamed: false, knownLength: false, minorVersion: 0), .contentLength)
        XCTAssertEqual(
            ResponseFraming.choose(status: 200, streamed: true, knownLength: true, minorVersion: 0), .contentLength,
            "a CGI's declared length frames its stream, keep-alive stays possible")
    }

    func testUnknownLengthsStream() {
        XCTAssertEqual(ResponseFraming.choose(status: 200, streamed: true, knownLength: false, minorVersion: 1), .chunked)
        XCTAssertEqual(ResponseFraming.choose(status: 200, streamed: true, knownLength: false, minorVersion: 0), .close)
    }

    func testStatusesWithoutContent() {
        for status in [101, 204, 304] {
            XCTAssertEqual(ResponseFraming.choose(status: status, streamed: true, knownLength: false, minorVersion: 1), .none)
            XCTAssertEqual(ResponseFraming.choose(status: status, streamed: false, knownLength: true, minorVersion: 1), .none)
        }
    }
}
