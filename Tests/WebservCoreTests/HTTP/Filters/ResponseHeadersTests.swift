import XCTest

@testable import WebservCore

/// The headers filter: which statuses get `add_header` and `expires`, and their values.
final class ResponseHeadersTests: XCTestCase {
    let now = 1_735_689_600  // Wed, 01 Jan 2025 00:00:00 GMT

    func rule(_ name: String, _ value: String, always: Bool = false) throws -> HeaderRule {
        HeaderRule(name: name, value: try VariableTemplate.parse(value).get(), always: always)
    }

    func extra(_ rules: [HeaderRule], _ expires: Expires = .off, status: Int) -> [String] {
        let context = VariableContext(scheme: "http", serverName: "s", serverPort: 80, request: nil) { "1.2.3.4" }
        return ResponseHeaders.extra(rules: rules, expires: expires, status: status, now: now) { context }
            .headers.map { "\($0.name): \($0.value)" }
    }

    func testAddHeaderGoesOnSuccessAndRedirectsUnlessAlways() throws {
        let rules = [try rule("X-A", "a"), try rule("X-B", "b", always: true)]
        for status in [200, 201, 204, 206, 301, 302, 303, 304, 307, 308] {
            XCTAssertEqual(extra(rules, status: status), ["X-A: a", "X-B: b"], "\(status)")
        }
        for status in [100, 202, 203, 300, 400, 401, 403, 404, 500, 503] {
            XCTAssertEqual(extra(rules, status: status), ["X-B: b"], "\(status)")
        }
    }

    func testValuesExpandAndAnEmptyValueAddsNothing() throws {
        let rules = [try rule("X-Addr", "$remote_addr:$server_port"), try rule("X-Empty", "$http_none"), try rule("X-Zero", "")]
        XCTAssertEqual(extra(rules, status: 200), ["X-Addr: 1.2.3.4:80"])
    }

    func testExpiresAsNginxWritesIt() {
        XCTAssertEqual(
            extra([], .seconds(3600), status: 200), ["Expires: Wed, 01 Jan 2025 01:00:00 GMT", "Cache-Control: max-age=3600"])
        XCTAssertEqual(
            extra([], .seconds(0), status: 304), ["Expires: Wed, 01 Jan 2025 00:00:00 GMT", "Cache-Control: max-age=0"])
        XCTAssertEqual(
            extra([], .seconds(-60), status: 200), ["Expires: Tue, 31 Dec 2024 23:59:00 GMT", "Cache-Control: no-cache"])
        XCTAssertEqual(extra([], .epoch, status: 200), ["Expires: Thu, 01 Jan 1970 00:00:01 GMT", "Cache-Control: no-cache"])
        XCTAssertEqual(
            extra([], .max, status: 200), ["Expires: Thu, 31 Dec 2037 23:55:55 GMT", "Cache-Control: max-age=315360000"])
        XCTAssertEqual(extra([], .seconds(3600), status: 404), [])
        XCTAssertEqual(extra([], .off, status: 200), [])
    }
}
