import XCTest

@testable import WebservCore

final class CGIScriptTests: XCTestCase {
    private func find(_ path: String, files: Set<String>, extensions: [String] = [".py", ".sh"]) -> CGIScript? {
        CGIScript.find(
            path: Array(path.utf8), extensions: extensions,
            map: { Array("/srv".utf8) + $0 },
            isRegularFile: { files.contains(String(decoding: $0, as: UTF8.self)) })
    }

    func testScriptWithoutPathInfo() {
        let s = find("/cgi-bin/env.py", files: ["/srv/cgi-bin/env.py"])
        XCTAssertEqual(s.map { String(decoding: $0.scriptName, as: UTF8.self) }, "/cgi-bin/env.py")
        XCTAssertEqual(s?.pathInfo, [])
        XCTAssertEqual(s.map { String(decoding: $0.file, as: UTF8.self) }, "/srv/cgi-bin/env.py")
        XCTAssertEqual(s?.ext, ".py")
    }

    func testPathInfoFollowsTheScript() {
        let s = find("/cgi-bin/x.py/extra/path", files: ["/srv/cgi-bin/x.py"])
        XCTAssertEqual(s.map { String(decoding: $0.scriptName, as: UTF8.self) }, "/cgi-bin/x.py")
        XCTAssertEqual(s.map { String(decoding: $0.pathInfo, as: UTF8.self) }, "/extra/path")
        XCTAssertEqual(find("/cgi-bin/x.py/", files: ["/srv/cgi-bin/x.py"]).map { $0.pathInfo }, Array("/".utf8))
    }

    func testDirectoryNamedLikeAScriptIsSkipped() {
        // /a.py is a directory (not a regular file): the script is deeper.
        let s = find("/a.py/b.sh/info", files: ["/srv/a.py/b.sh"])
        XCTAssertEqual(s.map { String(decoding: $0.scriptName, as: UTF8.self) }, "/a.py/b.sh")
        XCTAssertEqual(s?.ext, ".sh")
    }

    func testDeclinesMissingScriptsAndOtherExtensions() {
        XCTAssertNil(find("/cgi-bin/missing.py", files: []))
        XCTAssertNil(find("/cgi-bin/readme.txt", files: ["/srv/cgi-bin/readme.txt"]))
        XCTAssertNil(find("/cgi-bin/x.pyc", files: ["/srv/cgi-bin/x.pyc"]))
        // The extension alone is not a script name.
        XCTAssertNil(find("/.py", files: ["/srv/.py"]))
        XCTAssertNil(find("/cgi-bin/", files: []))
    }

    func testUnmappablePathDeclines() {
        let s = CGIScript.find(path: Array("/x.py".utf8), extensions: [".py"], map: { _ in nil }, isRegularFile: { _ in true })
        XCTAssertNil(s)
    }

    func testTidyDropsDotSegmentsFromRoot() {
        XCTAssertEqual(CGIHandler.tidy("/srv/./cgi-bin/x.py"), "/srv/cgi-bin/x.py")
        XCTAssertEqual(CGIHandler.tidy("/srv/."), "/srv")
        XCTAssertEqual(CGIHandler.tidy("/srv/a"), "/srv/a")
    }

    func testExecutableLookupUsesTheGivenPATH() {
        XCTAssertEqual(ChildProcess.resolve("sh", environment: ["PATH=/nonexistent:/bin"]), "/bin/sh")
        XCTAssertEqual(ChildProcess.resolve("/bin/sh", environment: []), "/bin/sh")
        XCTAssertEqual(ChildProcess.resolve("./x", environment: []), "./x")
        XCTAssertNil(ChildProcess.resolve("no-such-program-here", environment: ["PATH=/bin:/usr/bin"]))
    }

    func testDescribesWaitStatus() {
        XCTAssertEqual(ChildProcess.describe(1 << 8), "exited with status 1")
        XCTAssertEqual(ChildProcess.describe(9), "killed by signal 9")
    }
}
