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
            location = /vars {
                return 200 "$remote_port|$server_addr|$status|$request_time|$nginx_version|[$request_body]";
            }
            location = /times { return 200 "$time_iso8601|$msec|$time_local"; }
            location /files/ { return 200 "$document_root|$request_filename"; }
            location /headers/ {
                add_header X-Status $status always;
                add_header X-Sent "[$sent_http_content_type][$sent_http_x_status]" always;
            }
        }
        """

    func makeServer() throws -> TestServer {
        try TestServer(config: Self.config, files: ["www/two/b.html": "second list", "www/headers/h.txt": "h"])
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

    func testConnectionAndResponseVariables() throws {
        let s = try makeServer()
        let r = try get(s, "/vars")
        let parts = r.text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(parts.count, 6, r.text)
        guard parts.count == 6 else { return }
        XCTAssertGreaterThan(Int(parts[0]) ?? 0, 0, "remote_port")
        XCTAssertNotEqual(Int(parts[0]), s.port)
        XCTAssertEqual(parts[1], "127.0.0.1")
        XCTAssertEqual(parts[2], "200", "nginx sets the status before it expands the text")
        XCTAssertNotNil(parts[3].range(of: #"^\d+\.\d{3}$"#, options: .regularExpression), parts[3])
        XCTAssertEqual(parts[4], "0.1.0", "webserv's own version (webserv -v)")
        XCTAssertEqual(parts[5], "[]", "a body is never held in memory")
    }

    func testTimeVariables() throws {
        let s = try makeServer()
        let parts = try get(s, "/times").text.split(separator: "|").map(String.init)
        XCTAssertEqual(parts.count, 3)
        guard parts.count == 3 else { return }
        XCTAssertNotNil(
            parts[0].range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$"#, options: .regularExpression), parts[0])
        let msec = Double(parts[1]) ?? 0
        XCTAssertEqual(msec, Date().timeIntervalSince1970, accuracy: 60)
        XCTAssertNotNil(parts[1].range(of: #"^\d+\.\d{3}$"#, options: .regularExpression), parts[1])
        XCTAssertNotNil(
            parts[2].range(of: #"^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$"#, options: .regularExpression), parts[2])
    }

    func testDocumentRootAndRequestFilename() throws {
        let s = try makeServer()
        let r = try get(s, "/files/a.txt")
        let root = s.directory.path + "/www"
        XCTAssertEqual(r.text, "\(root)|\(root)/files/a.txt")
    }

    /// `$status` and `$sent_http_NAME` in add_header: the response's status and headers,
    /// including the ones added before (nginx: `X-Sent: [text/html][404]`).
    func testAddHeaderSeesTheStatusAndTheSentHeaders() throws {
        let s = try makeServer()
        let missing = try get(s, "/headers/none")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.header("X-Status"), "404")
        XCTAssertEqual(missing.header("X-Sent"), "[text/html][404]")
        for attempt in 0..<3 {  // then from the file cache's prebuilt head
            let found = try get(s, "/headers/h.txt")
            XCTAssertEqual(found.header("X-Status"), "200")
            XCTAssertEqual(found.header("X-Sent"), "[text/plain][200]", "attempt \(attempt)")
        }
    }
}
