import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// SPEC 8, compression: gzip and brotli on the fly, negotiated from Accept-Encoding, decoded
/// by curl and by Python's gzip and brotli; what must stay identity; streams of any size in
/// bounded memory; precompressed files.
final class CompressionTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/www;
            access_log off;
            error_log {{ROOT}}/error.log;
            gzip on;
            gzip_types text/plain application/json;
            brotli on;
            brotli_types text/plain;
            location /cgi-bin/ {
                root {{ROOT}};
                cgi .py python3;
                cgi .sh /bin/sh;
            }
            location /pre/ { precompressed br zstd gzip; gzip off; brotli off; }
            location /always/ { alias {{ROOT}}/www/pre/; gzip_static always; }
            location /static-gz/ { alias {{ROOT}}/www/pre/; gzip_static on; }
            location /static-br/ { alias {{ROOT}}/www/pre/; brotli_static on; gzip_static on; }
            location /always-br/ { alias {{ROOT}}/www/pre/; brotli_static always; }
            location /brmin/ { alias {{ROOT}}/www/; gzip off; brotli_min_length 100000; }
            location /levels/ { alias {{ROOT}}/www/; gzip_comp_level 9; brotli off; gzip_min_length 100; }
            location /slowest/ { alias {{ROOT}}/www/; gzip off; brotli_comp_level 11; }
            location /off/ { alias {{ROOT}}/www/; gzip off; brotli off; }
            location /zero/ { alias {{ROOT}}/www/; gzip_min_length 0; }
            location /http11/ { alias {{ROOT}}/www/; gzip_http_version 1.1; brotli off; }
            location /nomsie/ { alias {{ROOT}}/www/; gzip_disable "msie6"; brotli off; }
            location /static-http11/ { alias {{ROOT}}/www/pre/; gzip_static on; gzip_http_version 1.1; }
            location /static-nomsie/ { alias {{ROOT}}/www/pre/; gzip_static on; gzip_disable msie6; }
            location /always-http11/ { alias {{ROOT}}/www/pre/; gzip_static always; gzip_http_version 1.1; }
            location /list/ { alias {{ROOT}}/www/; autoindex on; }
            location /chat/ { websocket broadcast; }
        }
        """

    static let page = String(decoding: sampleBytes(5000), as: UTF8.self)

    static func sampleBytes(_ count: Int) -> [UInt8] {
        let words = ["<li>alpha</li>", "beta ", "gamma\n", "<b>delta</b>", "epsilon "]
        var out: [UInt8] = []
        var i = 0
        while out.count < count {
            out += Array(words[(i * 7 + i / 3) % words.count].utf8)
            out += Array(String(i % 97).utf8)
            i += 1
        }
        return Array(out.prefix(count))
    }

    func makeServer(files extra: [String: String] = [:]) throws -> TestServer {
        var files: [String: String] = [
            "www/page.html": Self.page,
            "www/notes.txt": Self.page,
            "www/data.json": "{\"items\": [" + String(repeating: "\"value\", ", count: 100) + "\"end\"]}",
            "www/style.css": String(repeating: "body { margin: 0 }\n", count: 50),
            "www/tiny.html": "<p>tiny</p>",
            "www/empty.html": "",
            "www/image.png": String(repeating: "P", count: 500),
            "www/pre/app.js": "console.log('identity');\n",
            "www/pre/alone.js": "console.log('no encoded forms');\n",
            "cgi-bin/gzipped.sh":
                "printf 'Content-Type: text/html\\r\\nContent-Encoding: gzip\\r\\n\\r\\n'\nprintf 'not really gzip, left alone by the server'\n",
            "cgi-bin/page.sh": "printf 'Content-Type: text/html\\r\\n\\r\\n'\ncat \(TestServer.packageRoot.path)/README.md\n",
        ]
        for (k, v) in extra { files[k] = v }
        let s = try TestServer(config: Self.config, files: files)
        // Precompressed forms with other content than the identity file, so a test sees which was sent.
        try s.write("www/pre/app.js.gz", data: try Self.python("gzip", compress: Array("console.log('gzip');\n".utf8)))
        try s.write("www/pre/app.js.br", data: try Self.python("br", compress: Array("console.log('brotli');\n".utf8)))
        try s.write("www/pre/app.js.zst", data: Data("zstd bytes".utf8))
        return s
    }

    /// Python's gzip or brotli module (PyPI `brotli`), as an independent implementation.
    static func python(_ coding: String, compress input: [UInt8]? = nil, decode: [UInt8]? = nil) throws -> Data {
        let module = coding == "br" ? "brotli" : "gzip"
        let call = input != nil ? "compress" : "decompress"
        let script = "import sys, \(module)\nsys.stdout.buffer.write(\(module).\(call)(sys.stdin.buffer.read()))"
        let r = try WebservIntegrationTests.run("/usr/bin/env", ["python3", "-c", script], stdin: Data(input ?? decode ?? []))
        guard r.status == 0 else { throw TestError.timeout("python3 \(module).\(call) failed: \(r.err)") }
        return r.out
    }

    static func decoded(_ r: HTTPResponse) throws -> String {
        let coding = try XCTUnwrap(r.header("Content-Encoding"), r.head)
        return String(decoding: try python(coding, decode: r.body), as: UTF8.self)
    }

    func get(
        _ s: TestServer, _ path: String, _ headers: [String] = [], method: String = "GET", version: String = "1.1"
    ) throws -> HTTPResponse {
        let extra = headers.map { $0 + "\r\n" }.joined()
        return try XCTUnwrap(
            httpRequest(
                port: s.port, "\(method) \(path) HTTP/\(version)\r\nHost: x\r\n\(extra)Connection: close\r\n\r\n",
                head: method == "HEAD"), path)
    }

    // MARK: on the fly

    func testGzipDecodesToTheFileWithItsHeaders() throws {
        let s = try makeServer()
        let plain = try get(s, "/page.html")
        let r = try get(s, "/page.html", ["Accept-Encoding: gzip"])
        XCTAssertEqual(r.status, 200)
        assertRequiredHeaders(r)
        XCTAssertEqual(r.header("Content-Encoding"), "gzip")
        XCTAssertEqual(r.header("Vary"), "Accept-Encoding")
        XCTAssertEqual(r.header("Content-Type"), "text/html")
        XCTAssertNil(r.header("Accept-Ranges"), "ranges are served from the identity bytes only")
        let strong = try XCTUnwrap(plain.header("ETag"))
        XCTAssertEqual(r.header("ETag"), "W/" + strong, "a compressed body has a weak validator")
        XCTAssertLessThan(r.body.count, Self.page.utf8.count / 2)
        XCTAssertEqual(try Self.decoded(r), Self.page)
    }

    func testBrotliPreferredOnEqualQualityAndDecodes() throws {
        let s = try makeServer()
        for path in ["/page.html", "/notes.txt"] {
            let r = try get(s, path, ["Accept-Encoding: gzip, deflate, br"])
            XCTAssertEqual(r.header("Content-Encoding"), "br", path)
            XCTAssertEqual(try Self.decoded(r), Self.page, path)
        }
        let q = try get(s, "/page.html", ["Accept-Encoding: br;q=0.5, gzip;q=0.9"])
        XCTAssertEqual(q.header("Content-Encoding"), "gzip")
        XCTAssertEqual(try Self.decoded(q), Self.page)
        // brotli_types does not list application/json: gzip is the only offer.
        let json = try get(s, "/data.json", ["Accept-Encoding: br, gzip"])
        XCTAssertEqual(json.header("Content-Encoding"), "gzip")
        XCTAssertTrue(try Self.decoded(json).hasSuffix("\"end\"]}"))
    }

    func testCurlCompressed() throws {
        let s = try makeServer()
        let out = try curl(["--compressed", "-D", s.path("head.txt"), "http://127.0.0.1:\(s.port)/page.html"])
        XCTAssertEqual(out, Self.page)
        let head = try String(contentsOfFile: s.path("head.txt"), encoding: .utf8).lowercased()
        XCTAssertTrue(head.contains("content-encoding: br") || head.contains("content-encoding: gzip"), head)
    }

    func testRefusedCodingsGetIdentityWithVary() throws {
        let s = try makeServer()
        for accept in ["gzip;q=0", "br;q=0, gzip;q=0", "identity", "gzip;q=0, *;q=0"] {
            let r = try get(s, "/page.html", ["Accept-Encoding: \(accept)"])
            XCTAssertNil(r.header("Content-Encoding"), accept)
            XCTAssertEqual(r.header("Vary"), "Accept-Encoding", "\(accept): a compressible resource varies")
            XCTAssertEqual(r.text, Self.page, accept)
        }
        let none = try get(s, "/page.html")
        XCTAssertNil(none.header("Content-Encoding"))
        XCTAssertEqual(none.header("Vary"), "Accept-Encoding")
        let star = try get(s, "/page.html", ["Accept-Encoding: *"])
        XCTAssertEqual(star.header("Content-Encoding"), "br")
    }

    func testWhatIsNeverCompressed() throws {
        let s = try makeServer()
        let ae = "Accept-Encoding: gzip, br"
        let tiny = try get(s, "/tiny.html", [ae])
        XCTAssertNil(tiny.header("Content-Encoding"), "below gzip_min_length (20)")
        XCTAssertNil(tiny.header("Vary"))
        XCTAssertEqual(tiny.text, "<p>tiny</p>")
        let png = try get(s, "/image.png", [ae])
        XCTAssertNil(png.header("Content-Encoding"), "not a listed type")
        XCTAssertNil(png.header("Vary"))
        let css = try get(s, "/style.css", [ae])
        XCTAssertNil(css.header("Content-Encoding"), "text/css is not in gzip_types here")
        let off = try get(s, "/off/page.html", [ae])
        XCTAssertNil(off.header("Content-Encoding"))
        XCTAssertEqual(off.text, Self.page)
        let short = try get(s, "/levels/data.json", [ae])
        XCTAssertEqual(short.header("Content-Encoding"), "gzip", "gzip_min_length 100: the JSON is longer")
        let cgi = try get(s, "/cgi-bin/gzipped.sh", [ae])
        XCTAssertEqual(cgi.header("Content-Encoding"), "gzip", "the script's own coding")
        XCTAssertEqual(cgi.text, "not really gzip, left alone by the server", "not compressed twice")
    }

    func testMinimumLengthZeroCompressesEvenEmptyBodies() throws {
        let s = try makeServer()
        let tiny = try get(s, "/zero/tiny.html", ["Accept-Encoding: gzip"])
        XCTAssertEqual(tiny.header("Content-Encoding"), "gzip")
        XCTAssertEqual(try Self.decoded(tiny), "<p>tiny</p>")
        for coding in ["gzip", "br"] {
            let empty = try get(s, "/zero/empty.html", ["Accept-Encoding: \(coding)"])
            XCTAssertEqual(empty.header("Content-Encoding"), coding)
            XCTAssertFalse(empty.body.isEmpty, "a valid \(coding) stream of nothing")
            XCTAssertEqual(try Self.decoded(empty), "")
        }
    }

    /// Every handler's answer passes the filter stage: a directory listing and a room's
    /// polling JSON compress like files.
    func testListingsAndPollingJSONCompress() throws {
        let s = try makeServer()
        let listing = try get(s, "/list/", ["Accept-Encoding: gzip"])
        XCTAssertEqual(listing.status, 200)
        XCTAssertEqual(listing.header("Content-Encoding"), "gzip")
        XCTAssertTrue(try Self.decoded(listing).contains("page.html"))
        let posted = try XCTUnwrap(
            httpRequest(
                port: s.port, "POST /chat/room HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"))
        XCTAssertEqual(posted.status, 201)
        let poll = try get(s, "/chat/room?since=0", ["Accept-Encoding: gzip"])
        XCTAssertEqual(poll.header("Content-Encoding"), "gzip", poll.head)
        XCTAssertTrue(poll.header("Content-Type")?.hasPrefix("application/json") ?? false, poll.head)
        let json = try Self.decoded(poll)
        XCTAssertTrue(json.contains("\"data\": \"hello\""), json)
    }

    func testConditionalAndRangeRequests() throws {
        let s = try makeServer()
        let ae = "Accept-Encoding: gzip"
        let first = try get(s, "/page.html", [ae])
        let weak = try XCTUnwrap(first.header("ETag"))
        let revalidated = try get(s, "/page.html", [ae, "If-None-Match: \(weak)"])
        XCTAssertEqual(revalidated.status, 304)
        XCTAssertNil(revalidated.header("Content-Encoding"), "a 304 carries no encoding")
        XCTAssertTrue(revalidated.body.isEmpty)
        let range = try get(s, "/page.html", [ae, "Range: bytes=10-19"])
        XCTAssertEqual(range.status, 206)
        XCTAssertNil(range.header("Content-Encoding"), "a range of the identity bytes")
        XCTAssertEqual(range.text, String(Self.page.dropFirst(10).prefix(10)))
        XCTAssertEqual(range.header("Content-Range"), "bytes 10-19/\(Self.page.utf8.count)")
    }

    func testHeadGetsTheHeadersGetWouldGet() throws {
        let s = try makeServer()
        let big = String(decoding: Self.sampleBytes(400_000), as: UTF8.self)
        try s.write("www/big.html", big)
        for path in ["/page.html", "/big.html", "/missing.html"] {
            let getResponse = try get(s, path, ["Accept-Encoding: gzip"])
            let head = try get(s, path, ["Accept-Encoding: gzip"], method: "HEAD")
            XCTAssertEqual(head.status, getResponse.status, path)
            for name in ["Content-Encoding", "Vary", "ETag", "Content-Length", "Transfer-Encoding", "Content-Type"] {
                XCTAssertEqual(head.header(name), getResponse.header(name), "\(path) \(name)")
            }
        }
        // A Range too: nginx's range filter does not look at the method, so HEAD gets the 206
        // (identity, Content-Range) or 416 that GET gets, not a compressed 200.
        for (path, range) in [
            ("/page.html", "bytes=10-19"), ("/big.html", "bytes=-5"), ("/pre/app.js", "bytes=0-3"),
            ("/page.html", "bytes=999999-"),
        ] {
            let headers = ["Accept-Encoding: gzip", "Range: \(range)"]
            let getResponse = try get(s, path, headers)
            let head = try get(s, path, headers, method: "HEAD")
            XCTAssertEqual(head.status, getResponse.status, "\(path) \(range)")
            for name in ["Content-Encoding", "Vary", "ETag", "Content-Length", "Content-Range", "Accept-Ranges"] {
                XCTAssertEqual(head.header(name), getResponse.header(name), "\(path) \(range) \(name)")
            }
            XCTAssertTrue(head.body.isEmpty, "\(path) \(range)")
        }
        let get404 = try get(s, "/missing.html", ["Accept-Encoding: gzip"])
        XCTAssertEqual(get404.header("Content-Encoding"), "gzip", "error pages compress too (404, as nginx)")
        XCTAssertTrue(try Self.decoded(get404).contains("404 Not Found"))
    }

    func testLevelsChangeTheSize() throws {
        let s = try makeServer()
        let level1 = try get(s, "/page.html", ["Accept-Encoding: gzip"])
        let level9 = try get(s, "/levels/page.html", ["Accept-Encoding: gzip"])
        XCTAssertEqual(try Self.decoded(level9), Self.page)
        XCTAssertLessThanOrEqual(level9.body.count, level1.body.count)
    }

    /// A 10 MiB file (too big for the cache) streams through the compressor chunk by chunk:
    /// chunked on HTTP/1.1, close-delimited on HTTP/1.0, and the server's memory does not grow
    /// with it.
    func testTenMebibyteFileCompressesInBoundedMemory() throws {
        let s = try makeServer()
        let body = Self.sampleBytes(10 << 20)
        try s.write("www/huge.txt", data: Data(body))
        let rssBefore = s.rssKiB
        for coding in ["gzip", "br"] {
            let r = try XCTUnwrap(
                RawClient(port: s.port, timeout: 30).request(
                    "GET /huge.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: \(coding)\r\nConnection: close\r\n\r\n"))
            XCTAssertEqual(r.header("Transfer-Encoding"), "chunked")
            XCTAssertNil(r.header("Content-Length"))
            XCTAssertEqual(r.header("Content-Encoding"), coding)
            XCTAssertLessThan(r.body.count, body.count / 4)
            XCTAssertTrue(try Self.python(coding, decode: r.body) == Data(body), coding)
        }
        let old = try XCTUnwrap(
            RawClient(port: s.port, timeout: 30).request("GET /huge.txt HTTP/1.0\r\nAccept-Encoding: gzip\r\n\r\n"))
        XCTAssertNil(old.header("Content-Length"))
        XCTAssertNil(old.header("Transfer-Encoding"))
        XCTAssertEqual(old.header("Connection"), "close", "HTTP/1.0: the close ends the body")
        XCTAssertTrue(try Self.python("gzip", decode: old.body) == Data(body))
        let peak = s.peakRSSKiB
        XCTAssertGreaterThan(peak, 0)
        XCTAssertLessThan(peak - rssBefore, 8 * 1024, "RSS grew by \(peak - rssBefore) KiB compressing 10 MiB")
    }

    /// `gzip_http_version 1.1` (nginx's default; webserv's is 1.0): an HTTP/1.0 request gets
    /// identity, an HTTP/1.1 one gzip.
    /// Before: at brotli_comp_level 11 brotli gathered 1 MiB of a file into one metablock and
    /// compressed it in one call, ~1.5 s in which no other client was answered (two such
    /// downloads: 6.6 s median for a small page). Now 8 KiB per turn, each flushed.
    func testSlowestBrotliLevelDoesNotHoldOtherClients() throws {
        let s = try makeServer()
        var body: [UInt8] = []
        var x: UInt32 = 1
        // Text that compresses like prose (random words), not the sample's repetition.
        let words = (0..<2000).map { i in Array("w\(i * 7919 % 104_729)".utf8) }
        while body.count < 2 << 20 {
            x = x &* 1_103_515_245 &+ 12345
            body += words[Int(x >> 16) % words.count] + [0x20]
        }
        try s.write("www/prose.txt", data: Data(body))
        final class Download: @unchecked Sendable {
            let lock = NSLock()
            var bytes: [UInt8] = []
            var done = false
        }
        let download = Download()
        let hog = try RawClient(port: s.port, timeout: 60)
        hog.send("GET /slowest/prose.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\nConnection: close\r\n\r\n")
        let fd = hog.fd
        let reader = Thread {
            var chunk = [UInt8](repeating: 0, count: 64 << 10)
            while true {
                let n = recv(fd, &chunk, chunk.count, 0)
                download.lock.withLock {
                    if n > 0 { download.bytes += chunk[0..<n] } else { download.done = true }
                }
                if n <= 0 { return }
            }
        }
        reader.start()
        var slowest = 0.0
        var probes = 0
        let deadline = Date().addingTimeInterval(60)
        while !download.lock.withLock({ download.done }) && Date() < deadline {
            let t = Date()
            XCTAssertEqual(try httpRequest(port: s.port, "GET /off/page.html HTTP/1.1\r\nHost: x\r\n\r\n")?.status, 200)
            slowest = max(slowest, Date().timeIntervalSince(t))
            probes += 1
            usleep(20_000)
        }
        XCTAssertGreaterThan(probes, 5, "the download was over before it could be measured")
        XCTAssertLessThan(slowest, 0.5, "a small page took \(slowest) s beside one brotli 11 download (\(probes) probes)")
        let all = download.lock.withLock { download.bytes }
        let start = try XCTUnwrap(Self.find([13, 10, 13, 10], in: all))
        XCTAssertTrue(try Self.python("br", decode: Self.dechunk(Array(all[(start + 4)...]))) == Data(body))
    }

    func testGzipHTTPVersionLeavesOlderRequestsIdentity() throws {
        let s = try makeServer()
        let old = try get(s, "/http11/page.html", ["Accept-Encoding: gzip"], version: "1.0")
        XCTAssertEqual(old.status, 200)
        XCTAssertNil(old.header("Content-Encoding"), old.head)
        XCTAssertEqual(old.text, Self.page)
        let current = try get(s, "/http11/page.html", ["Accept-Encoding: gzip"])
        XCTAssertEqual(current.header("Content-Encoding"), "gzip")
        let byDefault = try get(s, "/page.html", ["Accept-Encoding: gzip"], version: "1.0")
        XCTAssertEqual(byDefault.header("Content-Encoding"), "gzip", "webserv's default answers HTTP/1.0 too")
    }

    /// `gzip_disable "msie6"` (nginx): no gzip for Internet Explorer 4–6, gzip for the rest.
    func testGzipDisableMSIE6() throws {
        let ie6 = "User-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"
        let s = try makeServer()
        XCTAssertNil(try get(s, "/nomsie/page.html", ["Accept-Encoding: gzip", ie6]).header("Content-Encoding"))
        XCTAssertEqual(
            try get(s, "/nomsie/page.html", ["Accept-Encoding: gzip", "User-Agent: curl/8"]).header("Content-Encoding"), "gzip")
        XCTAssertEqual(try get(s, "/page.html", ["Accept-Encoding: gzip", ie6]).header("Content-Encoding"), "gzip", "elsewhere")
    }

    /// A client refused gzip by `gzip_http_version` or `gzip_disable` still gets
    /// `Vary: Accept-Encoding` (another client gets gzip for the same URI), as from nginx.
    func testAClientRefusedGzipStillGetsVary() throws {
        let ie6 = "User-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"
        let s = try makeServer()
        let old = try get(s, "/http11/page.html", ["Accept-Encoding: gzip"], version: "1.0")
        XCTAssertNil(old.header("Content-Encoding"), old.head)
        XCTAssertEqual(old.header("Vary"), "Accept-Encoding", old.head)
        let ie = try get(s, "/nomsie/page.html", ["Accept-Encoding: gzip", ie6])
        XCTAssertNil(ie.header("Content-Encoding"), ie.head)
        XCTAssertEqual(ie.header("Vary"), "Accept-Encoding", ie.head)
    }

    /// `gzip_static on` asks what the gzip filter asks (nginx's `ngx_http_gzip_ok`): no `.gz` for
    /// an HTTP/1.0 request under `gzip_http_version 1.1`, nor for IE 6 under `gzip_disable
    /// msie6`; `gzip_static always` sends it to them all the same.
    func testGzipStaticHonoursGzipHTTPVersionAndGzipDisable() throws {
        let ie6 = "User-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"
        let s = try makeServer()
        for _ in 0..<2 {  // uncached, then from the file cache
            let old = try get(s, "/static-http11/app.js", ["Accept-Encoding: gzip"], version: "1.0")
            XCTAssertNil(old.header("Content-Encoding"), old.head)
            XCTAssertEqual(old.text, "console.log('identity');\n")
            XCTAssertEqual(old.header("Vary"), "Accept-Encoding", old.head)
            let current = try get(s, "/static-http11/app.js", ["Accept-Encoding: gzip"])
            XCTAssertEqual(current.header("Content-Encoding"), "gzip", current.head)
            let ie = try get(s, "/static-nomsie/app.js", ["Accept-Encoding: gzip", ie6])
            XCTAssertNil(ie.header("Content-Encoding"), ie.head)
            XCTAssertEqual(ie.text, "console.log('identity');\n")
            let other = try get(s, "/static-nomsie/app.js", ["Accept-Encoding: gzip", "User-Agent: curl/8"])
            XCTAssertEqual(try Self.decoded(other), "console.log('gzip');\n")
            let always = try get(s, "/always-http11/app.js", [], version: "1.0")
            XCTAssertEqual(always.header("Content-Encoding"), "gzip", always.head)
        }
    }

    /// Compressed answers on one keep-alive connection, pipelined: a streamed (chunked) one and
    /// a cached one (with its length), then a plain one, each read back whole and in order.
    func testPipelinedCompressedAnswersKeepTheConnection() throws {
        let s = try makeServer()
        let big = Self.sampleBytes(400_000)
        try s.write("www/big.html", data: Data(big))
        // A file changed within the last second is not cached (FileCache's racy window); the
        // second answer below is the cached page's compressed copy, whole with its length.
        XCTAssertTrue(
            waitUntil(timeout: 5) {
                let r = try? httpRequest(port: s.port, "GET /page.html HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\n\r\n")
                return r?.header("Content-Length") != nil
            })
        let c = try RawClient(port: s.port, timeout: 10)
        c.send(
            "GET /big.html HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"
                + "GET /page.html HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\n\r\n"
                + "GET /tiny.html HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
        let first = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(first.header("Transfer-Encoding"), "chunked")
        XCTAssertTrue(try Self.python("gzip", decode: first.body) == Data(big))
        let second = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(second.header("Content-Encoding"), "br")
        XCTAssertEqual(second.header("Content-Length"), String(second.body.count))
        XCTAssertEqual(try Self.decoded(second), Self.page)
        let third = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(third.text, "<p>tiny</p>")
        XCTAssertNil(third.header("Connection"), "still keep-alive")
    }

    /// A client that stops reading a compressed stream: the server stops reading the file
    /// (backpressure), so its memory does not fill with compressed output; the body is whole
    /// once the client reads again.
    func testStalledClientHoldsTheCompressedStream() throws {
        let s = try makeServer()
        // Random hex compresses to about half: without backpressure, megabytes would queue.
        let body = try WebservIntegrationTests.run(
            "/usr/bin/env", ["python3", "-c", "import os, sys; sys.stdout.write(os.urandom(6 << 20).hex())"]
        ).out
        XCTAssertEqual(body.count, 12 << 20)
        try s.write("www/random.txt", data: body)
        let rssBefore = s.rssKiB
        let c = try RawClient(port: s.port, timeout: 30, receiveBuffer: 16 * 1024)
        c.send("GET /random.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n")
        // Let the server fill the socket buffers and stop.
        let ticks = s.cpuTicks
        waitUntil(timeout: 3) { false }
        XCTAssertLessThan(s.rssKiB - rssBefore, 4 * 1024, "memory grew while the client did not read")
        XCTAssertLessThan(s.cpuTicks - ticks, 100, "the server kept working for a client that does not read")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.header("Content-Encoding"), "gzip")
        XCTAssertTrue(try Self.python("gzip", decode: r.body) == body)
    }

    /// A CGI that prints, then waits for the test to have decoded what it printed: the
    /// compressed stream reaches the client piece by piece, not when the script ends.
    func testStreamingCGICompressesPieceByPiece() throws {
        let s = try makeServer()
        let marker = s.path("go")
        try s.write(
            "cgi-bin/slow.py",
            """
            import os, sys, time
            sys.stdout.write("Content-Type: text/html\\r\\n\\r\\n")
            sys.stdout.write("<p>first part of the page</p>\\n" * 10)
            sys.stdout.flush()
            for _ in range(3000):  # 30 s: longer than the test waits for the first part
                if os.path.exists("\(marker)"):
                    break
                time.sleep(0.01)
            sys.stdout.write("<p>second part</p>\\n")
            """)
        let c = try RawClient(port: s.port, timeout: 4)
        c.send("GET /cgi-bin/slow.py HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n")
        // Read until the first part decodes, while the script still waits.
        var received: [UInt8] = []
        var firstPart = ""
        let decodedEarly = waitUntil(timeout: 10) {
            guard c.fill() else { return false }
            received += c.takeBuffered()
            guard let start = Self.find([13, 10, 13, 10], in: received) else { return false }
            let body = Self.dechunk(Array(received[(start + 4)...]))
            let partial = try? Self.pythonPartial(body)
            firstPart = partial ?? ""
            return firstPart.contains("first part")
        }
        XCTAssertTrue(decodedEarly, "the first part decodes before the script ends: \(firstPart)")
        FileManager.default.createFile(atPath: marker, contents: nil)
        let rest = c.readToEnd()
        let all = received + rest
        let start = try XCTUnwrap(Self.find([13, 10, 13, 10], in: all))
        let head = String(decoding: all[..<start], as: UTF8.self)
        XCTAssertTrue(head.contains("Content-Encoding: gzip"), head)
        XCTAssertTrue(head.contains("Transfer-Encoding: chunked"), head)
        let whole = String(decoding: try Self.python("gzip", decode: Self.dechunk(Array(all[(start + 4)...]))), as: UTF8.self)
        XCTAssertEqual(whole, String(repeating: "<p>first part of the page</p>\n", count: 10) + "<p>second part</p>\n")
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle }
    }

    /// The data of the complete chunks in `bytes`.
    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while let lineEnd = find([13, 10], in: Array(bytes[i...])) {
            guard let size = Int(String(decoding: bytes[i..<(i + lineEnd)], as: UTF8.self), radix: 16), size > 0 else { break }
            let start = i + lineEnd + 2
            guard start + size + 2 <= bytes.count else { break }
            out += bytes[start..<(start + size)]
            i = start + size + 2
        }
        return out
    }

    /// What zlib makes of a gzip stream's beginning (everything flushed so far).
    static func pythonPartial(_ bytes: [UInt8]) throws -> String {
        let script = "import sys, zlib\nsys.stdout.buffer.write(zlib.decompressobj(31).decompress(sys.stdin.buffer.read()))"
        let r = try WebservIntegrationTests.run("/usr/bin/env", ["python3", "-c", script], stdin: Data(bytes))
        return String(decoding: r.out, as: UTF8.self)
    }

    func testCGIOutputCompressedWhole() throws {
        let s = try makeServer()
        let r = try get(s, "/cgi-bin/page.sh", ["Accept-Encoding: br"])
        XCTAssertEqual(r.header("Content-Encoding"), "br")
        let readme = try String(contentsOf: TestServer.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertEqual(try Self.decoded(r), readme)
    }

    /// A cached small file keeps its compressed copy; when the file changes, the copy goes
    /// with the cached bytes and the next answers decode to the new content.
    func testCompressedCopyFollowsTheFile() throws {
        let s = try makeServer()
        XCTAssertEqual(try Self.decoded(try get(s, "/page.html", ["Accept-Encoding: gzip"])), Self.page)
        XCTAssertEqual(try Self.decoded(try get(s, "/page.html", ["Accept-Encoding: gzip"])), Self.page)
        let changed = Self.page.uppercased() + "changed"
        try s.write("www/page.html", changed)
        let fresh = waitUntil(timeout: 5) {
            (try? Self.decoded(try self.get(s, "/page.html", ["Accept-Encoding: gzip"]))) == changed
        }
        XCTAssertTrue(fresh, "the compressed copy was revalidated with the file")
    }

    // MARK: precompressed

    func testPrecompressedFilesByPreference() throws {
        let s = try makeServer()
        let identity = try get(s, "/pre/app.js")
        XCTAssertEqual(identity.text, "console.log('identity');\n")
        XCTAssertNil(identity.header("Content-Encoding"))
        XCTAssertEqual(identity.header("Vary"), "Accept-Encoding", "encoded forms exist (nginx's gzip_vary)")
        XCTAssertNil(try get(s, "/pre/alone.js").header("Vary"), "no encoded form: nothing varies")
        XCTAssertNil(try get(s, "/pre/alone.js", ["Accept-Encoding: gzip"]).header("Vary"))
        let gz = try get(s, "/pre/app.js", ["Accept-Encoding: gzip"])
        XCTAssertEqual(gz.header("Content-Encoding"), "gzip")
        XCTAssertEqual(gz.header("Content-Type"), identity.header("Content-Type"), "the type of FILE")
        XCTAssertEqual(gz.header("Vary"), "Accept-Encoding")
        XCTAssertEqual(try Self.decoded(gz), "console.log('gzip');\n")
        let br = try get(s, "/pre/app.js", ["Accept-Encoding: gzip, br"])
        XCTAssertEqual(br.header("Content-Encoding"), "br")
        XCTAssertEqual(try Self.decoded(br), "console.log('brotli');\n")
        let zstd = try get(s, "/pre/app.js", ["Accept-Encoding: gzip, zstd, br"])
        XCTAssertEqual(zstd.header("Content-Encoding"), "br", "br is listed before zstd")
        let onlyZstd = try get(s, "/pre/app.js", ["Accept-Encoding: zstd"])
        XCTAssertEqual(onlyZstd.header("Content-Encoding"), "zstd")
        XCTAssertEqual(onlyZstd.text, "zstd bytes")
        let byQuality = try get(s, "/pre/app.js", ["Accept-Encoding: br;q=0.2, gzip"])
        XCTAssertEqual(byQuality.header("Content-Encoding"), "gzip")
        XCTAssertNotEqual(gz.header("ETag"), identity.header("ETag"), "the encoded file's own ETag")
        XCTAssertEqual(gz.header("Content-Length"), String(gz.body.count))
    }

    func testPrecompressedRangeAnd304() throws {
        let s = try makeServer()
        let gz = try get(s, "/pre/app.js", ["Accept-Encoding: gzip"])
        let identity = try get(s, "/pre/app.js")
        // SPEC 8: "a Range request is answered from the identity representation (206, no
        // Content-Encoding)", precompressed forms beside the file or not.
        let range = try get(s, "/pre/app.js", ["Accept-Encoding: gzip", "Range: bytes=0-3"])
        XCTAssertEqual(range.status, 206)
        XCTAssertNil(range.header("Content-Encoding"))
        XCTAssertEqual(range.body, Array(identity.body.prefix(4)), "a range of the identity file")
        XCTAssertEqual(range.header("Content-Range"), "bytes 0-3/\(identity.body.count)")
        XCTAssertEqual(range.header("Vary"), "Accept-Encoding")
        let etag = try XCTUnwrap(gz.header("ETag"))
        let notModified = try get(s, "/pre/app.js", ["Accept-Encoding: gzip", "If-None-Match: \(etag)"])
        XCTAssertEqual(notModified.status, 304)
    }

    /// A 304 carries the `Vary` its 200 would (RFC 9110 §15.4.5), as nginx's gzip_static does:
    /// for the encoded file and for the identity file that has encoded forms beside it.
    func testPrecompressed304CarriesVary() throws {
        let s = try makeServer()
        for accept in ["Accept-Encoding: gzip", "Accept-Encoding: identity"] {
            let full = try get(s, "/pre/app.js", [accept])
            XCTAssertEqual(full.header("Vary"), "Accept-Encoding", accept)
            let etag = try XCTUnwrap(full.header("ETag"))
            let notModified = try get(s, "/pre/app.js", [accept, "If-None-Match: \(etag)"])
            XCTAssertEqual(notModified.status, 304, accept)
            XCTAssertEqual(notModified.header("Vary"), "Accept-Encoding", accept)
            XCTAssertNil(notModified.header("Content-Encoding"), "a 304 carries no encoding")
        }
        let alone = try XCTUnwrap(try get(s, "/pre/alone.js").header("ETag"))
        XCTAssertNil(try get(s, "/pre/alone.js", ["If-None-Match: \(alone)"]).header("Vary"), "nothing varies")
    }

    /// A precompressed file is kept in the file cache beside its file (made old enough to be
    /// kept first): the request after the .gz is rewritten, deleted or made gets what is on disk.
    func testCachedPrecompressedFileFollowsTheDisk() throws {
        let s = try makeServer()
        Thread.sleep(forTimeInterval: 1.2)
        let identity = try get(s, "/static-gz/app.js")
        XCTAssertEqual(identity.text, "console.log('identity');\n")
        for _ in 0..<3 {
            let gz = try get(s, "/static-gz/app.js", ["Accept-Encoding: gzip"])
            XCTAssertEqual(gz.header("Content-Encoding"), "gzip")
            XCTAssertEqual(gz.header("Vary"), "Accept-Encoding")
            XCTAssertEqual(gz.header("Content-Type"), identity.header("Content-Type"), "the type of FILE")
            XCTAssertEqual(gz.header("Content-Length"), String(gz.body.count))
            XCTAssertNotEqual(gz.header("ETag"), identity.header("ETag"), "the encoded file's own ETag")
            XCTAssertEqual(try Self.decoded(gz), "console.log('gzip');\n")
            XCTAssertEqual(try get(s, "/static-gz/app.js").header("Vary"), "Accept-Encoding", "a .gz exists")
        }
        // Rewritten: the next request decodes to the new content, with the new file's validators.
        let before = try get(s, "/static-gz/app.js", ["Accept-Encoding: gzip"])
        try s.write("www/pre/app.js.gz", data: try Self.python("gzip", compress: Array("console.log('gzip, 2nd');\n".utf8)))
        let rewritten = try get(s, "/static-gz/app.js", ["Accept-Encoding: gzip"])
        XCTAssertEqual(try Self.decoded(rewritten), "console.log('gzip, 2nd');\n")
        XCTAssertEqual(rewritten.header("Content-Length"), String(rewritten.body.count))
        XCTAssertNotEqual(rewritten.header("ETag"), before.header("ETag"))
        // Deleted: identity, and nothing varies any more (gzip_static offers gzip alone).
        XCTAssertEqual(unlink(s.path("www/pre/app.js.gz")), 0)
        for _ in 0..<2 {
            let gone = try get(s, "/static-gz/app.js", ["Accept-Encoding: gzip"])
            XCTAssertNil(gone.header("Content-Encoding"))
            XCTAssertNil(gone.header("Vary"))
            XCTAssertEqual(gone.text, "console.log('identity');\n")
        }
        // Made again, once its absence was remembered: sent at once.
        try s.write("www/pre/app.js.gz", data: try Self.python("gzip", compress: Array("console.log('gzip, 3rd');\n".utf8)))
        XCTAssertEqual(
            try Self.decoded(try get(s, "/static-gz/app.js", ["Accept-Encoding: gzip"])), "console.log('gzip, 3rd');\n")
        // Old enough to be kept in its turn, then changed through a rename (a new inode).
        Thread.sleep(forTimeInterval: 1.2)
        for _ in 0..<2 {
            XCTAssertEqual(
                try Self.decoded(try get(s, "/static-gz/app.js", ["Accept-Encoding: gzip"])), "console.log('gzip, 3rd');\n")
        }
        try s.write("www/pre/next.tmp", data: try Self.python("gzip", compress: Array("console.log('gzip, 4th');\n".utf8)))
        XCTAssertEqual(rename(s.path("www/pre/next.tmp"), s.path("www/pre/app.js.gz")), 0)
        XCTAssertEqual(
            try Self.decoded(try get(s, "/static-gz/app.js", ["Accept-Encoding: gzip"])), "console.log('gzip, 4th');\n")
        // A cached .gz is answered by validators as before (the uncached way); a range comes
        // from the identity file (SPEC 8).
        let etag = try XCTUnwrap(try get(s, "/static-gz/app.js", ["Accept-Encoding: gzip"]).header("ETag"))
        XCTAssertEqual(try get(s, "/static-gz/app.js", ["Accept-Encoding: gzip", "If-None-Match: \(etag)"]).status, 304)
        let range = try get(s, "/static-gz/app.js", ["Accept-Encoding: gzip", "Range: bytes=0-1"])
        XCTAssertEqual(range.status, 206)
        XCTAssertNil(range.header("Content-Encoding"))
        XCTAssertEqual(range.text, "co", "the first bytes of the identity file")
        // The .gz asked for by its own name is a file like any other, not an encoded answer.
        let direct = try get(s, "/static-gz/app.js.gz", ["Accept-Encoding: gzip"])
        XCTAssertEqual(direct.status, 200)
        XCTAssertNil(direct.header("Content-Encoding"))
    }

    /// A cached file large enough to be sent with sendfile from its kept descriptor: the bytes
    /// and length are the file's, and a rewrite is seen by the next request.
    func testLargeCachedFileSentFromItsDescriptorFollowsTheDisk() throws {
        let big = String(decoding: Self.sampleBytes(40_000), as: UTF8.self)
        let s = try makeServer(files: ["www/big.html": big])
        Thread.sleep(forTimeInterval: 1.2)
        for _ in 0..<3 {
            let r = try get(s, "/off/big.html")
            XCTAssertEqual(r.text, big)
            XCTAssertEqual(r.header("Content-Length"), "40000")
        }
        let changed = big.uppercased()
        try s.write("www/big.html", changed)
        XCTAssertEqual(try get(s, "/off/big.html").text, changed)
        XCTAssertEqual(try Self.decoded(try get(s, "/big.html", ["Accept-Encoding: gzip"])), changed)
        try s.write("www/big.tmp", big)
        XCTAssertEqual(rename(s.path("www/big.tmp"), s.path("www/big.html")), 0)
        XCTAssertEqual(try get(s, "/off/big.html").text, big)
        let head = try get(s, "/off/big.html", method: "HEAD")
        XCTAssertEqual(head.header("Content-Length"), "40000")
        XCTAssertTrue(head.body.isEmpty)
    }

    func testGzipStatic() throws {
        let s = try makeServer()
        let always = try get(s, "/always/app.js")
        XCTAssertEqual(always.header("Content-Encoding"), "gzip", "always: whatever the client accepts")
        XCTAssertEqual(try Self.decoded(always), "console.log('gzip');\n")
        XCTAssertNil(try get(s, "/static-gz/app.js").header("Content-Encoding"), "on: only when gzip is accepted")
        XCTAssertEqual(try get(s, "/static-gz/app.js", ["Accept-Encoding: gzip"]).header("Content-Encoding"), "gzip")
        XCTAssertNil(
            try get(s, "/static-gz/app.js", ["Accept-Encoding: br"]).header("Content-Encoding"),
            "gzip_static offers gzip alone")
    }

    /// ngx_brotli's `brotli_static` (FILE.br as gzip_static serves FILE.gz; br first when both
    /// are accepted equally) and `brotli_min_length` (brotli's own minimum).
    func testBrotliStaticAndBrotliMinLength() throws {
        let s = try makeServer()
        let both = try get(s, "/static-br/app.js", ["Accept-Encoding: gzip, br"])
        XCTAssertEqual(both.header("Content-Encoding"), "br")
        XCTAssertEqual(try Self.decoded(both), "console.log('brotli');\n")
        XCTAssertEqual(try get(s, "/static-br/app.js", ["Accept-Encoding: gzip"]).header("Content-Encoding"), "gzip")
        XCTAssertNil(try get(s, "/static-br/app.js").header("Content-Encoding"))
        let always = try get(s, "/always-br/app.js")
        XCTAssertEqual(always.header("Content-Encoding"), "br", "always: whatever the client accepts")
        XCTAssertNil(
            try get(s, "/brmin/page.html", ["Accept-Encoding: br"]).header("Content-Encoding"),
            "5,000 bytes are under brotli_min_length 100000")
        XCTAssertEqual(try get(s, "/page.html", ["Accept-Encoding: br"]).header("Content-Encoding"), "br")
    }
}
