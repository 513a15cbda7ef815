import XCTest

@testable import WebservCore

/// The TLS directives as the checker reads them: `listen ... ssl`, protocols, session caches,
/// inheritance from http, and the errors that need no certificate to find.
final class TLSSettingsTests: XCTestCase {
    func testListenTakesSSLAndDefaultServerInAnyOrder() {
        for flags in ["ssl default_server", "default_server ssl", "ssl"] {
            let config = configError("server { listen 127.0.0.1:8443 \(flags); }")
            XCTAssertEqual(
                config, "test.conf:1: error: no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive", flags)
        }
        let plain = loadConfig("server { listen 127.0.0.1:8080 default_server; }")
        XCTAssertEqual(plain?.servers[0].listens[0].ssl, false)
        XCTAssertEqual(plain?.servers[0].listens[0].defaultServer, true)
        XCTAssertEqual(
            configError("server {\n listen 8443 ssl http3;\n}"), "test.conf:2: error: invalid parameter \"http3\"")
    }

    func testProtocolNames() {
        XCTAssertEqual(try? TLSProtocol.parse(["TLSv1.2", "TLSv1.3"]).get(), [.tlsv1_2, .tlsv1_3])
        XCTAssertEqual(try? TLSProtocol.parse(["TLSv1", "TLSv1.1"]).get(), [.tlsv1, .tlsv1_1])
        // nginx 1.22 (`nginx -t`) takes `ssl_protocols tlsv1.2 TLSV1.3;`: its bitmask slot ignores case.
        XCTAssertEqual(try? TLSProtocol.parse(["TLSv1.2", "tlsv1.3"]).get(), [.tlsv1_2, .tlsv1_3])
        XCTAssertEqual(try? TLSProtocol.parse(["sslV3", "TLSV1.1"]).get(), [.sslv3, .tlsv1_1])
        XCTAssertEqual(TLSProtocol.parse(["TLSv1.2", "tlsv1.4"]), .failure(BadArgument(index: 1)))
        XCTAssertNil(configError("server { ssl_protocols tlsv1.2 TLSV1.3; }"))
        XCTAssertEqual(
            configError("ssl_protocols TLSv1.2 TLSv9;"),
            "test.conf:1: error: invalid value \"TLSv9\" in \"ssl_protocols\" directive")
        XCTAssertTrue(TLSProtocol.tlsv1_1 < .tlsv1_2)
    }

    func testSessionCacheForms() {
        XCTAssertEqual(try? TLSSessionCache.parse(["off"]).get(), .off)
        XCTAssertEqual(try? TLSSessionCache.parse(["none"]).get(), TLSSessionCache.none)
        XCTAssertEqual(try? TLSSessionCache.parse(["builtin"]).get(), .sessions(20480))
        XCTAssertEqual(try? TLSSessionCache.parse(["builtin:1000"]).get(), .sessions(1000))
        XCTAssertEqual(try? TLSSessionCache.parse(["shared:SSL:1m"]).get(), .sessions(4096))
        XCTAssertEqual(try? TLSSessionCache.parse(["builtin:1000", "shared:SSL:1m"]).get(), .sessions(5096))
        XCTAssertEqual(TLSSessionCache.parse(["shared:SSL"]), .failure(BadArgument(index: 0)))
        XCTAssertEqual(TLSSessionCache.parse(["builtin:x"]), .failure(BadArgument(index: 0)))
        // As nginx 1.22 (`nginx -t` takes them): the last of off/none/builtin decides, the
        // shared cache adds to a built-in one, and several lines of one block combine.
        XCTAssertEqual(try? TLSSessionCache.parse(["off", "builtin"]).get(), .sessions(20480))
        XCTAssertEqual(try? TLSSessionCache.parse(["off", "shared:SSL:1m"]).get(), .off)
        XCTAssertEqual(try? TLSSessionCache.parse(["shared:SSL:1m", "none"]).get(), TLSSessionCache.none)
        XCTAssertEqual(
            loadConfig("server {\n ssl_session_cache builtin;\n ssl_session_cache shared:SSL:1m;\n}")?.tls[0]
                .sessionCache,
            .sessions(20480 + 4096))
        XCTAssertEqual(
            loadConfig("server {\n ssl_session_cache shared:SSL:1m;\n ssl_session_cache off;\n}")?.tls[0].sessionCache,
            .off)
        XCTAssertEqual(
            configError("ssl_session_cache shared:SSL:1m nonsense;"),
            "test.conf:1: error: invalid session cache \"nonsense\"")
    }

    func testServerSettingsInheritFromHTTP() {
        let config = loadConfig(
            """
            ssl_protocols TLSv1.3;
            ssl_session_timeout 10m;
            ssl_session_tickets off;
            server { listen 127.0.0.1:8080; ssl_prefer_server_ciphers on; }
            server { listen 127.0.0.1:8081; ssl_protocols TLSv1.2; }
            """)
        XCTAssertEqual(config?.tls[0].protocols, [.tlsv1_3])
        XCTAssertEqual(config?.tls[0].sessionTimeout, 600_000)
        XCTAssertEqual(config?.tls[0].sessionTickets, false)
        XCTAssertEqual(config?.tls[0].preferServerCiphers, true)
        XCTAssertEqual(config?.tls[1].protocols, [.tlsv1_2])
        XCTAssertEqual(config?.tls[1].preferServerCiphers, false)
        let defaults = loadConfig("server { listen 127.0.0.1:8080; }")?.tls[0]
        XCTAssertEqual(defaults?.protocols, [.tlsv1_2, .tlsv1_3], "SPEC §7's default")
        XCTAssertEqual(defaults?.sessionTimeout, 300_000)
        XCTAssertEqual(defaults?.sessionCache, TLSSessionCache.none)
        XCTAssertEqual(defaults?.sessionTickets, true)
    }

    func testOnePortCannotBeBothTLSAndPlain() {
        XCTAssertEqual(
            configError("server {\n listen 127.0.0.1:8080;\n}\nserver {\n listen 127.0.0.1:8080 ssl;\n}"),
            "test.conf:5: error: 127.0.0.1:8080 is ssl here but plain in \"listen\" at test.conf:2")
        XCTAssertEqual(
            configError("server {\n listen 8443 ssl;\n listen 127.0.0.1:8443;\n}"),
            "test.conf:3: error: 127.0.0.1:8443 is plain here but ssl in \"listen\" at test.conf:2",
            "a wildcard shares its socket with the address")
    }

    func testCertificateErrorsAreReportedAtTheirDirective() {
        XCTAssertEqual(
            configError("server {\n listen 127.0.0.1:8443 ssl;\n ssl_certificate /nonexistent/c.pem;\n}"),
            "test.conf:3: error: no \"ssl_certificate_key\" is defined for certificate \"/nonexistent/c.pem\"")
        XCTAssertEqual(
            configError(
                "server {\n listen 127.0.0.1:8443 ssl;\n ssl_certificate /nonexistent/c.pem;\n ssl_certificate_key k.pem;\n}"),
            "test.conf:3: error: cannot load certificate \"/nonexistent/c.pem\": No such file or directory")
        XCTAssertEqual(
            configError(
                "server {\n listen 127.0.0.1:8443 ssl;\n ssl_certificate c.pem;\n ssl_certificate_key k.pem;\n ssl_certificate_key k2.pem;\n}"
            ),
            "test.conf:5: error: no \"ssl_certificate\" is defined for certificate key \"/srv/k2.pem\"",
            "a key without its certificate, named before any file is read")
        // http-level certificates are loaded for every server, as nginx does.
        XCTAssertEqual(
            configError("ssl_certificate c.pem;\nssl_certificate_key c.key;\nserver { listen 127.0.0.1:8080; }"),
            "test.conf:1: error: cannot load certificate \"/srv/c.pem\": No such file or directory")
    }
}
