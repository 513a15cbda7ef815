import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// Faults from every side (docs/SECURITY-MATRIX.md): peers that reset mid-request, mid-upload,
/// mid-response and mid-frame; CGI scripts that crash, hang, close stdout early, never stop
/// printing or exit before reading their body; a disk that refuses an upload; a second server
/// on a taken port. After each one the server still answers, its descriptors are back to the
/// baseline and it has no child left.
final class FaultTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/www;
            access_log off;
            error_log {{ROOT}}/error.log;
            location /store/ { allow_methods GET POST; upload_store {{ROOT}}/store; client_max_body_size 0; }
            location /cgi/ {
                alias {{ROOT}}/cgi/;
                allow_methods GET POST;
                cgi .sh /bin/sh;
                cgi_timeout 1s;
                client_max_body_size 0;
            }
            location /echo { websocket echo; }
            location /cat { websocket exec /bin/cat; }
        }
        """

    static let files: [String: String] = [
        "www/ok.txt": "ok\n",
        // Killed by a signal before printing anything.
        "cgi/crash.sh": "kill -SEGV $$\n",
        // Prints part of a body, then crashes while the response streams.
        "cgi/midcrash.sh": "printf 'Content-Type: text/plain\\r\\n\\r\\nfirst part'\nsleep 0.2\nkill -SEGV $$\n",
        // Announce 100 bytes, send 10, and end: at once, or after the response started streaming.
        "cgi/short.sh": "printf 'Content-Type: text/plain\\r\\nContent-Length: 100\\r\\n\\r\\n0123456789'\n",
        "cgi/shortcrash.sh":
            "printf 'Content-Type: text/plain\\r\\nContent-Length: 100\\r\\n\\r\\n0123456789'\nsleep 0.2\nkill -SEGV $$\n",
        // Ignores SIGTERM (so does its sleep, which inherits the ignored disposition).
        "cgi/stubborn.sh": "trap '' TERM\nsleep 30\n",
        // Answers, closes stdout, and lives on for a while.
        "cgi/early.sh": "printf 'Content-Type: text/plain\\r\\n\\r\\nhalf'\nexec 1>&-\nsleep 0.5\n",
        "cgi/endless.sh":
            "printf 'Content-Type: text/plain\\r\\n\\r\\n'\nwhile :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done\n",
        // Never reads its stdin.
        "cgi/noread.sh": "printf 'Content-Type: text/plain\\r\\n\\r\\nbye'\n",
    ]

    func makeServer(_ config: String = FaultTests.config) throws -> TestServer {
        try TestServer(config: config, files: Self.files)
    }

    /// The state every fault must leave: still answering, descriptors at `baseline`, no child.
    func assertRecovered(_ s: TestServer, baseline: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(s.isRunning, "the server died", file: file, line: line)
        XCTAssertTrue(waitUntil(timeout: 5) { s.children.isEmpty }, "children left: \(s.children)", file: file, line: line)
        XCTAssertTrue(
            waitUntil(timeout: 5) { s.openFDs == baseline }, "fds \(s.openFDs), baseline \(baseline)", file: file, line: line)
        let r = try? httpRequest(port: s.port, "GET /ok.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(r?.text, "ok\n", "no answer after the fault", file: file, line: line)
    }

    func storeEntries(_ s: TestServer) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: s.path("store"))) ?? []
    }

    /// Sends `bytes` and then resets the connection (RST, not FIN).
    func sendThenReset(_ s: TestServer, _ bytes: [UInt8], before: (() -> Void)? = nil) throws {
        let c = try RawClient(port: s.port)
        c.send(bytes)
        before?()
        c.resetOnClose()
    }

    // MARK: peers resetting

    func testClientResettingMidRequestHeadOrBodyLeavesNoTrace() throws {
        let s = try makeServer()
        let baseline = s.openFDs
        try sendThenReset(s, Array("GET /ok.txt HTTP/1.1\r\nHo".utf8))
        try sendThenReset(s, Array("POST /cgi/noread.sh HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc".utf8))
        try sendThenReset(s, Array("GET /ok.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nab".utf8))
        assertRecovered(s, baseline: baseline)
    }

    func testClientResettingMidUploadLeavesNoFileAndNoDescriptor() throws {
        let s = try makeServer()
        let baseline = s.openFDs
        let chunk = [UInt8](repeating: 0x61, count: 128 * 1024)
        let heads = [
            "POST /store/cut.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n",
            "POST /store/cut.bin HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800000\r\n",
            "POST /store/ HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: 10000000\r\n\r\n"
                + "--B\r\nContent-Disposition: form-data; name=\"a\"; filename=\"done.txt\"\r\n\r\ndone\r\n"
                + "--B\r\nContent-Disposition: form-data; name=\"b\"; filename=\"cut.bin\"\r\n\r\n",
        ]
        for head in heads {
            try sendThenReset(s, Array(head.utf8) + chunk) {
                // The server has started writing: the abort path is what runs.
                XCTAssertTrue(waitUntil(timeout: 5) { !self.storeEntries(s).isEmpty }, head)
            }
            XCTAssertTrue(waitUntil(timeout: 5) { self.storeEntries(s).isEmpty }, "left behind: \(storeEntries(s))")
        }
        assertRecovered(s, baseline: baseline)
    }

    func testClientResettingMidResponseLeavesNoTrace() throws {
        let s = try makeServer()
        try s.write("www/big.bin", data: Data(repeating: 0x42, count: 4 << 20))
        let baseline = s.openFDs
        for target in ["/big.bin", "/cgi/endless.sh"] {
            let c = try RawClient(port: s.port, receiveBuffer: 8192)
            c.send("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertTrue(c.fill(), target)
            c.resetOnClose()
        }
        assertRecovered(s, baseline: baseline)
    }

    func testClientResettingMidWebSocketFrameLeavesNoTrace() throws {
        let s = try makeServer()
        let baseline = s.openFDs
        let frame = WebSocketClient.frame(opcode: 2, payload: [UInt8](repeating: 7, count: 70000))
        for path in ["/echo", "/cat"] {
            for cut in [1, 5, 12, 40000] {
                let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: path), path)
                if path == "/cat" { XCTAssertTrue(waitUntil(timeout: 5) { s.children.count == 1 }) }
                ws.raw.send(Array(frame.prefix(cut)))
                ws.raw.resetOnClose()
            }
        }
        assertRecovered(s, baseline: baseline)
        // A whole frame still echoes.
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/echo"))
        ws.sendText("still here")
        XCTAssertEqual(ws.receive()?.text, "still here")
    }

    // MARK: CGI scripts misbehaving

    func testCGIKilledBySignalBeforeHeadersIs502AndReaped() throws {
        let s = try makeServer()
        let baseline = s.openFDs
        XCTAssertEqual(try httpRequest(port: s.port, "GET /cgi/crash.sh HTTP/1.1\r\nHost: x\r\n\r\n")?.status, 502)
        assertRecovered(s, baseline: baseline)
    }

    func testCGICrashingMidBodyIsReapedAndTheServerGoesOn() throws {
        // The body ends where the script died, and nothing is left over. The response was cut
        // short, so it does not end with the last chunk (issue 11: the client must see it).
        let s = try makeServer()
        let baseline = s.openFDs
        let c = try RawClient(port: s.port, timeout: 5)
        c.send("GET /cgi/midcrash.sh HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let all = String(decoding: c.readToEnd(), as: UTF8.self)
        XCTAssertTrue(all.hasPrefix("HTTP/1.1 200"), all)
        XCTAssertTrue(all.contains("first part"), all)
        XCTAssertFalse(all.hasSuffix("0\r\n\r\n"), "a crashed script's body ended with the last chunk: \(all)")
        assertRecovered(s, baseline: baseline)
    }

    func testCGIBodyShortOfItsContentLengthIs502OrAnIncompleteResponse() throws {
        let s = try makeServer()
        let baseline = s.openFDs
        // Noticed before the head went out: a clean 502. If the head was already streaming when
        // the script's EOF came (a race with the child), the connection closes mid-body, which
        // the client sees as an incomplete response (nil) — never as a complete 200.
        let first = try httpRequest(port: s.port, "GET /cgi/short.sh HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(first == nil || first?.status == 502, "got \(String(describing: first?.status))")
        // Died while streaming: the connection closes without the last chunk.
        let c = try RawClient(port: s.port, timeout: 5)
        c.send("GET /cgi/shortcrash.sh HTTP/1.1\r\nHost: x\r\n\r\n")
        let all = String(decoding: c.readToEnd(), as: UTF8.self)
        XCTAssertTrue(all.hasPrefix("HTTP/1.1 200"), all)
        XCTAssertTrue(all.contains("0123456789"), all)
        XCTAssertFalse(all.hasSuffix("0\r\n\r\n"), "a cut body was framed as complete: \(all.debugDescription)")
        assertRecovered(s, baseline: baseline)
    }

    func testCGIIgnoringSIGTERMIsKilledAfterTheTimeoutWith504() throws {
        let s = try makeServer()
        let baseline = s.openFDs
        let started = Date()
        let r = try RawClient(port: s.port, timeout: 10).request("GET /cgi/stubborn.sh HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(r?.status, 504)
        XCTAssertLessThan(Date().timeIntervalSince(started), 4)
        // SIGTERM is ignored: SIGKILL follows after the grace period.
        XCTAssertTrue(waitUntil(timeout: 6) { s.children.isEmpty }, "children left: \(s.children)")
        assertRecovered(s, baseline: baseline)
    }

    func testCGIClosingStdoutEarlyEndsTheResponseThenIsReaped() throws {
        let s = try makeServer()
        let baseline = s.openFDs
        do {
            let c = try RawClient(port: s.port, timeout: 3)
            let started = Date()
            let r = try XCTUnwrap(c.request("GET /cgi/early.sh HTTP/1.1\r\nHost: x\r\n\r\n"))
            XCTAssertEqual(r.text, "half")
            XCTAssertLessThan(Date().timeIntervalSince(started), 0.45, "the response waited for the script to exit")
            // The connection stays usable while the script lives on.
            XCTAssertEqual(c.request("GET /ok.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "ok\n")
            XCTAssertEqual(s.children.count, 1, "the script should still be sleeping")
        }
        assertRecovered(s, baseline: baseline)
    }

    func testCGIPrintingForeverIsCutAtTheTimeoutWithoutACompleteBody() throws {
        let s = try makeServer()
        let baseline = s.openFDs
        let c = try RawClient(port: s.port, timeout: 10)
        c.send("GET /cgi/endless.sh HTTP/1.1\r\nHost: x\r\n\r\n")
        let started = Date()
        // Drain to the end keeping only the first and last bytes (megabytes pass by).
        var first: [UInt8] = []
        var last: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = recv(c.fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            if first.count < 20 { first += chunk[0..<min(n, 20)] }
            last = Array((last + chunk[0..<n]).suffix(5))
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "not cut at cgi_timeout")
        XCTAssertTrue(String(decoding: first, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        // Closed mid-stream: no last chunk, so the client knows the body is incomplete.
        XCTAssertNotEqual(last, Array("0\r\n\r\n".utf8), "a cut body was framed as complete")
        assertRecovered(s, baseline: baseline)
    }

    func testCGIExitingBeforeReadingItsBodyStillAnswersAndDrainsIt() throws {
        let s = try makeServer()
        let baseline = s.openFDs
        let body = String(repeating: "z", count: 3 << 20)
        for framing in ["Content-Length: \(body.utf8.count)", "Transfer-Encoding: chunked"] {
            let c = try RawClient(port: s.port, timeout: 5)
            let payload =
                framing.hasPrefix("Content") ? body : String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n0\r\n\r\n"
            c.send("POST /cgi/noread.sh HTTP/1.1\r\nHost: x\r\n\(framing)\r\n\r\n" + payload)
            let r = c.readResponse()
            XCTAssertEqual(r?.status, 200, framing)
            XCTAssertEqual(r?.text, "bye", framing)
            // The unread body was drained, not parsed: the connection answers the next request.
            XCTAssertEqual(c.request("GET /ok.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "ok\n", framing)
        }
        assertRecovered(s, baseline: baseline)
    }

    // MARK: the disk refusing an upload

    func testUploadOverTheFileSizeLimitIs507LeavesNoFileAndTheServerSurvivesSIGXFSZ() throws {
        let s = try makeServer()
        let baseline = s.openFDs
        let limit = try WebservIntegrationTests.run(
            "/usr/bin/prlimit", ["--pid", "\(s.pid)", "--fsize=262144:262144"], timeout: 5)
        XCTAssertEqual(limit.status, 0, limit.err)
        let big = s.path("big.bin")
        try Data(repeating: 0x61, count: 1 << 20).write(to: URL(fileURLWithPath: big))
        let url = "http://127.0.0.1:\(s.port)/store/"
        for args in [
            ["--data-binary", "@\(big)", url + "raw.bin"],
            ["-H", "Transfer-Encoding: chunked", "--data-binary", "@\(big)", url + "chunked.bin"],
            ["-F", "f=@\(big)", url],
        ] {
            XCTAssertEqual(try curl(["-o", "/dev/null", "-w", "%{http_code}"] + args), "507", "\(args)")
            XCTAssertTrue(s.isRunning, "killed by SIGXFSZ")
            XCTAssertEqual(storeEntries(s), [], "a partial file stayed: \(args)")
        }
        // A file under the limit is still stored.
        XCTAssertEqual(try curl(["-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "small", url + "small.txt"]), "201")
        XCTAssertEqual(storeEntries(s), ["small.txt"])
        assertRecovered(s, baseline: baseline)
    }

    func testUploadToAFullFileSystemIs507AndLeavesNoFile() throws {
        let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("webserv-full-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: mountPoint) }
        let mounted = try WebservIntegrationTests.run(
            "/bin/mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mountPoint], timeout: 5)
        guard mounted.status == 0 else { throw XCTSkip("cannot mount a small tmpfs here: \(mounted.err)") }
        defer { _ = try? WebservIntegrationTests.run("/bin/umount", [mountPoint], timeout: 5) }
        let s = try makeServer(
            Self.config.replacingOccurrences(of: "upload_store {{ROOT}}/store;", with: "upload_store \(mountPoint);"))
        let baseline = s.openFDs
        let big = s.path("big.bin")
        try Data(repeating: 0x61, count: 1 << 20).write(to: URL(fileURLWithPath: big))
        let url = "http://127.0.0.1:\(s.port)/store/"
        for args in [
            ["--data-binary", "@\(big)", url + "raw.bin"],
            ["-H", "Transfer-Encoding: chunked", "--data-binary", "@\(big)", url + "chunked.bin"],
            ["-F", "f=@\(big)", url],
        ] {
            XCTAssertEqual(try curl(["-o", "/dev/null", "-w", "%{http_code}"] + args), "507", "\(args)")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: mountPoint), [], "a partial file stayed: \(args)")
        }
        XCTAssertEqual(try curl(["-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "small", url + "small.txt"]), "201")
        assertRecovered(s, baseline: baseline)
        s.stop()
    }

    // MARK: a taken port

    func testSecondServerOnTheSamePortExitsWithAClearErrorAndTheFirstGoesOn() throws {
        let s = try makeServer()
        let conf = s.path("second.conf")
        try "server {\n    listen 127.0.0.1:\(s.port);\n    access_log off;\n}\n".write(
            toFile: conf, atomically: true, encoding: .utf8)
        let r = try WebservIntegrationTests.run(TestServer.binary, [conf], timeout: 10)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("127.0.0.1:\(s.port)") && r.err.contains("Address already in use"), r.err)
        XCTAssertFalse(String(decoding: r.out, as: UTF8.self).contains("listening on"))
        XCTAssertEqual(try httpRequest(port: s.port, "GET /ok.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "ok\n")
    }
}
