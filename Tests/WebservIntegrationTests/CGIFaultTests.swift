import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// CGI under stress and failure: bad output, timeouts, clients leaving, big bodies both ways,
/// sleeping scripts beside static traffic. Children and descriptors are checked from /proc.
final class CGIFaultTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/www;
            error_log {{ROOT}}/error.log;
            location /cgi-bin/ {
                root {{ROOT}};
                allow_methods GET HEAD POST;
                cgi .py python3;
                cgi .sh /bin/sh;
                cgi_timeout 30s;
                client_max_body_size 256m;
            }
            location /quick/ {
                alias {{ROOT}}/cgi-bin/;
                cgi .py python3;
                cgi .sh /bin/sh;
                cgi_timeout 1s;
            }
            location /repo/ {
                alias {{REPO}}/cgi-bin/;
                cgi .py python3;
                cgi_timeout 1s;
            }
            location /broken/ {
                alias {{ROOT}}/cgi-bin/;
                cgi .sh /no/such/interpreter;
            }
            location /direct/ {
                alias {{ROOT}}/cgi-bin/;
                cgi .bin;
            }
        }
        """

    static let scripts: [String: String] = [
        "www/static.txt": "static text\n",
        "cgi-bin/silent.sh": "exit 0\n",
        "cgi-bin/bad.sh": "printf 'no colon here\\r\\n\\r\\nbody'\n",
        "cgi-bin/nothing.sh": "printf 'X-Only: this\\r\\n\\r\\nbody'\n",
        "cgi-bin/split.sh": "printf 'Content-Type: text/plain\\r\\nX-Injected: a\\rb\\r\\n\\r\\n'\n",
        "cgi-bin/sleep.sh": "sleep 30\nprintf 'Content-Type: text/plain\\r\\n\\r\\nlate\\n'\n",
        "cgi-bin/stderr.sh": "echo 'something went sideways' >&2\nprintf 'Content-Type: text/plain\\r\\n\\r\\nok\\n'\n",
        // Reads its stdin slowly, 16 KiB at a time, and reports the length and a byte sum.
        "cgi-bin/slowread.py": """
        import sys, time
        total = 0
        checksum = 0
        while True:
            block = sys.stdin.buffer.read1(16384)
            if not block:
                break
            total += len(block)
            checksum = (checksum + sum(block)) % 4294967296
            time.sleep(0.0005)
        sys.stdout.write("Content-Type: text/plain\\r\\n\\r\\n%d %d %s\\n" % (total, checksum, sys.argv[0]))

        """,
        // 32 MiB of output, as fast as the pipe takes it.
        "cgi-bin/flood.py": """
        import sys
        sys.stdout.write("Content-Type: application/octet-stream\\r\\n\\r\\n")
        sys.stdout.flush()
        block = b"x" * 65536
        for _ in range(512):
            sys.stdout.buffer.write(block)

        """,
    ]

    func makeServer() throws -> TestServer {
        try TestServer(config: Self.config, files: Self.scripts)
    }

    func status(_ s: TestServer, _ path: String) throws -> Int? {
        try httpRequest(port: s.port, "GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")?.status
    }

    func testNoOutputOrMalformedHeadersIs502() throws {
        let s = try makeServer()
        XCTAssertEqual(try status(s, "/cgi-bin/silent.sh"), 502)
        XCTAssertEqual(try status(s, "/cgi-bin/bad.sh"), 502)
        XCTAssertEqual(try status(s, "/cgi-bin/nothing.sh"), 502)
        XCTAssertEqual(try status(s, "/cgi-bin/split.sh"), 502)
        XCTAssertEqual(try status(s, "/repo/nohead.py"), 502)
        XCTAssertEqual(try status(s, "/repo/crash.py"), 502)
        XCTAssertTrue(waitUntil(timeout: 5) { s.children.isEmpty })
    }

    func testMissingInterpreterIs500WithoutAChild() throws {
        let s = try makeServer()
        let fdsBefore = s.openFDs
        XCTAssertEqual(try status(s, "/broken/stderr.sh"), 500)
        XCTAssertTrue(s.children.isEmpty)
        XCTAssertTrue(waitUntil(timeout: 5) { s.openFDs == fdsBefore }, "fds \(s.openFDs) vs \(fdsBefore)")
    }

    /// An executable file execve refuses (no `#!`, not a binary: ENOEXEC) fails in the child,
    /// after the server has gone on: the child exits 127 without output, which is a 502.
    func testAProgramExecveRefusesIs502AndReaped() throws {
        let s = try makeServer()
        try s.write("cgi-bin/garbage.bin", "this is not a program\n")
        XCTAssertEqual(chmod(s.path("cgi-bin/garbage.bin"), 0o755), 0)
        let fdsBefore = s.openFDs
        for _ in 0..<3 { XCTAssertEqual(try status(s, "/direct/garbage.bin"), 502) }
        XCTAssertTrue(waitUntil(timeout: 5) { s.children.isEmpty }, "children \(s.children)")
        XCTAssertTrue(waitUntil(timeout: 5) { s.openFDs == fdsBefore }, "fds \(s.openFDs) vs \(fdsBefore)")
    }

    func testStderrGoesToTheErrorLog() throws {
        let s = try makeServer()
        XCTAssertEqual(try httpRequest(port: s.port, "GET /cgi-bin/stderr.sh HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "ok\n")
        XCTAssertTrue(
            waitUntil(timeout: 5) {
                ((try? String(contentsOfFile: s.path("error.log"), encoding: .utf8)) ?? "").contains("something went sideways")
            })
    }

    func testTimeoutIs504AndTheChildIsKilled() throws {
        let s = try makeServer()
        let started = Date()
        let r = try XCTUnwrap(RawClient(port: s.port, timeout: 10).request("GET /repo/slow.py HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(r.status, 504)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertTrue(waitUntil(timeout: 5) { s.children.isEmpty }, "children left: \(s.children)")
    }

    func testClientGoingAwayKillsTheChild() throws {
        let s = try makeServer()
        let fdsBefore = s.openFDs
        do {
            let c = try RawClient(port: s.port)
            c.send("GET /cgi-bin/sleep.sh HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertTrue(waitUntil(timeout: 5) { s.children.count == 1 })
        }  // the client closes here, long before cgi_timeout (30 s)
        XCTAssertTrue(waitUntil(timeout: 5) { s.children.isEmpty }, "children left: \(s.children)")
        XCTAssertTrue(waitUntil(timeout: 5) { s.openFDs == fdsBefore }, "fds \(s.openFDs) vs \(fdsBefore)")

        // Also while the body is still being uploaded.
        do {
            let c = try RawClient(port: s.port)
            c.send("POST /cgi-bin/slowread.py HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\npartial")
            XCTAssertTrue(waitUntil(timeout: 5) { s.children.count == 1 })
        }
        XCTAssertTrue(waitUntil(timeout: 5) { s.children.isEmpty }, "children left: \(s.children)")
        XCTAssertTrue(waitUntil(timeout: 5) { s.openFDs == fdsBefore }, "fds \(s.openFDs) vs \(fdsBefore)")
    }

    func testNoZombiesOrLeakedDescriptorsAfterManyScripts() throws {
        let s = try makeServer()
        let fdsBefore = s.openFDs
        for i in 0..<40 {
            let path = ["/cgi-bin/stderr.sh", "/cgi-bin/silent.sh", "/cgi-bin/bad.sh", "/repo/hello.sh"][i % 4]
            XCTAssertNotNil(try status(s, path))
        }
        do {
            let c = try RawClient(port: s.port)
            for _ in 0..<20 {
                XCTAssertEqual(c.request("GET /cgi-bin/stderr.sh HTTP/1.1\r\nHost: x\r\n\r\n")?.status, 200)
            }
        }
        XCTAssertTrue(waitUntil(timeout: 5) { s.children.isEmpty }, "children left: \(s.children)")
        let zombies = s.children.filter { pid in
            ((try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? "").contains(") Z ")
        }
        XCTAssertEqual(zombies, [])
        XCTAssertTrue(waitUntil(timeout: 5) { s.openFDs == fdsBefore }, "fds \(s.openFDs) vs \(fdsBefore)")
    }

    func testLargeBodyStreamsToASlowReaderInBoundedMemory() throws {
        let s = try makeServer()
        _ = try status(s, "/static.txt")
        let before = peakKiB(s)
        let size = 24 << 20
        var bytes = [UInt8](repeating: 0, count: size)
        var x: UInt32 = 2_463_534_242
        var sum: UInt64 = 0
        for i in 0..<size {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5
            bytes[i] = UInt8(truncatingIfNeeded: x)
            sum += UInt64(bytes[i])
        }
        let file = s.path("upload.bin")
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        bytes = []
        let out = try curl(
            [
                "--data-binary", "@\(file)", "-H", "Content-Type: application/octet-stream",
                "http://127.0.0.1:\(s.port)/cgi-bin/slowread.py",
            ], timeout: 60)
        XCTAssertTrue(out.hasPrefix("\(size) \(sum % 4_294_967_296) "), out)
        // Chunked: spooled to a file, not memory, then streamed to the script.
        let chunked = try curl(
            [
                "--data-binary", "@\(file)", "-H", "Transfer-Encoding: chunked",
                "http://127.0.0.1:\(s.port)/cgi-bin/slowread.py",
            ], timeout: 60)
        XCTAssertTrue(chunked.hasPrefix("\(size) \(sum % 4_294_967_296) "), chunked)
        let growth = peakKiB(s) - before
        XCTAssertLessThan(growth, 16 * 1024, "peak RSS grew by \(growth) KiB for a \(size >> 20) MiB body")
    }

    func testLargeOutputToASlowClientInBoundedMemory() throws {
        let s = try makeServer()
        _ = try status(s, "/static.txt")
        let before = peakKiB(s)
        let out = try curl(
            [
                "--limit-rate", "24M", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                "http://127.0.0.1:\(s.port)/cgi-bin/flood.py",
            ], timeout: 60)
        XCTAssertEqual(out, "200 \(32 << 20)")
        let growth = peakKiB(s) - before
        XCTAssertLessThan(growth, 16 * 1024, "peak RSS grew by \(growth) KiB for 32 MiB of output")
        XCTAssertTrue(waitUntil(timeout: 5) { s.children.isEmpty })
    }

    func testSleepingScriptsDoNotSlowStaticRequests() throws {
        let s = try makeServer()
        var sleepers: [RawClient] = []
        for _ in 0..<10 {
            let c = try RawClient(port: s.port)
            c.send("GET /cgi-bin/sleep.sh HTTP/1.1\r\nHost: x\r\n\r\n")
            sleepers.append(c)
        }
        XCTAssertTrue(waitUntil(timeout: 10) { s.children.count == 10 }, "children: \(s.children.count)")
        let c = try RawClient(port: s.port)
        let started = Date()
        var slowest = 0.0
        for _ in 0..<300 {
            let t = Date()
            XCTAssertEqual(c.request("GET /static.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "static text\n")
            slowest = max(slowest, Date().timeIntervalSince(t))
        }
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertLessThan(elapsed, 3, "300 static requests took \(elapsed) s beside 10 sleeping scripts")
        XCTAssertLessThan(slowest, 0.5)
        XCTAssertEqual(s.children.count, 10, "the scripts were still running throughout")
        sleepers.removeAll()
        XCTAssertTrue(waitUntil(timeout: 5) { s.children.isEmpty }, "children left: \(s.children)")
    }

    func testShutdownEndsRunningScripts() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port)
        c.send("GET /cgi-bin/sleep.sh HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(waitUntil(timeout: 5) { s.children.count == 1 })
        let child = s.children[0]
        XCTAssertEqual(s.stop(), 0)
        XCTAssertTrue(waitUntil(timeout: 5) { kill(child, 0) != 0 }, "the script outlived the server")
    }

    /// Peak resident set size (VmHWM) in KiB.
    func peakKiB(_ s: TestServer) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(s.pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return -1 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }
}
