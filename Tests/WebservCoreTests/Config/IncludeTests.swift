import Foundation
import XCTest

@testable import WebservCore

/// `include` in every context, relative to the including file, with errors in the included file's name.
final class IncludeTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "webserv-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/conf/sites", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func write(_ path: String, _ text: String) throws {
        try text.write(toFile: directory + "/" + path, atomically: true, encoding: .utf8)
    }

    private func loadError(_ path: String) -> String? {
        do {
            _ = try ConfigLoader.load(path: path, prefix: directory)
            return nil
        } catch {
            return error.description
        }
    }

    func testIncludesInEveryContextRelativeToIncludingFile() throws {
        try write("conf/main.conf", "http {\n include mime.types;\n include sites/a.conf;\n}\n")
        try write("conf/mime.types", "types {\n text/x-foo foo;\n}\n")
        try write(
            "conf/sites/a.conf", "server {\n listen 9000;\n include common.conf;\n location / {\n  include loc.conf;\n }\n}\n")
        try write("conf/sites/common.conf", "root site;\n")
        try write("conf/sites/loc.conf", "autoindex on;\n")
        let config = try ConfigLoader.load(path: "conf/main.conf", prefix: directory)
        let server = config.servers[0]
        XCTAssertEqual(server.listens[0].address.port, 9000)
        XCTAssertEqual(server.fallbackLocation.root, directory + "/site")
        XCTAssertTrue(server.locations[0].autoindex)
        XCTAssertEqual(server.fallbackLocation.types.byExtension, ["foo": "text/x-foo"])
    }

    func testIncludeInsideTypes() throws {
        try write("conf/main.conf", "types {\n include more.types;\n}\nserver { }\n")
        try write("conf/more.types", "text/x-bar bar baz;\n")
        let config = try ConfigLoader.load(path: "conf/main.conf", prefix: directory)
        XCTAssertEqual(config.servers[0].fallbackLocation.types.byExtension, ["bar": "text/x-bar", "baz": "text/x-bar"])
    }

    func testErrorInIncludedFileNamesThatFile() throws {
        try write("conf/main.conf", "server {\n include sites/bad.conf;\n}\n")
        try write("conf/sites/bad.conf", "# bad\n\nroot a b;\n")
        XCTAssertEqual(
            loadError("conf/main.conf"), "conf/sites/bad.conf:3: error: invalid number of arguments in \"root\" directive")
    }

    func testSyntaxErrorInIncludedFile() throws {
        try write("conf/main.conf", "server {\n include x.conf;\n}\n")
        try write("conf/x.conf", "location / {\n")
        XCTAssertEqual(loadError("conf/main.conf"), "conf/x.conf:2: error: unexpected end of file, expecting \"}\"")
    }

    func testMissingIncludeIsReportedAtTheIncludeLine() throws {
        try write("conf/main.conf", "server {\n listen 80;\n include missing.conf;\n}\n")
        XCTAssertEqual(
            loadError("conf/main.conf"),
            "conf/main.conf:3: error: open() \"\(directory)/conf/missing.conf\" failed (No such file or directory)")
    }

    func testIncludeCycle() throws {
        try write("conf/main.conf", "server {\n include a.conf;\n}\n")
        try write("conf/a.conf", "\ninclude b.conf;\n")
        try write("conf/b.conf", "include a.conf;\n")
        XCTAssertEqual(loadError("conf/main.conf"), "conf/b.conf:1: error: include cycle: \"conf/a.conf\" is already being read")
    }

    func testAbsoluteIncludeAndAbsoluteMainPath() throws {
        try write("conf/main.conf", "include \(directory)/conf/other.conf;\n")
        try write("conf/other.conf", "server { listen 81; }\n")
        let config = try ConfigLoader.load(path: directory + "/conf/main.conf", prefix: "/unused")
        XCTAssertEqual(config.servers[0].listens[0].address.port, 81)
    }

    func testIncludeFromTextResolvesAgainstFileNameDirectory() throws {
        try write("conf/part.conf", "server { listen 82; }\n")
        let config = try ConfigLoader.load(text: "include part.conf;", fileName: "conf/test.conf", prefix: directory)
        XCTAssertEqual(config.servers[0].listens[0].address.port, 82)
    }

    // MARK: wildcards

    /// Writes `files` (path under the prefix → text), then loads conf/main.conf.
    private func load(writing files: KeyValuePairs<String, String>) throws -> Configuration {
        for (path, text) in files { try write(path, text) }
        return try ConfigLoader.load(path: "conf/main.conf", prefix: directory)
    }

    /// Writes `files`, then returns the error loading conf/main.conf gives.
    private func loadError(writing files: KeyValuePairs<String, String>) throws -> String? {
        for (path, text) in files { try write(path, text) }
        return loadError("conf/main.conf")
    }

    func testWildcardIncludesTheMatchesInSortedOrder() throws {
        let config = try load(writing: [
            "conf/main.conf": "include sites/*.conf;\n",
            "conf/sites/b.conf": "server { listen 9002; }\n",
            "conf/sites/a.conf": "server { listen 9001; }\n",
            "conf/sites/c.conf": "server { listen 9003; }\n",
            "conf/sites/notes.txt": "not a configuration\n",
        ])
        XCTAssertEqual(config.servers.map(\.listens[0].address.port), [9001, 9002, 9003])
    }

    func testQuestionMarkAndBracketAreWildcardsToo() throws {
        let config = try load(writing: [
            "conf/main.conf": "server {\n include sites/?.conf;\n include sites/[xy]z.conf;\n}\n",
            "conf/sites/a.conf": "listen 9001;\n",
            "conf/sites/ab.conf": "listen 9009;\n",
            "conf/sites/yz.conf": "listen 9002;\n",
        ])
        XCTAssertEqual(config.servers[0].listens.map(\.address.port), [9001, 9002])
    }

    func testWildcardWithoutMatchIsNoError() throws {
        let config = try load(writing: ["conf/main.conf": "include sites/*.none;\ninclude nowhere/*;\nserver { listen 81; }\n"])
        XCTAssertEqual(config.servers.map(\.listens[0].address.port), [81])
    }

    func testErrorInAWildcardMatchNamesThatFile() throws {
        let error = try loadError(writing: [
            "conf/main.conf": "include sites/*.conf;\n",
            "conf/sites/a.conf": "server { listen 9001; }\n",
            "conf/sites/b.conf": "server {\n listen 9002;\n root a b;\n}\n",
        ])
        XCTAssertEqual(error, "conf/sites/b.conf:3: error: invalid number of arguments in \"root\" directive")
    }

    func testWildcardIsRelativeToTheIncludingFile() throws {
        try FileManager.default.createDirectory(atPath: directory + "/conf/sites/parts", withIntermediateDirectories: true)
        let error = try loadError(writing: [
            "conf/main.conf": "include sites/a.conf;\n",
            "conf/sites/a.conf": "server {\n include parts/*.conf;\n}\n",
            "conf/sites/parts/1.conf": "listen 9001;\n",
            "conf/sites/parts/2.conf": "listen 9002;\nbogus;\n",
        ])
        XCTAssertEqual(error, "conf/sites/parts/2.conf:2: error: unknown directive \"bogus\"")
    }

    func testAbsoluteWildcard() throws {
        let error = try loadError(writing: [
            "conf/main.conf": "include \(directory)/conf/sites/*.conf;\n",
            "conf/sites/a.conf": "server {\n bogus;\n}\n",
        ])
        XCTAssertEqual(error, "\(directory)/conf/sites/a.conf:2: error: unknown directive \"bogus\"")
    }

    func testWildcardMatchingTheIncludingFileIsACycle() throws {
        let error = try loadError(writing: [
            "conf/main.conf": "include sites/a.conf;\n",
            "conf/sites/a.conf": "server { listen 9001; }\ninclude *.conf;\n",
        ])
        XCTAssertEqual(error, "conf/sites/a.conf:2: error: include cycle: \"conf/sites/a.conf\" is already being read")
    }

    func testIncludeWithBlockIsAnError() throws {
        try write("conf/main.conf", "include x {\n}\n")
        XCTAssertEqual(loadError("conf/main.conf"), "conf/main.conf:1: error: directive \"include\" is not terminated by \";\"")
    }
}
