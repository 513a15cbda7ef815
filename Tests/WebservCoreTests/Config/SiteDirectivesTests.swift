import XCTest

@testable import WebservCore

/// add_header, expires, try_files, allow/deny, auth_basic, limit_except and the autoindex
/// formats as the checker reads and the resolver inherits them.
final class SiteDirectivesTests: XCTestCase {
    func names(_ rules: [HeaderRule]) -> [String] { rules.map { "\($0.name)=\($0.value.source)" } }

    func testAddHeaderMergesDownTheTreeAndAChildReplacesASameNamedHeader() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                http {
                  add_header X-Http h;
                  add_header X-Frame-Options DENY;
                  server {
                    add_header X-Server s always;
                    location /a/ { add_header X-Loc a; add_header x-frame-options SAMEORIGIN; }
                    location /b/ { root /b; }
                  }
                }
                """))
        let server = config.servers[0]
        XCTAssertEqual(
            names(server.locations[0].addHeaders), ["X-Http=h", "X-Server=s", "X-Loc=a", "x-frame-options=SAMEORIGIN"])
        XCTAssertEqual(names(server.locations[1].addHeaders), ["X-Http=h", "X-Frame-Options=DENY", "X-Server=s"])
        XCTAssertEqual(names(server.fallbackLocation.addHeaders), ["X-Http=h", "X-Frame-Options=DENY", "X-Server=s"])
        XCTAssertEqual(server.locations[1].addHeaders.map(\.always), [false, false, true])
        XCTAssertTrue(server.hasResponseHeaders)
    }

    func testAddHeaderInheritOffIsNginxReplace() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                add_header X-Http h;
                server {
                  add_header_inherit off;
                  add_header X-Server s;
                  location /a/ { add_header X-Loc a; }
                  location /b/ { }
                  location /c/ { add_header_inherit on; add_header X-C c; }
                }
                server { location /d/ { add_header_inherit off; } }
                """))
        let s = config.servers[0]
        XCTAssertEqual(names(s.fallbackLocation.addHeaders), ["X-Server=s"])
        XCTAssertEqual(names(s.locations[0].addHeaders), ["X-Loc=a"])
        XCTAssertEqual(names(s.locations[1].addHeaders), ["X-Server=s"])
        XCTAssertEqual(names(s.locations[2].addHeaders), ["X-Server=s", "X-C=c"])
        XCTAssertEqual(names(config.servers[1].locations[0].addHeaders), ["X-Http=h"])
        XCTAssertFalse(try XCTUnwrap(loadConfig("server { }")).servers[0].hasResponseHeaders)
    }

    func testAddHeaderArguments() {
        XCTAssertEqual(
            configError("server {\n add_header X;\n}"),
            "test.conf:2: error: invalid number of arguments in \"add_header\" directive")
        XCTAssertEqual(configError("server {\n add_header \"X Y\" v;\n}"), "test.conf:2: error: invalid header name \"X Y\"")
        XCTAssertEqual(configError("server {\n add_header X v never;\n}"), "test.conf:2: error: invalid value \"never\"")
        XCTAssertEqual(
            configError("server {\n add_header_inherit maybe;\n}"),
            "test.conf:2: error: \"add_header_inherit\" directive must be \"on\" or \"off\"")
    }

    func testExpiresValues() throws {
        XCTAssertEqual(SiteSetters.expiresSeconds("30"), 30)
        XCTAssertEqual(SiteSetters.expiresSeconds("1h30m"), 5400)
        XCTAssertEqual(SiteSetters.expiresSeconds("-1"), -1)
        XCTAssertEqual(SiteSetters.expiresSeconds("+2d"), 172_800)
        XCTAssertEqual(SiteSetters.expiresSeconds("1y"), 31_536_000)
        XCTAssertEqual(SiteSetters.expiresSeconds("1M"), 2_592_000)
        XCTAssertEqual(SiteSetters.expiresSeconds("1w"), 604_800)
        XCTAssertNil(SiteSetters.expiresSeconds("1x"))
        XCTAssertNil(SiteSetters.expiresSeconds("-"))
        XCTAssertNil(SiteSetters.expiresSeconds("@15h"))
        XCTAssertNil(SiteSetters.expiresSeconds("1500ms"), "nginx: expires is in seconds")
        let config = try XCTUnwrap(
            loadConfig(
                "expires 1h;\nserver {\n location /a/ { expires max; }\n location /b/ { expires off; }\n location /c/ { expires epoch; }\n}"
            ))
        let s = config.servers[0]
        XCTAssertEqual(s.fallbackLocation.expires, .seconds(3600))
        XCTAssertEqual(s.locations.map(\.expires), [.max, .off, .epoch])
        XCTAssertEqual(
            configError("server {\n expires soon;\n}"), "test.conf:2: error: invalid value \"soon\" in \"expires\" directive")
    }

    func testTryFilesIsTheLocationsOwnAndTheServersServesTheRest() throws {
        let config = try XCTUnwrap(
            loadConfig(
                "server {\n try_files $uri /index.html;\n location /api/ { try_files $uri $uri/ =404; }\n location /x/ { }\n}"))
        let s = config.servers[0]
        XCTAssertEqual(s.fallbackLocation.tryFiles?.files.map(\.source), ["$uri"])
        XCTAssertEqual(s.fallbackLocation.tryFiles?.fallback, .uri(VariableTemplate(literal: "/index.html")))
        XCTAssertEqual(s.locations[0].tryFiles?.fallback, .status(404))
        XCTAssertNil(s.locations[1].tryFiles)
        XCTAssertEqual(configError("server {\n try_files $uri =abc;\n}"), "test.conf:2: error: invalid code \"=abc\"")
        XCTAssertEqual(
            configError("server {\n try_files $uri;\n}"),
            "test.conf:2: error: invalid number of arguments in \"try_files\" directive")
        XCTAssertEqual(
            configError("try_files a b;\nserver { }"), "test.conf:1: error: \"try_files\" directive is not allowed here")
    }

    func testAccessRulesInheritAsAWholeAndBadCIDRIsReportedAtItsLine() throws {
        let config = try XCTUnwrap(
            loadConfig("allow 10.0.0.0/8;\ndeny all;\nserver {\n location /a/ { allow ::1; deny all; }\n location /b/ { }\n}"))
        let s = config.servers[0]
        XCTAssertEqual(s.locations[0].access.rules.count, 2)
        XCTAssertEqual(s.locations[0].access.rules[0].network?.address.count, 16)
        XCTAssertEqual(s.locations[1].access.rules.map(\.allow), [true, false])
        XCTAssertNil(s.locations[1].access.rules[1].network)
        XCTAssertEqual(configError("server {\n\n allow 10.0.0.0/33;\n}"), "test.conf:3: error: invalid parameter \"10.0.0.0/33\"")
        XCTAssertEqual(configError("server {\n deny 300.1.1.1;\n}"), "test.conf:2: error: invalid parameter \"300.1.1.1\"")
        XCTAssertEqual(configError("server {\n deny example.com;\n}"), "test.conf:2: error: invalid parameter \"example.com\"")
    }

    func testAuthBasicNeedsARealmAndAReadableUserFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("site-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let users = dir.appendingPathComponent("users").path
        try "a:{PLAIN}x\n".write(toFile: users, atomically: true, encoding: .utf8)
        let config = try XCTUnwrap(
            loadConfig(
                """
                auth_basic_user_file \(users);
                server {
                  auth_basic "Zone";
                  location /off/ { auth_basic off; }
                  location /w/ { limit_except GET { allow 127.0.0.1; deny all; } }
                  location /u/ { limit_except GET POST { auth_basic "Writers"; } }
                }
                """))
        let s = config.servers[0]
        XCTAssertEqual(s.fallbackLocation.access.auth?.realm, "Zone")
        XCTAssertNil(s.locations[0].access.auth)
        XCTAssertEqual(s.locations[1].limitExcept?.methods, ["GET", "HEAD"])
        XCTAssertEqual(s.locations[1].limitExcept?.policy.rules.count, 2)
        XCTAssertEqual(s.locations[1].limitExcept?.policy.auth?.realm, "Zone")
        XCTAssertTrue(s.locations[1].access.rules.isEmpty)
        XCTAssertEqual(s.locations[2].limitExcept?.policy.auth?.realm, "Writers")
        XCTAssertEqual(s.locations[2].limitExcept?.methods, ["GET", "HEAD", "POST"])

        XCTAssertFalse(s.locations[1].access.satisfyAny)
        let any = try XCTUnwrap(loadConfig("satisfy any;\nserver {\n location /a/ { satisfy all; }\n location /b/ { }\n}"))
        XCTAssertEqual(any.servers[0].locations.map(\.access.satisfyAny), [false, true])
        XCTAssertEqual(
            configError("server {\n satisfy some;\n}"), "test.conf:2: error: invalid value \"some\" in \"satisfy\" directive")
        XCTAssertEqual(
            configError("server {\n auth_basic_user_file /nonexistent/users;\n}"),
            "test.conf:2: error: open() \"/nonexistent/users\" failed (2: No such file or directory)")
        XCTAssertEqual(
            configError("server {\n auth_basic_user_file /dev/zero;\n}"),
            "test.conf:2: error: \"/dev/zero\" is not a regular file of at most 16 MiB")
        XCTAssertEqual(
            configError("server {\n auth_basic_user_file /tmp;\n}"),
            "test.conf:2: error: \"/tmp\" is not a regular file of at most 16 MiB")
        try "b:$9$unknown\n".write(toFile: users, atomically: true, encoding: .utf8)
        XCTAssertEqual(
            configError("server {\n auth_basic_user_file \(users);\n}"),
            "test.conf:2: error: unsupported password scheme for user \"b\" in \"\(users)\"")
        XCTAssertEqual(
            configError("server {\n location / { limit_except FETCH { deny all; } }\n}"),
            "test.conf:2: error: invalid method \"FETCH\"")
        XCTAssertEqual(
            configError("server {\n location / { limit_except GET { root /x; } }\n}"),
            "test.conf:2: error: \"root\" directive is not allowed here")
        XCTAssertEqual(
            configError("server {\n limit_except GET { deny all; }\n}"),
            "test.conf:2: error: \"limit_except\" directive is not allowed here")
    }

    func testAutoindexFormats() throws {
        let config = try XCTUnwrap(
            loadConfig(
                "autoindex_format json;\nserver {\n autoindex_exact_size off;\n location /a/ { autoindex_format html; autoindex_localtime on; }\n}"
            ))
        let s = config.servers[0]
        XCTAssertEqual(s.fallbackLocation.autoindexFormat, .json)
        XCTAssertFalse(s.fallbackLocation.autoindexExactSize)
        XCTAssertFalse(s.fallbackLocation.autoindexLocaltime)
        XCTAssertEqual(s.locations[0].autoindexFormat, .html)
        XCTAssertTrue(s.locations[0].autoindexLocaltime)
        XCTAssertEqual(
            configError("server {\n autoindex_format xml;\n}"),
            "test.conf:2: error: invalid value \"xml\" in \"autoindex_format\" directive")
    }
}
