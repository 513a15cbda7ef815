import Foundation
import XCTest

/// The "moving from nginx" example (conf/examples/from-nginx.conf, shown in
/// docs/configuration.md) works unchanged apart from its listen line.
final class FromNginxExampleTests: XCTestCase {
    func makeServer() throws -> TestServer {
        let example = TestServer.packageRoot.appendingPathComponent("conf/examples/from-nginx.conf")
        let text = try String(contentsOf: example, encoding: .utf8)
        XCTAssertTrue(text.contains("listen 8080;"))
        // Comments dropped: the harness counts every "listen " it sees as an address.
        let config = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
            .joined(separator: "\n").replacingOccurrences(
                of: "listen 8080;", with: "listen 127.0.0.1:0;\n        access_log off;")
        let hash = try WebservIntegrationTests.run("/usr/bin/openssl", ["passwd", "-6", "admin-pw"])
        return try TestServer(
            config: config,
            files: [
                "site/index.html": "<!doctype html><title>app</title>app shell", "site/404.html": "not here",
                "site/assets/app.3f2a.js": "console.log(1)", "site/api/items.json": "[1,2]",
                "site/assets/vendor.9c1e.js": String(repeating: "function f(a) { return a + 1; }\n", count: 100),
                "site/admin/index.html": "admin home",
                "admin.htpasswd": "admin:" + String(decoding: hash.out, as: UTF8.self),
            ])
    }

    func get(_ s: TestServer, _ path: String, _ extra: String = "", method: String = "GET") throws -> HTTPResponse {
        try XCTUnwrap(
            httpRequest(
                port: s.port, "\(method) \(path) HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\(extra)\r\n",
                head: method == "HEAD"))
    }

    func assertSecurityHeaders(_ r: HTTPResponse, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.header("X-Content-Type-Options"), "nosniff", file: file, line: line)
        XCTAssertEqual(r.header("X-Frame-Options"), "SAMEORIGIN", file: file, line: line)
        XCTAssertEqual(r.header("Content-Security-Policy"), "default-src 'self'", file: file, line: line)
    }

    func testTheSiteWorksAsUnderNginx() throws {
        let s = try makeServer()
        let home = try get(s, "/")
        XCTAssertTrue(home.text.contains("app shell"))
        assertSecurityHeaders(home)

        let route = try get(s, "/settings/profile")
        XCTAssertEqual(route.status, 200)
        XCTAssertTrue(route.text.contains("app shell"))

        let asset = try get(s, "/assets/app.3f2a.js")
        XCTAssertEqual(asset.text, "console.log(1)")
        XCTAssertEqual(asset.header("Cache-Control"), "max-age=31536000")
        assertSecurityHeaders(asset)
        let missing = try get(s, "/assets/gone.js")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.text, "not here")
        assertSecurityHeaders(missing)

        // Compressed as under nginx: above gzip_min_length, of a listed type, when accepted.
        let vendor = try get(s, "/assets/vendor.9c1e.js", "Accept-Encoding: gzip\r\n")
        XCTAssertEqual(vendor.header("Content-Encoding"), "gzip")
        XCTAssertEqual(vendor.header("Vary"), "Accept-Encoding")
        XCTAssertEqual(vendor.header("Cache-Control"), "max-age=31536000")
        XCTAssertLessThan(vendor.body.count, 400)
        XCTAssertNil(try get(s, "/assets/app.3f2a.js", "Accept-Encoding: gzip\r\n").header("Content-Encoding"), "under 256 bytes")

        let redirect = try get(s, "/old-page")
        XCTAssertEqual(redirect.status, 301)
        XCTAssertEqual(redirect.header("Location"), "http://www.example.com/new-page")
    }

    func testProtectedAdminAndReadOnlyAPI() throws {
        let s = try makeServer()
        let challenge = try get(s, "/admin/")
        XCTAssertEqual(challenge.status, 401)
        XCTAssertEqual(challenge.header("WWW-Authenticate"), "Basic realm=\"Admin\"")
        assertSecurityHeaders(challenge)
        let auth = "Authorization: Basic \(Data("admin:admin-pw".utf8).base64EncodedString())\r\n"
        XCTAssertEqual(try get(s, "/admin/", auth).text, "admin home")
        let wrong = "Authorization: Basic \(Data("admin:nope".utf8).base64EncodedString())\r\n"
        XCTAssertEqual(try get(s, "/admin/", wrong).status, 401)

        XCTAssertEqual(try get(s, "/api/items").text, "[1,2]")
        XCTAssertEqual(try get(s, "/api/items", method: "HEAD").status, 200)
        XCTAssertEqual(try get(s, "/api/items", "Content-Length: 0\r\n", method: "POST").status, 403)
    }
}
