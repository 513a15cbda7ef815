import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// SPEC §1: `-t`, `-p`, `-h`, `-v`, configuration errors as `FILE:LINE: error: MESSAGE`, exit
/// codes, address in use, and graceful stops on SIGTERM/SIGINT.
final class CommandLineTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("webserv-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Runs webserv in `directory` (relative to the test's directory), else in ours.
    func webserv(_ args: [String], in directory: String? = nil, timeout: TimeInterval = 10) throws -> (
        status: Int32, out: String, err: String
    ) {
        var cwd: URL?
        if let directory {
            cwd = dir.appendingPathComponent(directory)
            try FileManager.default.createDirectory(at: cwd!, withIntermediateDirectories: true)
        }
        let r = try WebservIntegrationTests.run(TestServer.binary, args, in: cwd, timeout: timeout)
        return (r.status, String(decoding: r.out, as: UTF8.self), r.err)
    }

    /// A socket of ours listening on 127.0.0.1 (an address webserv cannot have).
    func occupyPort() -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        listen(fd, 8)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }

    // MARK: -t

    func testCheckOnlyPrintsConfigurationOkAndExits0() throws {
        let conf = try write("ok.conf", "server {\n    listen 127.0.0.1:0;\n    root www;\n}\n")
        let r = try webserv(["-t", conf])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "configuration ok\n")
        XCTAssertFalse(r.out.contains("listening"))
    }

    func testCheckOnlyNeverBindsSoItWorksWhileThePortIsTaken() throws {
        let (fd, port) = occupyPort()
        defer { close(fd) }
        let conf = try write("busy.conf", "server { listen 127.0.0.1:\(port); }\n")
        let r = try webserv(["-t", conf])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "configuration ok\n")
    }

    /// Each bad config: exit 1, exactly one line `FILE:LINE: error: MESSAGE` on stderr.
    func assertConfigError(_ text: String, line: Int, _ message: String, file: StaticString = #filePath, sourceLine: UInt = #line)
        throws
    {
        let conf = try write("bad-\(UUID().uuidString).conf", text)
        for args in [["-t", conf], [conf]] {
            let r = try webserv(args)
            XCTAssertEqual(r.status, 1, "\(args)", file: file, line: sourceLine)
            XCTAssertEqual(r.err, "\(conf):\(line): error: \(message)\n", "\(args)", file: file, line: sourceLine)
            XCTAssertFalse(r.out.contains("listening on"), "bound before reporting the error", file: file, line: sourceLine)
            XCTAssertFalse(r.out.contains("configuration ok"), file: file, line: sourceLine)
        }
    }

    /// A log that cannot be opened: `-t` reported "configuration ok" and a start failed with
    /// "webserv: open() ... failed" and no place (found by Tests/differential/config; nginx -t
    /// opens the logs). Now both name the directive.
    func testUnopenableLogIsReportedAtItsDirectiveByCheckAndStart() throws {
        try assertConfigError(
            "server {\n    listen 127.0.0.1:0;\n    access_log \(dir.path)/missing/a.log;\n}\n", line: 3,
            "open() \"\(dir.path)/missing/a.log\" failed (2: No such file or directory)")
        try assertConfigError(
            "error_log \(dir.path);\nserver {\n    listen 127.0.0.1:0;\n}\n", line: 1,
            "open() \"\(dir.path)\" failed (21: Is a directory)")
        let conf = try write("logs.conf", "server {\n    listen 127.0.0.1:0;\n    access_log \(dir.path)/made.log;\n}\n")
        let r = try webserv(["-t", conf])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.path + "/made.log"), "created, as nginx -t does")
    }

    func testUnknownDirectiveIsReportedWithFileAndLine() throws {
        try assertConfigError("server {\n    listen 127.0.0.1:0;\n    lisen 80;\n}\n", line: 3, "unknown directive \"lisen\"")
    }

    func testMissingSemicolonIsReported() throws {
        try assertConfigError(
            "server {\n    listen 127.0.0.1:0;\n    root /x {\n    }\n}\n", line: 3,
            "directive \"root\" is not terminated by \";\"")
    }

    func testMissingSemicolonIsReportedAtTheDirectivesOwnLine() throws {
        try assertConfigError(
            "server {\n    listen 127.0.0.1:0;\n    root /x\n    index a.html;\n}\n", line: 3,
            "directive \"root\" is not terminated by \";\"")
        try assertConfigError(
            "server {\n    listen 127.0.0.1:0;\n    root /x\n}\n", line: 3, "directive \"root\" is not terminated by \";\"")
    }

    func testEmptyConfigurationIsAnErrorNotASilentServer() throws {
        for text in ["", "# only a comment\n", "http {\n}\n"] {
            try assertConfigError(text, line: 1, "no \"server\" block: nothing to listen on")
        }
    }

    func testBadPortIsReported() throws {
        try assertConfigError(
            "server {\n    listen 127.0.0.1:99999;\n}\n", line: 2,
            "invalid port in \"127.0.0.1:99999\" of the \"listen\" directive")
    }

    func testDirectiveInTheWrongContextIsReported() throws {
        try assertConfigError(
            "server {\n    listen 127.0.0.1:0;\n    location / {\n        listen 80;\n    }\n}\n", line: 4,
            "\"listen\" directive is not allowed here")
    }

    func testDuplicateListenIsReported() throws {
        try assertConfigError(
            "server {\n    listen 127.0.0.1:8080;\n    listen 127.0.0.1:8080;\n}\n", line: 3, "duplicate listen 127.0.0.1:8080")
    }

    func testUnreadableIncludeIsReported() throws {
        try assertConfigError(
            "server {\n    listen 127.0.0.1:0;\n    include missing.conf;\n}\n", line: 3,
            "open() \"\(dir.path)/missing.conf\" failed (No such file or directory)")
    }

    func testMissingClosingBraceIsReported() throws {
        try assertConfigError("server {\n    listen 127.0.0.1:0;\n", line: 3, "unexpected end of file, expecting \"}\"")
    }

    func testBadSizeIsReported() throws {
        try assertConfigError(
            "server {\n    listen 127.0.0.1:0;\n    client_max_body_size 10x;\n}\n", line: 3,
            "invalid value \"10x\" in \"client_max_body_size\" directive")
    }

    func testErrorInAnIncludedFileNamesThatFile() throws {
        let sub = try write("sub/extra.conf", "# comment\nbogus on;\n")
        let conf = try write("main.conf", "server {\n    listen 127.0.0.1:0;\n    include sub/extra.conf;\n}\n")
        let r = try webserv(["-t", conf])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.err, "\(sub):2: error: unknown directive \"bogus\"\n")
    }

    /// Before: 5,000 nested blocks overflowed the parser's stack (signal 11). The parser now
    /// stops at 100 levels (ParserTests), and the checker reports the first error of what it read.
    func testDeeplyNestedBlocksAreAnErrorNotACrash() throws {
        let deep = "server {\n" + String(repeating: "location /a {\n", count: 5000) + String(repeating: "}\n", count: 5001)
        try assertConfigError(deep, line: 3, "\"location\" directive is not allowed here")
        try assertConfigError(String(repeating: "x {\n", count: 100_000), line: 1, "unknown directive \"x\"")
    }

    /// Before: `include /dev/zero;` read forever, growing without bound.
    func testEndlessIncludeIsAnErrorNotAHang() throws {
        try assertConfigError(
            "server {\n    listen 127.0.0.1:0;\n    include /dev/zero;\n}\n", line: 3,
            "read() \"/dev/zero\" failed (File too large)")
    }

    // MARK: -p, -h, -v

    func testPrefixResolvesRelativePaths() throws {
        try write("site/hello.txt", "from the prefix")
        let s = try TestServer(
            config: "server { listen 127.0.0.1:0; root site; access_log off; }",
            files: ["site/hello.txt": "from the working directory"], arguments: ["-p", dir.path])
        XCTAssertEqual(try httpRequest(port: s.port, "GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "from the prefix")
    }

    func testPrefixHoldsTheDefaultConfig() throws {
        // Run where there is no conf/default.conf: one in the working directory comes first.
        try write("conf/default.conf", "server { listen 127.0.0.1:0; }\n")
        let r = try webserv(["-t", "-p", dir.path], in: "elsewhere")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "configuration ok\n")
        let missing = try webserv(["-t", "-p", dir.appendingPathComponent("nowhere").path], in: "elsewhere")
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.err.contains("default.conf"), missing.err)
    }

    func testDefaultConfigInTheWorkingDirectoryComesFirst() throws {
        try write("work/conf/default.conf", "server { listen 127.0.0.1:0; }\n")
        try write("prefix/conf/default.conf", "bogus;\n")
        let r = try webserv(["-t", "-p", "../prefix"], in: "work")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "configuration ok\n")
    }

    func testRelativeConfigIsFoundInTheWorkingDirectory() throws {
        try write("work/relative.conf", "server { listen 127.0.0.1:0; }\n")
        try write("prefix/relative.conf", "bogus;\n")
        let r = try webserv(["-t", "-p", dir.appendingPathComponent("prefix").path, "relative.conf"], in: "work")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "configuration ok\n")
    }

    func testRelativeConfigFallsBackToThePrefix() throws {
        let prefix = dir.appendingPathComponent("prefix").path
        try write("prefix/relative.conf", "server { listen 127.0.0.1:0; }\n")
        let r = try webserv(["-t", "-p", prefix, "relative.conf"], in: "work")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "configuration ok\n")
        // Its errors name the file that was read.
        try write("prefix/relative.conf", "server {\n    bogus;\n}\n")
        let bad = try webserv(["-t", "-p", prefix, "relative.conf"], in: "work")
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.err, "\(prefix)/relative.conf:2: error: unknown directive \"bogus\"\n")
    }

    func testConfigFoundInTheWorkingDirectoryIncludesBesideItself() throws {
        try write("work/relative.conf", "server {\n    include part.conf;\n}\n")
        try write("work/part.conf", "listen 127.0.0.1:0;\n")
        try write("prefix/part.conf", "bogus;\n")
        let r = try webserv(["-t", "-p", "../prefix", "relative.conf"], in: "work")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "configuration ok\n")
    }

    func testMissingConfigNamesEveryPathTried() throws {
        let work = dir.appendingPathComponent("work").path
        let prefix = dir.appendingPathComponent("prefix").path
        let alone = try webserv(["-t", "absent.conf"], in: "work")
        XCTAssertEqual(alone.status, 1)
        XCTAssertEqual(alone.err, "absent.conf:1: error: open() \"\(work)/absent.conf\" failed (No such file or directory)\n")
        let both = try webserv(["-t", "-p", prefix, "absent.conf"], in: "work")
        XCTAssertEqual(both.status, 1)
        XCTAssertEqual(
            both.err,
            "absent.conf:1: error: open() \"\(work)/absent.conf\" failed (No such file or directory), "
                + "open() \"\(prefix)/absent.conf\" failed (No such file or directory)\n")
    }

    func testHelpPrintsUsageAndExits0() throws {
        for flag in ["-h", "--help"] {
            let r = try webserv([flag])
            XCTAssertEqual(r.status, 0)
            XCTAssertTrue(r.out.hasPrefix("usage: webserv [-t] [-p PREFIX] [CONFIG]"), r.out)
            for option in ["-t", "-p PREFIX", "-h", "-v"] { XCTAssertTrue(r.out.contains(option), option) }
        }
    }

    func testVersionPrintsVersionAndExits0() throws {
        for flag in ["-v", "--version"] {
            let r = try webserv([flag])
            XCTAssertEqual(r.status, 0)
            XCTAssertNotNil(r.out.range(of: #"^webserv \d+\.\d+\.\d+\n$"#, options: .regularExpression), r.out)
        }
    }

    /// As nginx reads its options: letters grouped after one `-` (`-tp DIR`), and `-p`'s
    /// directory glued to it (`-pDIR`).
    func testGroupedOptionsAndAGluedPrefixAreReadAsNginxDoes() throws {
        let prefix = dir.appendingPathComponent("prefix").path
        try write("prefix/relative.conf", "server { listen 127.0.0.1:0; }\n")
        for args in [
            ["-tp", prefix, "relative.conf"], ["-tp\(prefix)", "relative.conf"], ["-p\(prefix)", "-t", "relative.conf"],
        ] {
            let r = try webserv(args, in: "work")
            XCTAssertEqual(r.status, 0, "\(args): \(r.err)")
            XCTAssertEqual(r.out, "configuration ok\n", "\(args)")
        }
        XCTAssertEqual(try webserv(["-th"]).status, 0, "help")
        let bad = try webserv(["-tx", "relative.conf"], in: "work")
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.contains("invalid option"), bad.err)
        XCTAssertEqual(try webserv(["-tp"]).status, 1, "-p without its directory")
    }

    func testUnknownOptionIsAnError() throws {
        let r = try webserv(["--bogus"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("--bogus"), r.err)
        XCTAssertTrue(r.out.isEmpty)
    }

    // MARK: binding

    func testAddressInUseIsAClearErrorAndExit1() throws {
        let (fd, port) = occupyPort()
        defer { close(fd) }
        let conf = try write("inuse.conf", "server {\n    listen 127.0.0.1:\(port);\n    access_log off;\n}\n")
        let r = try webserv([conf])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("127.0.0.1:\(port) "), r.err)
        XCTAssertTrue(r.err.contains("Address already in use"), r.err)
        XCTAssertFalse(r.err.contains(":\(port)()"), "garbled message: \(r.err)")
        XCTAssertFalse(r.out.contains("listening on"))
    }

    /// Starting `conf` fails with exactly `error` on stderr, exit 1, nothing listening.
    func assertStartFails(_ conf: String, _ error: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try webserv([conf])
        XCTAssertEqual(r.status, 1, file: file, line: line)
        XCTAssertEqual(r.err, error + "\n", file: file, line: line)
        XCTAssertFalse(r.out.contains("listening on"), file: file, line: line)
    }

    func testAddressInUseIsReportedAtItsListenDirective() throws {
        let (fd, port) = occupyPort()
        defer { close(fd) }
        let conf = try write(
            "inuse.conf",
            "server {\n    listen 127.0.0.1:0;\n    access_log off;\n}\nserver {\n    listen 127.0.0.1:\(port);\n}\n")
        try assertStartFails(conf, "\(conf):6: error: bind() to 127.0.0.1:\(port) failed (98: Address already in use)")
    }

    func testListenInAnIncludedFileIsReportedThere() throws {
        let (fd, port) = occupyPort()
        defer { close(fd) }
        let sub = try write("sub/listen.conf", "# the address\nlisten 127.0.0.1:\(port);\n")
        let conf = try write("main.conf", "server {\n    include sub/listen.conf;\n    access_log off;\n}\n")
        try assertStartFails(conf, "\(sub):2: error: bind() to 127.0.0.1:\(port) failed (98: Address already in use)")
    }

    func testAnyBindFailureIsReportedTheSameWay() throws {
        // 192.0.2.1 (TEST-NET-1, RFC 5737) is no address of this machine.
        let conf = try write("foreign.conf", "server {\n    access_log off;\n    listen 192.0.2.1:8080;\n}\n")
        try assertStartFails(conf, "\(conf):3: error: bind() to 192.0.2.1:8080 failed (99: Cannot assign requested address)")
    }

    func testListeningLinesNameTheBoundPorts() throws {
        let s = try TestServer(
            config: "server { listen 127.0.0.1:0; access_log off; }\nserver { listen 127.0.0.1:\(freePort()); access_log off; }")
        XCTAssertEqual(s.ports.count, 2)
        XCTAssertTrue(s.stdout.contains("listening on 127.0.0.1:\(s.ports[0])\n"), s.stdout)
        for p in s.ports { XCTAssertNotNil(try? RawClient(port: p, timeout: 1), "port \(p) not accepting") }
    }

    // MARK: signals

    func testSIGTERMLetsAResponseInFlightFinishThenExits0() throws {
        let size = 16 << 20
        let s = try TestServer(config: "server { listen 127.0.0.1:0; root {{ROOT}}; access_log off; }")
        try s.write("big.bin", data: Data((0..<size).map { UInt8(truncatingIfNeeded: $0 % 251) }))
        let c = try RawClient(port: s.port, timeout: 5, receiveBuffer: 16384)
        c.send("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(c.fill(), "no response started")
        s.signal(SIGTERM)
        // The listener closes at once: new clients are refused while the old one finishes.
        XCTAssertTrue(
            waitUntil(timeout: 2) { (try? RawClient(port: s.port, timeout: 1)) == nil }, "still accepting after SIGTERM")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.body.count, size)
        XCTAssertTrue(
            r.body.enumerated().allSatisfy { $0.element == UInt8(truncatingIfNeeded: $0.offset % 251) }, "body corrupted")
        XCTAssertTrue(waitUntil(timeout: 5) { !s.isRunning }, "did not exit after the response")
        XCTAssertEqual(s.process.terminationReason, .exit)
        XCTAssertEqual(s.process.terminationStatus, 0)
    }

    func testSIGINTStopsGracefullyWithIdleConnections() throws {
        let s = try TestServer(config: "server { listen 127.0.0.1:0; root {{ROOT}}; access_log off; }", files: ["a.txt": "a"])
        let idle = try RawClient(port: s.port, timeout: 3)
        XCTAssertEqual(idle.request("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "a")
        s.signal(SIGINT)
        XCTAssertTrue(waitUntil(timeout: 3) { !s.isRunning }, "SIGINT did not stop the server")
        XCTAssertEqual(s.process.terminationReason, .exit)
        XCTAssertEqual(s.process.terminationStatus, 0)
        XCTAssertTrue(idle.isClosedByServer())
    }

    /// nginx reloads on SIGHUP; webserv does not, but must not die of it either (it was 129).
    func testSIGHUPIsLoggedAndTheServerKeepsAnswering() throws {
        let s = try TestServer(
            config: "server { listen 127.0.0.1:0; root {{ROOT}}/www; error_log {{ROOT}}/error.log; access_log off; }",
            files: ["www/a.txt": "a"])
        let kept = try RawClient(port: s.port)
        XCTAssertEqual(kept.request("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "a")
        s.signal(SIGHUP)
        XCTAssertTrue(
            waitUntil(timeout: 3) {
                ((try? String(contentsOfFile: s.path("error.log"), encoding: .utf8)) ?? "").contains("SIGHUP")
            }, "no SIGHUP line in the error log")
        XCTAssertTrue(s.isRunning, "SIGHUP killed the server")
        XCTAssertEqual(kept.request("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "a")
        XCTAssertEqual(try httpRequest(port: s.port, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "a")
        let log = try String(contentsOfFile: s.path("error.log"), encoding: .utf8)
        XCTAssertEqual(log.components(separatedBy: "SIGHUP").count - 1, 1, log)
        XCTAssertTrue(log.contains("not supported"), log)
        XCTAssertEqual(s.stop(), 0)
    }

    /// logrotate sends SIGUSR1 (nginx reopens its logs); SIGUSR2 is nginx's binary upgrade.
    /// Both used to kill the server; now each is logged once and the server goes on.
    func testSIGUSR1AndSIGUSR2AreLoggedAndTheServerKeepsAnswering() throws {
        let s = try TestServer(
            config: "server { listen 127.0.0.1:0; root {{ROOT}}/www; error_log {{ROOT}}/error.log; access_log off; }",
            files: ["www/a.txt": "a"])
        let kept = try RawClient(port: s.port)
        let errorLog = { (try? String(contentsOfFile: s.path("error.log"), encoding: .utf8)) ?? "" }
        for (sig, name) in [(SIGUSR1, "SIGUSR1"), (SIGUSR2, "SIGUSR2")] {
            s.signal(sig)
            XCTAssertTrue(waitUntil(timeout: 3) { errorLog().contains(name) }, "no \(name) line in the error log")
            XCTAssertTrue(s.isRunning, "\(name) killed the server")
            XCTAssertEqual(kept.request("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "a", name)
            XCTAssertEqual(errorLog().components(separatedBy: name).count - 1, 1, errorLog())
        }
        XCTAssertEqual(try httpRequest(port: s.port, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "a")
        XCTAssertEqual(s.stop(), 0)
    }

    /// Issue 12: a stop used to print nothing; now it says what it closed and waits for.
    func testStopSaysWhatItStopped() throws {
        let s = try TestServer(
            config: "server { listen 127.0.0.1:0; root {{ROOT}}/www; access_log off; location /echo { websocket echo; } }",
            files: ["www/a.txt": "a"])
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/echo"))
        let kept = try RawClient(port: s.port)
        XCTAssertEqual(kept.request("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "a")
        s.signal(SIGTERM)
        XCTAssertEqual(ws.receiveClose(), .some(1001))
        ws.sendClose(1001)
        XCTAssertEqual(s.stop(), 0)
        XCTAssertTrue(
            s.stdout.contains(
                "stopping: closed 127.0.0.1:\(s.port); 2 connections to finish (1 WebSocket closing with 1001), 0 child processes to end\n"
            ), s.stdout)
        XCTAssertTrue(s.stdout.hasSuffix("\nstopped\n"), s.stdout)
        _ = ws
    }

    func testSIGTERMWhileIdleExits0() throws {
        let s = try TestServer(config: "server { listen 127.0.0.1:0; access_log off; }")
        s.signal(SIGTERM)
        XCTAssertTrue(waitUntil(timeout: 3) { !s.isRunning })
        XCTAssertEqual(s.process.terminationReason, .exit)
        XCTAssertEqual(s.process.terminationStatus, 0)
    }
}
