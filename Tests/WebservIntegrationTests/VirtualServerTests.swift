import Foundation
import XCTest

/// SPEC §2: virtual servers by address and `Host`, location matching, root/alias, index,
/// autoindex, error pages, `return` and `allow_methods`.
final class VirtualServerTests: XCTestCase {
    func get(_ port: Int, _ path: String, host: String? = "x", method: String = "GET") throws -> HTTPResponse {
        let version = host == nil ? "HTTP/1.0" : "HTTP/1.1"
        let hostLine = host.map { "Host: \($0)\r\n" } ?? ""
        return try XCTUnwrap(
            httpRequest(
                port: port, "\(method) \(path) \(version)\r\n\(hostLine)Connection: close\r\n\r\n", head: method == "HEAD"), path)
    }

    // MARK: virtual servers

    func twoFreePorts() -> (Int, Int) {
        let p1 = freePort()
        var p2 = freePort()
        while p2 == p1 { p2 = freePort() }
        return (p1, p2)
    }

    func makeVirtualServers() throws -> (TestServer, Int, Int) {
        let (p1, p2) = twoFreePorts()
        let config = """
            access_log off;
            server { listen 127.0.0.1:\(p1); server_name alpha.test; root {{ROOT}}/alpha; }
            server { listen 127.0.0.1:\(p1); server_name beta.test *.wild.test; root {{ROOT}}/beta; }
            server { listen 127.0.0.1:\(p1) default_server; server_name gamma.test; root {{ROOT}}/gamma; }
            server { listen 127.0.0.1:\(p2); server_name delta.test; root {{ROOT}}/delta; }
            server { listen 127.0.0.1:\(p2); server_name alpha.test; root {{ROOT}}/epsilon; }
            """
        let s = try TestServer(
            config: config,
            files: [
                "alpha/who": "alpha", "beta/who": "beta", "gamma/who": "gamma", "delta/who": "delta", "epsilon/who": "epsilon",
            ])
        XCTAssertEqual(Set(s.ports), [p1, p2])
        return (s, p1, p2)
    }

    func testHostPicksTheServerOnASharedPort() throws {
        let (s, p1, _) = try makeVirtualServers()
        XCTAssertEqual(try get(p1, "/who", host: "alpha.test").text, "alpha")
        XCTAssertEqual(try get(p1, "/who", host: "beta.test").text, "beta")
        XCTAssertEqual(try get(p1, "/who", host: "gamma.test").text, "gamma")
        _ = s
    }

    func testHostIgnoresCaseAndPort() throws {
        let (s, p1, _) = try makeVirtualServers()
        XCTAssertEqual(try get(p1, "/who", host: "ALPHA.Test").text, "alpha")
        XCTAssertEqual(try get(p1, "/who", host: "beta.test:9999").text, "beta")
        XCTAssertEqual(try get(p1, "/who", host: "Beta.TEST:1").text, "beta")
        _ = s
    }

    func testWildcardServerName() throws {
        let (s, p1, _) = try makeVirtualServers()
        XCTAssertEqual(try get(p1, "/who", host: "a.wild.test").text, "beta")
        XCTAssertEqual(try get(p1, "/who", host: "a.b.WILD.test").text, "beta")
        XCTAssertEqual(try get(p1, "/who", host: "wild.test").text, "gamma", "*.wild.test does not match wild.test")
        _ = s
    }

    func testUnknownHostGoesToTheDefaultServer() throws {
        let (s, p1, _) = try makeVirtualServers()
        XCTAssertEqual(try get(p1, "/who", host: "nobody.test").text, "gamma")
        XCTAssertEqual(try get(p1, "/who", host: nil).text, "gamma", "HTTP/1.0 without Host")
        _ = s
    }

    func testWithoutDefaultServerTheFirstServerOnThatAddressAnswers() throws {
        let (s, _, p2) = try makeVirtualServers()
        XCTAssertEqual(try get(p2, "/who", host: "nobody.test").text, "delta")
        XCTAssertEqual(try get(p2, "/who", host: nil).text, "delta")
        _ = s
    }

    func testSameNameOnTwoPortsIsTwoServers() throws {
        let (s, p1, p2) = try makeVirtualServers()
        XCTAssertEqual(try get(p1, "/who", host: "alpha.test").text, "alpha")
        XCTAssertEqual(try get(p2, "/who", host: "alpha.test").text, "epsilon")
        XCTAssertEqual(try get(p2, "/who", host: "beta.test").text, "delta", "beta.test is not a name on the second port")
        _ = s
    }

    func testAbsoluteFormTargetChoosesTheServer() throws {
        let (s, p1, _) = try makeVirtualServers()
        let r = try XCTUnwrap(httpRequest(port: p1, "GET http://beta.test/who HTTP/1.1\r\nHost: alpha.test\r\n\r\n"))
        XCTAssertEqual(r.text, "beta")
        _ = s
    }

    func testSpecificAddressesEachGetTheirOwnSocket() throws {
        let (p1, p2) = twoFreePorts()
        let s = try TestServer(
            config: """
                server { listen 127.0.0.1:\(p1); server_name a.test; root {{ROOT}}/a; access_log off; }
                server { listen 127.0.0.1:\(p2); listen 127.0.0.1:\(p1); server_name b.test; root {{ROOT}}/b; access_log off; }
                """,
            files: ["a/who": "a", "b/who": "b"])
        XCTAssertEqual(s.stdout, "listening on 127.0.0.1:\(p1)\nlistening on 127.0.0.1:\(p2)\n")
        XCTAssertEqual(try get(p1, "/who", host: "nobody.test").text, "a")
        XCTAssertEqual(try get(p1, "/who", host: "b.test").text, "b")
        XCTAssertEqual(try get(p2, "/who", host: "a.test").text, "b", "a.test does not listen on the second port")
    }

    // MARK: a connection before its Host is known

    /// Two servers on two ports; only the one at `configured` (0 or 1) has a custom 400 page,
    /// a 1 s client_header_timeout and an access log.
    func makeTwoPorts(settingsIn configured: Int) throws -> (TestServer, [Int]) {
        let (p1, p2) = twoFreePorts()
        let settings = "error_page 400 /err/400.html; client_header_timeout 1s; access_log {{ROOT}}/access.log;"
        let config = [p1, p2].enumerated().map { i, port in
            "server { listen 127.0.0.1:\(port); root {{ROOT}}; \(i == configured ? settings : "access_log off;") }"
        }
        let s = try TestServer(config: config.joined(separator: "\n"), files: ["err/400.html": "custom bad request"])
        XCTAssertEqual(s.ports, [p1, p2])
        return (s, [p1, p2])
    }

    func testBadRequestHeadGetsTheErrorPageOfItsPortsServer() throws {
        for configured in [0, 1] {
            let (s, ports) = try makeTwoPorts(settingsIn: configured)
            let own = try XCTUnwrap(httpRequest(port: ports[configured], "GARBAGE\r\n\r\n"))
            XCTAssertEqual(own.status, 400)
            XCTAssertEqual(own.text, "custom bad request", "server \(configured + 1)")
            let other = try XCTUnwrap(httpRequest(port: ports[1 - configured], "GARBAGE\r\n\r\n"))
            XCTAssertEqual(other.status, 400)
            XCTAssertTrue(other.text.contains("<h1>400 Bad Request</h1>"), "server \(2 - configured): \(other.text)")
            _ = s
        }
    }

    func testClientHeaderTimeoutIsThatOfItsPortsServer() throws {
        for configured in [0, 1] {
            let (s, ports) = try makeTwoPorts(settingsIn: configured)
            let timed = try RawClient(port: ports[configured], timeout: 4)
            let untimed = try RawClient(port: ports[1 - configured], timeout: 3)
            let start = Date()
            timed.send("GET / HTTP/1.1\r\nHost: x\r\n")
            untimed.send("GET / HTTP/1.1\r\nHost: x\r\n")
            XCTAssertEqual(timed.readResponse()?.status, 408, "server \(configured + 1)")
            XCTAssertGreaterThan(Date().timeIntervalSince(start), 0.8, "408 before client_header_timeout")
            // The other port's server keeps the default 60 s: nothing for 3 s, then the head
            // completes and is answered on the same connection.
            XCTAssertNil(untimed.readResponse()?.status, "server \(2 - configured) answered a partial head")
            XCTAssertGreaterThan(Date().timeIntervalSince(start), 2.9)
            untimed.send("\r\n")
            let r = try XCTUnwrap(untimed.readResponse(), "server \(2 - configured) closed the connection")
            XCTAssertNotEqual(r.status, 408)
            _ = s
        }
    }

    func testEarlyErrorIsLoggedByItsPortsServer() throws {
        for configured in [0, 1] {
            let (s, ports) = try makeTwoPorts(settingsIn: configured)
            XCTAssertEqual(try httpRequest(port: ports[1 - configured], "UNLOGGED\r\n\r\n")?.status, 400)
            XCTAssertEqual(try httpRequest(port: ports[configured], "LOGGED\r\n\r\n")?.status, 400)
            let log = { (try? String(contentsOfFile: s.path("access.log"), encoding: .utf8)) ?? "" }
            XCTAssertTrue(waitUntil(timeout: 3) { log().contains("\"LOGGED\" 400 ") }, "server \(configured + 1): \(log())")
            XCTAssertFalse(log().contains("UNLOGGED"), log())
        }
    }

    func testNextRequestOnAKeptAliveConnectionStartsFromTheDefaultServer() throws {
        let s = try TestServer(
            config: """
                server { listen 127.0.0.1:0; root {{ROOT}}; access_log off; error_page 400 /err/400.html; }
                server { listen 127.0.0.1:0; server_name b.test; root {{ROOT}}; access_log off; }
                """,
            files: ["err/400.html": "custom bad request", "who": "someone"])
        let c = try RawClient(port: s.port, timeout: 3)
        XCTAssertEqual(c.request("GET /who HTTP/1.1\r\nHost: b.test\r\n\r\n")?.text, "someone")
        // b.test has no error_page: a head that never reaches its Host is the default server's.
        let r = try XCTUnwrap(c.request("GARBAGE\r\n\r\n"))
        XCTAssertEqual(r.status, 400)
        XCTAssertEqual(r.text, "custom bad request")
    }

    // MARK: locations

    static let locationConfig = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/www;
            access_log off;
            error_page 404 /errors/404.html;
            location = /exact { return 200 "exact"; }
            location /exact { return 200 "prefix"; }
            location /a/ { return 200 "a"; }
            location /a/b/ { return 200 "ab"; }
            location /alias/ { alias {{ROOT}}/elsewhere/; }
            location /rooted/ { root {{ROOT}}/other; }
            location /idx/ { index missing.html second.html first.html; }
            location /noindex/ { index nothing.html; }
            location /list/ { autoindex on; }
            location /errors/ { root {{ROOT}}/errdocs; }
            location /custom/ { error_page 404 /errors/custom.html; }
            location /override/ { error_page 404 =200 /errors/ok.html; }
            location /brokenpage/ { error_page 404 /errors/absent.html; }
            location /forbidden/ { error_page 403 /errors/403.html; }
            location /moved/ { error_page 404 =301 http://example.com/moved; }
            location /found/ { error_page 404 https://example.com/found?x=1; }
            location /notredirect/ { error_page 404 =200 http://example.com/page; }
            location = /r301 { return 301 /t301?a=1; }
            location = /r302 { return 302 http://example.com/t302; }
            location = /r307 { return 307 /t307; }
            location = /r308 { return 308 https://example.com/t308; }
            location = /bare { return /t-bare; }
            location = /teapot { return 418 "short and stout"; }
            location = /ret200 { return 200; }
            location = /ret404 { return 404; }
            location = /ret503 { return 503; }
            location /retgone/ { error_page 410 /errors/custom.html; return 410; }
            location /methods/ { allow_methods GET DELETE; }
            location /postonly/ { allow_methods POST; }
        }
        """

    func makeLocations() throws -> TestServer {
        try TestServer(
            config: Self.locationConfig,
            files: [
                "www/index.html": "root index",
                "www/alias/file.txt": "root copy (wrong)",
                "elsewhere/file.txt": "from alias",
                "other/rooted/file.txt": "from root",
                "www/idx/first.html": "first",
                "www/idx/second.html": "second",
                "www/noindex/file.txt": "f",
                "www/forbidden/sub/file.txt": "f",
                "www/list/plain.txt": "12345",
                "www/list/a&b <c>.txt": "xx",
                "www/list/sub/inner.txt": "i",
                "www/list/.hidden": "h",
                "errdocs/errors/404.html": "custom not found",
                "errdocs/errors/custom.html": "location page",
                "errdocs/errors/ok.html": "all fine",
                "errdocs/errors/403.html": "no listing",
                "www/methods/file.txt": "m",
            ])
    }

    func testExactLocationBeatsPrefix() throws {
        let s = try makeLocations()
        XCTAssertEqual(try get(s.port, "/exact").text, "exact")
        XCTAssertEqual(try get(s.port, "/exact?q=1").text, "exact")
        XCTAssertEqual(try get(s.port, "/exactly").text, "prefix")
        XCTAssertEqual(try get(s.port, "/exact/").text, "prefix")
    }

    func testLongestPrefixWins() throws {
        let s = try makeLocations()
        XCTAssertEqual(try get(s.port, "/a/x").text, "a")
        XCTAssertEqual(try get(s.port, "/a/b/x").text, "ab")
        XCTAssertEqual(try get(s.port, "/a/b").text, "a", "/a/b is not under /a/b/")
        XCTAssertEqual(try get(s.port, "/a/c/../b/y").text, "ab", "matched after normalisation")
    }

    func testAliasReplacesThePrefixAndRootAppendsIt() throws {
        let s = try makeLocations()
        XCTAssertEqual(try get(s.port, "/alias/file.txt").text, "from alias")
        XCTAssertEqual(try get(s.port, "/rooted/file.txt").text, "from root")
    }

    func testIndexFilesAreTriedInOrder() throws {
        let s = try makeLocations()
        XCTAssertEqual(try get(s.port, "/idx/").text, "second")
        XCTAssertEqual(try get(s.port, "/").text, "root index")
    }

    func testDirectoryWithoutSlashRedirectsKeepingTheQuery() throws {
        let s = try makeLocations()
        let r = try get(s.port, "/idx?x=1&y=2")
        XCTAssertEqual(r.status, 301)
        XCTAssertEqual(r.header("Location"), "/idx/?x=1&y=2")
        XCTAssertEqual(try get(s.port, "/list/sub").header("Location"), "/list/sub/")
    }

    func testDirectoryRedirectEscapesThePath() throws {
        // The Location is a URI: a decoded "?" or space must not turn into a query or a bare space.
        let s = try makeLocations()
        try s.write("www/list/odd?name/f.txt", "odd")
        try s.write("www/list/has space/f.txt", "space")
        let odd = try get(s.port, "/list/odd%3Fname")
        XCTAssertEqual(odd.status, 301)
        XCTAssertEqual(odd.header("Location"), "/list/odd%3Fname/")
        let space = try get(s.port, "/list/has%20space?q=1")
        XCTAssertEqual(space.header("Location"), "/list/has%20space/?q=1")
        // Following the Location reaches the directory.
        XCTAssertEqual(try get(s.port, "/list/odd%3Fname/f.txt").text, "odd")
    }

    func testDirectoryWithoutIndexAndAutoindexOffIs403() throws {
        let s = try makeLocations()
        let r = try get(s.port, "/noindex/")
        XCTAssertEqual(r.status, 403)
        XCTAssertFalse(r.text.contains("file.txt"))
    }

    func testAutoindexListsNamesSizesAndDatesEscaped() throws {
        let s = try makeLocations()
        let r = try get(s.port, "/list/")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.header("Content-Type"), "text/html")
        let html = r.text
        let head = try XCTUnwrap(html.range(of: "</head>").map { html[..<$0.lowerBound] }, html)
        XCTAssertTrue(head.contains("<meta charset=\"utf-8\">"), "UTF-8 names need the page to declare it\n\(html)")
        XCTAssertTrue(html.contains("Index of /list/"), html)
        XCTAssertTrue(html.contains("href=\"plain.txt\""), html)
        XCTAssertTrue(html.contains(">5<"), "size of plain.txt\n\(html)")
        XCTAssertTrue(html.contains("href=\"sub/\""), html)
        XCTAssertTrue(html.contains("a&amp;b &lt;c&gt;.txt"), html)
        XCTAssertTrue(html.contains("href=\"a%26b%20%3Cc%3E.txt\""), html)
        XCTAssertFalse(html.contains("<c>"), html)
        XCTAssertFalse(html.contains(".hidden"), html)
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        XCTAssertNotNil(html.range(of: #"\d{2} \w{3} \#(year) \d{2}:\d{2}:\d{2}"#, options: .regularExpression), html)
        // The escaped link leads back to the file.
        XCTAssertEqual(try get(s.port, "/list/a%26b%20%3Cc%3E.txt").text, "xx")
    }

    func testErrorPageKeepsTheStatus() throws {
        let s = try makeLocations()
        let r = try get(s.port, "/missing.html")
        XCTAssertEqual(r.status, 404)
        XCTAssertEqual(r.text, "custom not found")
        XCTAssertEqual(r.header("Content-Type"), "text/html")
        let head = try get(s.port, "/missing.html", method: "HEAD")
        XCTAssertEqual(head.status, 404)
        XCTAssertEqual(head.header("Content-Length"), "16")
    }

    func testLocationErrorPageReplacesTheServers() throws {
        let s = try makeLocations()
        let r = try get(s.port, "/custom/missing")
        XCTAssertEqual(r.status, 404)
        XCTAssertEqual(r.text, "location page")
    }

    func testErrorPageWithOverrideChangesTheStatus() throws {
        let s = try makeLocations()
        let r = try get(s.port, "/override/missing")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "all fine")
    }

    func testErrorPageIsServedThroughItsOwnLocation() throws {
        // /errors/ has its own root; the page is not looked up under the failing location's root.
        let s = try makeLocations()
        let r = try get(s.port, "/forbidden/")
        XCTAssertEqual(r.status, 403)
        XCTAssertEqual(r.text, "no listing")
    }

    func testErrorPageWithAURLRedirectsWithItsCodeOr302() throws {
        let s = try makeLocations()
        let rows: [(String, Int, String)] = [
            ("/moved/missing", 301, "http://example.com/moved"), ("/found/missing", 302, "https://example.com/found?x=1"),
            ("/notredirect/missing", 302, "http://example.com/page"),
        ]
        for (path, status, location) in rows {
            let r = try get(s.port, path)
            XCTAssertEqual(r.status, status, path)
            XCTAssertEqual(r.header("Location"), location, path)
            assertRequiredHeaders(r)
        }
    }

    func testMissingErrorPageFallsBackToTheBuiltInPage() throws {
        let s = try makeLocations()
        let r = try get(s.port, "/brokenpage/missing")
        XCTAssertEqual(r.status, 404)
        XCTAssertTrue(r.text.contains("404 Not Found"), r.text)
        XCTAssertEqual(r.header("Content-Type"), "text/html")
    }

    func testReturnRedirects() throws {
        let s = try makeLocations()
        let rows: [(String, Int, String)] = [
            ("/r301", 301, "/t301?a=1"), ("/r302", 302, "http://example.com/t302"),
            ("/r307", 307, "/t307"), ("/r308", 308, "https://example.com/t308"), ("/bare", 302, "/t-bare"),
        ]
        for (path, status, location) in rows {
            let r = try get(s.port, path)
            XCTAssertEqual(r.status, status, path)
            XCTAssertEqual(r.header("Location"), location, path)
            assertRequiredHeaders(r)
        }
    }

    func testReturnWithText() throws {
        let s = try makeLocations()
        let r = try get(s.port, "/teapot")
        XCTAssertEqual(r.status, 418)
        XCTAssertEqual(r.text, "short and stout")
        XCTAssertEqual(r.header("Content-Type"), "text/plain")
        assertRequiredHeaders(r, hasBody: true)
    }

    /// nginx's rewrite phase (`return`) runs before the method checks, at location level as at
    /// server level: a POST to `location = /teapot { return 418 ...; }` is not 405.
    func testLocationReturnAnswersMethodsAllowMethodsRefuses() throws {
        let s = try makeLocations()
        let c = try RawClient(port: s.port)
        let text = try XCTUnwrap(c.request("POST /teapot HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"))
        XCTAssertEqual(text.status, 418)
        XCTAssertEqual(text.text, "short and stout")
        let redirect = try XCTUnwrap(c.request("POST /r307 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"))
        XCTAssertEqual(redirect.status, 307)
        XCTAssertEqual(redirect.header("Location"), "/t307")
        XCTAssertEqual(c.request("DELETE /ret200 HTTP/1.1\r\nHost: x\r\n\r\n")?.status, 200)
        // The bodies were not parsed as requests: the connection still answers in order.
        XCTAssertEqual(c.request("GET /teapot HTTP/1.1\r\nHost: x\r\n\r\n")?.status, 418)
    }

    func testReturnWithoutTextOfAnErrorCodeIsAnsweredLikeThatError() throws {
        let s = try makeLocations()
        let custom = try get(s.port, "/ret404")
        XCTAssertEqual(custom.status, 404)
        XCTAssertEqual(custom.text, "custom not found", "the server's error_page 404 applies")
        let location = try get(s.port, "/retgone/x")
        XCTAssertEqual(location.status, 410)
        XCTAssertEqual(location.text, "location page", "the location's error_page 410 applies")
        let builtIn = try get(s.port, "/ret503")
        XCTAssertEqual(builtIn.status, 503)
        XCTAssertTrue(builtIn.text.contains("503 Service Unavailable"), builtIn.text)
        XCTAssertEqual(builtIn.header("Content-Type"), "text/html")
        assertRequiredHeaders(builtIn, hasBody: true)
    }

    func testReturnWithoutTextBelow400IsAnEmptyBody() throws {
        let s = try makeLocations()
        for method in ["GET", "HEAD"] {
            let r = try get(s.port, "/ret200", method: method)
            XCTAssertEqual(r.status, 200, method)
            XCTAssertTrue(r.body.isEmpty, method)
            XCTAssertEqual(r.header("Content-Length"), "0", r.head)
            XCTAssertNil(r.header("Content-Type"), r.head)
            assertRequiredHeaders(r)
        }
    }

    func testAllowMethods() throws {
        let s = try makeLocations()
        XCTAssertEqual(try get(s.port, "/methods/file.txt").status, 200)
        XCTAssertEqual(try get(s.port, "/methods/file.txt", method: "HEAD").status, 200, "GET implies HEAD")
        let post = try get(s.port, "/methods/file.txt", method: "POST")
        XCTAssertEqual(post.status, 405)
        XCTAssertEqual(post.header("Allow"), "GET, HEAD, DELETE")
        let get = try get(s.port, "/postonly/x", method: "GET")
        XCTAssertEqual(get.status, 405)
        XCTAssertEqual(get.header("Allow"), "POST")
        XCTAssertEqual(try self.get(s.port, "/methods/file.txt", method: "DELETE").status, 204)
        XCTAssertEqual(try self.get(s.port, "/methods/file.txt").status, 404)
    }
}
