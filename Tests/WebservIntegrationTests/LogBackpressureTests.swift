import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// Logs never block the loop: with the access log on stdout and stdout a pipe nobody reads,
/// the server keeps answering; the lines it could not write are counted in the error log once
/// the pipe drains.
final class LogBackpressureTests: XCTestCase {
    func testServerKeepsAnsweringWhileStdoutIsAFullPipe() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("webserv-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("www"), withIntermediateDirectories: true)
        try Data("hello\n".utf8).write(to: directory.appendingPathComponent("www/index.html"))
        let config = directory.appendingPathComponent("test.conf")
        // No access_log: it goes to stdout, as by default.
        try """
        server {
            listen 127.0.0.1:0;
            root \(directory.path)/www;
            error_log \(directory.path)/error.log;
        }
        """.write(to: config, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestServer.binary)
        process.arguments = [config.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        // Read the "listening on" line, then nothing more: the pipe (64 KiB) fills up.
        let reader = out.fileHandleForReading.fileDescriptor
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.last != 0x0A, read(reader, &byte, 1) == 1 { line.append(byte) }
        let port = try XCTUnwrap(TestServer.parsePorts(String(decoding: line, as: UTF8.self)).first)

        // ~100 bytes of access log each: 2,000 requests are far more than the pipe and the
        // log's buffer together hold. On one keep-alive connection each must still be answered.
        let client = try RawClient(port: port, timeout: 5)
        for i in 0..<2000 {
            client.send("GET /index.html?n=\(i) HTTP/1.1\r\nHost: x\r\n\r\n")
            guard let r = client.readResponse() else { return XCTFail("request \(i) was not answered") }
            XCTAssertEqual(r.status, 200)
        }
        XCTAssertTrue(process.isRunning)

        // Drain the pipe: the log catches up and the error log counts what was dropped.
        _ = fcntl(reader, F_SETFL, fcntl(reader, F_GETFL) | O_NONBLOCK)
        var buffer = [UInt8](repeating: 0, count: 65536)
        var logged = 0
        let errorLog = directory.appendingPathComponent("error.log").path
        func drain() {
            while true {
                let n = read(reader, &buffer, buffer.count)
                if n <= 0 { break }
                logged += buffer[0..<n].filter { $0 == 0x0A }.count
            }
        }
        let reported = waitUntil(timeout: 10) {
            drain()
            let text = (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
            return text.contains("access log lines dropped")
        }
        XCTAssertTrue(reported, "no drop count in the error log")
        // The count is written once everything held has gone into the pipe.
        drain()
        let text = (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
        let counts = try NSRegularExpression(pattern: "([0-9]+) access log lines dropped")
        let dropped = counts.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).flatMap { Int(text[$0]) }
        }.reduce(0, +)
        XCTAssertGreaterThan(dropped, 0)
        // Every line is either in the pipe or counted as dropped (the "listening" line aside).
        XCTAssertEqual(logged + dropped, 2000, "logged \(logged), dropped \(dropped)")
    }
}
