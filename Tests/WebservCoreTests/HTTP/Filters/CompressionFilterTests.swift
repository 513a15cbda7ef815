import XCTest

@testable import WebservCore

/// The compression step's decision (SPEC 8, nginx's gzip header filter) and the headers of a
/// compressed response.
final class CompressionFilterTests: XCTestCase {
    var settings: CompressionSettings {
        var s = CompressionSettings()
        s.gzip = true
        s.brotli = true
        s.gzipTypes = ["text/html", "text/css"]
        s.brotliTypes = ["text/html"]
        return s
    }

    func decide(
        status: Int = 200, type: Substring? = "text/html", encoded: Bool = false, length: Int? = 1000,
        settings: CompressionSettings? = nil, accept: String? = "gzip, br", gzipAllowed: Bool = true
    ) -> CompressionFilter.Decision {
        CompressionFilter.decide(
            status: status, contentType: type, alreadyEncoded: encoded, length: length, settings: settings ?? self.settings,
            accept: accept.map { AcceptEncoding(Array($0.utf8)) }, gzipAllowed: gzipAllowed)
    }

    /// gzip refused to the client (gzip_http_version, gzip_disable): brotli still, else
    /// identity that varies.
    func testGzipRefusedToTheClient() {
        XCTAssertEqual(decide(accept: "gzip", gzipAllowed: false), .vary)
        XCTAssertEqual(decide(type: "text/css", gzipAllowed: false), .vary, "only gzip would compress text/css")
        XCTAssertEqual(decide(gzipAllowed: false), .encode(.br, level: 6))
        XCTAssertEqual(decide(type: "image/png", gzipAllowed: false), .untouched)
    }

    func testCompressesAcceptedTypesWithTheBestCoding() {
        XCTAssertEqual(decide(), .encode(.br, level: 6))
        XCTAssertEqual(decide(accept: "gzip"), .encode(.gzip, level: 1))
        XCTAssertEqual(decide(type: "text/css"), .encode(.gzip, level: 1), "br is not on for text/css")
        XCTAssertEqual(decide(type: "text/html; charset=utf-8"), .encode(.br, level: 6))
        XCTAssertEqual(decide(type: "TEXT/HTML"), .encode(.br, level: 6))
        XCTAssertEqual(decide(length: nil), .encode(.br, level: 6), "unknown length (a stream) compresses")
    }

    func testAnsweringStatuses() {
        XCTAssertEqual(decide(status: 404), .encode(.br, level: 6))
        XCTAssertEqual(decide(status: 403), .encode(.br, level: 6))
        for status in [204, 206, 301, 304, 500] {
            XCTAssertEqual(decide(status: status), .untouched, "\(status)")
        }
    }

    func testLeavesAloneWhatItMustNotTouch() {
        XCTAssertEqual(decide(encoded: true), .untouched, "already encoded (a CGI's own gzip)")
        XCTAssertEqual(decide(length: 19), .untouched, "below gzip_min_length")
        XCTAssertEqual(decide(length: 20), .encode(.br, level: 6))
        XCTAssertEqual(decide(type: "image/png"), .untouched)
        XCTAssertEqual(decide(type: nil), .untouched)
        XCTAssertEqual(decide(settings: CompressionSettings()), .untouched, "both off")
    }

    func testVaryWithoutAnAcceptedCoding() {
        XCTAssertEqual(decide(accept: nil), .vary)
        XCTAssertEqual(decide(accept: "identity"), .vary)
        XCTAssertEqual(decide(accept: "gzip;q=0, br;q=0"), .vary)
        XCTAssertEqual(decide(type: "text/css", accept: "br"), .vary)
    }

    func testStarTypeAndLevels() {
        var s = settings
        s.gzipTypes = ["*"]
        s.brotli = false
        s.gzipLevel = 9
        XCTAssertEqual(decide(type: "image/svg+xml", settings: s), .encode(.gzip, level: 9))
    }

    func testTextHTMLIsAlwaysAmongTheTypes() throws {
        let config = try XCTUnwrap(loadConfig("server { gzip on; gzip_types text/css; brotli_types application/json; }"))
        let c = config.servers[0].fallbackLocation.compression
        XCTAssertEqual(c.gzipTypes, ["text/html", "text/css"])
        XCTAssertEqual(c.brotliTypes, ["text/html", "application/json"])
    }

    func testCompressedHeaders() {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "text/html"), ("Content-Length", "1000"), ("ETag", "\"abc-12\""), ("Accept-Ranges", "bytes"),
        ]
        CompressionFilter.rewriteHeaders(&headers, coding: .gzip)
        XCTAssertEqual(headers.map(\.name), ["Content-Type", "ETag", "Content-Encoding", "Vary"])
        XCTAssertEqual(headers[1].value, "W/\"abc-12\"")
        XCTAssertEqual(headers[2].value, "gzip")
        XCTAssertEqual(headers[3].value, "Accept-Encoding")
    }

    func testVaryMerges() {
        var headers: [(name: String, value: String)] = [("Vary", "Cookie")]
        CompressionFilter.addVary(&headers)
        XCTAssertEqual(headers[0].value, "Cookie, Accept-Encoding")
        CompressionFilter.addVary(&headers)
        XCTAssertEqual(headers.count, 1)
        XCTAssertEqual(headers[0].value, "Cookie, Accept-Encoding", "added once")
        var star: [(name: String, value: String)] = [("vary", "*")]
        CompressionFilter.addVary(&star)
        XCTAssertEqual(star[0].value, "*")
    }

    func testWeakETags() {
        XCTAssertEqual(CompressionFilter.weakened("\"x\""), "W/\"x\"")
        XCTAssertEqual(CompressionFilter.weakened("W/\"x\""), "W/\"x\"")
    }

    /// nginx's `gzip_disable msie6` mask.
    func testOldMSIEMask() {
        func old(_ ua: String?) -> Bool { CompressionFilter.isOldMSIE(ua.map { Array($0.utf8)[...] }) }
        XCTAssertTrue(old("Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"))
        XCTAssertTrue(old("Mozilla/4.0 (compatible; MSIE 5.5; Windows 98)"))
        XCTAssertTrue(old("Mozilla/4.0 (compatible; MSIE 4.01; Windows 95)"))
        XCTAssertFalse(old("Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)"), "6.0 SP2 handles gzip")
        XCTAssertFalse(old("Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.0)"))
        XCTAssertFalse(old("Mozilla/4.0 (compatible; MSIE 10.0; Windows NT 6.1)"))
        XCTAssertFalse(old("Opera/9.80 (compatible; MSIE 6.0; Windows NT 5.1)"))
        XCTAssertFalse(old("Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"))
        XCTAssertFalse(old("MSIE 6."), "too short to say")
        XCTAssertFalse(old(nil))
    }
}
