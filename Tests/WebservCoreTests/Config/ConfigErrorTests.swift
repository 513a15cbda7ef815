import XCTest

@testable import WebservCore

/// Every error a user can get, worded as nginx words it, on the line of the offending token.
final class ConfigErrorTests: XCTestCase {
    private func assertError(_ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(configError(text), expected, file: file, line: line)
    }

    func testUnknownDirective() {
        assertError("server {\n  foo bar;\n}", "test.conf:2: error: unknown directive \"foo\"")
    }

    func testDirectiveInWrongContext() {
        assertError("listen 80;", "test.conf:1: error: \"listen\" directive is not allowed here")
        assertError(
            "server {\n location / {\n  location /a { }\n }\n}",
            "test.conf:3: error: \"location\" directive is not allowed here")
        assertError("server {\n alias /x;\n}", "test.conf:2: error: \"alias\" directive is not allowed here")
        assertError(
            "server {\n location / {\n  keepalive_timeout 5s;\n }\n}",
            "test.conf:3: error: \"keepalive_timeout\" directive is not allowed here")
        assertError("server {\n server { }\n}", "test.conf:2: error: \"server\" directive is not allowed here")
    }

    func testTopLevelIsMainWhenAnHTTPBlockExists() {
        assertError("root /x;\nhttp {\n}", "test.conf:1: error: \"root\" directive is not allowed here")
        assertError("http {\n}\nserver { }", "test.conf:3: error: \"server\" directive is not allowed here")
        assertError("http {\n}\nhttp {\n}", "test.conf:3: error: \"http\" directive is duplicate")
        assertError("http {\n http { }\n}", "test.conf:2: error: \"http\" directive is not allowed here")
    }

    func testWrongArgumentCount() {
        assertError("server {\n root;\n}", "test.conf:2: error: invalid number of arguments in \"root\" directive")
        assertError("server {\n root a b;\n}", "test.conf:2: error: invalid number of arguments in \"root\" directive")
        assertError("server {\n listen;\n}", "test.conf:2: error: invalid number of arguments in \"listen\" directive")
        assertError("server x {\n}", "test.conf:1: error: invalid number of arguments in \"server\" directive")
        assertError("server {\n error_page /x;\n}", "test.conf:2: error: invalid number of arguments in \"error_page\" directive")
        assertError(
            "server {\n error_page =404 /x;\n}", "test.conf:2: error: invalid number of arguments in \"error_page\" directive")
        assertError("include;", "test.conf:1: error: invalid number of arguments in \"include\" directive")
    }

    func testMissingSemicolon() {
        assertError("server {\n root /x {\n }\n}", "test.conf:2: error: directive \"root\" is not terminated by \";\"")
        assertError("server {\n root /x\n", "test.conf:3: error: directive \"root\" is not terminated by \";\"")
        // Issue 12: at the directive's own line, not as the next line's "}" or an argument count.
        assertError("server {\n root /x\n}\n", "test.conf:2: error: directive \"root\" is not terminated by \";\"")
        assertError(
            "server {\n root /x\n index a.html;\n}\n", "test.conf:2: error: directive \"root\" is not terminated by \";\"")
        assertError(
            "server {\n location / {\n  autoindex on\n  root /x;\n }\n}\n",
            "test.conf:3: error: directive \"autoindex\" is not terminated by \";\"")
        assertError(
            "server {\n server_name a.test\n   b.test\n}\n",
            "test.conf:3: error: directive \"server_name\" is not terminated by \";\"")
        assertError(
            "server {\n root /x\n include other.conf;\n}\n", "test.conf:2: error: directive \"root\" is not terminated by \";\"")
        assertError(
            "server {\n root /x\n location / {\n }\n}\n", "test.conf:2: error: directive \"root\" is not terminated by \";\"")
        // Arguments may still span lines.
        XCTAssertNotNil(loadConfig("server {\n server_name a.test\n   b.test;\n}\n"))
    }

    func testBlockDirectiveWithoutBlock() {
        assertError("server;", "test.conf:1: error: directive \"server\" has no opening \"{\"")
    }

    func testUnbalancedBraces() {
        assertError("server {\n}\n}\n", "test.conf:3: error: unexpected \"}\"")
        assertError("server {\n listen 80;\n", "test.conf:3: error: unexpected end of file, expecting \"}\"")
        assertError("server {\n location / {\n }\n", "test.conf:4: error: unexpected end of file, expecting \"}\"")
    }

    func testFirstErrorWins() {
        // The unknown directive on line 2 comes before the missing brace at the end of the file.
        assertError("server {\n foo;\n", "test.conf:2: error: unknown directive \"foo\"")
        assertError("server {\n root a b;\n root c;\n}", "test.conf:2: error: invalid number of arguments in \"root\" directive")
    }

    func testListenErrors() {
        assertError("server {\n listen abc;\n}", "test.conf:2: error: invalid port in \"abc\" of the \"listen\" directive")
        assertError("server {\n listen 70000;\n}", "test.conf:2: error: invalid port in \"70000\" of the \"listen\" directive")
        assertError(
            "server {\n listen 127.0.0.1:x;\n}", "test.conf:2: error: invalid port in \"127.0.0.1:x\" of the \"listen\" directive"
        )
        assertError(
            "server {\n listen foo.example:80;\n}",
            "test.conf:2: error: host not found in \"foo.example:80\" of the \"listen\" directive")
        assertError("server {\n listen [::1;\n}", "test.conf:2: error: host not found in \"[::1\" of the \"listen\" directive")
        assertError("server {\n listen 80 backlog;\n}", "test.conf:2: error: invalid parameter \"backlog\"")
    }

    func testDuplicateListenInOneServer() {
        assertError(
            "server {\n listen 127.0.0.1:8080;\n listen 127.0.0.1:8080 default_server;\n}",
            "test.conf:3: error: duplicate listen 127.0.0.1:8080")
        assertError("server {\n listen 80;\n listen *:80;\n}", "test.conf:3: error: duplicate listen 0.0.0.0:80")
        assertError("server {\n listen [::1]:80;\n listen [0:0::1]:80;\n}", "test.conf:3: error: duplicate listen [::1]:80")
    }

    func testTwoDefaultServersOnOneAddress() {
        assertError(
            "server {\n listen 127.0.0.1:8080 default_server;\n}\nserver {\n listen 127.0.0.1:8080 default_server;\n}",
            "test.conf:5: error: a duplicate default server for 127.0.0.1:8080")
    }

    func testDuplicateDirectiveInOneBlock() {
        assertError("server {\n root /a;\n root /b;\n}", "test.conf:3: error: \"root\" directive is duplicate")
        assertError("server {\n autoindex on;\n autoindex off;\n}", "test.conf:3: error: \"autoindex\" directive is duplicate")
        // `index` and `return` may repeat: nginx 1.22 (`nginx -t`) appends the index lists and
        // runs the first return (ConfigValueTests).
        XCTAssertNil(configError("server {\n location / {\n  index a;\n  index b;\n }\n}"))
        XCTAssertNil(configError("server {\n return 200;\n return 204;\n}"))
    }

    func testRootAndAliasConflict() {
        assertError(
            "server {\n location /a/ {\n  root /x;\n  alias /y/;\n }\n}",
            "test.conf:4: error: \"alias\" directive is duplicate, \"root\" directive was specified earlier")
        assertError(
            "server {\n location /a/ {\n  alias /y/;\n  root /x;\n }\n}",
            "test.conf:4: error: \"root\" directive is duplicate, \"alias\" directive was specified earlier")
    }

    func testBadSizesAndTimes() {
        assertError(
            "server {\n client_max_body_size xyz;\n}",
            "test.conf:2: error: invalid value \"xyz\" in \"client_max_body_size\" directive")
        assertError(
            "server {\n client_max_body_size 10q;\n}",
            "test.conf:2: error: invalid value \"10q\" in \"client_max_body_size\" directive")
        assertError("keepalive_timeout 5x;", "test.conf:1: error: invalid value \"5x\" in \"keepalive_timeout\" directive")
        assertError(
            "server {\n location / {\n  cgi_timeout -1;\n }\n}",
            "test.conf:3: error: invalid value \"-1\" in \"cgi_timeout\" directive")
        assertError(
            "websocket_max_message 1t;", "test.conf:1: error: invalid value \"1t\" in \"websocket_max_message\" directive")
        // -t used to accept it, and the server trapped computing the first connection's deadline.
        assertError(
            "server {\n keepalive_timeout 2562047788015h;\n}",
            "test.conf:2: error: invalid value \"2562047788015h\" in \"keepalive_timeout\" directive")
    }

    func testAutoindexFlag() {
        assertError("server {\n autoindex yes;\n}", "test.conf:2: error: \"autoindex\" directive must be \"on\" or \"off\"")
        assertError("websocket_deflate 1;", "test.conf:1: error: \"websocket_deflate\" directive must be \"on\" or \"off\"")
        assertError(
            "server {\n websocket_deflate on off;\n}",
            "test.conf:2: error: invalid number of arguments in \"websocket_deflate\" directive")
    }

    func testUnknownMethod() {
        assertError(
            "server {\n allow_methods GET FOO;\n}", "test.conf:2: error: unknown method \"FOO\" in \"allow_methods\" directive")
    }

    func testErrorPageCodes() {
        assertError("server {\n error_page 200 /x;\n}", "test.conf:2: error: value \"200\" must be between 300 and 599")
        assertError("server {\n error_page 404 600 /x;\n}", "test.conf:2: error: value \"600\" must be between 300 and 599")
        assertError("server {\n error_page abc /x;\n}", "test.conf:2: error: invalid value \"abc\"")
        assertError("server {\n error_page 404 =x /x;\n}", "test.conf:2: error: invalid value \"=x\"")
    }

    func testReturnErrors() {
        assertError("server {\n return abc;\n}", "test.conf:2: error: invalid return code \"abc\"")
        assertError("server {\n return 1000;\n}", "test.conf:2: error: invalid return code \"1000\"")
        // `return 301;` is valid in nginx 1.22 (an empty Location): no error here either.
        XCTAssertNil(configError("server {\n return 301;\n}"))
        // Without a code the argument must look like a URL, else it is taken for a code (nginx).
        assertError("server {\n return ../elsewhere;\n}", "test.conf:2: error: invalid return code \"../elsewhere\"")
        assertError("server {\n return a b c;\n}", "test.conf:2: error: invalid number of arguments in \"return\" directive")
    }

    func testCGIAndWebSocketErrors() {
        assertError(
            "server {\n location / {\n  cgi py;\n }\n}",
            "test.conf:3: error: invalid extension \"py\" in \"cgi\" directive, it must start with \".\"")
        assertError(
            "server {\n location / {\n  cgi .py;\n  cgi .py /usr/bin/python3;\n }\n}",
            "test.conf:4: error: duplicate extension \".py\" in \"cgi\" directive")
        assertError("server {\n location / {\n  websocket exec;\n }\n}", "test.conf:3: error: \"websocket exec\" needs a command")
        assertError(
            "server {\n location / {\n  websocket echo x;\n }\n}",
            "test.conf:3: error: invalid number of arguments in \"websocket\" directive")
        assertError(
            "server {\n location / {\n  websocket chat;\n }\n}",
            "test.conf:3: error: invalid value \"chat\" in \"websocket\" directive, it must be \"echo\", \"broadcast\" or \"exec\""
        )
    }

    func testLocationErrors() {
        assertError("server {\n location ~ /x { }\n}", "test.conf:2: error: invalid location modifier \"~\"")
        assertError("server {\n location x { }\n}", "test.conf:2: error: invalid location path \"x\", it must start with \"/\"")
        assertError("server {\n location /a { }\n location /a { }\n}", "test.conf:3: error: duplicate location \"/a\"")
        assertError("server {\n location /a;\n}", "test.conf:2: error: directive \"location\" has no opening \"{\"")
    }

    func testServerNameErrors() {
        assertError("server {\n server_name www.*.com;\n}", "test.conf:2: error: invalid server name or wildcard \"www.*.com\"")
        assertError("server {\n server_name ~^re$;\n}", "test.conf:2: error: invalid server name or wildcard \"~^re$\"")
    }

    func testTypesErrors() {
        // A type without extensions maps nothing, and nginx 1.22 accepts it.
        XCTAssertNil(configError("types {\n text/html;\n}\nserver { }"))
        assertError("types text {\n}", "test.conf:1: error: invalid number of arguments in \"types\" directive")
    }

    func testErrorLineInsideCRLFFile() {
        assertError("server {\r\n  listen 80;\r\n\r\n  bogus on;\r\n}\r\n", "test.conf:4: error: unknown directive \"bogus\"")
    }

    func testUnreadableMainFile() {
        XCTAssertThrowsError(try ConfigLoader.load(path: "nope.conf", prefix: "/nonexistent-dir")) { error in
            XCTAssertEqual(
                (error as? ConfigError)?.description,
                "nope.conf:1: error: open() \"/nonexistent-dir/nope.conf\" failed (No such file or directory)")
        }
    }
}
