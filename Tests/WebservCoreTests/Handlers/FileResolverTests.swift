import XCTest

@testable import WebservCore

/// The one root/alias mapping from a normalised request path to a file-system path.
final class FileResolverTests: XCTestCase {
    private func location(_ body: String, path: String) throws -> LocationConfig {
        let config = try XCTUnwrap(loadConfig("server { listen 1.2.3.4:80; root /srv/www; \(body) }"))
        let server = config.servers[0]
        return Dispatcher.location(for: Array(path.utf8), in: server)
    }

    private func map(_ body: String, _ path: String) throws -> String? {
        let loc = try location(body, path: path)
        return FileResolver.map(Array(path.utf8), location: loc).map { String(decoding: $0, as: UTF8.self) }
    }

    func testRootAppendsThePath() throws {
        XCTAssertEqual(try map("", "/a/b.html"), "/srv/www/a/b.html")
        XCTAssertEqual(try map("", "/"), "/srv/www/")
        XCTAssertEqual(try map("location /x/ { root /data/; }", "/x/y"), "/data/x/y")
        XCTAssertEqual(try map("location /x/ { root /data; }", "/x/y"), "/data/x/y")
        XCTAssertEqual(try map("location /x/ { root /; }", "/x/y"), "/x/y")
        XCTAssertEqual(try map("location /x/ { root /; }", "/x/"), "/x/")
    }

    func testAliasReplacesThePrefix() throws {
        let loc = "location /img/ { alias /data/pics/; }"
        XCTAssertEqual(try map(loc, "/img/a.png"), "/data/pics/a.png")
        XCTAssertEqual(try map(loc, "/img/sub/a.png"), "/data/pics/sub/a.png")
        XCTAssertEqual(try map(loc, "/img/"), "/data/pics/")
    }

    func testAliasWithoutTrailingSlash() throws {
        let loc = "location /img { alias /data/pics; }"
        XCTAssertEqual(try map(loc, "/img"), "/data/pics")
        XCTAssertEqual(try map(loc, "/img/a.png"), "/data/pics/a.png")
        XCTAssertEqual(try map(loc, "/img/"), "/data/pics/")
    }

    func testAliasPrefixWithoutSlashCannotClimbOut() throws {
        let loc = "location /img { alias /data/pics; }"
        XCTAssertNil(try map(loc, "/img../secret"))
        XCTAssertNil(try map(loc, "/img../"))
        if let other = try map(loc, "/imgx/y") {
            XCTAssertTrue(other.hasPrefix("/data/pics/"), other)
        }
    }

    func testExactLocationWithAlias() throws {
        XCTAssertEqual(try map("location = /logo { alias /data/logo.png; }", "/logo"), "/data/logo.png")
    }

    /// upload_store maps as alias does: the part after the prefix, normalised, below the store.
    func testStoreMappingReplacesThePrefixAndCannotClimbOut() throws {
        func store(_ body: String, _ path: String) throws -> String? {
            let loc = try location(body, path: path)
            let store = try XCTUnwrap(loc.uploadStore)
            return FileResolver.replacingPrefix(of: Array(path.utf8), location: loc, with: store)
                .map { String(decoding: $0, as: UTF8.self) }
        }
        let slash = "location /store/ { upload_store /data/up; }"
        XCTAssertEqual(try store(slash, "/store/y.txt"), "/data/up/y.txt")
        XCTAssertEqual(try store(slash, "/store/"), "/data/up/")
        let bare = "location /drop { upload_store /data/drop; }"
        XCTAssertEqual(try store(bare, "/drop/z.bin"), "/data/drop/z.bin")
        XCTAssertNil(try store(bare, "/drop../secret"))
        XCTAssertNil(try store(bare, "/drop../"))
    }

    /// With nothing in the store, the location's own root answers.
    func testResolveFallsBackToTheRootWhenTheStoreHasNoSuchFile() throws {
        let loc = try location("location /store/ { upload_store /nonexistent/webserv-store; }", path: "/store/y.txt")
        let mapping = try XCTUnwrap(FileResolver.resolve(Array("/store/y.txt".utf8), location: loc))
        XCTAssertEqual(String(decoding: mapping.path, as: UTF8.self), "/srv/www/store/y.txt")
        XCTAssertEqual(mapping.base, "/srv/www")
    }

    func testErrnoMapsToStatus() {
        XCTAssertEqual(FileResolver.statusFor(errno: ENOENT), 404)
        XCTAssertEqual(FileResolver.statusFor(errno: ENOTDIR), 404)
        XCTAssertEqual(FileResolver.statusFor(errno: EACCES), 403)
        XCTAssertEqual(FileResolver.statusFor(errno: EIO), 500)
    }

    // bench
    func testCStringKeepsEveryByteAndEndsWithNUL() {
        XCTAssertEqual(FileResolver.cString([]), [0])
        XCTAssertEqual(FileResolver.cString(Array("/a/b.html".utf8)), "/a/b.html".utf8.map { CChar(bitPattern: $0) } + [0])
        let all = (1...255).map { UInt8($0) }
        XCTAssertEqual(FileResolver.cString(all), all.map { CChar(bitPattern: $0) } + [0])
        let long = [UInt8](repeating: 0x61, count: 5000)
        XCTAssertEqual(FileResolver.cString(long).count, 5001)
        XCTAssertEqual(FileResolver.cString(long).last, 0)
    }
}
