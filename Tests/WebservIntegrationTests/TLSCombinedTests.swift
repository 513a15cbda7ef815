import Foundation
import XCTest

/// SPEC §7 "every feature works over TLS", with the features combined as a site uses them:
/// compression with ranges, HEAD and validators; a JSON listing; auth_basic with its error page
/// and an `always` header with variables; a broadcast room's polling and Server-Sent Events.
final class TLSCombinedTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0 ssl;
            server_name a.test;
            ssl_certificate {{CERTS}}/rsa.pem;
            ssl_certificate_key {{CERTS}}/rsa.key;
            root {{ROOT}}/www;
            access_log off;
            gzip on;
            gzip_types text/plain;
            add_header X-Seen "$scheme $host $uri" always;
            location /files/ { autoindex on; }
            location /private/ {
                auth_basic "Private";
                auth_basic_user_file {{ROOT}}/users;
                error_page 401 /errors/401.html;
            }
            location /chat/ { websocket broadcast; }
        }
        """

    static let text = String(repeating: "a line of text that compresses well\n", count: 200)

    var server: TestServer!
    var certs: TestCertificates!

    override func setUpWithError() throws {
        certs = try TestCertificates.require()
        server = try TestServer(
            config: Self.config.replacingOccurrences(of: "{{CERTS}}", with: certs.directory.path),
            files: [
                "www/files/notes.txt": Self.text, "www/private/p.txt": "private\n",
                "www/errors/401.html": "who are you?\n", "users": "ann:{PLAIN}pw\n",
            ])
    }

    override func tearDown() {
        server?.stop()
        server = nil
    }

    func https(_ path: String, _ extra: [String] = []) throws -> String {
        try curl(
            ["--cacert", certs.ca, "--resolve", "a.test:\(server.port):127.0.0.1", "https://a.test:\(server.port)\(path)"]
                + extra)
    }

    /// Header `name` of a `curl -i`/`-I` answer (the last response in it).
    func header(_ response: String, _ name: String) -> String? {
        let head = response.components(separatedBy: "\r\n\r\n").dropLast().last ?? response
        return head.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ": ") }
            .map { String($0.dropFirst(name.count + 2)) }
    }

    func testCompressionRangesHeadAndValidatorsOverTLS() throws {
        let gz = try https("/files/notes.txt", ["-i", "-H", "Accept-Encoding: gzip"])
        XCTAssertTrue(gz.hasPrefix("HTTP/1.1 200"), gz)
        XCTAssertEqual(header(gz, "Content-Encoding"), "gzip")
        XCTAssertEqual(header(gz, "Vary"), "Accept-Encoding")
        XCTAssertEqual(header(gz, "X-Seen"), "https a.test /files/notes.txt")
        let etag = try XCTUnwrap(header(gz, "ETag"))
        XCTAssertTrue(etag.hasPrefix("W/\""), etag)
        XCTAssertEqual(try https("/files/notes.txt", ["--compressed"]), Self.text)
        let head = try https("/files/notes.txt", ["-I", "-H", "Accept-Encoding: gzip"])
        for name in ["Content-Encoding", "Vary", "ETag", "Content-Length", "Transfer-Encoding"] {
            XCTAssertEqual(header(head, name), header(gz, name), name)
        }
        let range = try https("/files/notes.txt", ["-i", "-H", "Accept-Encoding: gzip", "-H", "Range: bytes=2-7"])
        XCTAssertTrue(range.hasPrefix("HTTP/1.1 206"), range)
        XCTAssertNil(header(range, "Content-Encoding"), "a range of the identity bytes")
        XCTAssertTrue(range.hasSuffix("\r\n\r\nline o"), range)
        let notModified = try https("/files/notes.txt", ["-i", "-H", "Accept-Encoding: gzip", "-H", "If-None-Match: \(etag)"])
        XCTAssertTrue(notModified.hasPrefix("HTTP/1.1 304"), notModified)
        XCTAssertNil(header(notModified, "Content-Encoding"))
        let json = try https("/files/", ["-H", "Accept: application/json"])
        XCTAssertTrue(json.contains("{ \"name\":\"notes.txt\", \"type\":\"file\""), json)
    }

    func testAuthErrorPageAndAlwaysHeaderOverTLS() throws {
        let refused = try https("/private/p.txt", ["-i"])
        XCTAssertTrue(refused.hasPrefix("HTTP/1.1 401"), refused)
        XCTAssertEqual(header(refused, "WWW-Authenticate"), "Basic realm=\"Private\"")
        XCTAssertEqual(header(refused, "X-Seen"), "https a.test /errors/401.html", "always: on the error page too")
        XCTAssertTrue(refused.hasSuffix("\r\n\r\nwho are you?\n"), refused)
        XCTAssertEqual(try https("/private/p.txt", ["-u", "ann:pw"]), "private\n")
    }

    func testRoomPollingAndEventsOverTLS() throws {
        XCTAssertEqual(try https("/chat/tls", ["-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "over tls"]), "201")
        let poll = try https("/chat/tls?since=0")
        XCTAssertTrue(poll.contains("\"data\": \"over tls\""), poll)
        let events = try https("/chat/tls?since=0", ["-N", "-H", "Accept: text/event-stream", "--max-time", "1"])
        XCTAssertTrue(events.contains("id: 1\ndata: over tls\n\n"), events)
    }
}
