import XCTest

@testable import WebservCore

/// gzip, brotli, gzip_static and precompressed: defaults, inheritance and checks.
final class CompressionConfigTests: XCTestCase {
    func testDefaultsAreNginxs() throws {
        let c = try XCTUnwrap(loadConfig("server { }")).servers[0].fallbackLocation.compression
        XCTAssertFalse(c.gzip)
        XCTAssertFalse(c.brotli)
        XCTAssertEqual(c.gzipTypes, ["text/html"])
        XCTAssertEqual(c.brotliTypes, ["text/html"])
        XCTAssertEqual(c.gzipMinLength, 20)
        XCTAssertEqual(c.gzipLevel, 1)
        XCTAssertEqual(c.brotliLevel, 6)
        XCTAssertEqual(c.gzipStatic, .off)
        XCTAssertEqual(c.precompressedCodings, [])
        XCTAssertEqual(c.gzipHTTPMinor, 0, "HTTP/1.0 clients too (nginx's default is 1.1)")
    }

    /// A typical nginx gzip block loads unchanged: gzip_http_version applies, gzip_vary,
    /// gzip_proxied and gzip_buffers are checked and change nothing; `listen ... http2`,
    /// `reuseport` and `backlog=N` are accepted.
    func testTypicalNginxGzipBlockAndListenParametersLoad() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                http {
                    gzip on; gzip_vary on; gzip_proxied expired no-cache no-store private auth;
                    gzip_buffers 16 8k; gzip_http_version 1.1; gzip_min_length 256;
                    server {
                        listen 127.0.0.1:8443 http2 reuseport backlog=511;
                        location /old/ { gzip_http_version 1.0; }
                    }
                }
                """))
        XCTAssertEqual(config.servers[0].fallbackLocation.compression.gzipHTTPMinor, 1)
        XCTAssertEqual(config.servers[0].locations[0].compression.gzipHTTPMinor, 0)
        let brotli = try XCTUnwrap(loadConfig("brotli_static always; brotli_min_length 1k; gzip_static on; server { }"))
        let b = brotli.servers[0].fallbackLocation.compression
        XCTAssertEqual(b.brotliStatic, .always)
        XCTAssertEqual(b.brotliMinLength, 1024)
        XCTAssertEqual(b.precompressedCodings, [.br, .gzip])
        XCTAssertNil(try XCTUnwrap(loadConfig("server { }")).servers[0].fallbackLocation.compression.brotliMinLength)
        XCTAssertTrue(
            try XCTUnwrap(loadConfig("gzip_disable \"msie6\"; server { }")).servers[0].fallbackLocation.compression
                .gzipDisableMSIE6)
        XCTAssertEqual(
            configError("gzip_disable msie6 \"MSIE [1-6]\\.\";"),
            "test.conf:1: error: \"MSIE [1-6]\\.\": only \"msie6\" is supported in \"gzip_disable\" (no regular expressions)")
        XCTAssertEqual(
            configError("brotli_static maybe;"), "test.conf:1: error: invalid value \"maybe\" in \"brotli_static\" directive")
        XCTAssertEqual(
            configError("gzip_http_version 2.0;"), "test.conf:1: error: invalid value \"2.0\" in \"gzip_http_version\" directive")
        XCTAssertEqual(
            configError("gzip_proxied any sometimes;"),
            "test.conf:1: error: invalid value \"sometimes\" in \"gzip_proxied\" directive")
        XCTAssertEqual(
            configError("gzip_vary maybe;"),
            "test.conf:1: error: \"gzip_vary\" directive must be \"on\" or \"off\"")
        XCTAssertEqual(configError("gzip_buffers 0 8k;"), "test.conf:1: error: invalid value \"0\" in \"gzip_buffers\" directive")
        XCTAssertEqual(configError("server {\n listen 80 backlog=x;\n}"), "test.conf:2: error: invalid backlog \"x\"")
    }

    func testInheritsHttpToServerToLocation() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                http {
                    gzip on; gzip_comp_level 5; gzip_types text/css application/javascript; brotli on;
                    server {
                        brotli_comp_level 11; gzip_min_length 1k;
                        location /a/ { gzip off; gzip_static always; }
                        location /b/ { precompressed br zstd gzip; brotli_types *; }
                    }
                }
                """))
        let server = config.servers[0]
        let a = server.locations[0].compression
        let b = server.locations[1].compression
        XCTAssertTrue(server.fallbackLocation.compression.gzip)
        XCTAssertFalse(a.gzip)
        XCTAssertTrue(a.brotli)
        XCTAssertEqual(a.gzipLevel, 5)
        XCTAssertEqual(a.brotliLevel, 11)
        XCTAssertEqual(a.gzipMinLength, 1024)
        XCTAssertEqual(a.gzipTypes, ["text/html", "text/css", "application/javascript"])
        XCTAssertEqual(a.gzipStatic, .always)
        XCTAssertEqual(a.precompressedCodings, [.gzip])
        XCTAssertEqual(b.precompressedCodings, [.br, .zstd, .gzip])
        XCTAssertEqual(b.brotliTypes, ["text/html", "*"])
    }

    func testGzipStaticComesAfterTheListedCodings() throws {
        let c = try XCTUnwrap(loadConfig("server { precompressed zstd br; gzip_static on; }")).servers[0]
        XCTAssertEqual(c.fallbackLocation.compression.precompressedCodings, [.zstd, .br, .gzip])
    }

    func testBadValuesAreReportedAtTheirLine() {
        XCTAssertEqual(
            configError("server {\n gzip_comp_level 10;\n}"),
            "test.conf:2: error: \"gzip_comp_level\" must be between 1 and 9")
        XCTAssertEqual(
            configError("server {\n brotli_comp_level 12;\n}"),
            "test.conf:2: error: \"brotli_comp_level\" must be between 0 and 11")
        XCTAssertEqual(configError("server { gzip maybe; }"), "test.conf:1: error: \"gzip\" directive must be \"on\" or \"off\"")
        XCTAssertEqual(
            configError("server { gzip_static sometimes; }"),
            "test.conf:1: error: invalid value \"sometimes\" in \"gzip_static\" directive")
        XCTAssertEqual(
            configError("server { precompressed deflate; }"),
            "test.conf:1: error: invalid value \"deflate\" in \"precompressed\" directive (br, zstd or gzip)")
        XCTAssertEqual(configError("server { precompressed br br; }"), "test.conf:1: error: duplicate value \"br\"")
        XCTAssertEqual(
            configError("server { gzip_min_length lots; }"),
            "test.conf:1: error: invalid value \"lots\" in \"gzip_min_length\" directive")
        XCTAssertNotNil(configError("server { gzip on; gzip off; }"), "duplicate in one block")
        XCTAssertNil(configError("server { brotli_comp_level 0; gzip_comp_level 9; }"))
    }
}
