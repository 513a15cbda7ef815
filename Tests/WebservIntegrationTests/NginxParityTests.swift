import Foundation
import XCTest

/// What nginx 1.22 accepts and webserv refused before Tests/differential/config found it: each
/// answered as nginx answers it (checked against the real nginx with the same configuration).
final class NginxParityTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            server_name parity.test;
            root {{ROOT}}/www;
            access_log off;
            location /two/ { index a.html; index b.html; }
            location = /first { return 200 first; return 204; }
            location = /moved { return 301; }
        }
        """

    func makeServer() throws -> TestServer {
        try TestServer(config: Self.config, files: ["www/two/b.html": "second list"])
    }

    func get(_ s: TestServer, _ path: String, method: String = "GET") throws -> HTTPResponse {
        let raw = "\(method) \(path) HTTP/1.1\r\nHost: parity.test\r\nConnection: close\r\n\r\n"
        return try XCTUnwrap(httpRequest(port: s.port, raw))
    }

    /// `index a; index b;`: nginx appends the lists, so b.html is found.
    func testIndexLinesOfOneBlockAppend() throws {
        let s = try makeServer()
        let r = try get(s, "/two/")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "second list")
    }

    /// `return 200 first; return 204;`: the first answers; `return 301;`: an empty Location.
    func testFirstReturnAnswersAndARedirectMayLackAURL() throws {
        let s = try makeServer()
        let first = try get(s, "/first")
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.text, "first")
        let moved = try get(s, "/moved")
        XCTAssertEqual(moved.status, 301)
        XCTAssertEqual(moved.header("Location"), "")
    }
}
