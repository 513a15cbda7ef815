import Foundation
import XCTest

/// SPEC 7 (variables) and 8 (`add_header`, `expires`): over real sockets, cached hits included.
final class HeadersAndVariablesTests: XCTestCase {
    static let config = """
        http {
            add_header X-Http h;
            add_header X-Frame-Options DENY;
            server {
                listen 127.0.0.1:0;
                server_name site.test;
                root {{ROOT}}/www;
                access_log off;
                add_header X-Server "$host:$server_port" always;
                add_header Strict-Transport-Security "max-age=63072000";
                error_page 410 http://$host/gone?from=$uri;
                location /static/ { expires 1h; add_header X-Frame-Options SAMEORIGIN; }
                location /never/ { expires -1; }
                location /forever/ { expires max; }
                location /nginx/ { add_header_inherit off; add_header X-Only only; }
                location = /https { return 301 https://$host$request_uri; }
                location = /text { return 200 "$request_method $uri $args $remote_addr $http_x_name $scheme"; }
                location = /gone { return 410; }
                location = /named { return 302 /to/$server_name; }
            }
        }
        """

    func makeServer() throws -> TestServer {
        try TestServer(
            config: Self.config,
            files: ["www/index.html": "home", "www/static/app.css": "body{}", "www/never/n.txt": "n", "www/forever/f.txt": "f"])
    }

    func get(_ s: TestServer, _ path: String, _ headers: String = "", method: String = "GET") throws -> HTTPResponse {
        let raw = "\(method) \(path) HTTP/1.1\r\nHost: Site.Test:1234\r\nConnection: close\r\n\(headers)\r\n"
        return try XCTUnwrap(httpRequest(port: s.port, raw, head: method == "HEAD"))
    }

    func testReturnExpandsVariablesAsNginx() throws {
        let s = try makeServer()
        let r = try get(s, "/https?a=1&b=%20")
        XCTAssertEqual(r.status, 301)
        XCTAssertEqual(r.header("Location"), "https://site.test/https?a=1&b=%20")
        let t = try get(s, "/text?q=1", "X-Name: hello\r\n")
        XCTAssertEqual(t.text, "GET /text q=1 127.0.0.1 hello http")
        XCTAssertEqual(try get(s, "/named").header("Location"), "/to/site.test")
        // An absolute-form target: $host and $request_uri as nginx splits them.
        let absolute = try get(s, "http://Other.Test/https?a=1")
        XCTAssertEqual(absolute.header("Location"), "https://other.test/https?a=1")
    }

    func testErrorPageURLExpandsVariables() throws {
        let s = try makeServer()
        let r = try get(s, "/gone")
        XCTAssertEqual(r.status, 302)
        XCTAssertEqual(r.header("Location"), "http://site.test/gone?from=/gone")
    }

    func testAddHeaderMergesDownTheTreeOnFilesAndCachedHits() throws {
        let s = try makeServer()
        for attempt in 0..<3 {  // the second and third come from the file cache's prebuilt head
            let r = try get(s, "/static/app.css")
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(r.text, "body{}")
            XCTAssertEqual(r.header("X-Http"), "h", "attempt \(attempt)")
            XCTAssertEqual(r.header("X-Server"), "site.test:\(s.port)")
            XCTAssertEqual(r.header("Strict-Transport-Security"), "max-age=63072000")
            XCTAssertEqual(r.header("X-Frame-Options"), "SAMEORIGIN")
            XCTAssertEqual(r.headers.filter { $0.0.lowercased() == "x-frame-options" }.count, 1)
            XCTAssertEqual(r.header("Cache-Control"), "max-age=3600")
            XCTAssertNotNil(r.header("Expires"))
        }
        let home = try get(s, "/")
        XCTAssertEqual(home.header("X-Frame-Options"), "DENY")
        XCTAssertNil(home.header("Cache-Control"))
    }

    func testErrorsGetOnlyTheAlwaysHeaders() throws {
        let s = try makeServer()
        let r = try get(s, "/missing")
        XCTAssertEqual(r.status, 404)
        XCTAssertEqual(r.header("X-Server"), "site.test:\(s.port)")
        XCTAssertNil(r.header("X-Http"))
        XCTAssertNil(r.header("Strict-Transport-Security"))
        let expired = try get(s, "/static/none.css")
        XCTAssertEqual(expired.status, 404)
        XCTAssertNil(expired.header("Cache-Control"))
    }

    func testARequestRefusedBeforeItsHeadParsedGetsTheServersAlwaysHeaders() throws {
        let s = try makeServer()
        let r = try XCTUnwrap(httpRequest(port: s.port, "GET / HTTP/1.1\r\nHost x\r\n\r\n"))
        XCTAssertEqual(r.status, 400)
        XCTAssertEqual(r.header("X-Server"), "site.test:\(s.port)")
        XCTAssertNil(r.header("X-Http"))
    }

    func testNotModifiedAndHeadCarryTheHeaders() throws {
        let s = try makeServer()
        let first = try get(s, "/static/app.css")
        let etag = try XCTUnwrap(first.header("ETag"))
        let r = try get(s, "/static/app.css", "If-None-Match: \(etag)\r\n")
        XCTAssertEqual(r.status, 304)
        XCTAssertEqual(r.header("X-Http"), "h")
        XCTAssertEqual(r.header("Cache-Control"), "max-age=3600")
        let head = try get(s, "/static/app.css", method: "HEAD")
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("X-Frame-Options"), "SAMEORIGIN")
    }

    func testExpiresNegativeAndMaxAsNginx() throws {
        let s = try makeServer()
        let never = try get(s, "/never/n.txt")
        XCTAssertEqual(never.header("Cache-Control"), "no-cache")
        let expires = try XCTUnwrap(never.header("Expires"))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let date = try XCTUnwrap(formatter.date(from: expires), expires)
        XCTAssertLessThan(date.timeIntervalSinceNow, 1)
        XCTAssertGreaterThan(date.timeIntervalSinceNow, -10)
        let forever = try get(s, "/forever/f.txt")
        XCTAssertEqual(forever.header("Cache-Control"), "max-age=315360000")
        XCTAssertEqual(forever.header("Expires"), "Thu, 31 Dec 2037 23:55:55 GMT")
    }

    func testAddHeaderInheritOffReplacesAsNginx() throws {
        let s = try makeServer()
        try s.write("www/nginx/x.txt", "x")
        let r = try get(s, "/nginx/x.txt")
        XCTAssertEqual(r.header("X-Only"), "only")
        XCTAssertNil(r.header("X-Http"))
        XCTAssertNil(r.header("X-Server"))
    }

    func testCurlSeesTheHeaders() throws {
        let s = try makeServer()
        let out = try curl(["-sI", "http://127.0.0.1:\(s.port)/static/app.css"])
        XCTAssertTrue(out.contains("X-Frame-Options: SAMEORIGIN\r\n"), out)
        XCTAssertTrue(out.contains("Cache-Control: max-age=3600\r\n"), out)
    }
}
