import Foundation
import XCTest

@testable import WebservCore

/// Where the configuration named on the command line is looked for, and which one is read.
final class ConfigFilesTests: XCTestCase {
    func testRelativeConfigIsLookedForInTheWorkingDirectoryThenUnderThePrefix() {
        let candidates = ConfigFiles.commandLineCandidates("site.conf", cwd: "/home/u", prefix: "/srv")
        XCTAssertEqual(candidates.map(\.name), ["site.conf", "/srv/site.conf"])
        XCTAssertEqual(candidates.map(\.path), ["/home/u/site.conf", "/srv/site.conf"])
    }

    func testWithoutPrefixOnlyTheWorkingDirectory() {
        let candidates = ConfigFiles.commandLineCandidates("conf/default.conf", cwd: "/home/u", prefix: nil)
        XCTAssertEqual(candidates.map(\.path), ["/home/u/conf/default.conf"])
        XCTAssertEqual(ConfigFiles.commandLineCandidates("a.conf", cwd: "/srv", prefix: "/srv").map(\.path), ["/srv/a.conf"])
    }

    func testAbsoluteConfigIsUsedAsWritten() {
        let candidates = ConfigFiles.commandLineCandidates("/etc/webserv.conf", cwd: "/home/u", prefix: "/srv")
        XCTAssertEqual(candidates.map(\.name), ["/etc/webserv.conf"])
        XCTAssertEqual(candidates.map(\.path), ["/etc/webserv.conf"])
    }

    func testAFileThatExistsButCannotBeReadIsNotPassedOver() throws {
        let directory = NSTemporaryDirectory() + "webserv-files-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/a.conf", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "server { }\n".write(toFile: directory + "/b.conf", atomically: true, encoding: .utf8)
        let files = [(name: "a.conf", path: directory + "/a.conf"), (name: "b.conf", path: directory + "/b.conf")]
        XCTAssertThrowsError(try ConfigLoader.load(firstOf: files, named: "a.conf", prefix: directory)) { error in
            XCTAssertEqual("\(error)", "a.conf:1: error: read() \"\(directory)/a.conf\" failed (Is a directory)")
        }
        let second = try ConfigLoader.load(firstOf: Array(files.dropFirst()), named: "b.conf", prefix: directory)
        XCTAssertEqual(second.servers.count, 1)
    }

    func testAnEndlessFileIsRefusedPastTheLimit() {
        guard case .failure(let failure) = ConfigFiles.readFile(absolutePath: "/dev/zero", limit: 1 << 20) else {
            return XCTFail("read /dev/zero to the end")
        }
        XCTAssertEqual(failure.message(path: "/dev/zero"), "read() \"/dev/zero\" failed (File too large)")
    }
}
