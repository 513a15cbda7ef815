import Foundation
import XCTest

/// DELETE (SPEC §4): 204, 404 when missing, 409 for a directory, 403 outside the root,
/// 405 where the route does not allow it.
final class UploadDeleteTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/www;
            location /uploads/ {
                allow_methods GET HEAD POST DELETE;
                upload_store {{ROOT}}/www/uploads;
                autoindex on;
            }
        }
        """

    var server: TestServer!

    override func setUpWithError() throws {
        server = try TestServer(
            config: Self.config,
            files: [
                "www/index.html": "home\n",
                "www/uploads/a.txt": "a\n",
                "www/uploads/a b.txt": "spaced\n",
                "www/uploads/sub/inner.txt": "inner\n",
                "outside/secret.txt": "secret\n",
            ])
        try FileManager.default.createSymbolicLink(
            atPath: server.path("www/uploads/escape"), withDestinationPath: server.path("outside"))
        try FileManager.default.createSymbolicLink(
            atPath: server.path("www/uploads/secret-link"), withDestinationPath: server.path("outside/secret.txt"))
    }

    override func tearDown() { server = nil }

    func delete(_ target: String) throws -> HTTPResponse {
        try XCTUnwrap(httpRequest(port: server.port, "DELETE \(target) HTTP/1.1\r\nHost: x\r\n\r\n"))
    }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: server.path(relative)) }

    func testDeleteRemovesTheFileThenIs404() throws {
        let r = try delete("/uploads/a.txt")
        XCTAssertEqual(r.status, 204)
        XCTAssertEqual(r.body, [])
        XCTAssertFalse(exists("www/uploads/a.txt"))
        XCTAssertEqual(try delete("/uploads/a.txt").status, 404)
        XCTAssertEqual(
            try XCTUnwrap(httpRequest(port: server.port, "GET /uploads/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")).status, 404)
    }

    func testDeleteTakesPercentEncodedNames() throws {
        XCTAssertEqual(try delete("/uploads/a%20b.txt").status, 204)
        XCTAssertFalse(exists("www/uploads/a b.txt"))
    }

    func testDeleteOfADirectoryIs409() throws {
        XCTAssertEqual(try delete("/uploads/sub").status, 409)
        XCTAssertEqual(try delete("/uploads/sub/").status, 409)
        XCTAssertTrue(exists("www/uploads/sub/inner.txt"))
    }

    func testDeleteOutsideTheRootIs403() throws {
        XCTAssertEqual(try delete("/uploads/../../outside/secret.txt").status, 403)
        XCTAssertEqual(try delete("/uploads/%2e%2e/%2e%2e/outside/secret.txt").status, 403)
        XCTAssertEqual(try delete("/uploads/escape/secret.txt").status, 403, "through a symlinked directory")
        XCTAssertTrue(exists("outside/secret.txt"))
        // A symlink inside the root is itself deleted; what it points to stays.
        XCTAssertEqual(try delete("/uploads/secret-link").status, 204)
        XCTAssertTrue(exists("outside/secret.txt"))
    }

    func testDeleteWhereNotAllowedIs405WithAllow() throws {
        let r = try delete("/index.html")
        XCTAssertEqual(r.status, 405)
        XCTAssertEqual(r.header("Allow"), "GET, HEAD")
        XCTAssertTrue(exists("www/index.html"))
    }

    func testCurlUploadThenDeleteRoundTrip() throws {
        try server.write("client/round.txt", "round trip\n")
        let base = "http://127.0.0.1:\(server.port)"
        let created = try curl([
            "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-F", "f=@\(server.path("client/round.txt"))",
            "\(base)/uploads/",
        ])
        XCTAssertTrue(created.hasPrefix("201"), created)
        let listing = try curl(["\(base)/uploads/"])
        XCTAssertTrue(listing.contains("href=\"round.txt\""), listing)
        XCTAssertEqual(try curl(["-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE", "\(base)/uploads/round.txt"]), "204")
        XCTAssertFalse(try curl(["\(base)/uploads/"]).contains("round.txt"))
    }
}
