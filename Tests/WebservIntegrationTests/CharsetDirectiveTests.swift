import Foundation
import XCTest

/// nginx's `charset`: the charset named in the Content-Type of text answers, static files
/// (from the file cache too), built-in error pages, listings and CGI output alike.
final class CharsetDirectiveTests: XCTestCase {
    static let config = """
        worker_processes 1;
        events { worker_connections 1024; }
        http {
            sendfile on;
            tcp_nopush on;
            server_tokens off;
            types_hash_max_size 2048;
            charset utf-8;
            server {
                listen 127.0.0.1:0;
                root {{ROOT}}/www;
                location /files/ { autoindex on; }
                location /raw/ { charset off; }
                location /json/ { charset_types application/json; }
                location /cgi-bin/ { root {{ROOT}}; cgi .sh /bin/sh; }
            }
        }
        """

    func get(_ s: TestServer, _ path: String) throws -> HTTPResponse {
        try XCTUnwrap(httpRequest(port: s.port, "GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n"))
    }

    /// nginx's charset_types lists types "in addition to text/html" (found by
    /// Tests/differential/run): HTML keeps its charset where only JSON is listed.
    func testCharsetTypesAlwaysIncludeHTML() throws {
        let s = try TestServer(
            config: Self.config, files: ["www/json/d.json": "{}", "www/json/p.html": "<p>x</p>", "www/json/t.txt": "t"])
        XCTAssertEqual(try get(s, "/json/d.json").header("Content-Type"), "application/json; charset=utf-8")
        XCTAssertEqual(try get(s, "/json/p.html").header("Content-Type"), "text/html; charset=utf-8")
        XCTAssertEqual(try get(s, "/json/t.txt").header("Content-Type"), "text/plain", "not listed there")
    }

    func testCharsetNamesItselfInTextAnswers() throws {
        let s = try TestServer(
            config: Self.config,
            files: [
                "www/index.html": "<h1>é</h1>\n",
                "www/notes.txt": "plain\n",
                "www/logo.png": "PNG",
                "www/style.css": "body{}",
                "www/raw/page.html": "<p>raw</p>",
                "www/files/a.txt": "a",
                "cgi-bin/page.sh": "printf 'Content-Type: text/html\\r\\n\\r\\n<p>cgi</p>'\n",
                "cgi-bin/own.sh": "printf 'Content-Type: text/html; charset=iso-8859-1\\r\\n\\r\\n<p>own</p>'\n",
            ])
        // Twice each: the first answer may come from disk, the next from the file cache.
        for _ in 0..<2 {
            XCTAssertEqual(try get(s, "/index.html").header("Content-Type"), "text/html; charset=utf-8")
            XCTAssertEqual(try get(s, "/notes.txt").header("Content-Type"), "text/plain; charset=utf-8")
            XCTAssertEqual(try get(s, "/logo.png").header("Content-Type"), "image/png")
            XCTAssertEqual(try get(s, "/style.css").header("Content-Type"), "text/css", "not in charset_types")
            XCTAssertEqual(try get(s, "/raw/page.html").header("Content-Type"), "text/html", "charset off")
        }
        let missing = try get(s, "/nothing-here")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.header("Content-Type"), "text/html; charset=utf-8")
        XCTAssertEqual(try get(s, "/files/").header("Content-Type"), "text/html; charset=utf-8")
        let cgi = try get(s, "/cgi-bin/page.sh")
        XCTAssertEqual(cgi.text, "<p>cgi</p>")
        XCTAssertEqual(cgi.header("Content-Type"), "text/html; charset=utf-8")
        XCTAssertEqual(try get(s, "/cgi-bin/own.sh").header("Content-Type"), "text/html; charset=iso-8859-1")
        XCTAssertEqual(try get(s, "/").text, "<h1>é</h1>\n", "the nginx main context loaded and serves")
    }
}
