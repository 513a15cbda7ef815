import XCTest

@testable import WebservCore

/// Defaults, inheritance (http → server → location) and path resolution.
final class ResolverTests: XCTestCase {
    func testDefaults() throws {
        let config = try XCTUnwrap(loadConfig("server { }"))
        XCTAssertEqual(config.prefix, "/srv")
        let server = config.servers[0]
        XCTAssertEqual(
            server.listens,
            [Listen(address: ListenAddress(host: "0.0.0.0", port: 8080), defaultServer: false, file: "test.conf", line: 1)])
        XCTAssertEqual(server.serverNames, [""])
        XCTAssertNil(server.returnDirective)
        XCTAssertEqual(server.keepaliveTimeout, 75_000)
        XCTAssertEqual(server.clientHeaderTimeout, 60_000)
        XCTAssertEqual(server.clientBodyTimeout, 60_000)
        XCTAssertEqual(server.sendTimeout, 60_000)
        XCTAssertEqual(server.accessLog, "")
        XCTAssertEqual(server.errorLog, "")
        XCTAssertTrue(server.locations.isEmpty)
        let fallback = server.fallbackLocation
        XCTAssertEqual(fallback.path, "")
        XCTAssertFalse(fallback.exact)
        XCTAssertEqual(fallback.root, "/srv/www")
        XCTAssertNil(fallback.alias)
        XCTAssertEqual(fallback.index, ["index.html"])
        XCTAssertFalse(fallback.autoindex)
        XCTAssertEqual(fallback.errorPages, [:])
        XCTAssertEqual(fallback.clientMaxBodySize, 1 << 20)
        XCTAssertEqual(fallback.allowMethods, ["GET", "HEAD"])
        XCTAssertNil(fallback.returnDirective)
        XCTAssertNil(fallback.uploadStore)
        XCTAssertTrue(fallback.cgi.isEmpty)
        XCTAssertEqual(fallback.cgiTimeout, 30_000)
        XCTAssertNil(fallback.websocket)
        XCTAssertEqual(fallback.websocketMaxMessage, 1 << 20)
        XCTAssertNil(fallback.websocketOrigins)
        XCTAssertTrue(fallback.websocketDeflate)
        XCTAssertEqual(fallback.types, MIMETypes.builtIn)
        XCTAssertEqual(fallback.defaultType, "application/octet-stream")
    }

    /// Issue 12: an empty file used to load with no servers and start with no socket.
    func testEmptyFileOrNoServerBlockIsAnError() throws {
        for text in ["", "# nothing\n", "http {\n    root www;\n}\n"] {
            XCTAssertThrowsError(try ConfigLoader.load(text: text, fileName: "test.conf", prefix: "/srv"), text) { error in
                XCTAssertEqual("\(error)", "test.conf:1: error: no \"server\" block: nothing to listen on")
            }
        }
    }

    func testNearestWins() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                http {
                    root /http;
                    autoindex on;
                    client_max_body_size 2m;
                    cgi_timeout 5s;
                    keepalive_timeout 10s;
                    server {
                        root /server;
                        send_timeout 1m;
                        location /a/ { root /a; client_max_body_size 0; }
                        location /b/ { }
                    }
                    server { }
                }
                """))
        let first = config.servers[0]
        XCTAssertEqual(first.fallbackLocation.root, "/server")
        XCTAssertEqual(first.locations[0].root, "/a")
        XCTAssertEqual(first.locations[0].clientMaxBodySize, 0)
        XCTAssertEqual(first.locations[1].root, "/server")
        XCTAssertEqual(first.locations[1].clientMaxBodySize, 2 << 20)
        XCTAssertTrue(first.locations[1].autoindex)
        XCTAssertEqual(first.locations[1].cgiTimeout, 5000)
        XCTAssertEqual(first.keepaliveTimeout, 10_000)
        XCTAssertEqual(first.sendTimeout, 60_000 * 1)
        XCTAssertEqual(config.servers[1].fallbackLocation.root, "/http")
        XCTAssertEqual(config.servers[1].sendTimeout, 60_000)
    }

    func testTopLevelActsAsHTTPContext() throws {
        let config = try XCTUnwrap(loadConfig("index a.html b.html;\nserver { location / { } }"))
        XCTAssertEqual(config.servers[0].locations[0].index, ["a.html", "b.html"])
    }

    func testRelativePathsResolveAgainstPrefix() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                access_log logs/access.log;
                error_log logs/error.log warn;
                server {
                    root site/;
                    location /up/ { upload_store uploads/; alias files/; cgi .py bin/python; cgi .sh; cgi .rb ruby; }
                    location /ws { websocket exec scripts/count.sh 10; }
                    location /abs { root /; }
                    location /abs2 { root /var/www//; }
                }
                """))
        let server = config.servers[0]
        XCTAssertEqual(server.accessLog, "/srv/logs/access.log")
        XCTAssertEqual(server.errorLog, "/srv/logs/error.log")
        XCTAssertEqual(server.fallbackLocation.root, "/srv/site")
        let up = server.locations[0]
        XCTAssertEqual(up.uploadStore, "/srv/uploads")
        XCTAssertEqual(up.alias, "/srv/files/")
        XCTAssertEqual(up.cgi.map(\.ext), [".py", ".sh", ".rb"])
        XCTAssertEqual(up.cgi.map(\.interpreter), ["/srv/bin/python", nil, "ruby"])
        XCTAssertEqual(server.locations[1].websocket, .exec(["/srv/scripts/count.sh", "10"]))
        XCTAssertEqual(server.locations[2].root, "/")
        XCTAssertEqual(server.locations[3].root, "/var/www")
    }

    func testLogsOffAndStderr() throws {
        let config = try XCTUnwrap(loadConfig("access_log off;\nserver { error_log stderr; }\nserver { access_log /l; }"))
        XCTAssertNil(config.servers[0].accessLog)
        XCTAssertEqual(config.servers[0].errorLog, "")
        XCTAssertEqual(config.servers[1].accessLog, "/l")
    }

    func testWebSocketDeflateInheritsAndNearestWins() throws {
        let config = try XCTUnwrap(
            loadConfig(
                "websocket_deflate off;\nserver { location /a { websocket echo; } location /b { websocket_deflate on; } }\nserver { websocket_deflate ON; }"
            ))
        XCTAssertFalse(config.servers[0].locations[0].websocketDeflate)
        XCTAssertTrue(config.servers[0].locations[1].websocketDeflate)
        XCTAssertFalse(config.servers[0].fallbackLocation.websocketDeflate)
        XCTAssertTrue(config.servers[1].fallbackLocation.websocketDeflate)
    }

    func testErrorPagesReplaceInheritedOnes() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                error_page 404 /404.html;
                error_page 500 502 =200 /50x.html;
                server {
                    location /a { error_page 403 /403.html; }
                    location /b { }
                }
                """))
        let server = config.servers[0]
        XCTAssertEqual(
            server.fallbackLocation.errorPages,
            [
                404: ErrorPage(uri: "/404.html"),
                500: ErrorPage(uri: "/50x.html", status: .fixed(200)),
                502: ErrorPage(uri: "/50x.html", status: .fixed(200)),
            ])
        XCTAssertEqual(server.locations[0].errorPages, [403: ErrorPage(uri: "/403.html")])
        XCTAssertEqual(server.locations[1].errorPages.count, 3)
    }

    /// `=` alone (nginx): the page's own status; `=` with nothing to answer is an error.
    func testErrorPageEqualsAloneKeepsThePagesStatus() throws {
        let config = try XCTUnwrap(loadConfig("server { error_page 404 410 = /gone.html; }"))
        let page = ErrorPage(uri: "/gone.html", status: .page)
        XCTAssertEqual(config.servers[0].fallbackLocation.errorPages, [404: page, 410: page])
        XCTAssertEqual(
            configError("server {\n error_page = /gone.html;\n}"),
            "test.conf:2: error: invalid number of arguments in \"error_page\" directive")
    }

    func testAllowMethodsGETImpliesHEAD() throws {
        let config = try XCTUnwrap(loadConfig("server { allow_methods get POST DELETE; location / { allow_methods POST; } }"))
        XCTAssertEqual(config.servers[0].fallbackLocation.allowMethods, ["GET", "POST", "DELETE", "HEAD"])
        XCTAssertEqual(config.servers[0].locations[0].allowMethods, ["POST"])
    }

    func testReturnForms() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                server {
                    return 301 https://example.com/;
                    location /a { return /b; }
                    location /c { return 200 "hello world"; }
                    location /d { return 404; }
                    location /e { return 307 /f; }
                }
                """))
        let server = config.servers[0]
        XCTAssertEqual(server.returnDirective, ReturnDirective(status: 301, text: "https://example.com/"))
        XCTAssertNil(server.fallbackLocation.returnDirective)
        XCTAssertEqual(
            server.locations.map(\.returnDirective),
            [
                ReturnDirective(status: 302, text: "/b"), ReturnDirective(status: 200, text: "hello world"),
                ReturnDirective(status: 404, text: nil), ReturnDirective(status: 307, text: "/f"),
            ])
    }

    func testLocationOnlySettingsAreNotInherited() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                server {
                    location /ws { websocket echo; websocket_origin https://A.example *; }
                    location /chat/ { websocket broadcast; }
                    location /x { }
                }
                """))
        let locations = config.servers[0].locations
        XCTAssertEqual(locations[0].websocket, .echo)
        XCTAssertEqual(locations[0].websocketOrigins, nil)
        XCTAssertEqual(locations[1].websocket, .broadcast)
        XCTAssertNil(locations[2].websocket)
    }

    func testWebSocketOriginsInherit() throws {
        let config = try XCTUnwrap(loadConfig("server { websocket_origin https://A.example http://b; location / { } }"))
        XCTAssertEqual(config.servers[0].locations[0].websocketOrigins, ["https://a.example", "http://b"])
    }

    func testTypesReplaceInheritedTableAndDefaultTypeInherits() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                default_type text/plain;
                types { text/html html; }
                types { image/png PNG; }
                server {
                    location /raw { types { } default_type application/x-raw; }
                    location /x { }
                }
                """))
        let server = config.servers[0]
        XCTAssertEqual(server.fallbackLocation.types.byExtension, ["html": "text/html", "png": "image/png"])
        XCTAssertEqual(server.fallbackLocation.defaultType, "text/plain")
        XCTAssertEqual(server.locations[0].types.byExtension, [:])
        XCTAssertEqual(server.locations[0].defaultType, "application/x-raw")
        XCTAssertEqual(server.locations[1].types.byExtension.count, 2)
    }

    func testListenForms() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                server {
                    listen 8081;
                    listen 127.0.0.1:8082 default_server;
                    listen *:8083;
                    listen localhost:8084;
                    listen [::1]:8085;
                    listen [::]:8086;
                    listen 127.0.0.2;
                    listen 127.0.0.1:0;
                }
                """))
        XCTAssertEqual(
            config.servers[0].listens.map(\.address.description),
            [
                "0.0.0.0:8081", "127.0.0.1:8082", "0.0.0.0:8083", "127.0.0.1:8084", "[::1]:8085", "[::]:8086",
                "127.0.0.2:80", "127.0.0.1:0",
            ])
        XCTAssertEqual(config.servers[0].listens.map(\.defaultServer), [false, true, false, false, false, false, false, false])
        XCTAssertTrue(config.servers[0].listens[4].address.isIPv6)
        XCTAssertEqual(config.servers[0].listens[4].address.host, "::1")
    }

    func testListenRemembersWhereItWasAskedFor() throws {
        let config = try XCTUnwrap(loadConfig("server {\n  listen 8081;\n\n  listen 8082; }\n\nserver {\n}\n"))
        XCTAssertEqual(config.servers[0].listens.map { "\($0.file):\($0.line)" }, ["test.conf:2", "test.conf:4"])
        XCTAssertEqual(
            config.servers[1].listens.map { "\($0.file):\($0.line)" }, ["test.conf:6"], "the implicit listen: its server line")
    }

    func testServerNamesAreLowerCasedAndAccumulate() throws {
        let config = try XCTUnwrap(
            loadConfig("server { server_name Example.COM www.example.com.; server_name *.Example.com .example.org; }"))
        XCTAssertEqual(
            config.servers[0].serverNames,
            [
                "example.com", "www.example.com", "*.example.com", "example.org", "*.example.org",
            ])
    }

    func testQuotedArgumentsAndComments() throws {
        let config = try XCTUnwrap(loadConfig("server { # the site\n root \"/my site\"; index 'a b.html'; }"))
        XCTAssertEqual(config.servers[0].fallbackLocation.root, "/my site")
        XCTAssertEqual(config.servers[0].fallbackLocation.index, ["a b.html"])
    }
}
