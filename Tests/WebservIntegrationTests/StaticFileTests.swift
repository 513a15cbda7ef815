import Foundation
import XCTest

/// SPEC §3 static files: MIME types, validators, conditional requests, single ranges, HEAD,
/// and a large file streamed without being held in memory.
final class StaticFileTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/www;
            access_log off;
            location /typed/ { alias {{ROOT}}/www/; types { text/x-special spc; } default_type text/x-fallback; }
            location /deftype/ { default_type application/x-custom; }
        }
        """

    static let body = "0123456789abcdefghij"  // 20 bytes

    func makeServer(extra: [String: String] = [:]) throws -> TestServer {
        var files = [
            "www/file.txt": Self.body, "www/page.html": "<p>x</p>", "www/a.spc": "special", "www/deftype/blob.unknownext": "?",
        ]
        for ext in [
            "css", "js", "json", "xml", "png", "jpg", "jpeg", "gif", "svg", "ico", "pdf", "wasm", "mp4", "woff2", "md", "xyz",
        ] {
            files["www/f.\(ext)"] = "x"
        }
        files["www/UPPER.PNG"] = "x"
        files["www/noextension"] = "x"
        for (k, v) in extra { files[k] = v }
        return try TestServer(config: Self.config, files: files)
    }

    func get(_ s: TestServer, _ path: String, _ headers: [String] = [], method: String = "GET") throws -> HTTPResponse {
        let extra = headers.map { $0 + "\r\n" }.joined()
        return try XCTUnwrap(
            httpRequest(
                port: s.port, "\(method) \(path) HTTP/1.1\r\nHost: x\r\n\(extra)Connection: close\r\n\r\n", head: method == "HEAD"
            ), path)
    }

    // MARK: types

    func testMIMETypesForCommonExtensionsAreNginxsWithoutCharset() throws {
        let s = try makeServer()
        let expected: [String: String] = [
            "page.html": "text/html", "f.css": "text/css", "f.js": "application/javascript", "f.json": "application/json",
            "f.xml": "text/xml", "file.txt": "text/plain", "f.png": "image/png", "f.jpg": "image/jpeg",
            "f.jpeg": "image/jpeg", "f.gif": "image/gif", "f.svg": "image/svg+xml", "f.ico": "image/x-icon",
            "f.pdf": "application/pdf", "f.wasm": "application/wasm", "f.mp4": "video/mp4", "f.woff2": "font/woff2",
            "f.md": "application/octet-stream", "f.xyz": "application/octet-stream",
            "noextension": "application/octet-stream",
        ]
        for (file, type) in expected {
            XCTAssertEqual(try get(s, "/" + file).header("Content-Type"), type, file)
        }
    }

    func testExtensionsMatchWithoutCase() throws {
        let s = try makeServer()
        XCTAssertEqual(try get(s, "/UPPER.PNG").header("Content-Type"), "image/png")
    }

    func testTypesBlockReplacesTheTableAndDefaultTypeApplies() throws {
        let s = try makeServer()
        XCTAssertEqual(try get(s, "/typed/a.spc").header("Content-Type"), "text/x-special")
        XCTAssertEqual(try get(s, "/typed/page.html").header("Content-Type"), "text/x-fallback")
        XCTAssertEqual(try get(s, "/deftype/blob.unknownext").header("Content-Type"), "application/x-custom")
        XCTAssertEqual(try get(s, "/a.spc").header("Content-Type"), "application/octet-stream")
    }

    func testTypeFollowsTheLocationEvenForAFileServedBefore() throws {
        // The same file through two locations with different MIME tables (a small-file cache
        // must not hand one location's Content-Type to the other).
        let s = try makeServer()
        XCTAssertEqual(try get(s, "/page.html").header("Content-Type"), "text/html")
        XCTAssertEqual(try get(s, "/typed/page.html").header("Content-Type"), "text/x-fallback")
        XCTAssertEqual(try get(s, "/page.html").header("Content-Type"), "text/html")
    }

    func testTypeFollowsTheLocationForACachedFile() throws {
        // The cache remembers which location a type was checked for: alternating locations
        // must each get their own type, hit after hit.
        let s = try makeServer()
        Thread.sleep(forTimeInterval: 1.2)
        for _ in 0..<3 {
            XCTAssertEqual(try get(s, "/page.html").header("Content-Type"), "text/html")
            XCTAssertEqual(try get(s, "/page.html").header("Content-Type"), "text/html")
            XCTAssertEqual(try get(s, "/typed/page.html").header("Content-Type"), "text/x-fallback")
            XCTAssertEqual(try get(s, "/typed/page.html").header("Content-Type"), "text/x-fallback")
        }
    }

    // MARK: validators and conditional requests

    func testETagAndLastModifiedDescribeTheFile() throws {
        let s = try makeServer()
        let mtime = Date(timeIntervalSince1970: 784_111_777)
        try FileManager.default.setAttributes([.modificationDate: mtime], ofItemAtPath: s.path("www/file.txt"))
        let first = try get(s, "/file.txt")
        XCTAssertEqual(first.header("Last-Modified"), "Sun, 06 Nov 1994 08:49:37 GMT")
        let etag = try XCTUnwrap(first.header("ETag"))
        XCTAssertTrue(etag.hasPrefix("\"") && etag.hasSuffix("\""), etag)
        XCTAssertEqual(try get(s, "/file.txt").header("ETag"), etag, "stable across requests")
        XCTAssertEqual(first.header("Accept-Ranges"), "bytes")
        // A changed file gets a new validator.
        try s.write("www/file.txt", Self.body + "more")
        XCTAssertTrue(
            waitUntil(timeout: 3) { (try? self.get(s, "/file.txt").header("ETag")) != etag }, "ETag did not change with the file")
    }

    func testAFileRewrittenOnDiskIsServedNewByTheNextRequest() throws {
        // SPEC 3: the request after a change gets the new file, even from the small-file cache
        // and within the same second. The file is first made old enough to be cached.
        let s = try makeServer()
        let path = s.path("www/file.txt")
        Thread.sleep(forTimeInterval: 1.2)
        XCTAssertEqual(try get(s, "/file.txt").text, Self.body)
        XCTAssertEqual(try get(s, "/file.txt").text, Self.body, "served again (from the cache)")
        let sameSize = String(Self.body.reversed())
        let versions = [sameSize, Self.body + "longer", "short", Self.body, sameSize, Self.body]
        for (i, version) in versions.enumerated() {
            try s.write("www/file.txt", version)
            let r = try get(s, "/file.txt")
            XCTAssertEqual(r.text, version, "rewrite \(i)")
            XCTAssertEqual(r.header("Content-Length"), String(version.utf8.count), "rewrite \(i)")
            XCTAssertEqual(try get(s, "/file.txt").text, version, "rewrite \(i), asked again")
        }
        // The mtime set back (as `cp -p` or `touch -d` do) cannot hide a rewrite of the same size.
        let old = Date(timeIntervalSince1970: 784_111_777)
        try s.write("www/file.txt", Self.body)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
        Thread.sleep(forTimeInterval: 1.2)
        XCTAssertEqual(try get(s, "/file.txt").text, Self.body)
        XCTAssertEqual(try get(s, "/file.txt").text, Self.body)
        try s.write("www/file.txt", sameSize)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
        XCTAssertEqual(try get(s, "/file.txt").text, sameSize)
        // Replaced by a rename (a new inode), as editors and rsync do.
        try s.write("www/file.tmp", Self.body)
        XCTAssertEqual(rename(s.path("www/file.tmp"), path), 0)
        XCTAssertEqual(try get(s, "/file.txt").text, Self.body)
    }

    func testACachedFileChangedThroughASymlinkOrDeletedIsNotServedOld() throws {
        // The cache learns of changes from inotify, not from a stat per hit: a write to the
        // target of a symlink (in another directory) and a delete must still reach it.
        let s = try makeServer(extra: ["elsewhere/target.txt": Self.body, "www/gone.txt": Self.body])
        XCTAssertEqual(symlink(s.path("elsewhere/target.txt"), s.path("www/link.txt")), 0)
        Thread.sleep(forTimeInterval: 1.2)
        for _ in 0..<2 {
            XCTAssertEqual(try get(s, "/link.txt").text, Self.body)
            XCTAssertEqual(try get(s, "/gone.txt").text, Self.body)
        }
        for (i, version) in ["through the link", "x", Self.body + "!"].enumerated() {
            try s.write("elsewhere/target.txt", version)
            XCTAssertEqual(try get(s, "/link.txt").text, version, "rewrite \(i)")
        }
        XCTAssertEqual(unlink(s.path("www/gone.txt")), 0)
        XCTAssertEqual(try get(s, "/gone.txt").status, 404)
    }

    func testIfNoneMatchGives304() throws {
        let s = try makeServer()
        let etag = try XCTUnwrap(get(s, "/file.txt").header("ETag"))
        for value in [etag, "*", "\"nope\", \(etag)", "W/\(etag)"] {
            let r = try get(s, "/file.txt", ["If-None-Match: \(value)"])
            XCTAssertEqual(r.status, 304, value)
            XCTAssertTrue(r.body.isEmpty)
            XCTAssertEqual(r.header("ETag"), etag)
            assertRequiredHeaders(r)
        }
        XCTAssertEqual(try get(s, "/file.txt", ["If-None-Match: \"other\""]).status, 200)
    }

    /// RFC 9110 §13.1.1, as nginx: If-Match with none of our (strong) ETags is 412; `*` or
    /// our ETag is served; a weak tag never matches.
    func testIfMatchWithAnotherETagIs412() throws {
        let s = try makeServer()
        let etag = try XCTUnwrap(get(s, "/file.txt").header("ETag"))
        for value in ["\"other\"", "W/\(etag)", "\"a\", \"b\""] {
            let r = try get(s, "/file.txt", ["If-Match: \(value)"])
            XCTAssertEqual(r.status, 412, value)
            assertRequiredHeaders(r)
            XCTAssertEqual(try get(s, "/file.txt", ["If-Match: \(value)"], method: "HEAD").status, 412, "HEAD \(value)")
        }
        for value in ["*", etag, "\"other\", \(etag)"] {
            let r = try get(s, "/file.txt", ["If-Match: \(value)"])
            XCTAssertEqual(r.status, 200, value)
            XCTAssertEqual(r.text, Self.body, value)
        }
    }

    /// `*` matches only as the whole If-None-Match value (RFC 9110 §13.1.2, nginx): inside a
    /// list of tags it is not a wildcard, and the file is sent.
    func testStarInsideAnIfNoneMatchListIsNoWildcard() throws {
        let s = try makeServer()
        XCTAssertEqual(try get(s, "/file.txt", ["If-None-Match: *"]).status, 304)
        XCTAssertEqual(try get(s, "/file.txt", ["If-None-Match:  * "]).status, 304)
        let listed = try get(s, "/file.txt", ["If-None-Match: W/\"x\", *"])
        XCTAssertEqual(listed.status, 200)
        XCTAssertEqual(listed.text, Self.body)
    }

    func testIfModifiedSinceGives304() throws {
        let s = try makeServer()
        let lastModified = try XCTUnwrap(get(s, "/file.txt").header("Last-Modified"))
        let r = try get(s, "/file.txt", ["If-Modified-Since: \(lastModified)"])
        XCTAssertEqual(r.status, 304)
        XCTAssertEqual(r.header("Last-Modified"), lastModified)
        XCTAssertEqual(try get(s, "/file.txt", ["If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT"]).status, 200)
        XCTAssertEqual(try get(s, "/file.txt", ["If-Modified-Since: not a date"]).status, 200)
        // A date in the future is invalid: the file, not a 304 that would keep a stale copy.
        XCTAssertEqual(try get(s, "/file.txt", ["If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT"]).status, 200)
        XCTAssertEqual(
            try get(s, "/file.txt", ["If-None-Match: \"other\"", "If-Modified-Since: \(lastModified)"]).status, 200,
            "If-None-Match takes precedence")
    }

    func testConditionalDatesAreReadInAllThreeHTTPDateForms() throws {
        let s = try makeServer()
        // Sun, 06 Sep 2020 01:01:01 GMT: a one-digit day, which asctime pads with a space.
        let mtime = Date(timeIntervalSince1970: 1_599_354_061)
        try FileManager.default.setAttributes([.modificationDate: mtime], ofItemAtPath: s.path("www/file.txt"))
        XCTAssertEqual(try get(s, "/file.txt").header("Last-Modified"), "Sun, 06 Sep 2020 01:01:01 GMT")
        let equal = ["Sun, 06 Sep 2020 01:01:01 GMT", "Sunday, 06-Sep-20 01:01:01 GMT", "Sun Sep  6 01:01:01 2020"]
        let earlier = ["Sun, 06 Sep 2020 01:01:00 GMT", "Sunday, 06-Sep-20 01:01:00 GMT", "Sun Sep  6 01:01:00 2020"]
        for date in equal {
            let r = try get(s, "/file.txt", ["If-Modified-Since: \(date)"])
            XCTAssertEqual(r.status, 304, "If-Modified-Since: \(date)")
            XCTAssertTrue(r.body.isEmpty)
            XCTAssertEqual(try get(s, "/file.txt", ["If-Unmodified-Since: \(date)"]).text, Self.body, date)
            let part = try get(s, "/file.txt", ["Range: bytes=0-1", "If-Range: \(date)"])
            XCTAssertEqual(part.status, 206, "If-Range: \(date)")
            XCTAssertEqual(part.text, "01")
        }
        for date in earlier {
            XCTAssertEqual(try get(s, "/file.txt", ["If-Modified-Since: \(date)"]).status, 200, date)
            let failed = try get(s, "/file.txt", ["If-Unmodified-Since: \(date)"])
            XCTAssertEqual(failed.status, 412, "If-Unmodified-Since: \(date)")
            assertRequiredHeaders(failed)
            let whole = try get(s, "/file.txt", ["Range: bytes=0-1", "If-Range: \(date)"])
            XCTAssertEqual(whole.status, 200, "If-Range: \(date)")
            XCTAssertEqual(whole.text, Self.body)
        }
        XCTAssertEqual(try get(s, "/file.txt", ["If-Unmodified-Since: not a date"]).status, 200, "ignored")
    }

    func testHEADOf304HasNoBodyAndKeepsTheConnectionUsable() throws {
        let s = try makeServer()
        let etag = try XCTUnwrap(get(s, "/file.txt").header("ETag"))
        let c = try RawClient(port: s.port, timeout: 3)
        XCTAssertEqual(c.request("GET /file.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \(etag)\r\n\r\n")?.status, 304)
        XCTAssertEqual(c.request("GET /file.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, Self.body)
    }

    // MARK: ranges

    func testSingleRangeGives206() throws {
        let s = try makeServer()
        let r = try get(s, "/file.txt", ["Range: bytes=2-5"])
        XCTAssertEqual(r.status, 206)
        XCTAssertEqual(r.text, "2345")
        XCTAssertEqual(r.header("Content-Range"), "bytes 2-5/20")
        XCTAssertEqual(r.header("Content-Length"), "4")
    }

    func testSuffixRange() throws {
        let s = try makeServer()
        let r = try get(s, "/file.txt", ["Range: bytes=-3"])
        XCTAssertEqual(r.status, 206)
        XCTAssertEqual(r.text, "hij")
        XCTAssertEqual(r.header("Content-Range"), "bytes 17-19/20")
    }

    func testOpenRange() throws {
        let s = try makeServer()
        let r = try get(s, "/file.txt", ["Range: bytes=15-"])
        XCTAssertEqual(r.status, 206)
        XCTAssertEqual(r.text, "fghij")
        XCTAssertEqual(r.header("Content-Range"), "bytes 15-19/20")
    }

    func testUnsatisfiableRangeIs416() throws {
        let s = try makeServer()
        let r = try get(s, "/file.txt", ["Range: bytes=20-"])
        XCTAssertEqual(r.status, 416)
        XCTAssertEqual(r.header("Content-Range"), "bytes */20")
        assertRequiredHeaders(r)
    }

    func testInvalidOrUnsatisfiableRangeSetIs416() throws {
        let s = try makeServer()
        for value in ["bytes=abc", "bytes=3-1", "bytes=-", "bytes=30-40,50-", "bytes=0-1,"] {
            let r = try get(s, "/file.txt", ["Range: \(value)"])
            XCTAssertEqual(r.status, 416, value)
            XCTAssertEqual(r.header("Content-Range"), "bytes */20", value)
            assertRequiredHeaders(r)
        }
    }

    func testRangeOfAnotherUnitOrOfSeveralRangesGetsTheWholeFile() throws {
        let s = try makeServer()
        for value in ["items=0-1", "bytes 0-1", "bytes=", "bytes=0-1,5-6"] {
            let r = try get(s, "/file.txt", ["Range: \(value)"])
            XCTAssertEqual(r.status, 200, value)
            XCTAssertEqual(r.text, Self.body, value)
            XCTAssertNil(r.header("Content-Range"), value)
        }
        let one = try get(s, "/file.txt", ["Range: bytes=30-40, 2-5"])
        XCTAssertEqual(one.status, 206)
        XCTAssertEqual(one.text, "2345")
        XCTAssertEqual(one.header("Content-Range"), "bytes 2-5/20")
    }

    func testIfRangeDecidesBetweenPartAndWhole() throws {
        let s = try makeServer()
        let etag = try XCTUnwrap(get(s, "/file.txt").header("ETag"))
        XCTAssertEqual(try get(s, "/file.txt", ["Range: bytes=0-1", "If-Range: \(etag)"]).status, 206)
        let stale = try get(s, "/file.txt", ["Range: bytes=0-1", "If-Range: \"stale\""])
        XCTAssertEqual(stale.status, 200)
        XCTAssertEqual(stale.text, Self.body)
    }

    /// As nginx's range filter (found by Tests/differential/run): the whole file says
    /// `Accept-Ranges: bytes`, a part of it does not.
    func testOnlyTheWholeFileAdvertisesRanges() throws {
        let s = try makeServer()
        XCTAssertEqual(try get(s, "/file.txt").header("Accept-Ranges"), "bytes")
        for (headers, status) in [
            (["Range: bytes=2-5"], 206), (["Range: bytes=-3"], 206), (["Range: bytes=0-1,5-6"], 200), (["Range: items=0-1"], 200),
        ] {
            let r = try get(s, "/file.txt", headers)
            XCTAssertEqual(r.status, status, "\(headers)")
            XCTAssertEqual(r.header("Accept-Ranges"), status == 206 ? nil : "bytes", "\(headers)")
            let head = try get(s, "/file.txt", headers, method: "HEAD")
            XCTAssertEqual(head.header("Accept-Ranges"), r.header("Accept-Ranges"), "HEAD \(headers)")
        }
    }

    /// An empty file has no byte a range could select: nginx sends it whole (200), not 416.
    func testARangeOfAnEmptyFileGetsTheEmptyFile() throws {
        let s = try makeServer(extra: ["www/empty.txt": ""])
        for value in ["bytes=0-1", "bytes=-1", "bytes=0-"] {
            let r = try get(s, "/empty.txt", ["Range: \(value)"])
            XCTAssertEqual(r.status, 200, value)
            XCTAssertEqual(r.header("Content-Length"), "0", value)
            XCTAssertNil(r.header("Content-Range"), value)
            XCTAssertTrue(r.body.isEmpty, value)
        }
    }

    /// The slash redirect keeps a query, and drops an empty one as nginx does (found by
    /// Tests/differential/run).
    func testDirectoryRedirectKeepsTheQueryButNotAnEmptyOne() throws {
        let s = try makeServer()
        XCTAssertEqual(try get(s, "/deftype?a=1&b").header("Location"), "/deftype/?a=1&b")
        let empty = try get(s, "/deftype?")
        XCTAssertEqual(empty.status, 301)
        XCTAssertEqual(empty.header("Location"), "/deftype/")
    }

    /// A FIFO (or socket, or device) in the root is not served: 404, as nginx's "is not a
    /// regular file" (found by Tests/differential/run), and opening it never blocks the loop.
    func testAFIFOIsNotFound() throws {
        let s = try makeServer()
        XCTAssertEqual(mkfifo(s.path("www/pipe.txt"), 0o644), 0)
        for method in ["GET", "HEAD"] {
            let r = try get(s, "/pipe.txt", method: method)
            XCTAssertEqual(r.status, 404, method)
            assertRequiredHeaders(r)
        }
        XCTAssertEqual(try get(s, "/file.txt").text, Self.body)
    }

    func testCurlRangeDownload() throws {
        let s = try makeServer()
        XCTAssertEqual(try curl(["-r", "10-14", "http://127.0.0.1:\(s.port)/file.txt"]), "abcde")
    }

    // MARK: HEAD

    func testHEADHasTheSameHeadersAsGETAndNoBody() throws {
        let s = try makeServer()
        for path in ["/file.txt", "/page.html", "/missing", "/deftype"] {
            let c = try RawClient(port: s.port, timeout: 3)
            let head = try XCTUnwrap(c.request("HEAD \(path) HTTP/1.1\r\nHost: x\r\n\r\n", head: true))
            let get = try XCTUnwrap(c.request("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n"), "HEAD sent a body: GET unparsable")
            XCTAssertEqual(head.status, get.status, path)
            for name in ["Content-Length", "Content-Type", "ETag", "Last-Modified", "Location", "Server"] {
                XCTAssertEqual(head.header(name), get.header(name), "\(path) \(name)")
            }
        }
    }

    // MARK: a large file

    func testLargeFileDownloadsByteExactlyWithSmallMemory() throws {
        let s = try makeServer()
        let size = 50 << 20
        let path = s.path("www/big.bin")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.truncate(atOffset: UInt64(size))  // sparse: created instantly
        var markers: [(Int, Data)] = []
        for (i, offset) in [0, 5000, 1 << 20, 25 << 20 + 7, size - 4096].enumerated() {
            let data = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i &* 7 &+ 1) })
            try h.seek(toOffset: UInt64(offset))
            h.write(data)
            markers.append((offset, data))
        }
        try h.close()
        let rssBefore = s.rssKiB
        let out = s.path("download.bin")
        let result = try WebservIntegrationTests.run(
            "/usr/bin/curl",
            [
                "-s", "--max-time", "30", "-o", out, "-w", "%{http_code} %{size_download}",
                "http://127.0.0.1:\(s.port)/big.bin",
            ], timeout: 35)
        XCTAssertEqual(String(decoding: result.out, as: UTF8.self), "200 \(size)")
        let got = try Data(contentsOf: URL(fileURLWithPath: out), options: .alwaysMapped)
        XCTAssertEqual(got.count, size)
        for (offset, data) in markers {
            XCTAssertEqual(got[offset..<(offset + data.count)], data, "bytes at \(offset)")
        }
        XCTAssertTrue(got[(2 << 20)..<(2 << 20 + 65536)].allSatisfy { $0 == 0 }, "hole bytes")
        XCTAssertEqual(got, try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped))
        let peak = s.peakRSSKiB
        XCTAssertGreaterThan(peak, 0)
        XCTAssertLessThan(peak - rssBefore, 8 * 1024, "RSS grew by \(peak - rssBefore) KiB serving a 50 MiB file")
        // A range far into it.
        let r = try get(s, "/big.bin", ["Range: bytes=\(25 << 20 + 7)-\(25 << 20 + 7 + 99)"])
        XCTAssertEqual(r.status, 206)
        XCTAssertEqual(Data(r.body), markers[3].1.prefix(100))
    }
}
