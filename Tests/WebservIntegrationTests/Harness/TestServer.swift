import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// The real `webserv` binary started on ephemeral 127.0.0.1 ports with a config written for
/// the test. `{{ROOT}}` in the config is the test's temporary directory, `{{REPO}}` the package.
final class TestServer {
    let directory: URL
    let process = Process()
    let outputURL: URL
    let errorURL: URL
    private(set) var ports: [Int] = []

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["WEBSERV_BIN"] { return b }
        let bundleDir = Bundle(for: TestServer.self).bundleURL.deletingLastPathComponent()
        let beside = bundleDir.appendingPathComponent("webserv").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return packageRoot.appendingPathComponent(".build/debug/webserv").path
    }

    /// Creates the temp dir; `files` maps relative paths to contents (written before start).
    init(
        config: String, files: [String: String] = [:], arguments: [String] = [], file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("webserv-test-\(UUID().uuidString)")
        outputURL = directory.appendingPathComponent("stdout.log")
        errorURL = directory.appendingPathComponent("stderr.log")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (path, contents) in files {
            try write(path, contents)
        }
        let text = expand(config)
        let configURL = directory.appendingPathComponent("test.conf")
        try text.write(to: configURL, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments + [configURL.path]
        process.currentDirectoryURL = directory
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
        // Servers sharing an address share one listener (and one "listening on" line).
        let listenCount = Self.distinctListenAddresses(config)
        let ok = waitUntil(timeout: 10) {
            self.ports = Self.parsePorts(self.stdout)
            return self.ports.count >= max(1, listenCount) || !self.process.isRunning
        }
        if !ok || ports.isEmpty {
            let err = stderr
            stop()
            XCTFail("webserv did not start: \(err)", file: file, line: line)
            throw TestError.serverDidNotStart(err)
        }
    }

    /// How many listeners a config opens: its distinct `listen` addresses.
    static func distinctListenAddresses(_ config: String) -> Int {
        var seen = Set<String>()
        for line in config.components(separatedBy: .newlines) {
            var rest = Substring(line)
            while let r = rest.range(of: "listen ") {
                let arg = rest[r.upperBound...].prefix { $0 != ";" && $0 != " " && $0 != "}" }
                seen.insert(String(arg))
                rest = rest[r.upperBound...]
            }
        }
        return seen.count
    }

    var port: Int { ports[0] }
    var pid: Int32 { process.processIdentifier }

    func expand(_ s: String) -> String {
        s.replacingOccurrences(of: "{{ROOT}}", with: directory.path)
            .replacingOccurrences(of: "{{REPO}}", with: Self.packageRoot.path)
    }

    func write(_ relative: String, _ contents: String) throws {
        try write(relative, data: Data(contents.utf8))
    }

    func write(_ relative: String, data: Data) throws {
        let url = directory.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }

    var stdout: String { (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: errorURL, encoding: .utf8)) ?? "" }

    static func parsePorts(_ text: String) -> [Int] {
        text.split(separator: "\n").compactMap { line -> Int? in
            guard line.hasPrefix("listening on "), let colon = line.lastIndex(of: ":") else { return nil }
            return Int(line[line.index(after: colon)...])
        }
    }

    /// Open descriptors of the server process (from /proc).
    var openFDs: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// Child processes of the server (zombies included).
    var children: [Int32] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8) else { return [] }
        return text.split(separator: " ").compactMap { Int32($0) }
    }

    /// Resident set size in KiB (VmRSS).
    var rssKiB: Int {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return -1 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }

    func signal(_ sig: Int32) { kill(pid, sig) }

    /// SIGTERM, then wait (bounded); SIGKILL if it does not go.
    @discardableResult
    func stop(timeout: TimeInterval = 6) -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(pid, SIGTERM)
        if !waitUntil(timeout: timeout, { !self.process.isRunning }) {
            kill(pid, SIGKILL)
            // Bounded: Foundation's Process can miss an exit (a crashed server), and an
            // unbounded waitUntilExit then hangs the whole test run.
            waitUntil(timeout: 5) { !self.process.isRunning }
        }
        return process.isRunning ? -1 : process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            waitUntil(timeout: 5) { !self.process.isRunning }
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

enum TestError: Error {
    case serverDidNotStart(String)
    case timeout(String)
    case connect(Int32)
}

/// Polls `condition` every 20 ms until it holds or `timeout` seconds pass.
@discardableResult
func waitUntil(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(timeout)
    while Date() < end {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

/// Runs a command with a time bound (in `directory`, else in ours); returns (exit status,
/// stdout, stderr). Output goes through temporary files, so no pipe can fill up and stall the child.
@discardableResult
func run(
    _ executable: String, _ arguments: [String], stdin: Data? = nil, in directory: URL? = nil, timeout: TimeInterval = 30
) throws -> (status: Int32, out: Data, err: String) {
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: tmp) }
    let outURL = tmp.appendingPathComponent("out")
    let errURL = tmp.appendingPathComponent("err")
    let inURL = tmp.appendingPathComponent("in")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: inURL.path, contents: stdin ?? Data())
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    if let directory { p.currentDirectoryURL = directory }
    p.standardOutput = try FileHandle(forWritingTo: outURL)
    p.standardError = try FileHandle(forWritingTo: errURL)
    p.standardInput = try FileHandle(forReadingFrom: inURL)
    try p.run()
    if !waitUntil(timeout: timeout, { !p.isRunning }) {
        p.terminate()
        p.waitUntilExit()
        throw TestError.timeout("\(executable) \(arguments)")
    }
    p.waitUntilExit()
    let out = (try? Data(contentsOf: outURL)) ?? Data()
    let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    return (p.terminationStatus, out, err)
}

/// curl with a time bound; returns stdout as a string (use `-i` to see headers).
func curl(_ arguments: [String], timeout: TimeInterval = 20) throws -> String {
    let r = try run("/usr/bin/curl", ["-s", "--max-time", "\(Int(timeout))"] + arguments, timeout: timeout + 5)
    return String(decoding: r.out, as: UTF8.self)
}
