import Foundation
import XCTest

/// The basics of serving a site: the real binary, raw sockets and curl.
final class StaticSiteTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/www;
            access_log {{ROOT}}/access.log;
            location /files/ { autoindex on; }
            location = /old { return 301 /new; }
        }
        """

    func makeServer() throws -> TestServer {
        try TestServer(
            config: Self.config,
            files: [
                "www/index.html": "<h1>home</h1>\n",
                "www/style.css": "body{}",
                "www/files/a b.txt": "hello world\n",
                "www/files/<x>.txt": "x",
            ])
    }

    func testServesIndexWithRequiredHeaders() throws {
        let s = try makeServer()
        let r = try XCTUnwrap(httpRequest(port: s.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "<h1>home</h1>\n")
        XCTAssertEqual(r.header("Server"), "webserv")
        XCTAssertNotNil(r.header("Date"))
        XCTAssertEqual(r.header("Content-Length"), "14")
        XCTAssertEqual(r.header("Content-Type"), "text/html")
        XCTAssertNotNil(r.header("ETag"))
        XCTAssertNotNil(r.header("Last-Modified"))
    }

    func testCurlSeesCSSTypeAndAutoindexEscapesNames() throws {
        let s = try makeServer()
        let css = try curl(["-i", "http://127.0.0.1:\(s.port)/style.css"])
        XCTAssertTrue(css.contains("Content-Type: text/css\r\n"), css)
        let listing = try curl(["http://127.0.0.1:\(s.port)/files/"])
        XCTAssertTrue(listing.contains("a%20b.txt"), listing)
        XCTAssertTrue(listing.contains("&lt;x&gt;.txt"), listing)
        XCTAssertFalse(listing.contains("<x>.txt"), listing)
    }

    func testEveryDemoPageDeclaresUTF8InItsHead() throws {
        // Pages go out as plain `text/html`, as from nginx: the charset must be in the page.
        let www = TestServer.packageRoot.appendingPathComponent("www")
        let pages = (FileManager.default.enumerator(at: www, includingPropertiesForKeys: nil)?.allObjects ?? [])
            .compactMap { $0 as? URL }.filter { ["html", "htm"].contains($0.pathExtension) }
        XCTAssertGreaterThan(pages.count, 5)
        for page in pages {
            let html = try String(contentsOf: page, encoding: .utf8)
            let head = html.range(of: "</head>").map { html[..<$0.lowerBound] } ?? ""
            XCTAssertTrue(head.contains("<meta charset=\"utf-8\">"), page.path)
        }
    }

    func testDirectoryWithoutSlashRedirectsAndReturnWorks() throws {
        let s = try makeServer()
        let r = try XCTUnwrap(httpRequest(port: s.port, "GET /files HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(r.status, 301)
        XCTAssertEqual(r.header("Location"), "/files/")
        let o = try XCTUnwrap(httpRequest(port: s.port, "GET /old HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(o.status, 301)
        XCTAssertEqual(o.header("Location"), "/new")
    }

    func testPipelinedRequestsInOnePacketAreAnsweredInOrder() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port)
        c.send(
            "GET /style.css HTTP/1.1\r\nHost: x\r\n\r\nHEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(c.readResponse()?.text, "body{}")
        let head = c.readResponse(head: true)
        XCTAssertEqual(head?.status, 200)
        XCTAssertEqual(head?.header("Content-Length"), "14")
        XCTAssertEqual(c.readResponse()?.status, 404)
    }

    func testRequestArrivingOneByteAtATime() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port)
        for b in Array("GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n".utf8) { c.send([b]) }
        XCTAssertEqual(c.readResponse()?.text, "body{}")
    }

    /// nginx's `$remote_user`: the Basic user name, escaped like the other fields; `-` otherwise.
    func testAccessLogNamesTheBasicAuthUser() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port)
        // "ann:secret", "x\"y:p", "nocolon", then a Bearer token.
        for credentials in ["Basic YW5uOnNlY3JldA==", "basic eCJ5OnA=", "Basic bm9jb2xvbg==", "Bearer YW5uOnNlY3JldA=="] {
            let r = c.request("GET /style.css HTTP/1.1\r\nHost: x\r\nAuthorization: \(credentials)\r\n\r\n")
            XCTAssertEqual(r?.status, 200)
        }
        XCTAssertEqual(c.request("GET /style.css?last HTTP/1.1\r\nHost: x\r\n\r\n")?.status, 200)
        XCTAssertTrue(
            waitUntil(timeout: 5) {
                ((try? String(contentsOfFile: s.path("access.log"), encoding: .utf8)) ?? "").contains("?last")
            })
        let users = try String(contentsOfFile: s.path("access.log"), encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: " ", maxSplits: 3).dropFirst(2).first.map(String.init) ?? ""
        }
        XCTAssertEqual(users, ["ann", #"x\x22y"#, "-", "-", "-"])
    }

    func testAccessLogUsesCombinedFormat() throws {
        let s = try makeServer()
        _ = try curl(["-A", "tester/1.0", "-e", "http://ref/", "http://127.0.0.1:\(s.port)/style.css"])
        XCTAssertTrue(
            waitUntil(timeout: 5) {
                ((try? String(contentsOfFile: s.path("access.log"), encoding: .utf8)) ?? "").contains("tester")
            })
        let log = try String(contentsOfFile: s.path("access.log"), encoding: .utf8)
        let pattern =
            #"^127\.0\.0\.1 - - \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "GET /style\.css HTTP/1\.1" 200 6 "http://ref/" "tester/1\.0"$"#
        XCTAssertNotNil(
            log.split(separator: "\n").first.flatMap { String($0).range(of: pattern, options: .regularExpression) }, log)
    }
}
