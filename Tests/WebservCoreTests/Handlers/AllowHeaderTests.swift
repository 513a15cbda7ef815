import XCTest

@testable import WebservCore

/// The 405 `Allow` value: one canonical order whatever `allow_methods` says.
final class AllowHeaderTests: XCTestCase {
    private func allow(_ body: String, path: String = "/x") throws -> String {
        let config = try XCTUnwrap(loadConfig("server { listen 1.2.3.4:80; \(body) }"))
        return Dispatcher.allowHeader(Dispatcher.location(for: Array(path.utf8), in: config.servers[0]))
    }

    func testHeadFollowsGetAndKnownMethodsComeInCanonicalOrder() throws {
        XCTAssertEqual(try allow(""), "GET, HEAD")
        XCTAssertEqual(try allow("allow_methods GET DELETE;"), "GET, HEAD, DELETE")
        XCTAssertEqual(try allow("allow_methods POST GET;"), "GET, HEAD, POST")
        XCTAssertEqual(try allow("allow_methods DELETE PUT post head get;"), "GET, HEAD, POST, PUT, DELETE")
        XCTAssertEqual(try allow("allow_methods POST;"), "POST")
    }

    func testOtherMethodsFollowInConfigOrder() throws {
        XCTAssertEqual(try allow("allow_methods PATCH DELETE OPTIONS GET;"), "GET, HEAD, DELETE, PATCH, OPTIONS")
        XCTAssertEqual(Dispatcher.allowHeader(methods: ["OPTIONS", "GET", "GET", "PATCH"]), "GET, HEAD, OPTIONS, PATCH")
    }

    func testBroadcastLocationListsPostOnce() throws {
        XCTAssertEqual(try allow("location /chat/ { websocket broadcast; }", path: "/chat/a"), "GET, HEAD, POST")
        XCTAssertEqual(
            try allow("location /chat/ { websocket broadcast; allow_methods POST GET; }", path: "/chat/a"), "GET, HEAD, POST")
    }
}
