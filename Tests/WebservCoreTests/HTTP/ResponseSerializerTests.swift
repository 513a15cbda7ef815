import XCTest

@testable import WebservCore

/// The response head as it goes on the wire: status line, connection header and framing.
final class ResponseSerializerTests: XCTestCase {
    private let date = Array("Sun, 06 Nov 1994 08:49:37 GMT".utf8)

    private func head(_ r: Response, minor: Int = 1, keepAlive: Bool = true, chunked: Bool = false) -> String {
        var out: [UInt8] = []
        ResponseSerializer.head(r, minorVersion: minor, keepAlive: keepAlive, date: date, chunked: chunked, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func testStatusLineIsHTTP11ForHTTP10Requests() {
        for status in [200, 206, 301, 304, 404, 500] {
            for minor in [0, 1] {
                let text = head(Response(status: status), minor: minor)
                XCTAssertTrue(text.hasPrefix("HTTP/1.1 \(status) \(HTTPStatus.reason(status))\r\n"), "1.\(minor): \(text)")
            }
        }
    }

    func testConnectionHeaderStillFollowsTheRequestVersion() {
        XCTAssertTrue(head(Response(status: 200), minor: 0, keepAlive: true).contains("\r\nConnection: keep-alive\r\n"))
        XCTAssertTrue(head(Response(status: 200), minor: 0, keepAlive: false).contains("\r\nConnection: close\r\n"))
        XCTAssertFalse(head(Response(status: 200), minor: 1, keepAlive: true).contains("Connection:"))
        XCTAssertTrue(head(Response(status: 200), minor: 1, keepAlive: false).contains("\r\nConnection: close\r\n"))
    }

    /// `keepalive_timeout 75s 60s;`: keep-alive responses announce the second value, as nginx.
    func testKeepAliveHeaderOnKeepAliveResponsesOnly() {
        func text(_ status: Int, minor: Int, keepAlive: Bool, seconds: Int?) -> String {
            var out: [UInt8] = []
            ResponseSerializer.head(
                Response(status: status), minorVersion: minor, keepAlive: keepAlive, date: date, chunked: false,
                keepAliveHeader: seconds, into: &out)
            return String(decoding: out, as: UTF8.self)
        }
        for minor in [0, 1] {
            XCTAssertTrue(text(200, minor: minor, keepAlive: true, seconds: 60).contains("\r\nKeep-Alive: timeout=60\r\n"))
            XCTAssertTrue(text(404, minor: minor, keepAlive: true, seconds: 0).contains("\r\nKeep-Alive: timeout=0\r\n"))
            XCTAssertFalse(text(200, minor: minor, keepAlive: false, seconds: 60).contains("Keep-Alive"))
            XCTAssertFalse(text(200, minor: minor, keepAlive: true, seconds: nil).contains("Keep-Alive"))
        }
        XCTAssertFalse(text(101, minor: 1, keepAlive: true, seconds: 60).contains("Keep-Alive"))
        XCTAssertTrue(text(200, minor: 1, keepAlive: true, seconds: 5).hasSuffix("Keep-Alive: timeout=5\r\n\r\n"))
    }
}
