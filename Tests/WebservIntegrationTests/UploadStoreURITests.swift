import Foundation
import XCTest

/// The URIs of stored uploads (SPEC §4): the `Location` a POST answers names the file for GET,
/// HEAD and DELETE, even when `upload_store` lies outside the location's root; nothing outside
/// the store (or the root) is ever read or deleted through it.
final class UploadStoreURITests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/site;
            error_log {{ROOT}}/error.log;
            location /store/ {
                allow_methods GET HEAD POST DELETE;
                upload_store {{ROOT}}/up4;
            }
            location /drop {
                allow_methods GET HEAD POST DELETE;
                upload_store {{ROOT}}/drop;
                autoindex on;
            }
        }
        """

    static let secret = "STORE-NEIGHBOUR-SECRET"

    var server: TestServer!
    var base = ""

    override func setUpWithError() throws {
        server = try TestServer(
            config: Self.config,
            files: [
                "site/index.html": "home\n",
                "site/store/index.html": "<form>upload here</form>\n",
                "site/store/form.html": "<form>the form page</form>\n",
                "site/store/both.txt": "from the root\n",
                "up4/both.txt": "from the store\n",
                "secret.txt": Self.secret,
                "outside/secret.txt": Self.secret,
                "drop/.keep": "",
            ])
        try FileManager.default.createSymbolicLink(atPath: server.path("up4/out"), withDestinationPath: server.path("outside"))
        base = "http://127.0.0.1:\(server.port)"
    }

    override func tearDown() { server = nil }

    func request(_ method: String, _ target: String, body: [UInt8] = [], headers: String = "") throws -> HTTPResponse {
        let c = try RawClient(port: server.port)
        let length = method == "POST" ? "Content-Length: \(body.count)\r\n" : ""
        c.send(Array("\(method) \(target) HTTP/1.1\r\nHost: x\r\n\(headers)\(length)\r\n".utf8) + body)
        return try XCTUnwrap(c.readResponse(head: method == "HEAD"), "\(method) \(target)")
    }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: server.path(relative)) }

    func testPostedFileIsServedAndDeletedAtItsLocation() throws {
        let bytes = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let created = try request("POST", "/store/y.txt", body: bytes)
        XCTAssertEqual(created.status, 201)
        let location = try XCTUnwrap(created.header("Location"))
        XCTAssertEqual(location, "/store/y.txt")
        XCTAssertTrue(exists("up4/y.txt"))
        XCTAssertFalse(exists("site/store/y.txt"))

        let got = try request("GET", location)
        XCTAssertEqual(got.status, 200)
        XCTAssertTrue(got.body == bytes, "GET \(location) gave \(got.body.count) bytes, not the 3000 posted")
        let head = try request("HEAD", location)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.header("Content-Length"), "3000")

        XCTAssertEqual(try request("DELETE", location).status, 204)
        XCTAssertFalse(exists("up4/y.txt"))
        XCTAssertEqual(try request("GET", location).status, 404)
        XCTAssertEqual(try request("DELETE", location).status, 404)
    }

    func testMultipartNamesAreServedAtTheirEncodedLocation() throws {
        try server.write("client/a b.txt", "spaced name\n")
        let out = try curl([
            "-s", "-o", "/dev/null", "-w", "%{http_code} %header{location}", "-F",
            "f=@\(server.path("client/a b.txt"))", "\(base)/store/",
        ])
        XCTAssertEqual(out, "201 /store/a%20b.txt")
        XCTAssertEqual(try curl(["\(base)/store/a%20b.txt"]), "spaced name\n")
        XCTAssertEqual(try curl(["-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE", "\(base)/store/a%20b.txt"]), "204")
        XCTAssertFalse(exists("up4/a b.txt"))
    }

    /// What is not in the store comes from the root, as before: the form page and its index.
    func testTheRootStillAnswersForWhatTheStoreDoesNotHold() throws {
        XCTAssertEqual(try request("GET", "/store/form.html").text, "<form>the form page</form>\n")
        XCTAssertEqual(try request("GET", "/store/").text, "<form>upload here</form>\n")
        // A name in both: the store's, which is what a POST's Location names.
        XCTAssertEqual(try request("GET", "/store/both.txt").text, "from the store\n")
        XCTAssertEqual(try request("DELETE", "/store/both.txt").status, 204)
        XCTAssertFalse(exists("up4/both.txt"))
        XCTAssertEqual(try request("GET", "/store/both.txt").text, "from the root\n")
    }

    /// A location without a trailing slash maps into its store too, and a store directory with
    /// nothing under the root is listed.
    func testPrefixWithoutSlashMapsIntoTheStore() throws {
        let created = try request("POST", "/drop/z.bin", body: Array("zed".utf8))
        XCTAssertEqual(created.header("Location"), "/drop/z.bin")
        XCTAssertEqual(try request("GET", "/drop/z.bin").text, "zed")
        XCTAssertTrue(try request("GET", "/drop/").text.contains("href=\"z.bin\""))
        XCTAssertEqual(try request("DELETE", "/drop/z.bin").status, 204)
        XCTAssertFalse(exists("drop/z.bin"))
    }

    func testPathsNeverLeaveTheStore() throws {
        let targets = [
            "/store/../secret.txt", "/store/%2e%2e/secret.txt", "/store/%2e%2e/%2e%2e/secret.txt",
            "/store/..%2fsecret.txt", "/store/..%2f..%2fsecret.txt", "/store/%2e%2e%2f%2e%2e%2fsecret.txt",
            "/store/..%2f..%2foutside%2fsecret.txt", "/store/%2e%2e/%2e%2e/outside/secret.txt",
            "/store/..%5c..%5csecret.txt", "/store/%00/../secret.txt",
            "/drop../secret.txt", "/drop..%2fsecret.txt", "/drop%2f..%2f..%2fsecret.txt", "/drop/../../secret.txt",
            "/drop..%2f..%2foutside/secret.txt",
        ]
        for target in targets {
            for method in ["GET", "HEAD", "DELETE"] {
                let r = try request(method, target)
                XCTAssertFalse((200..<300).contains(r.status), "\(method) \(target) answered \(r.status)")
                XCTAssertFalse(r.text.contains(Self.secret), "\(method) \(target) leaked the secret")
            }
        }
        // An admin's symlink in the store to a directory outside: DELETE never follows it.
        XCTAssertEqual(try request("DELETE", "/store/out/secret.txt").status, 403)
        XCTAssertEqual(try String(contentsOfFile: server.path("secret.txt"), encoding: .utf8), Self.secret)
        XCTAssertEqual(try String(contentsOfFile: server.path("outside/secret.txt"), encoding: .utf8), Self.secret)
    }
}
