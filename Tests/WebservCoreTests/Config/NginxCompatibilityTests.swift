import XCTest

@testable import WebservCore

final class NginxCompatibilityTests: XCTestCase {
    /// The main context of a stock nginx.conf and the tuning of its http block load, and
    /// change nothing (one process, one poll() loop).
    func testNginxBoilerplateLoads() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                worker_processes 1;
                events { worker_connections 768; multi_accept on; use epoll; accept_mutex off; }
                http {
                    sendfile on;
                    tcp_nopush on;
                    tcp_nodelay on;
                    server_tokens off;
                    types_hash_max_size 2048;
                    types_hash_bucket_size 64;
                    server_names_hash_bucket_size 64;
                    server { listen 127.0.0.1:8080; sendfile off; charset utf-8; }
                }
                """))
        XCTAssertEqual(config.servers.count, 1)
        XCTAssertEqual(config.servers[0].fallbackLocation.charset, "utf-8")
    }

    /// `keepalive_timeout TIME [HEADER_TIME];`: the second value (whole seconds) is inherited
    /// on its own, as nginx merges it; a bad one is reported at its line.
    func testKeepaliveTimeoutHeaderArgument() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                http {
                    keepalive_timeout 75s 1m;
                    server { listen 127.0.0.1:8080; }
                    server { listen 127.0.0.1:8081; keepalive_timeout 10; }
                    server { listen 127.0.0.1:8082; keepalive_timeout 10 1500ms; }
                }
                """))
        XCTAssertEqual(config.servers.map(\.keepaliveTimeout), [75_000, 10_000, 10_000])
        XCTAssertEqual(config.servers.map(\.keepaliveHeader), [60, 60, 1])
        XCTAssertNil(loadConfig("server { listen 127.0.0.1:8083; }")?.servers[0].keepaliveHeader)
        let requests = try XCTUnwrap(
            loadConfig(
                "http { keepalive_requests 1000; server { listen 8080; } server { listen 8081; keepalive_requests 5; } }"))
        XCTAssertEqual(requests.servers.map(\.keepaliveRequests), [1000, 5])
        XCTAssertNil(loadConfig("server { listen 8080; }")?.servers[0].keepaliveRequests)
        XCTAssertThrowsError(try ConfigLoader.load(text: "server { keepalive_requests -1; }", fileName: "t.conf", prefix: "/srv"))
        XCTAssertThrowsError(
            try ConfigLoader.load(text: "server {\n keepalive_timeout 5s 1x;\n}\n", fileName: "t.conf", prefix: "/srv")
        ) { error in
            XCTAssertEqual("\(error)", "t.conf:2: error: invalid value \"1x\" in \"keepalive_timeout\" directive")
        }
        XCTAssertThrowsError(
            try ConfigLoader.load(text: "server { keepalive_timeout 5s 6s 7s; }\n", fileName: "t.conf", prefix: "/srv"))
    }

    /// nginx's `error_log` usually sits at the top level of nginx.conf: it applies to every
    /// server there, and one in `http` or a server still wins.
    func testErrorLogAtTheTopLevel() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                error_log /var/log/webserv/error.log warn;
                events { }
                http {
                    server { listen 127.0.0.1:8080; }
                    server { listen 127.0.0.1:8081; error_log stderr; }
                }
                """))
        XCTAssertEqual(config.servers[0].errorLog, "/var/log/webserv/error.log")
        XCTAssertEqual(config.servers[1].errorLog, "")
    }

    func testTheirValuesAreStillChecked() {
        XCTAssertEqual(
            configError("worker_processes auto;\nevents { }\nhttp { server { listen 8080; } }"),
            "test.conf:1: error: \"worker_processes auto\" is not supported: webserv runs one process")
        XCTAssertEqual(
            configError("events { worker_connections many; }\nhttp { server { listen 8080; } }"),
            "test.conf:1: error: invalid value \"many\" in \"worker_connections\" directive")
        XCTAssertEqual(
            configError("server {\n listen 8080;\n sendfile yes;\n}"),
            "test.conf:3: error: \"sendfile\" directive must be \"on\" or \"off\"")
        XCTAssertEqual(
            configError("server {\n listen 8080;\n server_tokens maybe;\n}"),
            "test.conf:3: error: invalid value \"maybe\" in \"server_tokens\" directive")
        XCTAssertEqual(
            configError("events { listen 8080; }\nhttp { server { listen 8080; } }"),
            "test.conf:1: error: \"listen\" directive is not allowed here")
        XCTAssertEqual(
            configError("server {\n listen 8080;\n worker_connections 10;\n}"),
            "test.conf:3: error: \"worker_connections\" directive is not allowed here")
        XCTAssertEqual(
            configError("server {\n listen 8080;\n charset \"utf 8\";\n}"),
            "test.conf:3: error: invalid value \"utf 8\" in \"charset\" directive")
    }

    /// `charset` inherits down the tree; `off` turns it off; `charset_types` replaces the list.
    func testCharsetInherits() throws {
        let config = try XCTUnwrap(
            loadConfig(
                """
                charset utf-8;
                server {
                    listen 8080;
                    location /raw/ { charset off; }
                    location /css/ { charset_types text/css; }
                }
                """))
        let server = config.servers[0]
        XCTAssertEqual(server.fallbackLocation.charset, "utf-8")
        let raw = try XCTUnwrap(server.locations.first { $0.path == "/raw/" })
        XCTAssertNil(raw.charset)
        let css = try XCTUnwrap(server.locations.first { $0.path == "/css/" })
        XCTAssertEqual(css.charset, "utf-8")
        XCTAssertEqual(css.charsetTypes, ["text/css"])
    }
}
