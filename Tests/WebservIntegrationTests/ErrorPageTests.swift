import Foundation
import XCTest

/// SPEC §2 `error_page CODE ... [=CODE] URI`: the URI is an internal request through the normal
/// locations and handlers (static file and index, `return`, CGI), sent with the error's status.
final class ErrorPageTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/www;
            access_log off;
            location /cgi/ { cgi .py python3; }
            location = /text { return 200 "from-location"; }
            location = /moved { return 302 http://example.com/elsewhere; }
            location = /fails { return 500; }
            location /ws/ { websocket echo; }
            location /up/ { upload_store {{ROOT}}/store; allow_methods GET POST; }
            location /tocgi/ { error_page 404 /cgi/env.py?from=page; }
            location /touri/ { error_page 404 /cgi/uri.py; }
            location /totext/ { error_page 404 /text; }
            location /tomoved/ { error_page 404 /moved; }
            location /todir/ { error_page 404 /pages/; }
            location /ok/ { error_page 404 =200 /text; }
            location /own/ { error_page 404 = /pages/; }
            location /ownfail/ { error_page 404 = /fails; }
            location /owncgi/ { error_page 404 = /cgi/status.py; }
            location /missing/ { error_page 404 /pages/absent.html; }
            location /failing/ { error_page 404 /fails; }
            location /loop/ { error_page 404 /loop/absent.html; }
            location /tows/ { error_page 404 /ws/; }
            location /toupload/ { error_page 404 /up/; }
            location /getonly/ { error_page 405 /cgi/env.py; client_max_body_size 10m; }
            location /big/ { allow_methods GET POST; client_max_body_size 10m; error_page 404 /pages/; }
            client_max_body_size 1k;
        }
        """

    static let source =
        "import os\nprint('Content-Type: text/plain\\r\\n\\r\\n', end='')\n"
        + "print('SCRIPT-OUTPUT method=%s query=%s' % (os.environ['REQUEST_METHOD'], os.environ['QUERY_STRING']))\n"

    func makeServer() throws -> TestServer {
        try TestServer(
            config: Self.config,
            files: [
                "www/cgi/env.py": Self.source,
                "www/cgi/uri.py": "import os\nprint('Content-Type: text/plain\\r\\n\\r\\nURI=' + os.environ['REQUEST_URI'])\n",
                "www/cgi/status.py": "print('Status: 202 Accepted\\r\\nContent-Type: text/plain\\r\\n\\r\\nqueued', end='')\n",
                "www/pages/index.html": "page index", "www/up/file.txt": "stored",
                "store/.keep": "",
            ])
    }

    func request(_ s: TestServer, _ raw: String, head: Bool = false) throws -> HTTPResponse {
        try XCTUnwrap(httpRequest(port: s.port, raw, head: head), raw)
    }

    func get(_ s: TestServer, _ path: String, _ headers: String = "") throws -> HTTPResponse {
        try request(s, "GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\(headers)\r\n")
    }

    func assertBuiltIn404(_ r: HTTPResponse, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 404, file: file, line: line)
        XCTAssertTrue(r.text.contains("<h1>404 Not Found</h1>"), r.text, file: file, line: line)
        XCTAssertEqual(r.header("Content-Type"), "text/html", file: file, line: line)
    }

    /// The body still being read keeps its own location's limit: the page's request, routed
    /// through another location, must not turn an accepted body into a 413.
    func testErrorPageDoesNotChangeTheLimitOfTheBodyBeingRead() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port, timeout: 5)
        let chunk = String(repeating: "x", count: 4096)
        var raw = "POST /big/absent HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        raw += "1000\r\n\(chunk)\r\n1000\r\n\(chunk)\r\n0\r\n\r\n"
        raw += "GET /pages/ HTTP/1.1\r\nHost: x\r\n\r\n"
        c.send(raw)
        let first = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(first.status, 404)
        XCTAssertEqual(first.text, "page index")
        let second = try XCTUnwrap(c.readResponse(), "the pipelined request after the 8 KiB body was lost")
        XCTAssertEqual(second.status, 200)
        XCTAssertEqual(second.text, "page index")
    }

    /// As nginx's `$request_uri`: the script sees the target that failed, not its own.
    func testCGIErrorPageSeesTheOriginalRequestURI() throws {
        let s = try makeServer()
        let r = try get(s, "/touri/gone.html?x=1")
        XCTAssertEqual(r.status, 404)
        XCTAssertEqual(r.text, "URI=/touri/gone.html?x=1\n")
    }

    func testErrorPageRunsTheCGIScriptAndNeverSendsItsSource() throws {
        let s = try makeServer()
        let r = try get(s, "/tocgi/nothing")
        XCTAssertEqual(r.status, 404)
        XCTAssertEqual(r.text, "SCRIPT-OUTPUT method=GET query=from=page\n")
        XCTAssertEqual(r.header("Content-Type"), "text/plain")
        XCTAssertFalse(r.text.contains("import os"), "the script's source was served")
        assertRequiredHeaders(r, hasBody: true)
    }

    /// The page's request has no body; the refused one is drained, or (2 MB: not worth it) the
    /// connection closes, as without an error_page. (/getonly/ takes bodies of that size: over
    /// `client_max_body_size` the answer would be 413, before any method check, as nginx.)
    func testErrorPageOfARefusedMethodRunsTheScriptWithGETAndKeepsAllow() throws {
        let s = try makeServer()
        for (length, close) in [(5, false), (2_000_000, true)] {
            let c = try RawClient(port: s.port, timeout: 5)
            c.send("POST /getonly/x HTTP/1.1\r\nHost: x\r\nContent-Length: \(length)\r\n\r\nhello")
            let r = try XCTUnwrap(c.readResponse(), "\(length)")
            XCTAssertEqual(r.status, 405)
            XCTAssertEqual(r.text, "SCRIPT-OUTPUT method=GET query=\n")
            XCTAssertEqual(r.header("Allow"), "GET, HEAD")
            XCTAssertEqual(r.header("Connection"), close ? "close" : nil, "\(length)")
        }
    }

    func testErrorPageAnsweredByAReturnKeepsTheErrorStatusUnlessItRedirects() throws {
        let s = try makeServer()
        let rows: [(path: String, status: Int, text: String?, location: String?)] = [
            ("/totext/nothing", 404, "from-location", nil),
            ("/ok/nothing", 200, "from-location", nil),  // `=200`
            ("/tomoved/nothing", 302, nil, "http://example.com/elsewhere"),
        ]
        for row in rows {
            let r = try get(s, row.path)
            XCTAssertEqual(r.status, row.status, row.path)
            if let text = row.text { XCTAssertEqual(r.text, text, row.path) }
            XCTAssertEqual(r.header("Location"), row.location, row.path)
        }
    }

    /// `error_page 404 = URI` (nginx): the client gets the status the page's request got.
    func testEqualsAloneSendsThePagesOwnStatus() throws {
        let s = try makeServer()
        let page = try get(s, "/own/absent")
        XCTAssertEqual(page.status, 200)
        XCTAssertEqual(page.text, "page index")
        let script = try get(s, "/owncgi/absent")
        XCTAssertEqual(script.status, 202)
        XCTAssertEqual(script.text, "queued")
        // A page that fails answers with its own failure, built in (never a second page).
        let failed = try get(s, "/ownfail/absent")
        XCTAssertEqual(failed.status, 500)
        XCTAssertTrue(failed.text.contains("<h1>500 Internal Server Error</h1>"), failed.text)
    }

    func testErrorPageOfADirectoryServesItsIndexWhole() throws {
        let s = try makeServer()
        let r = try get(s, "/todir/nothing")
        XCTAssertEqual(r.status, 404)
        XCTAssertEqual(r.text, "page index")
        XCTAssertEqual(r.header("Content-Type"), "text/html")
        XCTAssertNil(r.header("Accept-Ranges"), r.head)
        XCTAssertNil(r.header("Last-Modified"), r.head)
        let ranged = try get(s, "/todir/nothing", "Range: bytes=0-1\r\nIf-None-Match: *\r\n")
        XCTAssertEqual(ranged.status, 404, "no 206 or 304 for an error page")
        XCTAssertEqual(ranged.text, "page index")
    }

    func testMissingErrorPageGivesTheBuiltInPageOfTheOriginalStatus() throws {
        let s = try makeServer()
        assertBuiltIn404(try get(s, "/missing/nothing"))
    }

    func testErrorPageThatFailsIsNotAppliedAgain() throws {
        let s = try makeServer()
        assertBuiltIn404(try get(s, "/failing/nothing"))
        assertBuiltIn404(try get(s, "/loop/nothing"))
    }

    func testWebSocketAndUploadLocationsAreNotErrorPages() throws {
        let s = try makeServer()
        let ws = try get(
            s, "/tows/nothing",
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        )
        assertBuiltIn404(ws)
        XCTAssertNil(ws.header("Upgrade"), ws.head)
        assertBuiltIn404(try get(s, "/toupload/nothing"))
    }

    func testHeadGetsTheErrorPagesHeadOnly() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port, timeout: 5)
        for path in ["/tocgi/nothing", "/totext/nothing", "/todir/nothing", "/missing/nothing"] {
            let r = try XCTUnwrap(c.request("HEAD \(path) HTTP/1.1\r\nHost: x\r\n\r\n", head: true), path)
            XCTAssertEqual(r.status, 404, path)
            XCTAssertTrue(r.body.isEmpty, path)
            // No body bytes followed the head: the next response on the connection parses cleanly.
            let next = try XCTUnwrap(c.request("GET /text HTTP/1.1\r\nHost: x\r\n\r\n"), path)
            XCTAssertEqual(next.status, 200, path)
            XCTAssertEqual(next.text, "from-location", path)
        }
    }
}
