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
}
