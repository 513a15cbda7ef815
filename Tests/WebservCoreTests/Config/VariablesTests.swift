import XCTest

@testable import WebservCore

/// nginx variables: split once at load, expanded per request, unknown ones refused at load.
final class VariablesTests: XCTestCase {
    func request(_ text: String) throws -> RequestHead {
        try RequestHeadParser.parse(Array(text.utf8))
    }

    func context(_ head: RequestHead?, serverName: String = "example.org") -> VariableContext {
        VariableContext(scheme: "http", serverName: serverName, serverPort: 8080, request: head) { "10.1.2.3" }
    }

    func expand(_ template: String, _ head: RequestHead?) throws -> String {
        try VariableTemplate.parse(template).get().expand(context(head))
    }

    func testSplitsLiteralsAndVariables() throws {
        let t = try VariableTemplate.parse("https://$host${request_uri}x").get()
        XCTAssertEqual(t.parts, [.literal("https://"), .variable(.host), .variable(.requestURI), .literal("x")])
        XCTAssertFalse(t.isLiteral)
        XCTAssertTrue(try VariableTemplate.parse("no variables").get().isLiteral)
        XCTAssertEqual(try VariableTemplate.parse("").get().parts, [])
        XCTAssertEqual(try VariableTemplate.parse("$http_x_forwarded_for").get().parts, [.variable(.header("x-forwarded-for"))])
    }

    func testRefusesWhatNginxRefuses() {
        XCTAssertEqual(VariableTemplate.parse("/a/$foo").failure, .unknown("foo"))
        XCTAssertEqual(VariableTemplate.parse("/a/$").failure, .invalidName("/a/$"))
        XCTAssertEqual(VariableTemplate.parse("50$ off").failure, .invalidName("50$ off"))
        XCTAssertEqual(VariableTemplate.parse("${uri").failure, .missingBracket("${uri"))
        XCTAssertEqual(VariableTemplate.parse("$http_").failure, .unknown("http_"))
        XCTAssertEqual(VariableError.unknown("foo").message, "unknown \"foo\" variable")
    }

    /// The variables nginx has for the connection, the response and the time (compared with
    /// nginx 1.22's `return 200 "$var"`), and `$binary_remote_addr`, refused with its reason.
    func testConnectionResponseAndTimeVariables() throws {
        let head = try request("GET /dir/f.txt HTTP/1.1\r\nHost: h\r\n\r\n")
        var c = context(head)
        c.remotePort = { 51234 }
        c.serverAddress = { "127.0.0.2" }
        c.elapsedMilliseconds = { 1234 }
        let location = try XCTUnwrap(loadConfig("server { root /srv/www; }")).servers[0].fallbackLocation
        c.location = { location }
        func value(_ name: String) throws -> String { try VariableTemplate.parse(name).get().expand(c) }
        XCTAssertEqual(try value("$remote_port"), "51234")
        XCTAssertEqual(try value("$server_addr"), "127.0.0.2")
        XCTAssertEqual(try value("$status"), "000", "no status known yet: nginx prints %03ui of 0")
        c.status = 404
        XCTAssertEqual(try value("$status"), "404")
        XCTAssertEqual(try value("$request_time"), "1.234")
        XCTAssertEqual(VariableContext.milliseconds(5), "0.005")
        XCTAssertEqual(try value("$document_root|$request_filename"), "/srv/www|/srv/www/dir/f.txt")
        XCTAssertEqual(try value("$nginx_version"), Command.version)
        XCTAssertEqual(try value("[$request_body]"), "[]")
        c.sentHeaders = [("Content-Type", "text/html"), ("X-A", "1")]
        XCTAssertEqual(try value("$sent_http_content_type $sent_http_x_a [$sent_http_x_b]"), "text/html 1 []")
        XCTAssertEqual(VariableContext.iso8601(0), "1970-01-01T00:00:00+00:00")
        XCTAssertEqual(VariableContext.iso8601(1_796_592_136), "2026-12-06T21:22:16+00:00")
        XCTAssertNotNil(try value("$msec").wholeMatch(of: /\d{10,}\.\d{3}/))
        XCTAssertNotNil(try value("$time_local").wholeMatch(of: /\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000/))
        let refused = VariableTemplate.parse("$binary_remote_addr").failure
        XCTAssertEqual(refused?.message.hasPrefix("the \"binary_remote_addr\" variable is not supported"), true)
    }

    func testExpandsEveryVariableAsNginx() throws {
        let head = try request(
            "POST /a%20b/../c?x=1&y=2 HTTP/1.1\r\nHost: WWW.Example.COM:8443\r\nUser-Agent: t/1\r\nX-A: 1\r\nX-A: 2\r\n\r\n")
        XCTAssertEqual(try expand("$scheme", head), "http")
        XCTAssertEqual(try expand("$host", head), "www.example.com")
        XCTAssertEqual(try expand("$server_name:$server_port", head), "example.org:8080")
        XCTAssertEqual(try expand("$request_uri", head), "/a%20b/../c?x=1&y=2")
        XCTAssertEqual(try expand("$uri", head), "/c")
        XCTAssertEqual(try expand("$args|$query_string|$is_args", head), "x=1&y=2|x=1&y=2|?")
        XCTAssertEqual(try expand("$remote_addr", head), "10.1.2.3")
        XCTAssertEqual(try expand("$request_method", head), "POST")
        XCTAssertEqual(try expand("$http_user_agent", head), "t/1")
        XCTAssertEqual(try expand("$http_x_a", head), "1, 2")
        XCTAssertEqual(try expand("[$http_missing]", head), "[]")
    }

    /// nginx's `$arg_NAME`, `$cookie_NAME`, `$https`, `$content_length`, `$hostname`, `$pid`: a
    /// configuration with them loaded in nginx and was refused here (Tests/differential/config).
    func testNginxsArgumentCookieAndServerVariables() throws {
        let head = try request(
            "GET /p?a=1&Name=J%20D&flag&name=2 HTTP/1.1\r\nHost: h\r\nCookie: sid=abc; Theme=dark\r\n"
                + "Cookie: x=1\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(try expand("$arg_name|$arg_a|[$arg_flag]|[$arg_none]", head), "J%20D|1|[]|[]")
        XCTAssertEqual(try expand("$cookie_sid|$cookie_theme|$cookie_x|[$cookie_none]", head), "abc|dark|1|[]")
        XCTAssertEqual(try expand("[$https]|$content_length", head), "[]|0")
        let tls = VariableContext(scheme: "https", serverName: "s", serverPort: 443, request: head) { "" }
        XCTAssertEqual(try VariableTemplate.parse("$https").get().expand(tls), "on")
        XCTAssertFalse(try expand("$hostname", head).isEmpty)
        XCTAssertEqual(try expand("$pid", head), String(getpid()))
        XCTAssertEqual(VariableTemplate.parse("$arg_").failure, .unknown("arg_"))
        XCTAssertEqual(VariableTemplate.parse("$cookie_").failure, .unknown("cookie_"))
    }

    func testHostWithoutHeaderIsTheServerNameAndIPv6KeepsItsBrackets() throws {
        let old = try request("GET /p HTTP/1.0\r\n\r\n")
        XCTAssertEqual(try expand("$host$is_args$args", old), "example.org")
        let v6 = try request("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n")
        XCTAssertEqual(try expand("$host", v6), "[::1]")
        XCTAssertEqual(try expand("$uri$host", nil), "example.org")
    }

    func testHostDropsATrailingDotAsNginx() throws {
        let dotted = try request("GET / HTTP/1.1\r\nHost: Www.Example.COM.:8080\r\n\r\n")
        XCTAssertEqual(try expand("$host", dotted), "www.example.com")
        let absolute = try request("GET http://A.Example./p HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try expand("$host", absolute), "a.example")
    }

    func testUnknownVariableIsAConfigErrorAtItsLine() {
        XCTAssertEqual(
            configError("server {\n location / {\n  return 301\n   https://$hots$request_uri;\n }\n}"),
            "test.conf:4: error: unknown \"hots\" variable")
        XCTAssertEqual(
            configError("server {\n error_page 404 /e?u=$urii;\n}"), "test.conf:2: error: unknown \"urii\" variable")
        XCTAssertEqual(configError("server {\n add_header X $nope;\n}"), "test.conf:2: error: unknown \"nope\" variable")
        XCTAssertEqual(configError("server {\n try_files $uri $x =404;\n}"), "test.conf:2: error: unknown \"x\" variable")
    }

    func testReturnAndErrorPageKeepTheirTemplates() throws {
        let config = try XCTUnwrap(
            loadConfig("server {\n return $scheme://$host$request_uri;\n error_page 404 /404.html?from=$uri;\n}"))
        let server = config.servers[0]
        XCTAssertEqual(server.returnDirective?.status, 302)
        XCTAssertEqual(server.returnDirective?.template?.parts.count, 4)
        XCTAssertEqual(server.fallbackLocation.errorPages[404]?.template.parts.last, .variable(.uri))
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}
