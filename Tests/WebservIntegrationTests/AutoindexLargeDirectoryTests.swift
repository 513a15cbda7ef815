import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// SPEC 6 for autoindex: a directory of 60,000 names is listed over many turns of the loop,
/// so other clients are answered while it is read, and a client that leaves mid-listing
/// leaves nothing open behind it.
final class AutoindexLargeDirectoryTests: XCTestCase {
    static let count = 60_000
    /// Made once for the class (os-level calls; FileManager would take longer) and removed after.
    static let many = FileManager.default.temporaryDirectory.appendingPathComponent("webserv-many-\(getpid())").path

    override class func setUp() {
        super.setUp()
        guard mkdir(many, 0o755) == 0 else { return }
        for i in 0..<count { close(open(many + "/" + name(i), O_CREAT | O_WRONLY, 0o644)) }
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(atPath: many)
        super.tearDown()
    }

    /// `client_body_timeout 1ms`: the request's deadline passes long before the listing is
    /// done (it takes many timer checks, 100 ms apart); it must not end the exchange.
    static let config = """
        server {
            listen 127.0.0.1:0;
            access_log off;
            client_body_timeout 1ms;
            location /many/ { alias \(many)/; autoindex on; autoindex_format json; }
            location /gzip/ { alias \(many)/; autoindex on; autoindex_format json; gzip on; gzip_types application/json; }
            location /br/ { alias \(many)/; autoindex on; autoindex_format json; brotli on; brotli_types application/json; }
            location = /ping { return 200 "pong"; }
        }
        """

    static func name(_ i: Int) -> String {
        let digits = String(i)
        return "f" + String(repeating: "0", count: 5 - digits.count) + digits
    }

    func makeServer() throws -> TestServer {
        var entries = 0
        if let dir = opendir(Self.many) {
            while readdir(dir) != nil { entries += 1 }
            closedir(dir)
        }
        XCTAssertEqual(entries, Self.count + 2, "the directory to list was not made (with . and ..)")
        return try TestServer(config: Self.config)
    }

    struct Entry: Decodable {
        var name: String
        var type: String
        var size: Int?
    }

    /// The listing's request is read before the small one (it was sent first, on a connection
    /// made first), and a response goes out only after poll() reports its socket writable: so
    /// when the small answer arrives, the listing has started, and it has sent nothing yet.
    func testOtherClientsAreAnsweredWhileALargeDirectoryIsListed() throws {
        let s = try makeServer()
        let listing = try RawClient(port: s.port, timeout: 60)
        listing.send("GET /many/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let small = try XCTUnwrap(httpRequest(port: s.port, "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        XCTAssertEqual(small.status, 200)
        XCTAssertEqual(small.text, "pong")
        XCTAssertEqual(listing.unreadBytes, 0, "the listing answered before the small request")

        let r = try XCTUnwrap(listing.readResponse())
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.header("Content-Type"), "application/json")
        XCTAssertEqual(r.header("Content-Length"), String(r.body.count))
        let entries = try JSONDecoder().decode([Entry].self, from: Data(r.body))
        XCTAssertEqual(entries.count, Self.count)
        XCTAssertEqual(entries.map(\.name), (0..<Self.count).map(Self.name))
        XCTAssertTrue(entries.allSatisfy { $0.type == "file" && $0.size == 0 })
    }

    /// Past `AutoindexListing.streamAbove` the body streams out, so the compressor takes it in
    /// pieces (brotli keeps much before it writes: the listing goes on without a write's callback).
    func testALargeListingIsCompressedAsItGoesOut() throws {
        let s = try makeServer()
        for coding in ["gzip", "br"] {
            let headers = s.path("headers-\(coding).txt")
            let out = try curl(
                [
                    "-s", "--compressed", "-H", "Accept-Encoding: \(coding)", "-D", headers,
                    "http://127.0.0.1:\(s.port)/\(coding)/",
                ],
                timeout: 60)
            let head = try String(contentsOfFile: headers, encoding: .utf8).lowercased()
            XCTAssertTrue(head.contains("content-encoding: \(coding)"), head)
            XCTAssertTrue(head.contains("transfer-encoding: chunked"), head)
            let entries = try JSONDecoder().decode([Entry].self, from: Data(out.utf8))
            XCTAssertEqual(entries.map(\.name), (0..<Self.count).map(Self.name), coding)
        }
    }

    func testAClientThatLeavesMidListingLeavesNoDescriptorOpen() throws {
        let s = try makeServer()
        let before = s.openFDs
        var listing: RawClient? = try RawClient(port: s.port)
        listing!.send("GET /many/ HTTP/1.1\r\nHost: x\r\n\r\n")
        // As above: once the small answer is in, the listing is under way and unanswered.
        let small = try XCTUnwrap(httpRequest(port: s.port, "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        XCTAssertEqual(small.status, 200)
        XCTAssertEqual(listing!.unreadBytes, 0, "the listing answered before the small request")
        listing!.resetOnClose()
        listing = nil

        XCTAssertTrue(waitUntil(timeout: 10) { s.openFDs == before }, "fds \(s.openFDs), before \(before)")
        // The server goes on serving, the same directory included.
        let again = try XCTUnwrap(
            RawClient(port: s.port, timeout: 60).request(
                "HEAD /many/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", head: true))
        XCTAssertEqual(again.status, 200)
        XCTAssertGreaterThan(Int(again.header("Content-Length") ?? "") ?? 0, Self.count * 50)
        XCTAssertTrue(waitUntil(timeout: 10) { s.openFDs == before }, "fds \(s.openFDs), before \(before)")
    }
}

extension RawClient {
    /// Bytes received and not read yet, without waiting for more.
    var unreadBytes: Int {
        var waiting: Int32 = 0
        _ = ioctl(fd, UInt(FIONREAD), &waiting)
        return pendingCount + Int(waiting)
    }
}
