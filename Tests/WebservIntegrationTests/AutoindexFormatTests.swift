import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// SPEC 8 autoindex formats: nginx's JSON layout (by directive or `Accept`), rounded sizes,
/// local time, and the HTML listing sorted by query.
final class AutoindexFormatTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/www;
            access_log off;
            autoindex on;
            location /json/ { autoindex_format json; }
            location /sizes/ { autoindex_exact_size off; autoindex_localtime on; }
        }
        """

    func makeServer() throws -> TestServer {
        let s = try TestServer(
            config: Self.config,
            files: ["www/list/small.txt": "12345", "www/list/sub/x": "", "www/json/f.txt": "abc", "www/json/d/x": ""])
        try s.write("www/list/big.bin", data: Data(count: 20_000))
        try s.write("www/sizes/big.bin", data: Data(count: 3 << 20))
        return s
    }

    struct Entry: Decodable, Equatable {
        var name: String
        var type: String
        var mtime: String
        var size: Int?
    }

    func testJSONByDirectiveIsNginxsLayout() throws {
        let s = try makeServer()
        let r = try XCTUnwrap(httpRequest(port: s.port, "GET /json/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        XCTAssertEqual(r.header("Content-Type"), "application/json")
        let entries = try JSONDecoder().decode([Entry].self, from: Data(r.body))
        XCTAssertEqual(entries.map(\.name), ["d", "f.txt"])
        XCTAssertEqual(entries.map(\.type), ["directory", "file"])
        XCTAssertEqual(entries.map(\.size), [nil, 3])
        XCTAssertTrue(entries[1].mtime.hasSuffix(" GMT"), entries[1].mtime)
        XCTAssertTrue(r.text.hasPrefix("[\n{ \"name\":\"d\", \"type\":\"directory\", \"mtime\":\""), r.text)
    }

    func testJSONWhenTheRequestAcceptsIt() throws {
        let s = try makeServer()
        let out = try curl(["-H", "Accept: application/json", "http://127.0.0.1:\(s.port)/list/"])
        let entries = try JSONDecoder().decode([Entry].self, from: Data(out.utf8))
        XCTAssertEqual(entries.map(\.name), ["sub", "big.bin", "small.txt"])
        let html = try curl(["-H", "Accept: text/html", "http://127.0.0.1:\(s.port)/list/"])
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"), html)
        // The format follows Accept: a cache must key on it; a fixed JSON format does not vary.
        for accept in ["application/json", "text/html"] {
            let r = try XCTUnwrap(
                httpRequest(port: s.port, "GET /list/ HTTP/1.1\r\nHost: x\r\nAccept: \(accept)\r\nConnection: close\r\n\r\n"))
            XCTAssertEqual(r.header("Vary"), "Accept", accept)
        }
        let fixed = try XCTUnwrap(httpRequest(port: s.port, "GET /json/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        XCTAssertNil(fixed.header("Vary"))
    }

    /// As nginx: a dangling symlink is listed (with its own data), and a name that is not
    /// UTF-8 too, its link percent-encoding the bytes the directory holds.
    func testDanglingSymlinksAndNonUTF8NamesAreListed() throws {
        let s = try makeServer()
        XCTAssertEqual(symlink("/nonexistent/target", s.path("www/list/dangling")), 0)
        let odd = cPath(Array(s.path("www/list/caf").utf8) + [0xE9] + Array(".txt".utf8))
        let fd = open(odd, O_CREAT | O_WRONLY, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        close(fd)
        let r = try XCTUnwrap(httpRequest(port: s.port, "GET /list/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        XCTAssertTrue(r.text.contains("<a href=\"dangling\">dangling</a>"), r.text)
        XCTAssertTrue(r.text.contains("<a href=\"caf%E9.txt\">"), r.text)
        let file = try XCTUnwrap(
            httpRequest(port: s.port, "GET /list/caf%E9.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        XCTAssertEqual(file.status, 200, "the link leads to the file")
    }

    func testHTMLSortsByQueryWithoutJavaScript() throws {
        let s = try makeServer()
        let bySize = try curl(["http://127.0.0.1:\(s.port)/list/?sort=size&order=desc"])
        let big = try XCTUnwrap(bySize.range(of: "big.bin</a>"))
        let small = try XCTUnwrap(bySize.range(of: "small.txt</a>"))
        XCTAssertLessThan(big.lowerBound, small.lowerBound)
        XCTAssertTrue(bySize.contains("href=\"?sort=size&amp;order=asc\""), bySize)
        XCTAssertFalse(bySize.contains("<script"))
        let byName = try curl(["http://127.0.0.1:\(s.port)/list/?sort=name&order=asc"])
        XCTAssertLessThan(
            try XCTUnwrap(byName.range(of: "big.bin</a>")).lowerBound, try XCTUnwrap(byName.range(of: "small.txt</a>")).lowerBound
        )
        XCTAssertTrue(byName.contains(">20000<"), byName)
    }

    func testInexactSizesAndLocalTime() throws {
        let s = try makeServer()
        let html = try curl(["http://127.0.0.1:\(s.port)/sizes/"])
        XCTAssertTrue(html.contains(">3M<"), html)
        XCTAssertFalse(html.contains("3145728"), html)
    }
}

/// A NUL-terminated copy of raw path bytes for the C calls above.
private func cPath(_ bytes: [UInt8]) -> [CChar] {
    (bytes + [0]).map { CChar(bitPattern: $0) }
}
