import XCTest

@testable import WebservCore

final class LocationMatchingTests: XCTestCase {
    private func server(_ locations: String) throws -> ServerConfig {
        try XCTUnwrap(loadConfig("server {\n\(locations)\n}")).servers[0]
    }

    func testLongestPrefixWins() throws {
        let s = try server("location / { }\nlocation /images/ { }\nlocation /images/big/ { }\nlocation /img { }")
        XCTAssertEqual(s.locationIndex(for: bytes("/")), 0)
        XCTAssertEqual(s.locationIndex(for: bytes("/index.html")), 0)
        XCTAssertEqual(s.locationIndex(for: bytes("/images/a.png")), 1)
        XCTAssertEqual(s.locationIndex(for: bytes("/images/big/a.png")), 2)
        XCTAssertEqual(s.locationIndex(for: bytes("/images")), 0, "/images/ is longer than the path")
        XCTAssertEqual(s.locationIndex(for: bytes("/img.png")), 3, "a plain byte prefix, not a path segment")
        XCTAssertEqual(s.locationIndex(for: bytes("/imgs/x")), 3)
    }

    func testExactBeatsEveryPrefix() throws {
        let s = try server("location /a/b { }\nlocation = /a { }\nlocation /a { }")
        XCTAssertEqual(s.locationIndex(for: bytes("/a")), 1)
        XCTAssertEqual(s.locationIndex(for: bytes("/a/")), 2)
        XCTAssertEqual(s.locationIndex(for: bytes("/a/b")), 0)
    }

    func testExactAndPrefixOnSamePathAreBothAllowed() throws {
        let s = try server("location = / { }\nlocation / { }")
        XCTAssertEqual(s.locationIndex(for: bytes("/")), 0)
        XCTAssertEqual(s.locationIndex(for: bytes("/x")), 1)
    }

    /// nginx reads the modifier glued to the path (`location =/x`) as `location = /x`, and
    /// `^~` (a prefix that stops the regular-expression search) as a plain prefix: there are
    /// no regular-expression locations here.
    func testNginxModifierFormsAreRead() throws {
        let s = try server("location =/a { }\nlocation ^~ /a/ { }\nlocation ^~/b/ { }\nlocation /a { }")
        XCTAssertTrue(s.locations[0].exact)
        XCTAssertEqual(s.locations[0].path, "/a")
        XCTAssertFalse(s.locations[1].exact)
        XCTAssertEqual(s.locations[1].path, "/a/")
        XCTAssertEqual(s.locations[2].path, "/b/")
        XCTAssertEqual(s.locationIndex(for: bytes("/a")), 0)
        XCTAssertEqual(s.locationIndex(for: bytes("/a/x")), 1)
        XCTAssertEqual(s.locationIndex(for: bytes("/b/x")), 2)
        XCTAssertEqual(s.locationIndex(for: bytes("/ab")), 3)
    }

    func testNoMatchIsNil() throws {
        let s = try server("location /api/ { }\nlocation = /exact { }")
        XCTAssertNil(s.locationIndex(for: bytes("/")))
        XCTAssertNil(s.locationIndex(for: bytes("/api")))
        XCTAssertNil(s.locationIndex(for: bytes("/exact/")))
        XCTAssertNil(try server("").locationIndex(for: bytes("/")))
    }

    func testWorksOnSlicesWithNonZeroStart() throws {
        let s = try server("location /a/ { }")
        let buffer = Array("GET /a/x HTTP/1.1".utf8)
        XCTAssertEqual(s.locationIndex(for: buffer[4..<8]), 0)
    }
}
