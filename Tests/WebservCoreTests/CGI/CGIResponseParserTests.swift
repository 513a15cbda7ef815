import XCTest

@testable import WebservCore

final class CGIResponseParserTests: XCTestCase {
    /// Feeds the pieces as a whole output; returns the head with every body byte that followed.
    private func parse(_ pieces: [[UInt8]]) throws -> (head: CGIResponseHead?, body: [UInt8]) {
        var parser = CGIResponseParser(maxHeaderBytes: 1024)
        var head: CGIResponseHead?
        var body: [UInt8] = []
        for piece in pieces {
            if head != nil { body += piece; continue }
            let progress = try piece.withUnsafeBytes { try parser.feed($0) }
            if case .complete(let h, let offset) = progress {
                head = h
                body += piece[offset...]
            }
        }
        try parser.finish()  // end of output: throws unless the head completed
        return (head, body)
    }

    private func parse(_ text: String) throws -> (head: CGIResponseHead?, body: String) {
        let r = try parse([Array(text.utf8)])
        return (r.head, String(decoding: r.body, as: UTF8.self))
    }

    private func assertRejects(_ text: String, _ expected: CGIResponseError, line: UInt = #line) {
        for pieces in FeedSplits.all(Array(text.utf8)) {
            XCTAssertThrowsError(try parse(pieces), line: line) {
                XCTAssertEqual($0 as? CGIResponseError, expected, line: line)
            }
        }
    }

    private let sample = Array(
        ("Content-Type: text/html; charset=utf-8\r\nStatus: 404 Not Found\r\nX-Script: yes\r\n"
            + "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n"
            + "Content-Length: 12\r\nServer: evil\r\nDate: yesterday\r\nKeep-Alive: 5\r\n\r\n<p>body\r\n\r\n</p>").utf8)

    func testParsesIdenticallyWholeByteByByteAndAtRandomSplits() throws {
        for pieces in FeedSplits.all(sample) {
            let r = try parse(pieces)
            let head = try XCTUnwrap(r.head)
            XCTAssertEqual(head.status, 404)
            XCTAssertEqual(head.reason, "Not Found")
            XCTAssertEqual(head.contentType, "text/html; charset=utf-8")
            XCTAssertEqual(head.contentLength, 12)
            XCTAssertNil(head.location)
            XCTAssertFalse(head.isLocalRedirect)
            XCTAssertEqual(head.headers.map(\.name), ["X-Script", "Set-Cookie", "Set-Cookie"])
            XCTAssertEqual(head.headers.map(\.value), ["yes", "a=1", "b=2"])
            XCTAssertEqual(String(decoding: r.body, as: UTF8.self), "<p>body\r\n\r\n</p>")
        }
    }

    func testAcceptsLFOnlyAndMixedLineEnds() throws {
        XCTAssertEqual(try parse("Content-Type: text/plain\n\nhi\n").body, "hi\n")
        XCTAssertEqual(try parse("Content-Type: text/plain\r\n\nhi").body, "hi")
        XCTAssertEqual(try parse("Content-Type: text/plain\n\r\nhi").body, "hi")
        XCTAssertEqual(try parse("Content-type:text/plain  \n\n").head?.contentType, "text/plain")
    }

    func testDefaultsTo200WithContentType() throws {
        let head = try XCTUnwrap(parse("Content-Type: text/plain\r\n\r\n").head)
        XCTAssertEqual(head.status, 200)
        XCTAssertNil(head.reason)
    }

    func testAbsoluteLocationWithoutStatusIsA302() throws {
        let head = try XCTUnwrap(parse("Location: http://example.test/x\r\n\r\n").head)
        XCTAssertEqual(head.status, 302)
        XCTAssertEqual(head.location, "http://example.test/x")
        XCTAssertFalse(head.isLocalRedirect)
        XCTAssertEqual(try parse("Location: //other.test/x\n\n").head?.isLocalRedirect, false)
    }

    func testLocalPathLocationWithoutStatusIsAnInternalRedirect() throws {
        let head = try XCTUnwrap(parse("Location: /other/page?x=1\n\n").head)
        XCTAssertTrue(head.isLocalRedirect)
        XCTAssertEqual(head.location, "/other/page?x=1")
        let withStatus = try XCTUnwrap(parse("Status: 301\nLocation: /moved\n\n").head)
        XCTAssertFalse(withStatus.isLocalRedirect, "with a Status it is the client's redirect")
        XCTAssertEqual(withStatus.status, 301)
    }

    func testStatusAloneIsEnough() throws {
        XCTAssertEqual(try parse("Status: 204\r\n\r\n").head?.status, 204)
        XCTAssertEqual(try parse("Status: 599 Custom Thing\r\n\r\n").head?.reason, "Custom Thing")
    }

    /// The reason phrase goes on the status line as the script wrote it (nginx does the same),
    /// so a control character in it must never get through (RFC 9112 §4: HTAB, SP, VCHAR).
    func testReasonPhraseIsKeptTrimmedAndNeverCarriesControlCharacters() throws {
        XCTAssertEqual(try parse("Status: 418 Teapot\r\n\r\n").head?.reason, "Teapot")
        XCTAssertEqual(try parse("Status: 418   I'm a\tteapot  \r\n\r\n").head?.reason, "I'm a\tteapot")
        XCTAssertNil(try parse("Status: 418\r\n\r\n").head?.reason)
        XCTAssertNil(try parse("Status: 418   \r\n\r\n").head?.reason)
        assertRejects("Status: 418 Tea\rSet-Cookie: x\r\n\r\n", .invalidHeaderValue)
        assertRejects("Status: 418 Tea\u{1}pot\n\n", .invalidHeaderValue)
        assertRejects("Status: 418 Tea\u{7F}pot\n\n", .invalidHeaderValue)
        assertRejects("Status: 418 Tea\u{0}pot\n\n", .invalidHeaderValue)
    }

    func testWaitsForTheBlankLine() throws {
        var parser = CGIResponseParser()
        let progress = try Array("Content-Type: text/plain\r\n".utf8).withUnsafeBytes { try parser.feed($0) }
        guard case .needMore = progress else { return XCTFail("head is not complete yet") }
        XCTAssertThrowsError(try parser.finish()) {
            XCTAssertEqual($0 as? CGIResponseError, .missingHeaderSection)
        }
    }

    func testRejectsOutputWithoutHeaderSection() {
        assertRejects("", .missingHeaderSection)
        assertRejects("Content-Type: text/plain\r\n", .missingHeaderSection)
        assertRejects("<html>hello</html>\n\n", .missingColon)
        assertRejects("hello world\n", .missingColon)
        assertRejects("\r\nbody", .noResponseHeaders)
        assertRejects("X-Only: 1\n\n", .noResponseHeaders)
    }

    func testRejectsHostileHeaderRows() {
        assertRejects("Content-Type: text/plain\rSet-Cookie: x\r\n\r\n", .invalidHeaderValue)
        assertRejects("Content-Type: text/\u{0}plain\n\n", .invalidHeaderValue)
        assertRejects("X: a\u{1B}b\n\n", .invalidHeaderValue)
        assertRejects("Bad Name: x\n\n", .invalidHeaderName)
        assertRejects(": x\n\n", .invalidHeaderName)
        assertRejects(" Folded: x\n\n", .invalidHeaderName)
        assertRejects("X\r: y\n\n", .invalidHeaderName)
        assertRejects("Location:\n\n", .invalidHeaderValue)
    }

    func testRejectsBadStatusLines() {
        for status in ["", "20", "2000", "abc", "099", "20x OK", "200OK", "-200", "1e3"] {
            assertRejects("Status: \(status)\nContent-Type: text/plain\n\n", .invalidStatus)
        }
        assertRejects("Status: 200\nStatus: 404\n\n", .duplicateHeader)
        assertRejects("Content-Length: 1\nContent-Length: 1\nStatus: 200\n\n", .duplicateHeader)
        assertRejects("Content-Length: -1\nStatus: 200\n\n", .invalidContentLength)
        assertRejects("Content-Length: 99999999999999999999\nStatus: 200\n\n", .invalidContentLength)
    }

    func testRejectsAHugeHeaderSection() {
        let huge = "Content-Type: text/plain\n" + String(repeating: "X-Pad: 0123456789\n", count: 100) + "\n"
        assertRejects(huge, .headerTooLarge)
        assertRejects(String(repeating: "x", count: 2000), .headerTooLarge)
    }

    func testTheDefaultLimitIs64KiB() throws {
        var parser = CGIResponseParser()
        let big = Array(("X-Pad: " + String(repeating: "a", count: 70_000) + "\n").utf8)
        XCTAssertThrowsError(try big.withUnsafeBytes { try parser.feed($0) }) {
            XCTAssertEqual($0 as? CGIResponseError, .headerTooLarge)
        }
        XCTAssertEqual(CGIResponseError.headerTooLarge.status, 502)
    }
}
