import XCTest

@testable import WebservCore

/// nginx's `combined` line, `$remote_user` from `Authorization: Basic`.
final class CombinedLogFormatTests: XCTestCase {
    private func user(_ header: String?) -> String? {
        CombinedLogFormat.basicUser(header.map { Array($0.utf8)[...] }).map { String(decoding: $0, as: UTF8.self) }
    }

    func testBasicUserIsThePartBeforeTheFirstColon() {
        XCTAssertEqual(user("Basic " + Base64.encode(Array("ann:se:cret".utf8))), "ann")
        XCTAssertEqual(user("BASIC   " + Base64.encode(Array("bob:".utf8))), "bob")
    }

    func testNoUserForOtherSchemesBadBase64NoColonOrEmptyName() {
        XCTAssertNil(user(nil))
        XCTAssertNil(user("Bearer " + Base64.encode(Array("ann:x".utf8))))
        XCTAssertNil(user("Basic"))
        XCTAssertNil(user("Basic !!!!"))
        XCTAssertNil(user("Basic " + Base64.encode(Array("nocolon".utf8))))
        XCTAssertNil(user("Basic " + Base64.encode(Array(":pass".utf8))))
        XCTAssertNil(user("Basicx" + Base64.encode(Array("ann:x".utf8))))
    }

    func testUserIsEscapedInTheLine() {
        let line = CombinedLogFormat.line(
            remote: "10.0.0.1", time: Array("01/Jan/2026:00:00:00 +0000".utf8), request: Array("GET / HTTP/1.1".utf8),
            status: 200, bytes: 5, referer: nil, userAgent: nil,
            authorization: Array(("Basic " + Base64.encode([0x61, 0x22, 0x0A, 0x3A, 0x70])).utf8)[...])
        XCTAssertEqual(
            String(decoding: line, as: UTF8.self),
            "10.0.0.1 - a\\x22\\x0A [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"-\"\n")
    }
}
