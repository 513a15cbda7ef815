import Foundation
import XCTest

/// SPEC 8 `try_files FILE ... URI|=CODE` as nginx: `$uri`, `$uri/`, other names, the SPA
/// fallback through the locations, and `=CODE` through `error_page`.
final class TryFilesTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/www;
            access_log off;
            error_page 404 /404.html;
            location / { try_files $uri $uri.html $uri/ /index.html; }
            location /strict/ { try_files $uri =404; }
            location /api/ { try_files $uri @none /fallback?from=$uri; }
            location = /fallback { return 200 "fallback $uri $args $request_uri"; }
            location /cgi/ { cgi .py python3; allow_methods GET POST; try_files $uri /cgi/echo.py; }
            location /loop/ { try_files /nothing /loop/again; }
        }
        """

    func makeServer() throws -> TestServer {
        try TestServer(
            config: Self.config,
            files: [
                "www/index.html": "SPA shell", "www/about.html": "about page", "www/docs/index.html": "docs index",
                "www/404.html": "custom 404", "www/strict/here.txt": "here", "www/app.js": "js",
                "www/cgi/echo.py":
                    "import os,sys\nprint('Content-Type: text/plain\\r\\n\\r\\n' + os.environ['REQUEST_METHOD'] + ' ' + sys.stdin.read(), end='')\n",
            ])
    }

    func get(_ s: TestServer, _ path: String) throws -> HTTPResponse {
        try XCTUnwrap(httpRequest(port: s.port, "GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
    }

    func testExistingFilesAreServedAsThemselves() throws {
        let s = try makeServer()
        XCTAssertEqual(try get(s, "/app.js").text, "js")
        XCTAssertEqual(try get(s, "/about").text, "about page")
        XCTAssertEqual(try get(s, "/docs/").text, "docs index")
        XCTAssertEqual(try get(s, "/").text, "SPA shell")
    }

    func testDirectoryWithoutSlashRedirectsAsNginx() throws {
        let s = try makeServer()
        let r = try get(s, "/docs")
        XCTAssertEqual(r.status, 301)
        XCTAssertEqual(r.header("Location"), "/docs/")
    }

    func testSinglePageAppFallsBackToIndex() throws {
        let s = try makeServer()
        for path in ["/users/42", "/deep/link/here?tab=2", "/missing.png"] {
            let r = try get(s, path)
            XCTAssertEqual(r.status, 200, path)
            XCTAssertEqual(r.text, "SPA shell", path)
        }
    }

    func testStatusFallbackGoesThroughErrorPage() throws {
        let s = try makeServer()
        XCTAssertEqual(try get(s, "/strict/here.txt").text, "here")
        let r = try get(s, "/strict/absent")
        XCTAssertEqual(r.status, 404)
        XCTAssertEqual(r.text, "custom 404")
    }

    func testURIFallbackIsAnInternalRedirectThroughTheLocationsWithArguments() throws {
        let s = try makeServer()
        let r = try get(s, "/api/users")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "fallback /fallback from=/api/users /api/users")
    }

    func testFallbackKeepsTheMethodAndBodyForAScript() throws {
        let s = try makeServer()
        let out = try curl(["-d", "payload", "http://127.0.0.1:\(s.port)/cgi/virtual/route"])
        XCTAssertEqual(out, "POST payload")
    }

    func testRedirectCycleEndsIn500() throws {
        let s = try makeServer()
        XCTAssertEqual(try get(s, "/loop/x").status, 500)
    }

    func testTraversalThroughTryFilesStaysInsideTheRoot() throws {
        let s = try makeServer()
        try s.write("secret.txt", "secret")
        for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"] {
            let r = try get(s, path)
            XCTAssertFalse(r.text.contains("secret"), path)
        }
    }
}
