import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// HTTPS through the real binary with curl and openssl s_client: every feature over TLS,
/// SNI and the 421 rule, ALPN, protocol versions, session resumption, and plain HTTP beside
/// TLS (SPEC §7). Certificates come from `TestCertificates` (made at test time).
final class TLSTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0 ssl;
            listen 127.0.0.2:0;
            server_name a.test localhost;
            ssl_certificate {{CERTS}}/rsa.pem;
            ssl_certificate_key {{CERTS}}/rsa.key;
            root {{ROOT}}/www;
            error_log {{ROOT}}/error.log;
            access_log off;
            location /cgi-bin/ {
                root {{ROOT}};
                allow_methods GET HEAD POST;
                cgi .sh /bin/sh;
                client_max_body_size 64m;
            }
            location /up/ {
                allow_methods GET POST;
                upload_store {{ROOT}}/store;
                client_max_body_size 64m;
            }
            location /echo { websocket echo; }
            location /chat/ { websocket broadcast; allow_methods GET POST; }
            location /cat { websocket exec /bin/cat; }
            location /env { websocket exec /bin/sh -c "echo $HTTPS $REQUEST_SCHEME"; }
            location = /scheme { return 200 "$scheme://$host:$server_port$request_uri"; }
            location = /secure { return 301 https://$host$request_uri; }
        }
        server {
            listen 127.0.0.1:0 ssl;
            server_name b.test *.wild.test;
            ssl_certificate {{CERTS}}/ecdsa.pem;
            ssl_certificate_key {{CERTS}}/ecdsa.key;
            root {{ROOT}}/www-b;
            access_log off;
        }
        server {
            listen 127.0.0.1:0 ssl;
            server_name c.test;
            ssl_certificate {{CERTS}}/rsa.pem;
            ssl_certificate_key {{CERTS}}/rsa.key;
            root {{ROOT}}/www-c;
            access_log off;
        }
        """

    static let files: [String: String] = [
        "www/index.html": "server a\n",
        "www-b/index.html": "server b\n",
        "www-c/index.html": "server c\n",
        "store/.keep": "",
        "cgi-bin/env.sh":
            "printf 'Content-Type: text/plain\\r\\n\\r\\n'\necho \"HTTPS=$HTTPS\"\necho \"REQUEST_SCHEME=$REQUEST_SCHEME\"\necho \"SERVER_PORT=$SERVER_PORT\"\n",
        "cgi-bin/stream.sh": "printf 'Content-Type: text/plain\\r\\n\\r\\n'\nhead -c 300000 /dev/zero | tr '\\0' s\n",
        "cgi-bin/cat.sh": "printf 'Content-Type: application/octet-stream\\r\\n\\r\\n'\ncat\n",
    ]

    /// Python RFC 6455 helpers over an ssl socket: `exact`, `send` (masked), `recv`.
    static let webSocketHelpers = """
        def exact(s, n):
            out = b""
            while len(out) < n:
                chunk = s.recv(n - len(out))
                assert chunk, "closed"
                out += chunk
            return out
        def send(s, data, opcode=1):
            mask = os.urandom(4)
            n = len(data)
            head = bytes([0x80 | opcode])
            if n < 126: head += bytes([0x80 | n])
            elif n < 65536: head += bytes([0x80 | 126]) + struct.pack("!H", n)
            else: head += bytes([0x80 | 127]) + struct.pack("!Q", n)
            s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
        def recv(s):
            b0, b1 = exact(s, 2)
            n = b1 & 0x7F
            if n == 126: n = struct.unpack("!H", exact(s, 2))[0]
            elif n == 127: n = struct.unpack("!Q", exact(s, 8))[0]
            return exact(s, n)
        """

    var server: TestServer!
    var certs: TestCertificates!
    var tlsPort: Int { server.ports[0] }
    var plainPort: Int { server.ports[1] }

    override func setUpWithError() throws {
        certs = try TestCertificates.require()
        server = try TestServer(
            config: Self.config.replacingOccurrences(of: "{{CERTS}}", with: certs.directory.path), files: Self.files)
    }

    override func tearDown() {
        server?.stop()
        server = nil
    }

    /// curl over https to `name` (resolved to 127.0.0.1, so SNI says it), trusting the test CA.
    func https(_ name: String = "a.test", _ path: String, _ extra: [String] = []) throws -> String {
        try curl(
            ["--cacert", certs.ca, "--resolve", "\(name):\(tlsPort):127.0.0.1", "https://\(name):\(tlsPort)\(path)"] + extra)
    }

    func testStaticFilesOverTLSWithKeepAlive() throws {
        XCTAssertEqual(try https("a.test", "/"), "server a\n")
        let two = try curl([
            "--cacert", certs.ca, "-w", "%{num_connects}\n", "https://localhost:\(tlsPort)/",
            "https://localhost:\(tlsPort)/index.html",
        ])
        XCTAssertEqual(two, "server a\n1\nserver a\n0\n", "the second request reuses the TLS connection")
        let head = try https("a.test", "/", ["-I"])
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200"), head)
        XCTAssertTrue(head.contains("Content-Length: 9"), head)
    }

    func testBigFileAndRangeOverTLS() throws {
        var bytes = [UInt8](repeating: 0, count: 3 << 20)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 31 &+ i >> 11) }
        try server.write("www/big.bin", data: Data(bytes))
        let out = server.path("big.out")
        let code = try https("a.test", "/big.bin", ["-o", out, "-w", "%{http_code}"])
        XCTAssertEqual(code, "200")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), Data(bytes), "every byte of 3 MiB, in order")
        let range = try https("a.test", "/big.bin", ["-r", "1000000-1000009", "-o", out, "-w", "%{http_code}"])
        XCTAssertEqual(range, "206")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), Data(bytes[1_000_000..<1_000_010]))
    }

    /// A cached file of 16 KiB or more leaves from a descriptor the cache shares (sendfile in
    /// the clear); under TLS the same descriptor is read with pread, response after response.
    func testCachedFileWithASharedDescriptorOverTLS() throws {
        var bytes = [UInt8](repeating: 0, count: 200_000)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 7 &+ i >> 9) }
        try server.write("www/mid.bin", data: Data(bytes))
        // Older than a second, so the file cache keeps it.
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -60)], ofItemAtPath: server.path("www/mid.bin"))
        let out = server.path("mid.out")
        var args: [String] = []
        for i in 0..<4 {
            args +=
                (i == 0 ? [] : ["--next"]) + [
                    "--cacert", certs.ca, "--resolve", "a.test:\(tlsPort):127.0.0.1", "-s", "-o", "\(out)\(i)",
                    "https://a.test:\(tlsPort)/mid.bin",
                ]
        }
        _ = try WebservIntegrationTests.run("/usr/bin/curl", args, timeout: 30)
        for i in 0..<4 {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(out)\(i)")), Data(bytes), "response \(i)")
        }
    }

    func testUploadAndChunkedBodiesOverTLS() throws {
        let body = Data((0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0 * 7) })
        try server.write("upload.bin", data: body)
        let created = try https(
            "a.test", "/up/first.bin", ["--data-binary", "@\(server.path("upload.bin"))", "-w", "%{http_code}"])
        XCTAssertTrue(created.hasSuffix("201"), created)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: server.path("store/first.bin"))), body)
        // A chunked body into a CGI script, which sends it back.
        let echoed = server.path("echoed.bin")
        let code = try https(
            "a.test", "/cgi-bin/cat.sh",
            [
                "-H", "Transfer-Encoding: chunked", "--data-binary", "@\(server.path("upload.bin"))", "-o", echoed, "-w",
                "%{http_code}",
            ])
        XCTAssertEqual(code, "200")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: echoed)), body)
    }

    func testCGISeesTheSchemeAndStreamsOverTLS() throws {
        let env = try https("a.test", "/cgi-bin/env.sh")
        XCTAssertTrue(env.contains("HTTPS=on\n"), env)
        XCTAssertTrue(env.contains("REQUEST_SCHEME=https\n"), env)
        XCTAssertTrue(env.contains("SERVER_PORT=\(tlsPort)\n"), env)
        let plain = try curl(["http://127.0.0.2:\(plainPort)/cgi-bin/env.sh"])
        XCTAssertTrue(plain.contains("HTTPS=\n"), plain)
        XCTAssertTrue(plain.contains("REQUEST_SCHEME=http\n"), plain)
        XCTAssertTrue(plain.contains("SERVER_PORT=\(plainPort)\n"), plain)
        let streamed = try https("a.test", "/cgi-bin/stream.sh")
        XCTAssertEqual(streamed.count, 300_000)
        XCTAssertTrue(streamed.allSatisfy { $0 == "s" })
    }

    func testVariablesSeeTheScheme() throws {
        XCTAssertEqual(try https("a.test", "/scheme?x=1"), "https://a.test:\(tlsPort)/scheme?x=1")
        XCTAssertEqual(try curl(["http://127.0.0.2:\(plainPort)/scheme"]), "http://127.0.0.2:\(plainPort)/scheme")
        let redirect = try curl(["-sI", "http://127.0.0.2:\(plainPort)/secure?a=b", "-H", "Host: a.test"])
        XCTAssertTrue(redirect.contains("Location: https://a.test/secure?a=b\r\n"), redirect)
    }

    func testPlainAndTLSListenersSideBySide() throws {
        XCTAssertEqual(try curl(["http://127.0.0.2:\(plainPort)/"]), "server a\n")
        XCTAssertEqual(try https("a.test", "/"), "server a\n")
    }

    func testSNIPicksEachServersCertificate() throws {
        func subject(_ args: [String]) throws -> String {
            let out = try sClient(port: tlsPort, args + ["-CAfile", certs.ca])
            XCTAssertTrue(out.contains("Verify return code: 0 (ok)"), out)
            return out.components(separatedBy: "\n").first { $0.hasPrefix("subject=") } ?? out
        }
        XCTAssertEqual(try subject(["-servername", "a.test"]), "subject=CN = a.test")
        XCTAssertEqual(try subject(["-servername", "b.test"]), "subject=CN = b.test")
        XCTAssertEqual(try subject(["-servername", "x.wild.test"]), "subject=CN = b.test", "wildcard server_name")
        XCTAssertEqual(try subject(["-servername", "nobody.test"]), "subject=CN = a.test", "unknown name: default server")
        XCTAssertEqual(try subject(["-noservername"]), "subject=CN = a.test", "no SNI: default server")
        XCTAssertEqual(try https("b.test", "/"), "server b\n")
        XCTAssertEqual(try https("x.wild.test", "/"), "server b\n")
    }

    func testHostServedByAnotherCertificateIs421() throws {
        let misdirected = try https("b.test", "/", ["-H", "Host: a.test", "-w", "%{http_code}"])
        XCTAssertTrue(misdirected.hasSuffix("421"), misdirected)
        XCTAssertTrue(misdirected.contains("421 Misdirected Request"), misdirected)
        // c.test shares a.test's certificate: its Host is answered by its own server.
        XCTAssertEqual(try https("a.test", "/", ["-H", "Host: c.test"]), "server c\n")
        // HTTP/1.0 without Host: the server the SNI name chose answers.
        let noHost = try sClient(
            port: tlsPort, ["-servername", "b.test", "-ign_eof", "-quiet"], input: "GET / HTTP/1.0\r\n\r\n")
        XCTAssertTrue(noHost.contains("HTTP/1.1 200") && noHost.contains("server b\n"), noHost)
        // No SNI (an IP address): the Host picks the server, as over plain HTTP.
        XCTAssertEqual(try curl(["-k", "https://127.0.0.1:\(tlsPort)/", "-H", "Host: b.test"]), "server b\n")
    }

    /// ALPN offers HTTP/1.x; a client that offers only protocols the server does not speak gets
    /// the fatal no_application_protocol alert (RFC 7301 §3.2, nginx since 1.21.4). Without
    /// ALPN the handshake goes on.
    func testALPNOffersHTTP11Only() throws {
        let h1 = try sClient(port: tlsPort, ["-servername", "a.test", "-alpn", "http/1.1"])
        XCTAssertTrue(h1.contains("ALPN protocol: http/1.1"), h1)
        let both = try sClient(port: tlsPort, ["-servername", "a.test", "-alpn", "h2,http/1.1"])
        XCTAssertTrue(both.contains("ALPN protocol: http/1.1"), both)
        let h10 = try sClient(port: tlsPort, ["-servername", "a.test", "-alpn", "http/1.0"])
        XCTAssertTrue(h10.contains("ALPN protocol: http/1.0"), h10)
        let h2 = try sClient(port: tlsPort, ["-servername", "a.test", "-alpn", "h2"])
        XCTAssertTrue(h2.contains("alert no application protocol"), h2)
        XCTAssertFalse(h2.contains("ALPN protocol:"), h2)
        let none = try sClient(
            port: tlsPort, ["-servername", "a.test"], input: "GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(none.contains("No ALPN negotiated"), none)
        XCTAssertEqual(try https("a.test", "/"), "server a\n")
    }

    func testProtocolVersions() throws {
        let v12 = try sClient(port: tlsPort, ["-tls1_2", "-servername", "a.test"])
        XCTAssertTrue(v12.contains("Protocol  : TLSv1.2") || v12.contains("New, TLSv1.2"), v12)
        let v13 = try sClient(port: tlsPort, ["-tls1_3", "-servername", "a.test"])
        XCTAssertTrue(v13.contains("New, TLSv1.3"), v13)
        let v11 = try sClient(port: tlsPort, ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-servername", "a.test"])
        XCTAssertTrue(v11.contains("Cipher is (NONE)"), "TLS 1.1 is refused: \(v11)")
        XCTAssertEqual(try https("a.test", "/"), "server a\n", "the server is unharmed")
    }

    func testSessionResumptionWithTickets() throws {
        for version in ["-tls1_2", "-tls1_3"] {
            let file = server.path("session\(version).pem")
            // A whole exchange, so the client reads the session tickets that follow the handshake.
            let request = "GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n"
            let first = try sClient(
                port: tlsPort, [version, "-ign_eof", "-servername", "a.test", "-sess_out", file], input: request)
            XCTAssertTrue(first.contains("New, TLS"), first)
            let again = try sClient(
                port: tlsPort, [version, "-ign_eof", "-servername", "a.test", "-sess_in", file], input: request)
            XCTAssertTrue(again.contains("server a"), again)
            XCTAssertTrue(again.contains("Reused, TLS"), "\(version): \(again)")
        }
    }

    func testPlainHTTPOnTheTLSPortIs400ThenClose() throws {
        let client = try RawClient(port: tlsPort)
        client.send("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n")
        let r = try XCTUnwrap(client.readResponse())
        XCTAssertEqual(r.status, 400)
        XCTAssertTrue(String(decoding: r.body, as: UTF8.self).contains("The plain HTTP request was sent to HTTPS port"))
        XCTAssertTrue(client.isClosedByServer())
        XCTAssertEqual(try https("a.test", "/"), "server a\n")
    }

    func testWebSocketsOverTLS() throws {
        // A small RFC 6455 client over Python's ssl module (no package needed).
        let script = """
            import os, socket, ssl, struct, sys
            ctx = ssl.create_default_context(cafile=sys.argv[1])
            def connect(path):
                raw = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=10)
                s = ctx.wrap_socket(raw, server_hostname="localhost")
                s.sendall(("GET %s HTTP/1.1\\r\\nHost: localhost\\r\\nUpgrade: websocket\\r\\n"
                           "Connection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\n"
                           "Sec-WebSocket-Version: 13\\r\\n\\r\\n" % path).encode())
                head = b""
                while b"\\r\\n\\r\\n" not in head:
                    head += s.recv(1)
                assert head.startswith(b"HTTP/1.1 101"), head
                return s
            \(Self.webSocketHelpers)
            e = connect("/echo")
            send(e, b"hello"); assert recv(e) == b"hello"
            big = bytes(range(256)) * 1024
            send(e, big, 2); assert recv(e) == big
            a = connect("/chat/room"); b = connect("/chat/room")
            send(a, b"from a"); assert recv(a) == b"from a"; assert recv(b) == b"from a"
            c = connect("/cat")
            send(c, b"line one"); assert recv(c) == b"line one"
            env = connect("/env"); assert recv(env) == b"on https", "exec sees HTTPS=on"
            print("ok")
            """
        try server.write("wss.py", script)
        let r = try WebservIntegrationTests.run("/usr/bin/python3", [server.path("wss.py"), certs.ca, "\(tlsPort)"], timeout: 30)
        XCTAssertEqual(String(decoding: r.out, as: UTF8.self), "ok\n", r.err)
    }

    /// Pipelined requests arrive as records in one segment: with read-ahead OpenSSL holds every record
    /// the socket had, and poll() cannot see them. Each must still be answered, also behind a
    /// CGI response that keeps the connection from reading while it runs.
    func testPipelinedRequestsInOneTLSWriteAreEachAnswered() throws {
        let script = """
            import socket, ssl, sys
            ctx = ssl.create_default_context(cafile=sys.argv[1])
            raw = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=10)
            s = ctx.wrap_socket(raw, server_hostname="localhost")
            get = b"GET /index.html HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n"
            body = b"q" * 40000
            post = (b"POST /cgi-bin/cat.sh HTTP/1.1\\r\\nHost: a.test\\r\\nContent-Length: %d\\r\\n\\r\\n"
                    % len(body)) + body
            last = b"GET /index.html HTTP/1.1\\r\\nHost: a.test\\r\\nConnection: close\\r\\n\\r\\n"
            # Each request its own TLS record, all in one TCP segment (corked).
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
            for record in [get] * 20 + [post] + [get] * 5 + [last]:
                s.sendall(record)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk: break
                data += chunk
            print(data.count(b"HTTP/1.1 200"), data.count(b"server a\\n"), data.count(b"q"))
            """
        try server.write("pipeline.py", script)
        let r = try WebservIntegrationTests.run(
            "/usr/bin/python3", [server.path("pipeline.py"), certs.ca, "\(tlsPort)"], timeout: 30)
        XCTAssertEqual(String(decoding: r.out, as: UTF8.self), "27 26 40000\n", r.err)
    }

    /// An idle TLS connection gives OpenSSL's record buffers back at the next timer tick (four
    /// a second) and gets them again with its next request or message: the idle pause here is
    /// the point of the test, not a wait for the server.
    func testConnectionsIdleAcrossATimerTickKeepWorking() throws {
        let script = """
            import os, socket, ssl, struct, sys, time
            ctx = ssl.create_default_context(cafile=sys.argv[1])
            def connect():
                raw = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=10)
                return ctx.wrap_socket(raw, server_hostname="localhost")
            def response(s):
                data = b""
                while b"server a\\n" not in data:
                    chunk = s.recv(65536)
                    assert chunk, "closed"
                    data += chunk
                return data
            get = b"GET /index.html HTTP/1.1\\r\\nHost: a.test\\r\\n\\r\\n"
            h = connect()
            h.sendall(get); assert b"200 OK" in response(h)
            w = connect()
            w.sendall(b"GET /echo HTTP/1.1\\r\\nHost: a.test\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n"
                      b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n")
            head = b""
            while b"\\r\\n\\r\\n" not in head: head += w.recv(1)
            assert head.startswith(b"HTTP/1.1 101"), head
            \(Self.webSocketHelpers)
            def echo(data):
                send(w, data, 2)
                assert recv(w) == data
            echo(b"before" * 3000)
            time.sleep(0.6)
            h.sendall(get * 2)
            d = response(h)
            while d.count(b"server a\\n") < 2: d += h.recv(65536)
            echo(b"after" * 30000)
            print("ok")
            """
        try server.write("idle.py", script)
        let r = try WebservIntegrationTests.run(
            "/usr/bin/python3", [server.path("idle.py"), certs.ca, "\(tlsPort)"], timeout: 30)
        XCTAssertEqual(String(decoding: r.out, as: UTF8.self), "ok\n", r.err)
    }
}
