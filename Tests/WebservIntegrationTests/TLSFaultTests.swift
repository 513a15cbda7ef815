import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// TLS under faults (Python's ssl module on raw sockets): garbage, clients that stall or
/// leave mid-handshake, many handshakes at once, renegotiation; none blocks another client,
/// leaks a descriptor or crashes the server. Also session caches without tickets, and the
/// graceful stop of TLS connections.
final class TLSFaultTests: XCTestCase {
    var certs: TestCertificates!

    override func setUpWithError() throws { certs = try TestCertificates.require() }

    func start(_ extra: String = "") throws -> TestServer {
        let config = """
            server {
                listen 127.0.0.1:0 ssl;
                server_name localhost;
                ssl_certificate \(certs.rsaCertificate);
                ssl_certificate_key \(certs.rsaKey);
                root {{ROOT}}/www;
                access_log off;
                error_log {{ROOT}}/error.log;
                location /echo { websocket echo; }
                \(extra)
            }
            """
        return try TestServer(config: config, files: ["www/index.html": "fine\n"])
    }

    func fetch(_ port: Int) throws -> String {
        try curl(["--cacert", certs.ca, "https://localhost:\(port)/"])
    }

    /// Runs a Python script with the port and CA as arguments; returns its stdout.
    func python(_ server: TestServer, _ script: String, timeout: TimeInterval = 60) throws -> String {
        let prelude = """
            import os, socket, ssl, sys, time
            PORT = int(sys.argv[1])
            CTX = ssl.create_default_context(cafile=sys.argv[2])
            def raw():
                return socket.create_connection(("127.0.0.1", PORT), timeout=10)
            def closed_by_server(s, limit=10):
                s.settimeout(limit)
                try:
                    while s.recv(4096):
                        pass
                    return True
                except ConnectionResetError:
                    return True
                except socket.timeout:
                    return False
            def read_to_end(s, sip=4096, slow_until=0):
                data = b""
                while True:
                    d = s.recv(sip)
                    if not d: return data
                    data += d
                    if len(data) < slow_until: time.sleep(0.0005)
            def client_hello():
                outgoing = ssl.MemoryBIO()
                obj = CTX.wrap_bio(ssl.MemoryBIO(), outgoing, server_hostname="localhost")
                try:
                    obj.do_handshake()
                except ssl.SSLWantReadError:
                    pass
                return outgoing.read()

            """
        try server.write("fault.py", prelude + script)
        let r = try WebservIntegrationTests.run(
            "/usr/bin/python3", [server.path("fault.py"), "\(server.port)", certs.ca], timeout: timeout)
        XCTAssertEqual(r.status, 0, r.err)
        return String(decoding: r.out, as: UTF8.self)
    }

    func assertNoDescriptorLeak(_ server: TestServer, baseline: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(
            waitUntil(timeout: 10) { server.openFDs <= baseline }, "descriptors: \(server.openFDs), before: \(baseline)",
            file: file, line: line)
    }

    func testGarbageAndClientsLeavingMidHandshakeHurtNobody() throws {
        let server = try start()
        XCTAssertEqual(try fetch(server.port), "fine\n")
        let baseline = server.openFDs
        let out = try python(
            server,
            """
            # A handshake record full of garbage: the server drops the connection.
            s = raw(); s.sendall(b"\\x16\\x03\\x01\\x00\\x40" + os.urandom(64)); print(closed_by_server(s))
            # Random bytes that look like nothing: answered or dropped, never a hang.
            s = raw(); s.sendall(b"\\x16" + os.urandom(3000)); print(closed_by_server(s))
            # Leave after half a ClientHello, after a whole one, and before any byte.
            for cut in (20, None, 0):
                s = raw()
                hello = client_hello()
                s.sendall(hello if cut is None else hello[:cut])
                s.close()
            # Leave in the middle of reading the server's flight.
            s = raw(); s.sendall(hello); s.recv(10); s.close()
            print("done")
            """)
        XCTAssertEqual(out, "True\nTrue\ndone\n")
        XCTAssertEqual(try fetch(server.port), "fine\n")
        assertNoDescriptorLeak(server, baseline: baseline)
    }

    func testOrderlyCloseSendsCloseNotify() throws {
        let server = try start("keepalive_timeout 1s;")
        let out = try python(
            server,
            """
            # A close without close_notify raises SSLEOFError (Python ignores it by default).
            strict = ssl.create_default_context(cafile=sys.argv[2])
            strict.options &= ~getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
            def fetch(request):
                s = strict.wrap_socket(raw(), server_hostname="localhost", suppress_ragged_eofs=False)
                s.sendall(request)
                data = b""
                try:
                    while True:
                        d = s.recv(4096)
                        if not d: return data.startswith(b"HTTP/1.1 200"), "close_notify"
                        data += d
                except (ssl.SSLError, ConnectionError) as e:
                    return data.startswith(b"HTTP/1.1 200"), "no close_notify: %r" % e
            print(*fetch(b"GET / HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n"))
            print(*fetch(b"GET / HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n"))  # closed at keepalive_timeout
            """)
        XCTAssertEqual(out, "True close_notify\nTrue close_notify\n")
    }

    func testSlowReaderGetsEveryByteInOrderAndPipeliningWorks() throws {
        let server = try start()
        var bytes = [UInt8](repeating: 0, count: 4 << 20)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 131 &+ i >> 9) }
        try server.write("www/big.bin", data: Data(bytes))
        let out = try python(
            server,
            """
            import hashlib
            # A small receive buffer read in small sips: the server's writes block again and again
            # and must be retried with the same bytes (OpenSSL's rule), whatever the file budget.
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
            s.connect(("127.0.0.1", PORT))
            t = CTX.wrap_socket(s, server_hostname="localhost")
            t.sendall(b"GET /big.bin HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\nGET /index.html HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n")
            data = read_to_end(t, 3000, slow_until=600000)
            head, rest = data.split(b"\\r\\n\\r\\n", 1)
            body, second = rest[:4 << 20], rest[4 << 20:]
            print(head.split(b"\\r\\n")[0].decode(), hashlib.sha256(body).hexdigest())
            print(second.split(b"\\r\\n")[0].decode(), second.endswith(b"fine\\n"))
            """)
        let digest = try WebservIntegrationTests.run("/usr/bin/sha256sum", [server.path("www/big.bin")]).out
        let expected = String(decoding: digest, as: UTF8.self).prefix(64)
        XCTAssertEqual(out, "HTTP/1.1 200 OK \(expected)\nHTTP/1.1 200 OK True\n")
    }

    func testStalledHandshakeIsBoundedByClientHeaderTimeout() throws {
        let server = try start("client_header_timeout 1s;")
        let out = try python(
            server,
            """
            s = raw(); s.sendall(b"\\x16\\x03\\x01\\x02\\x00\\x01")  # a ClientHello that never ends
            t = time.time()
            print(closed_by_server(s, 8), time.time() - t < 6)
            """)
        XCTAssertEqual(out, "True True\n")
    }

    func testManyHandshakesAtOnceDoNotStallAnotherClient() throws {
        let server = try start()
        XCTAssertEqual(try fetch(server.port), "fine\n")
        let baseline = server.openFDs
        let out = try python(
            server,
            """
            # 300 clients send their ClientHello and stall; one more client is served meanwhile.
            hellos = []
            for i in range(300):
                s = raw(); s.sendall(client_hello()); hellos.append(s)
            t = time.time()
            c = CTX.wrap_socket(raw(), server_hostname="localhost")
            c.sendall(b"GET / HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n")
            reply = read_to_end(c)
            elapsed = time.time() - t
            print(reply.startswith(b"HTTP/1.1 200"), reply.endswith(b"fine\\n"), elapsed < 5)
            for s in hellos: s.close()
            """)
        XCTAssertEqual(out, "True True True\n")
        XCTAssertEqual(try fetch(server.port), "fine\n")
        assertNoDescriptorLeak(server, baseline: baseline)
    }

    func testRenegotiationIsRefusedAndHarmless() throws {
        let server = try start()
        let baseline = server.openFDs
        // "R" asks s_client to renegotiate (TLS 1.2); the server refuses it.
        let out = try sClient(port: server.port, ["-tls1_2", "-servername", "localhost"], input: "R\n")
        XCTAssertTrue(out.contains("RENEGOTIATING"), out)
        XCTAssertEqual(try fetch(server.port), "fine\n")
        assertNoDescriptorLeak(server, baseline: baseline)
    }

    func testProtocolsAndServerCipherPreference() throws {
        let server = try start(
            "ssl_protocols TLSv1.2; ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305;"
                + " ssl_prefer_server_ciphers on;")
        let v13 = try sClient(port: server.port, ["-tls1_3"])
        XCTAssertTrue(v13.contains("Cipher is (NONE)"), "TLS 1.3 is off: \(v13)")
        let chosen = try sClient(
            port: server.port, ["-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256"])
        XCTAssertTrue(chosen.contains("New, TLSv1.2, Cipher is ECDHE-RSA-AES128-GCM-SHA256"), "the server's order: \(chosen)")
    }

    func testResumptionWithoutTicketsUsesTheSessionCache() throws {
        let server = try start("ssl_session_tickets off; ssl_session_cache shared:SSL:1m; ssl_session_timeout 10m;")
        let request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        for version in ["-tls1_2", "-tls1_3"] {
            let file = server.path("s\(version).pem")
            let first = try sClient(
                port: server.port, [version, "-ign_eof", "-servername", "localhost", "-sess_out", file], input: request)
            XCTAssertTrue(first.contains("New, TLS"), first)
            let again = try sClient(
                port: server.port, [version, "-ign_eof", "-servername", "localhost", "-sess_in", file], input: request)
            XCTAssertTrue(again.contains("Reused, TLS"), "\(version): \(again)")
        }
    }

    func testNoCacheAndNoTicketsNeverResumes() throws {
        let server = try start("ssl_session_tickets off; ssl_session_cache off;")
        let request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        let file = server.path("s.pem")
        let first = try sClient(port: server.port, ["-tls1_2", "-ign_eof", "-sess_out", file], input: request)
        XCTAssertTrue(first.contains("New, TLSv1.2"), first)
        // The server gave no session id, so there may be nothing to offer: either way, no reuse.
        let again = try sClient(port: server.port, ["-tls1_2", "-ign_eof", "-sess_in", file], input: request)
        XCTAssertFalse(again.contains("Reused"), again)
    }

    func testGracefulStopClosesTLSConnections() throws {
        let server = try start()
        try server.write(
            "stop.py",
            """
            import socket, ssl, sys, time
            ctx = ssl.create_default_context(cafile=sys.argv[2])
            idle = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost")
            ws = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost")
            ws.sendall(b"GET /echo HTTP/1.1\\r\\nHost: localhost\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n"
                       b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n")
            head = b""
            while b"\\r\\n\\r\\n" not in head: head += ws.recv(1)
            print("ready", flush=True)
            ws.settimeout(10); idle.settimeout(10)
            frame = ws.recv(64)
            print(frame[:1] == b"\\x88", int.from_bytes(frame[2:4], "big"), idle.recv(10) == b"", flush=True)
            """)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [server.path("stop.py"), "\(server.port)", certs.ca]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let reader = pipe.fileHandleForReading
        var text = ""
        XCTAssertTrue(
            waitUntil(timeout: 10) {
                text += String(decoding: reader.availableData, as: UTF8.self)
                return text.contains("ready")
            })
        XCTAssertEqual(server.stop(), 0, "exit 0 after a graceful stop")
        XCTAssertTrue(waitUntil(timeout: 10) { !p.isRunning })
        text += String(decoding: reader.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(text, "ready\nTrue 1001 True\n", "WebSocket closed with 1001, the idle connection closed")
    }
}
