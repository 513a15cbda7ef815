import XCTest

@testable import WebservCore

/// The request head parser, picohttpparser-style: a row for every hostile byte, every truncated
/// prefix, and the same answer however the bytes are cut into reads.
final class RequestHeadParserTests: XCTestCase {
    // MARK: helpers

    /// Feeds `pieces` the way a connection does: each read appends to one growing buffer and
    /// `findEnd` looks again. Returns the head length, nil if never complete, or the error.
    private func findEnd(_ pieces: [[UInt8]]) -> Result<Int?, HTTPParseError> {
        var parser = RequestHeadParser()
        var buffer: [UInt8] = []
        for piece in pieces {
            buffer += piece
            do {
                if let n = try buffer.withUnsafeBytes({ (p) throws(HTTPParseError) -> Int? in try parser.findEnd(p) }) {
                    return .success(n)
                }
            } catch let e as HTTPParseError {
                return .failure(e)
            } catch {
                XCTFail("untyped error \(error)")
            }
        }
        return .success(nil)
    }

    private func parse(_ text: String) -> Result<RequestHead, HTTPParseError> {
        parse(Array(text.utf8))
    }

    private func parse(_ bytes: [UInt8]) -> Result<RequestHead, HTTPParseError> {
        do throws(HTTPParseError) { return .success(try RequestHeadParser.parse(bytes)) } catch { return .failure(error) }
    }

    /// The status a complete head gets: 0 when it parses.
    private func status(_ text: String) -> Int {
        switch parse(text) {
        case .success: return 0
        case .failure(let e): return e.status
        }
    }

    static let valid: [String] = [
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /index.html?x=1 HTTP/1.0\r\n\r\n",
        "POST /u HTTP/1.1\r\nHost: example.com:8080\r\nContent-Length: 5\r\nX-Empty:\r\n\r\n",
        "GET / HTTP/1.1\nHost: a\n\n",
        "\r\nGET / HTTP/1.1\r\nHost: a\r\nUser-Agent: t/1 (x; y)\r\nAccept: */*\r\n\r\n",
    ]

    // MARK: findEnd

    func testFindEndAgreesWholeByteByByteAndAtRandomSplits() {
        for text in Self.valid {
            let input = Array(text.utf8) + Array("GET /next HTTP/1.1\r\n".utf8)
            let expected = Array(text.utf8).count
            for pieces in FeedSplits.all(input) {
                XCTAssertEqual(try findEnd(pieces).get(), expected, "\(text.debugDescription) cut \(pieces.map(\.count))")
            }
            for pieces in FeedSplits.twoPieces(input) {
                XCTAssertEqual(try findEnd(pieces).get(), expected, "\(text.debugDescription) cut \(pieces.map(\.count))")
            }
        }
    }

    func testEveryTruncatedPrefixNeedsMoreBytes() {
        for text in Self.valid {
            let input = Array(text.utf8)
            for n in 0..<input.count {
                XCTAssertEqual(try findEnd([Array(input[..<n])]).get(), nil, "prefix \(n) of \(text.debugDescription)")
                XCTAssertEqual(try findEnd(FeedSplits.byteByByte(Array(input[..<n]))).get(), nil)
            }
        }
    }

    func testFindEndRefusesARequestLineOver8KiBBeforeItEnds() {
        let line = Array("GET /".utf8) + [UInt8](repeating: 0x61, count: 9000)
        XCTAssertEqual(findEnd([line]), .failure(.requestLineTooLong))
        XCTAssertEqual(findEnd(FeedSplits.random(line, seed: 7, maxPiece: 1500)), .failure(.requestLineTooLong))
    }

    /// A request line of exactly `length` bytes: method SP target SP version, without the CRLF.
    private func requestLine(length: Int, method: String = "GET") -> [UInt8] {
        let fixed = Array("\(method) / HTTP/1.1".utf8)
        return Array("\(method) /".utf8) + [UInt8](repeating: 0x61, count: length - fixed.count) + Array(" HTTP/1.1".utf8)
    }

    func testFindEndWaitsForAnExactly8KiBRequestLineHoweverItIsCut() {
        let head = requestLine(length: 8192) + Array("\r\nHost: a\r\n\r\n".utf8)
        // Cut before, on, and after the line's CR and LF: the limit must not fire early.
        for cut in 8190...8196 {
            XCTAssertEqual(findEnd([Array(head[..<cut]), Array(head[cut...])]), .success(head.count), "cut at \(cut)")
        }
        XCTAssertEqual(findEnd(FeedSplits.random(head, seed: 11, maxPiece: 3000)), .success(head.count))
        XCTAssertEqual(findEnd(FeedSplits.random(head, seed: 12, maxPiece: 20)), .success(head.count))
        let bareLF = requestLine(length: 8192) + Array("\nHost: a\n\n".utf8)
        XCTAssertEqual(findEnd([Array(bareLF[..<8193]), Array(bareLF[8193...])]), .success(bareLF.count))
    }

    func testFindEndRefusesAn8193ByteRequestLineBeforeItEnds() {
        let line = requestLine(length: 8193)
        XCTAssertEqual(findEnd([line]), .failure(.requestLineTooLong))
        XCTAssertEqual(findEnd([line + [0x0D]]), .failure(.requestLineTooLong))
        XCTAssertEqual(findEnd([Array("\r\n".utf8) + line]), .failure(.requestLineTooLong))
        XCTAssertEqual(findEnd([requestLine(length: 8192) + [0x0D]]), .success(nil), "8,192 bytes and CR: wait for LF")
    }

    func testFindEndRefusesARequestLineWithoutAVersionAsSoonAsItEnds() {
        // HTTP/0.9's "GET /path" never sends the blank line: answered 400 when its line ends,
        // not left waiting for client_header_timeout.
        for text in ["GET /a.txt\r\n", "GET /a.txt\n", "\r\nGET /a.txt\r\n", "GET\r\n", "GET /a\tHTTP/1.1\r\n"] {
            let input = Array(text.utf8)
            for pieces in [[input], FeedSplits.byteByByte(input), FeedSplits.random(input, seed: 5, maxPiece: 4)] {
                XCTAssertEqual(findEnd(pieces).failureStatus, 400, "\(text.debugDescription) cut \(pieces.map(\.count))")
            }
        }
        XCTAssertEqual(try findEnd([Array("GET /a.txt".utf8)]).get(), nil, "the line has not ended yet")
        XCTAssertEqual(try findEnd([Array("GET /a.txt HTTP/1.1\r\n".utf8)]).get(), nil)
    }

    func testFindEndRefusesAnEndlessHeaderSection() {
        var head = Array("GET / HTTP/1.1\r\nHost: a\r\n".utf8)
        while head.count < 41 * 1024 { head += Array("X-Filler: \(String(repeating: "b", count: 100))\r\n".utf8) }
        XCTAssertEqual(findEnd([head]), .failure(.headersTooLarge))
        XCTAssertEqual(findEnd(FeedSplits.random(head, seed: 3, maxPiece: 4000)), .failure(.headersTooLarge))
    }

    // MARK: parse: accepted forms

    func testParsesMethodTargetVersionAndHeaders() throws {
        let h = try parse("GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: Example.COM\r\nX-A:  spaced value \t\r\n\r\n").get()
        XCTAssertEqual(h.method, .get)
        XCTAssertEqual(h.target, "/a/b?x=1&y=2")
        XCTAssertEqual(h.pathString, "/a/b")
        XCTAssertEqual(h.query, "x=1&y=2")
        XCTAssertEqual(h.minorVersion, 1)
        XCTAssertEqual(h.host.map { String(decoding: $0, as: UTF8.self) }, "Example.COM")
        XCTAssertEqual(h.headerString("x-a"), "spaced value")
        XCTAssertTrue(h.keepAlive)
        XCTAssertEqual(h.framing, BodyFraming.none)
    }

    func testListFieldsMayRepeatWhereOneValueFieldsMayNot() throws {
        let text =
            "GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: br\r\nAccept-Encoding: gzip\r\nCookie: a=1\r\nCookie: b=2\r\n"
            + "X-Any: 1\r\nX-Any: 2\r\nRange: bytes=0-1\r\nRange: bytes=2-3\r\n\r\n"
        XCTAssertNoThrow(try parse(text).get())
        XCTAssertEqual(status("GET / HTTP/1.1\r\nHost: a\r\nIf-Match: *\r\nX: 1\r\nIF-MATCH: *\r\n\r\n"), 400)
    }

    func testUnknownMethodTokenParsesAsOther() throws {
        XCTAssertEqual(try parse("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n").get().method, .other)
        XCTAssertEqual(try parse("get / HTTP/1.1\r\nHost: a\r\n\r\n").get().method, .other, "methods are case-sensitive")
        XCTAssertEqual(try parse("DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n").get().method, .delete)
    }

    func testAbsoluteFormTargetSuppliesHostAndPath() throws {
        let h = try parse("GET http://Example.com:81/p/q?z HTTP/1.1\r\nHost: other\r\n\r\n").get()
        XCTAssertEqual(h.host.map { String(decoding: $0, as: UTF8.self) }, "Example.com:81")
        XCTAssertEqual(h.pathString, "/p/q")
        XCTAssertEqual(h.query, "z")
        let bare = try parse("GET http://example.com HTTP/1.1\r\nHost: x\r\n\r\n").get()
        XCTAssertEqual(bare.pathString, "/")
    }

    /// RFC 9112 §3.2 and nginx: an HTTP/1.1 request needs a valid Host field even when its
    /// absolute-form target names the host; HTTP/1.0 does not.
    func testAbsoluteFormOnHTTP11WithoutOrWithEmptyHostIsRejected() throws {
        for head in ["", "Host:\r\n", "Host: \r\n", "Host: :80\r\n", "Host: a b\r\n"] {
            let text = "GET http://b.test/x HTTP/1.1\r\n\(head)\r\n"
            guard case .failure(let e) = parse(text) else { return XCTFail("accepted \(text.debugDescription)") }
            XCTAssertEqual(e.status, 400, head)
        }
        let h = try parse("GET http://b.test/x HTTP/1.0\r\n\r\n").get()
        XCTAssertEqual(h.host.map { String(decoding: $0, as: UTF8.self) }, "b.test")
    }

    func testHTTP10WithoutHostIsAccepted() throws {
        let h = try parse("GET / HTTP/1.0\r\n\r\n").get()
        XCTAssertEqual(h.minorVersion, 0)
        XCTAssertFalse(h.keepAlive)
    }

    /// nginx: "client sent invalid host header", 400, for an empty name or bytes no host has.
    func testEmptyOrMalformedHostIsRejected() throws {
        for host in ["", "   ", ":80", "a b", "a/b", "a\\b", "user@a", "a..b", ".."] {
            for version in ["1.1", "1.0"] {
                let text = "GET / HTTP/\(version)\r\nHost: \(host)\r\n\r\n"
                guard case .failure(let e) = parse(text) else { return XCTFail("accepted Host \"\(host)\" on \(version)") }
                XCTAssertEqual(e.status, 400, host)
            }
        }
        for host in ["a", "a.b.", "127.0.0.1:8080", "[::1]:80", "xn--bcher-kva.example"] {
            XCTAssertNoThrow(try parse("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n").get(), host)
        }
    }

    func testConnectionHeaderDecidesKeepAlive() throws {
        XCTAssertFalse(try parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n").get().keepAlive)
        XCTAssertTrue(try parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").get().keepAlive)
        XCTAssertFalse(try parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close\r\n\r\n").get().keepAlive)
    }

    func testBodyFraming() throws {
        XCTAssertEqual(try parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n").get().framing, .contentLength(12))
        XCTAssertEqual(try parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").get().framing, BodyFraming.none)
        XCTAssertEqual(try parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n").get().framing, .chunked)
    }

    func testExpectContinueIsRecognised() throws {
        XCTAssertTrue(
            try parse("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n").get().expectsContinue)
        XCTAssertFalse(try parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n").get().expectsContinue)
    }

    // MARK: parse: hostile rows

    func testHostileRowsGetTheirStatus() {
        let rows: [(String, Int, String)] = [
            ("GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n", 400, "bare CR in a value"),
            ("GET / HTTP/1.1\rHost: a\r\n\r\n", 400, "bare CR ending the request line"),
            ("GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n z\r\n\r\n", 400, "obs-fold"),
            ("GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n\tz\r\n\r\n", 400, "obs-fold with tab"),
            ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "space before colon"),
            ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n", 400, "NUL in a value"),
            ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{7F}b\r\n\r\n", 400, "DEL in a value"),
            ("GET / HTTP/1.1\r\nHost: a\r\n: empty name\r\n\r\n", 400, "empty header name"),
            ("GET / HTTP/1.1\r\nHost: a\r\nX@Y: 1\r\n\r\n", 400, "non-token header name"),
            ("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400, "header without colon"),
            ("GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400, "bad minor"),
            ("GET / HTTP/1\r\nHost: a\r\n\r\n", 400, "short version"),
            ("GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400, "long version"),
            ("GET / http/1.1\r\nHost: a\r\n\r\n", 400, "lower-case protocol"),
            ("GET / FOO/1.1\r\nHost: a\r\n\r\n", 400, "other protocol"),
            ("GET /\r\nHost: a\r\n\r\n", 400, "HTTP/0.9 style line"),
            ("GET  HTTP/1.1\r\nHost: a\r\n\r\n", 400, "missing target"),
            (" GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "leading space"),
            ("GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "non-token method"),
            ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "HTTP/2.0"),
            ("GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505, "HTTP/3.0"),
            ("GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505, "HTTP/1.2"),
            ("GET / HTTP/1.1\r\n\r\n", 400, "1.1 without Host"),
            ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "duplicate Host"),
            ("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "slash in Host"),
            ("GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400, "userinfo in Host"),
            ("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400, "asterisk target without OPTIONS"),
            ("GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "relative target"),
            ("GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad percent escape"),
            ("GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "encoded NUL in the path"),
            ("GET /../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", 403, "above the root"),
            ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 400, "duplicate Content-Length"),
            ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400, "list Content-Length"),
            ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400, "signed Content-Length"),
            ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400, "negative Content-Length"),
            ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400, "huge Content-Length"),
            ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 400, "hex Content-Length"),
            ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400, "empty Content-Length"),
            ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "CL and TE"),
            ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400, "TE and CL"),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
                "duplicate TE"
            ),
            ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "TE in HTTP/1.0"),
            ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "TE gzip"),
            ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "TE gzip, chunked"),
            // As nginx ("client sent duplicate header line"): one-value fields twice, any case.
            ("GET / HTTP/1.1\r\nHost: a\r\nIf-None-Match: \"a\"\r\nif-none-match: *\r\n\r\n", 400, "duplicate If-None-Match"),
            ("GET / HTTP/1.1\r\nHost: a\r\nIf-Match: *\r\nIf-Match: *\r\n\r\n", 400, "duplicate If-Match"),
            ("GET / HTTP/1.1\r\nHost: a\r\nIf-Range: \"a\"\r\nIf-Range: \"b\"\r\n\r\n", 400, "duplicate If-Range"),
            ("GET / HTTP/1.1\r\nHost: a\r\nIf-Modified-Since: x\r\nIf-Modified-Since: y\r\n\r\n", 400, "duplicate IMS"),
            ("GET / HTTP/1.1\r\nHost: a\r\nIf-Unmodified-Since: x\r\nIf-Unmodified-Since: y\r\n\r\n", 400, "duplicate IUS"),
            ("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Basic a\r\nAuthorization: Basic b\r\n\r\n", 400, "two Authorization"),
            ("GET / HTTP/1.1\r\nHost: a\r\nContent-Range: a\r\nContent-Range: b\r\n\r\n", 400, "two Content-Range"),
            ("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nExpect: 100-continue\r\n\r\n", 400, "two Expect"),
            // As nginx: an unknown coding is refused (501) before the CL + TE conflict (400).
            ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\nContent-Length: 5\r\n\r\n", 501, "TE identity and CL"),
            ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "CL and TE gzip"),
        ]
        for (text, expected, why) in rows {
            XCTAssertEqual(status(text), expected, why)
        }
    }

    func testRequestLineOver8KiBIs414() {
        let long = "GET /" + String(repeating: "a", count: 8 * 1024 + 10) + " HTTP/1.1\r\nHost: a\r\n\r\n"
        XCTAssertEqual(status(long), 414)
        let fits = "GET /" + String(repeating: "a", count: 8 * 1024 - 100) + " HTTP/1.1\r\nHost: a\r\n\r\n"
        XCTAssertEqual(status(fits), 0)
    }

    func testRequestLineLimitCountsTheWholeLineFromTheMethod() {
        for method in ["GET", "DELETE"] {
            let fits = String(decoding: requestLine(length: 8192, method: method), as: UTF8.self)
            XCTAssertEqual(status(fits + "\r\nHost: a\r\n\r\n"), 0, "\(method): 8,192 bytes")
            for length in 8193...8197 {
                let long = String(decoding: requestLine(length: length, method: method), as: UTF8.self)
                XCTAssertEqual(status(long + "\r\nHost: a\r\n\r\n"), 414, "\(method): \(length) bytes")
            }
        }
        let afterEmptyLines = "\r\n\r\n" + String(decoding: requestLine(length: 8192), as: UTF8.self)
        XCTAssertEqual(status(afterEmptyLines + "\r\nHost: a\r\n\r\n"), 0, "empty lines before it do not count")
    }

    func testHeaderSectionOver32KiBIs431() {
        var text = "GET / HTTP/1.1\r\nHost: a\r\n"
        while text.utf8.count < 33 * 1024 { text += "X-Filler: \(String(repeating: "b", count: 200))\r\n" }
        XCTAssertEqual(status(text + "\r\n"), 431)
        var fits = "GET / HTTP/1.1\r\nHost: a\r\n"
        while fits.utf8.count < 30 * 1024 { fits += "X-Filler: \(String(repeating: "b", count: 200))\r\n" }
        XCTAssertEqual(status(fits + "\r\n"), 0)
    }

    func testSeveralEmptyLinesBeforeTheRequestLineAreIgnored() throws {
        // RFC 9112 §2.2 (and nginx): empty lines before a request line are skipped, also
        // when they arrive in pieces.
        let input = Array("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        guard case .success(let n?) = findEnd([input]) else { return XCTFail("head not found") }
        XCTAssertEqual(n, input.count)
        guard case .success(let m?) = findEnd(input.map { [$0] }) else { return XCTFail("head not found byte by byte") }
        XCTAssertEqual(m, input.count)
        XCTAssertEqual(try parse(input).get().pathString, "/")
    }

    func testEachErrorMapsToItsStatus() {
        XCTAssertEqual(HTTPParseError.badRequest("x").status, 400)
        XCTAssertEqual(HTTPParseError.requestLineTooLong.status, 414)
        XCTAssertEqual(HTTPParseError.headersTooLarge.status, 431)
        XCTAssertEqual(HTTPParseError.unknownMethod.status, 501)
        XCTAssertEqual(HTTPParseError.versionNotSupported.status, 505)
        XCTAssertEqual(HTTPParseError.unsupportedTransferCoding.status, 501)
    }
}

extension Result where Failure == HTTPParseError {
    /// The status of the error, or nil on success.
    fileprivate var failureStatus: Int? {
        if case .failure(let e) = self { return e.status }
        return nil
    }
}
