import Foundation
import XCTest

/// nginx's index module: a directory's index file is served by an internal redirect to its
/// URI, so the location of that URI answers (`location = /index.html`, a CGI script named in
/// `index`) and `$uri` names the file, while `$request_uri` stays what the client sent.
final class IndexRedirectTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/www;
            access_log off;
            add_header X-Uri "$uri $request_uri" always;
            location = /index.html { add_header X-Exact yes; expires 5m; }
            location /app/ { cgi .py python3; index index.py; }
            location /abs/ { index missing.html /index.html; }
            location /abs-first/ { index /app/index.py local.html; }
        }
        """

    func makeServer() throws -> TestServer {
        try TestServer(
            config: Self.config,
            files: [
                "www/index.html": "home\n",
                "www/app/index.py": "print('Content-Type: text/plain')\nprint()\nprint('the script ran')\n",
                "www/sp ace/index.html": "spaced\n",
                "www/abs/keep.txt": "k\n",
                "www/abs-first/local.html": "local\n",
            ])
    }

    func get(_ s: TestServer, _ target: String, method: String = "GET") throws -> HTTPResponse {
        try XCTUnwrap(
            httpRequest(port: s.port, "\(method) \(target) HTTP/1.1\r\nHost: x\r\n\r\n", head: method == "HEAD"))
    }

    func testTheIndexFilesOwnLocationAnswers() throws {
        let s = try makeServer()
        let home = try get(s, "/?q=1")
        XCTAssertEqual(home.status, 200)
        XCTAssertEqual(home.text, "home\n")
        XCTAssertEqual(home.header("X-Exact"), "yes", "location = /index.html")
        XCTAssertEqual(home.header("Cache-Control"), "max-age=300")
        XCTAssertEqual(home.header("X-Uri"), "/index.html /?q=1")
        let spaced = try get(s, "/sp%20ace/")
        XCTAssertEqual(spaced.text, "spaced\n")
        XCTAssertEqual(spaced.header("X-Uri"), "/sp ace/index.html /sp%20ace/")
    }

    /// nginx: an index name with an absolute path is an internal request for that URI, made
    /// without looking on disk, so it ends the list (found by Tests/differential/run).
    func testAnIndexWithAnAbsolutePathIsThatURI() throws {
        let s = try makeServer()
        let r = try get(s, "/abs/?x=1")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "home\n")
        XCTAssertEqual(r.header("X-Uri"), "/index.html /abs/?x=1")
        XCTAssertEqual(try get(s, "/abs-first/").text, "the script ran\n", "taken before local.html is looked for")
    }

    /// `index index.py` in a CGI location runs the script (nginx with FastCGI and
    /// `index index.php`): its source is never sent.
    func testAScriptNamedByIndexRuns() throws {
        let s = try makeServer()
        let r = try get(s, "/app/")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "the script ran\n")
        XCTAssertEqual(r.header("Content-Type"), "text/plain")
        let head = try get(s, "/app/", method: "HEAD")
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("Content-Type"), "text/plain")
    }
}
