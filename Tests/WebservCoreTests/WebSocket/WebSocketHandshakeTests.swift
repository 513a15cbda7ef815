import XCTest

@testable import WebservCore

final class WebSocketHandshakeTests: XCTestCase {
    private let goodHeaders: [String: String] = [
        "host": "server.example.com",
        "upgrade": "websocket",
        "connection": "Upgrade",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-version": "13",
        "origin": "http://example.com",
    ]

    private func check(
        _ headers: [String: String], method: String = "GET", version: (Int, Int) = (1, 1), origins: [String]? = nil
    ) -> WebSocketHandshake.Result {
        WebSocketHandshake.validate(
            method: method, versionMajor: version.0, versionMinor: version.1,
            header: { headers[$0].map { Array($0.utf8) } }, allowedOrigins: origins)
    }

    private func status(_ result: WebSocketHandshake.Result) -> Int {
        switch result {
        case .accept: 101
        case .reject(let status, _): status
        case .notUpgrade: 0
        }
    }

    private func headers(_ result: WebSocketHandshake.Result) -> [String] {
        switch result {
        case .accept(let h), .reject(_, let h): h.map { "\($0.0): \($0.1)" }
        case .notUpgrade: []
        }
    }

    func testRFCExampleKey() {
        // RFC 6455 §1.3 and §4.2.2. (The project brief quoted "s3pPLMBiTxaAhxiHCs/OsF/1MkM=", which is not
        // what the RFC, MDN or `openssl sha1 -binary | base64` give for this key.)
        XCTAssertEqual(
            WebSocketHandshake.acceptValue(forKey: Array("dGhlIHNhbXBsZSBub25jZQ==".utf8)), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    func testAcceptsValidUpgrade() {
        let result = check(goodHeaders)
        XCTAssertEqual(status(result), 101)
        XCTAssertEqual(
            headers(result), ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="])
    }

    func testTokenListsAreCaseInsensitive() {
        var h = goodHeaders
        h["upgrade"] = "foo/1, WebSocket"
        h["connection"] = "keep-alive,  UPGRADE "
        XCTAssertEqual(status(check(h)), 101)
        XCTAssertEqual(status(check(h, version: (2, 0))), 101)
    }

    func testPlainRequestIsNotUpgrade() {
        var h = goodHeaders
        h["upgrade"] = nil
        XCTAssertEqual(status(check(h)), 0)
        h = goodHeaders
        h["connection"] = "keep-alive"
        XCTAssertEqual(status(check(h)), 0)
        h = goodHeaders
        h["upgrade"] = "websocketx"
        XCTAssertEqual(status(check(h)), 0)
        XCTAssertEqual(status(check(h, method: "POST")), 0, "a POST to a broadcast room is the caller's business")
    }

    func testWrongMethodIs405WithAllow() {
        let result = check(goodHeaders, method: "POST")
        XCTAssertEqual(status(result), 405)
        XCTAssertEqual(headers(result), ["Allow: GET"])
    }

    func testHTTP10Is400() {
        XCTAssertEqual(status(check(goodHeaders, version: (1, 0))), 400)
    }

    func testWrongOrMissingVersionIs426() {
        for version in ["8", "12", "14", "", nil] as [String?] {
            var h = goodHeaders
            h["sec-websocket-version"] = version
            let result = check(h)
            XCTAssertEqual(status(result), 426)
            XCTAssertEqual(headers(result), ["Sec-WebSocket-Version: 13"])
        }
    }

    func testBadKeyIs400() {
        for key in [
            nil, "", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25j", "AAAAAAAAAAAAAAAAAAAAAAAA",
            "dGhlIHNhbXBsZSBub25jZQ=!",
        ] as [String?] {
            var h = goodHeaders
            h["sec-websocket-key"] = key
            XCTAssertEqual(status(check(h)), 400, key ?? "nil")
        }
    }

    func testOriginAllowList() {
        XCTAssertEqual(status(check(goodHeaders, origins: ["http://example.com"])), 101)
        XCTAssertEqual(status(check(goodHeaders, origins: ["HTTP://EXAMPLE.COM"])), 101)
        XCTAssertEqual(status(check(goodHeaders, origins: ["http://other.example"])), 403)
        XCTAssertEqual(status(check(goodHeaders, origins: [])), 403)
        var h = goodHeaders
        h["origin"] = nil
        XCTAssertEqual(status(check(h, origins: ["http://other.example"])), 101, "non-browser clients send no Origin")
    }

    func testHasToken() {
        XCTAssertTrue(WebSocketHandshake.hasToken("upgrade", in: Array("Upgrade".utf8)[...]))
        XCTAssertTrue(WebSocketHandshake.hasToken("upgrade", in: Array(",,upgrade,".utf8)[...]))
        XCTAssertFalse(WebSocketHandshake.hasToken("upgrade", in: Array("upgraded, keep-alive".utf8)[...]))
        XCTAssertFalse(WebSocketHandshake.hasToken("upgrade", in: [][...]))
    }
}
