import XCTest

@testable import WebservCore

/// What the configuration differential test (Tests/differential/config) found where `webserv -t`
/// and nginx 1.22's `nginx -t` disagreed and SPEC is silent: nginx's answer, one test each.
final class NginxConfigParityTests: XCTestCase {
    private func assertError(_ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(configError(text), expected, file: file, line: line)
    }

    private func assertLoads(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNil(configError(text), file: file, line: line)
    }

    /// nginx's `ngx_parse_time`: `w` is a unit; units go from larger to smaller, each once; the
    /// seconds slot (`ssl_session_timeout`, `expires`) refuses `ms` and takes `M` and `y`.
    func testTimeUnitsAsNginx() throws {
        XCTAssertEqual(ConfigValues.milliseconds("1w"), 7 * 86_400_000)
        XCTAssertEqual(ConfigValues.milliseconds("2w1d"), 15 * 86_400_000)
        for bad in ["30s1m", "1h1h", "1s1d", "1M", "1y"] {
            XCTAssertNil(ConfigValues.milliseconds(bad), bad)
        }
        XCTAssertNil(ConfigValues.milliseconds("500ms", inSeconds: true))
        XCTAssertEqual(ConfigValues.milliseconds("1M", inSeconds: true), 30 * 86_400_000)
        XCTAssertEqual(ConfigValues.milliseconds("1y", inSeconds: true), 365 * 86_400_000)
        assertLoads("send_timeout 1w;\nserver { }")
        assertError(
            "server {\n keepalive_timeout 30s1m;\n}",
            "test.conf:2: error: invalid value \"30s1m\" in \"keepalive_timeout\" directive")
        assertError(
            "server {\n ssl_session_timeout 500ms;\n}",
            "test.conf:2: error: invalid value \"500ms\" in \"ssl_session_timeout\" directive")
        assertLoads("server { ssl_session_timeout 1y; }")
        assertError("server {\n expires 30s1m;\n}", "test.conf:2: error: invalid value \"30s1m\" in \"expires\" directive")
        XCTAssertEqual(SiteSetters.expiresSeconds("1M"), 30 * 86400)
        XCTAssertEqual(SiteSetters.expiresSeconds("-1h30m"), -5400)
    }

    func testListenForms() {
        XCTAssertEqual(ConfigValues.listenAddress(":8080"), .failure(.noHost))
        assertError("server {\n listen :8080;\n}", "test.conf:2: error: no host in \":8080\" of the \"listen\" directive")
        assertLoads("server { listen [::1]:8080 ipv6only=on; }")
        assertError(
            "server {\n listen [::1]:8080 ipv6only=off;\n}",
            "test.conf:2: error: \"ipv6only=off\" is not supported: listen on both addresses")
        assertError("server {\n listen [::1]:8080 ipv6only=x;\n}", "test.conf:2: error: invalid ipv6only flags \"x\"")
    }

    /// nginx's list and bitmask slots add up the lines of one block instead of calling the second
    /// a duplicate.
    func testListDirectivesAddUpInOneBlock() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                server {
                    listen 8080;
                    gzip_types text/css;
                    gzip_types application/json;
                    brotli_types text/css;
                    brotli_types text/plain;
                    charset_types text/css;
                    charset_types text/plain;
                    gzip_proxied any;
                    gzip_proxied expired;
                    gzip_disable msie6;
                    gzip_disable msie6;
                    ssl_protocols TLSv1.2;
                    ssl_protocols TLSv1.3;
                }
                """))
        let location = config.servers[0].fallbackLocation
        XCTAssertTrue(["text/css", "application/json"].allSatisfy(location.compression.gzipTypes.contains))
        XCTAssertTrue(["text/css", "text/plain"].allSatisfy(location.compression.brotliTypes.contains))
        XCTAssertEqual(location.charsetTypes, ["text/css", "text/plain"])
        XCTAssertEqual(config.tls[0].protocols, [.tlsv1_2, .tlsv1_3])
    }

    /// nginx's enum slot compares without case.
    func testEnumValuesIgnoreCase() throws {
        let config = try XCTUnwrap(loadConfig("server {\n listen 8080;\n satisfy ANY;\n autoindex_format JSON;\n}"))
        XCTAssertEqual(config.servers[0].fallbackLocation.autoindexFormat, .json)
        XCTAssertTrue(config.servers[0].fallbackLocation.access.satisfyAny)
    }

    func testLimitExceptTakesNginxsWebDAVMethods() {
        assertLoads("server { location / { limit_except GET MKCOL COPY MOVE PROPFIND PROPPATCH LOCK UNLOCK { deny all; } } }")
        assertError(
            "server {\n location / {\n  limit_except BREW { deny all; }\n }\n}", "test.conf:3: error: invalid method \"BREW\"")
    }

    func testRootCannotUseItsOwnVariable() {
        assertError(
            "server {\n root $document_root/x;\n}",
            "test.conf:2: error: the $document_root variable cannot be used in the \"root\" directive")
        assertError(
            "server {\n location /a/ {\n  alias $realpath_root;\n }\n}",
            "test.conf:3: error: the $realpath_root variable cannot be used in the \"alias\" directive")
    }

    /// docs: variables are written `$name` or `${name}`; the braced form loads (it was refused).
    func testBracedVariableInAnArgument() throws {
        let config = try XCTUnwrap(loadConfig("server {\n listen 8080;\n add_header X-A ${host}x;\n}"))
        XCTAssertEqual(config.servers[0].fallbackLocation.addHeaders.count, 1)
        XCTAssertNotNil(configError("server {\n listen 8080;\n add_header X-A ${host;\n}"))
    }

    func testEmptyIndexIsRefused() {
        assertError("server {\n index a.html \"\";\n}", "test.conf:2: error: index \"\" in \"index\" directive is invalid")
    }

    /// `types_hash_max_size` and the like are numbers in nginx (its num slot), not sizes.
    func testHashSizesAreNumbers() {
        assertLoads("types_hash_max_size 2048;\nserver_names_hash_bucket_size 64;\nserver { }")
        assertError(
            "types_hash_max_size 1k;\nserver { }", "test.conf:1: error: invalid value \"1k\" in \"types_hash_max_size\" directive"
        )
        assertError(
            "server_names_hash_max_size 1k;\nserver { }",
            "test.conf:1: error: invalid value \"1k\" in \"server_names_hash_max_size\" directive")
    }

    /// `access_log PATH combined;` names the format written; any other is unknown (nginx's words).
    func testAccessLogTakesTheCombinedFormat() throws {
        let config = try XCTUnwrap(loadConfig("server {\n listen 8080;\n access_log logs/a.log combined;\n}"))
        XCTAssertEqual(config.servers[0].accessLog, "/srv/logs/a.log")
        assertError("server {\n access_log logs/a.log main;\n}", "test.conf:2: error: unknown log format \"main\"")
    }
}
