import Foundation
import XCTest

/// The demo site in www/ as a browser first meets it (issue 12).
final class DemoSiteTests: XCTestCase {
    /// Browsers ask every site for /favicon.ico: a missing one logged a console error and cost
    /// a full 404 page on every page view, on the main site and on vhost2.
    func testBothDemoSitesHaveAFavicon() throws {
        let s = try TestServer(
            config: """
                server {
                    listen 127.0.0.1:0;
                    root {{REPO}}/www;
                    access_log off;
                    location /vhost2/ { alias {{REPO}}/www/vhost2/; }
                }
                """)
        for path in ["/favicon.ico", "/vhost2/favicon.ico"] {
            let r = try XCTUnwrap(
                httpRequest(port: s.port, "GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
            XCTAssertEqual(r.status, 200, path)
            XCTAssertEqual(r.header("Content-Type"), "image/x-icon")
            XCTAssertEqual(Array(r.body.prefix(4)), [0, 0, 1, 0], "an ICO header")
        }
    }

    /// conf/default.conf itself, its ports made ephemeral (and no TLS include); `edit` changes
    /// its text first.
    func demo(_ edit: (String) -> String = { $0 }) throws -> TestServer {
        let conf = try String(contentsOf: TestServer.packageRoot.appendingPathComponent("conf/default.conf"), encoding: .utf8)
        // Without its comments, whose `listen` examples the harness would count as listeners.
        let lines = edit(conf).split(separator: "\n").filter { !$0.drop { $0 == " " }.hasPrefix("#") }
        let text = lines.joined(separator: "\n").replacingOccurrences(of: "127.0.0.1:8080", with: "127.0.0.1:0")
            .replacingOccurrences(of: "127.0.0.1:8081", with: "127.0.0.1:0")
            .replacingOccurrences(of: "include tls/*.conf;", with: "")
        return try TestServer(config: text, arguments: ["-p", TestServer.packageRoot.path])
    }

    func get(_ s: TestServer, _ path: String) throws -> HTTPResponse {
        try XCTUnwrap(httpRequest(port: s.port, "GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
    }

    /// Issue 14 point 7: security headers on every response, error pages too; a week of
    /// caching on the stylesheet, scripts and images, none on the pages.
    func testDemoSendsSecurityHeadersEverywhereAndCachesAssets() throws {
        let s = try demo()
        for (path, status) in [("/", 200), ("/css/site.css", 200), ("/js/chat.js", 200), ("/img/logo.png", 200), ("/nope", 404)] {
            let r = try get(s, path)
            XCTAssertEqual(r.status, status, path)
            XCTAssertEqual(r.header("X-Content-Type-Options"), "nosniff", path)
            XCTAssertEqual(r.header("X-Frame-Options"), "SAMEORIGIN", path)
            XCTAssertEqual(r.header("Referrer-Policy"), "strict-origin-when-cross-origin", path)
            XCTAssertTrue(r.header("Content-Security-Policy")?.hasPrefix("default-src 'self'") == true, path)
            let assets = path.hasPrefix("/css/") || path.hasPrefix("/js/") || path.hasPrefix("/img/")
            XCTAssertEqual(r.header("Cache-Control"), assets ? "max-age=604800" : nil, path)
            XCTAssertEqual(r.header("Expires") != nil, assets, path)
        }
    }

    /// The upload location's writes are limited by `limit_except GET HEAD`: with loopback
    /// taken out of its allow list, POST and DELETE get 403 while reading stays open.
    func testDemoUploadWritesAreLimitedWhileReadsStayOpen() throws {
        let s = try demo {
            $0.replacingOccurrences(of: "allow 127.0.0.1;", with: "").replacingOccurrences(of: "allow ::1;", with: "")
        }
        XCTAssertEqual(try get(s, "/uploads/").status, 200)
        let post = try XCTUnwrap(
            httpRequest(
                port: s.port,
                "POST /uploads/x.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"))
        XCTAssertEqual(post.status, 403)
        let delete = try XCTUnwrap(
            httpRequest(port: s.port, "DELETE /uploads/.keep HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
        XCTAssertEqual(delete.status, 403)
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: TestServer.packageRoot.appendingPathComponent("www/uploads/.keep").path))
    }
}
