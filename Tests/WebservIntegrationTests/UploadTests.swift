import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// Uploads through the real binary (SPEC §4): curl's multipart, PUT and raw bodies, chunked or
/// not, compared byte for byte; names, duplicates, and nothing left behind by a failed body.
final class UploadTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/www;
            access_log {{ROOT}}/access.log;
            client_max_body_size 20m;
            location /uploads/ {
                allow_methods GET HEAD POST PUT DELETE;
                upload_store {{ROOT}}/www/uploads;
                autoindex on;
            }
            location /small/ {
                allow_methods GET POST;
                upload_store {{ROOT}}/www/small;
                client_max_body_size 1k;
            }
            location /fresh/ {
                allow_methods POST;
                upload_store {{ROOT}}/www/fresh;
            }
        }
        """

    var server: TestServer!
    var base = ""

    override func setUpWithError() throws {
        server = try TestServer(
            config: Self.config, files: ["www/index.html": "home\n", "www/uploads/.keep": "", "www/small/.keep": ""])
        base = "http://127.0.0.1:\(server.port)"
    }

    override func tearDown() {
        server = nil
    }

    // MARK: helpers

    static func randomData(_ n: Int) -> Data {
        FileHandle(forReadingAtPath: "/dev/urandom")!.readData(ofLength: n)
    }

    /// Writes `data` to a client-side file under the test's directory and returns its path.
    func clientFile(_ name: String, _ data: Data) throws -> String {
        try server.write("client/\(name)", data: data)
        return server.path("client/\(name)")
    }

    /// Names in a store, hidden temp files included.
    func store(_ dir: String = "uploads") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: server.path("www/\(dir)"))) ?? []).filter { $0 != ".keep" }
            .sorted()
    }

    func stored(_ name: String, _ dir: String = "uploads") -> Data? {
        FileManager.default.contents(atPath: server.path("www/\(dir)/\(name)"))
    }

    func sha256(_ path: String) throws -> String {
        String(decoding: try WebservIntegrationTests.run("/usr/bin/sha256sum", [path]).out, as: UTF8.self).split(separator: " ")
            .first.map(String.init) ?? ""
    }

    /// `curl -i` output split into status, headers and body.
    func curlResponse(_ args: [String]) throws -> (status: Int, headers: String, body: String) {
        let out = try curl(["-i"] + args)
        // curl prints every interim 100 Continue head too: the final one is last.
        let heads = out.components(separatedBy: "\r\n\r\n")
        var i = 0
        while i < heads.count - 1 && heads[i].hasPrefix("HTTP/1.1 100") { i += 1 }
        let head = heads[i]
        let body = heads[(i + 1)...].joined(separator: "\r\n\r\n")
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, head, body)
    }

    func assertNoLeftovers(_ dir: String = "uploads", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(waitUntil(timeout: 5) { self.store(dir).isEmpty }, "left behind: \(store(dir))", file: file, line: line)
    }

    // MARK: multipart

    func testCurlFormStoresEveryFilePartByteExact() throws {
        let big = Self.randomData(5 << 20)
        let small = Data("hello, upload\n".utf8)
        let a = try clientFile("big.bin", big)
        let b = try clientFile("note.txt", small)
        let r = try curlResponse(["-F", "title=not a file", "-F", "one=@\(a)", "-F", "two=@\(b)", "\(base)/uploads/"])
        XCTAssertEqual(r.status, 201, r.headers)
        XCTAssertTrue(r.headers.contains("Location: /uploads/big.bin"), r.headers)
        XCTAssertTrue(r.body.contains("big.bin") && r.body.contains("note.txt"), r.body)
        XCTAssertEqual(store(), ["big.bin", "note.txt"])
        XCTAssertEqual(try sha256(server.path("www/uploads/big.bin")), try sha256(a))
        XCTAssertEqual(stored("note.txt"), small)
        // And it is served back as it was sent.
        let back = try WebservIntegrationTests.run("/usr/bin/curl", ["-s", "\(base)/uploads/big.bin"]).out
        XCTAssertEqual(back, big)
    }

    func testCurlFormWithChunkedRequestBody() throws {
        let data = Self.randomData(5 << 20)
        let f = try clientFile("chunky.bin", data)
        let r = try curlResponse(["-H", "Transfer-Encoding: chunked", "-F", "f=@\(f)", "\(base)/uploads/"])
        XCTAssertEqual(r.status, 201, r.headers)
        XCTAssertEqual(try sha256(server.path("www/uploads/chunky.bin")), try sha256(f))
    }

    func testDuplicateNamesGetUniqueSuffixesAndNothingIsOverwritten() throws {
        let first = Data("first\n".utf8)
        let second = Data("second\n".utf8)
        let f1 = try clientFile("one/same.txt", first)
        let f2 = try clientFile("two/same.txt", second)
        XCTAssertEqual(try curlResponse(["-F", "a=@\(f1)", "\(base)/uploads/"]).status, 201)
        let r = try curlResponse(["-F", "a=@\(f2)", "-F", "b=@\(f1)", "\(base)/uploads/"])
        XCTAssertEqual(r.status, 201)
        XCTAssertTrue(r.headers.contains("Location: /uploads/same-1.txt"), r.headers)
        XCTAssertEqual(store(), ["same-1.txt", "same-2.txt", "same.txt"])
        XCTAssertEqual(stored("same.txt"), first)
        XCTAssertEqual(stored("same-1.txt"), second)
        XCTAssertEqual(stored("same-2.txt"), first)
    }

    func testFileNamesWithPathPartsAreStripped() throws {
        let body = """
            --XyZ\r
            Content-Disposition: form-data; name="a"; filename="../../../etc/evil.txt"\r
            \r
            unix\r
            --XyZ\r
            Content-Disposition: form-data; name="b"; filename="C:\\Users\\me\\win.txt"\r
            \r
            windows\r
            --XyZ\r
            Content-Disposition: form-data; name="c"; filename=".."\r
            Content-Type: text/plain\r
            \r
            dots\r
            --XyZ--\r

            """
        let r = try XCTUnwrap(
            httpRequest(
                port: server.port,
                "POST /uploads/ HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            ))
        XCTAssertEqual(r.status, 201, r.text)
        let names = store()
        XCTAssertTrue(names.contains("evil.txt") && names.contains("win.txt"), "\(names)")
        XCTAssertEqual(names.count, 3, "\(names)")
        XCTAssertTrue(names.contains { $0.hasPrefix("upload-") }, "\(names)")
        XCTAssertEqual(stored("evil.txt"), Data("unix".utf8))
        XCTAssertEqual(stored("win.txt"), Data("windows".utf8))
        XCTAssertFalse(FileManager.default.fileExists(atPath: server.path("etc/evil.txt")))
    }

    func testAcceptJSONGetsAJSONList() throws {
        let f = try clientFile("j.txt", Data("json\n".utf8))
        let r = try curlResponse(["-H", "Accept: application/json", "-F", "f=@\(f)", "\(base)/uploads/"])
        XCTAssertEqual(r.status, 201)
        XCTAssertTrue(r.headers.contains("Content-Type: application/json"), r.headers)
        let json = try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any]
        let files = json?["files"] as? [[String: Any]]
        XCTAssertEqual(files?.first?["name"] as? String, "j.txt")
        XCTAssertEqual(files?.first?["size"] as? Int, 5)
        XCTAssertEqual(files?.first?["uri"] as? String, "/uploads/j.txt")
    }

    func testMalformedOrUnterminatedMultipartIsRefusedAndLeavesNothing() throws {
        let noBoundary = try XCTUnwrap(
            httpRequest(
                port: server.port,
                "POST /uploads/ HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data\r\nContent-Length: 3\r\n\r\nabc"))
        XCTAssertEqual(noBoundary.status, 400)
        let body =
            "--XyZ\r\nContent-Disposition: form-data; name=\"a\"; filename=\"done.txt\"\r\n\r\ncomplete\r\n--XyZ\r\nContent-Disposition: form-data; name=\"b\"; filename=\"cut.txt\"\r\n\r\nno close delimiter"
        let cut = try XCTUnwrap(
            httpRequest(
                port: server.port,
                "POST /uploads/ HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            ))
        XCTAssertEqual(cut.status, 400)
        assertNoLeftovers()
    }

    // MARK: raw bodies

    func testCurlUploadFileIsAPutNamedAfterTheURI() throws {
        let data = Self.randomData(5 << 20)
        let f = try clientFile("put.bin", data)
        let r = try curlResponse(["-T", f, "\(base)/uploads/renamed.bin"])
        XCTAssertEqual(r.status, 201, r.headers)
        XCTAssertTrue(r.headers.contains("Location: /uploads/renamed.bin"), r.headers)
        XCTAssertEqual(try sha256(server.path("www/uploads/renamed.bin")), try sha256(f))
        // curl -T to a directory URI appends the local name.
        XCTAssertEqual(try curlResponse(["-T", f, "\(base)/uploads/"]).status, 201)
        XCTAssertEqual(store(), ["put.bin", "renamed.bin"])
    }

    func testPutReplacesAFileAtomicallyAndPostStillNeverOverwrites() throws {
        // RFC 9110 §9.3.4 and nginx's dav module: 201 when created, 204 when replaced.
        func put(_ body: String) throws -> HTTPResponse {
            try XCTUnwrap(
                httpRequest(
                    port: server.port,
                    "PUT /uploads/my%20notes.txt HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
                ))
        }
        let created = try put("first version\n")
        XCTAssertEqual(created.status, 201)
        XCTAssertEqual(created.header("Location"), "/uploads/my%20notes.txt")
        let replaced = try put("second\n")
        XCTAssertEqual(replaced.status, 204)
        XCTAssertEqual(replaced.body, [])
        XCTAssertEqual(stored("my notes.txt"), Data("second\n".utf8))
        XCTAssertEqual(store(), ["my notes.txt"], "replaced in place: no copy, no temp file")
        let post = try XCTUnwrap(
            httpRequest(
                port: server.port,
                "POST /uploads/my%20notes.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nConnection: close\r\n\r\npost"))
        XCTAssertEqual(post.status, 201)
        XCTAssertEqual(post.header("Location"), "/uploads/my%20notes-1.txt")
        XCTAssertEqual(stored("my notes.txt"), Data("second\n".utf8))
    }

    func testPutCutShortLeavesTheOldFileIntact() throws {
        try server.write("www/uploads/keep.txt", "old contents\n")
        do {
            let c = try RawClient(port: server.port)
            c.send("PUT /uploads/keep.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
            c.send([UInt8](repeating: 0x7A, count: 300_000))
            XCTAssertTrue(waitUntil(timeout: 5) { self.store().contains { $0.hasPrefix(".upload-") } }, "\(store())")
        }
        XCTAssertTrue(waitUntil(timeout: 5) { self.store() == ["keep.txt"] }, "\(store())")
        XCTAssertEqual(stored("keep.txt"), Data("old contents\n".utf8))
        // A PUT onto a directory of the store is a conflict, and leaves nothing behind.
        try FileManager.default.createDirectory(atPath: server.path("www/uploads/adir"), withIntermediateDirectories: true)
        let r = try XCTUnwrap(
            httpRequest(
                port: server.port, "PUT /uploads/adir HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx"))
        XCTAssertEqual(r.status, 409)
        XCTAssertEqual(store(), ["adir", "keep.txt"])
    }

    func testDataBinaryToADirectoryURIGetsAGeneratedName() throws {
        let data = Self.randomData(5 << 20)
        let f = try clientFile("raw.bin", data)
        for chunked in [false, true] {
            var args = ["-H", "Content-Type: application/octet-stream", "--data-binary", "@\(f)"]
            if chunked { args += ["-H", "Transfer-Encoding: chunked"] }
            let r = try curlResponse(args + ["\(base)/uploads/"])
            XCTAssertEqual(r.status, 201, r.headers)
        }
        let names = store()
        XCTAssertEqual(names.count, 2, "\(names)")
        for name in names {
            XCTAssertTrue(name.hasPrefix("upload-") && name.hasSuffix(".bin"), name)
            XCTAssertEqual(try sha256(server.path("www/uploads/\(name)")), try sha256(f))
        }
    }

    func testChunkedRawBodyFromARawSocketWithOddChunking() throws {
        let c = try RawClient(port: server.port)
        c.send("POST /uploads/odd.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        c.send("5;ext=1\r\nhello\r\n")
        c.send("1\r\n \r\n6\r\nworld!\r\n0\r\nX-Trailer: ignored\r\n\r\n")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 201)
        XCTAssertEqual(stored("odd.txt"), Data("hello world!".utf8))
        // The connection stays usable.
        XCTAssertEqual(c.request("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "home\n")
    }

    func testMissingStoreDirectoryIsCreated() throws {
        let r = try XCTUnwrap(
            httpRequest(port: server.port, "POST /fresh/new.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nnew"))
        XCTAssertEqual(r.status, 201)
        XCTAssertEqual(stored("new.txt", "fresh"), Data("new".utf8))
    }

    // MARK: bodies cut short

    func testClientDisconnectingMidUploadLeavesNoFile() throws {
        let fds = server.openFDs
        let chunk = [UInt8](repeating: 0x61, count: 256 * 1024)
        // Content-Length, chunked, and multipart after one complete part.
        let multipartStart =
            "--XyZ\r\nContent-Disposition: form-data; name=\"a\"; filename=\"whole.txt\"\r\n\r\nwhole\r\n--XyZ\r\nContent-Disposition: form-data; name=\"b\"; filename=\"partial.bin\"\r\n\r\n"
        let heads = [
            "POST /uploads/cut.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 5242880\r\n\r\n",
            "POST /uploads/cut.bin HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n",
            "POST /uploads/ HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 5242880\r\n\r\n\(multipartStart)",
        ]
        for head in heads {
            let c = try RawClient(port: server.port)
            c.send(head)
            for _ in 0..<3 { c.send(chunk) }
            // Wait until the server has written some of it, so the abort path is what is tested.
            XCTAssertTrue(waitUntil(timeout: 5) { !self.store().isEmpty }, head)
            _ = c  // closed here
        }
        assertNoLeftovers()
        XCTAssertTrue(waitUntil(timeout: 5) { self.server.openFDs <= fds }, "fds \(server.openFDs) > \(fds)")
    }

    // MARK: limits

    func testContentLengthOverTheLimitIs413BeforeAnyBodyIsRead() throws {
        let c = try RawClient(port: server.port)
        c.send("POST /small/x.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 2048\r\nExpect: 100-continue\r\n\r\n")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 413, "no 100 Continue for a refused body")
        XCTAssertEqual(r.header("Connection"), "close")
        XCTAssertTrue(c.isClosedByServer())
        let viaCurl = try curlResponse([
            "--data-binary", "@\(try clientFile("2k", Self.randomData(2048)))", "\(base)/small/y.bin",
        ])
        XCTAssertEqual(viaCurl.status, 413)
        assertNoLeftovers("small")
    }

    func testChunkedBodyOverTheLimitIs413MidStream() throws {
        // A chunk announcing too much is refused at its size line, before its data.
        let c = try RawClient(port: server.port)
        c.send(
            "POST /small/x.bin HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n200\r\n"
                + String(repeating: "a", count: 512) + "\r\n1000\r\n")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 413)
        XCTAssertTrue(c.isClosedByServer())
        // Small chunks that add up to too much.
        let d = try RawClient(port: server.port)
        d.send("POST /small/y.bin HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        var status: Int?
        for _ in 0..<20 {
            d.send("64\r\n" + String(repeating: "b", count: 100) + "\r\n")
        }
        status = d.readResponse()?.status
        XCTAssertEqual(status, 413)
        // curl sending a chunked body.
        let f = try clientFile("5k", Self.randomData(5000))
        XCTAssertEqual(
            try curlResponse(["-H", "Transfer-Encoding: chunked", "--data-binary", "@\(f)", "\(base)/small/z.bin"]).status, 413)
        assertNoLeftovers("small")
    }

    func testBodyExactlyAtTheLimitIsAccepted() throws {
        let body = String(repeating: "k", count: 1024)
        let r = try XCTUnwrap(
            httpRequest(port: server.port, "POST /small/k.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n\(body)"))
        XCTAssertEqual(r.status, 201)
        XCTAssertEqual(stored("k.txt", "small")?.count, 1024)
    }

    // MARK: Expect: 100-continue

    func testExpectContinueIsAnsweredWhenTheUploadIsAccepted() throws {
        let c = try RawClient(port: server.port)
        c.send("POST /uploads/cont.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        let interim = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(interim.status, 100)
        c.send("12345")
        XCTAssertEqual(c.readResponse()?.status, 201)
        XCTAssertEqual(stored("cont.txt"), Data("12345".utf8))
    }

    func testExpectContinueIsNotSentForARefusedRequest() throws {
        // 405: the method is not allowed on /small/.
        let c = try RawClient(port: server.port)
        c.send("PUT /small/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 405)
        XCTAssertEqual(r.header("Allow"), "GET, HEAD, POST")
        XCTAssertEqual(r.header("Connection"), "close", "the client may or may not send the body: close")
        XCTAssertTrue(c.isClosedByServer())
        // curl: both ways.
        let f = try clientFile("c.bin", Self.randomData(2 << 20))
        let ok = try curl(["-i", "-H", "Expect: 100-continue", "--data-binary", "@\(f)", "\(base)/uploads/c.bin"])
        XCTAssertTrue(ok.hasPrefix("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created"), String(ok.prefix(200)))
        let refused = try curl(["-i", "-H", "Expect: 100-continue", "--data-binary", "@\(f)", "\(base)/small/c.bin"])
        XCTAssertTrue(refused.hasPrefix("HTTP/1.1 413"), String(refused.prefix(200)))
    }

    // MARK: framing

    func testBothLengthAndChunkedIs400AndOtherCodingsAre501() throws {
        let both = try XCTUnwrap(
            httpRequest(
                port: server.port,
                "POST /uploads/a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
        XCTAssertEqual(both.status, 400)
        let gzip = try XCTUnwrap(
            httpRequest(
                port: server.port, "POST /uploads/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"))
        XCTAssertEqual(gzip.status, 501)
        assertNoLeftovers()
    }

    func testRefusedBodyOnKeepAliveIsNeverParsedAsTheNextRequest() throws {
        // DELETE is not allowed on /small/: its body smuggles a request line that must be drained.
        let smuggled = "GET /uploads/ HTTP/1.1\r\nHost: x\r\n\r\n"
        let c = try RawClient(port: server.port)
        c.send(
            "DELETE /small/x HTTP/1.1\r\nHost: x\r\nContent-Length: \(smuggled.utf8.count)\r\n\r\n\(smuggled)GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        XCTAssertEqual(c.readResponse()?.status, 405)
        let next = c.readResponse()
        XCTAssertEqual(next?.status, 200)
        XCTAssertEqual(next?.text, "home\n")
        // A chunked refused body the same way.
        let d = try RawClient(port: server.port)
        let chunk = String(smuggled.utf8.count, radix: 16)
        d.send(
            "DELETE /small/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\(chunk)\r\n\(smuggled)\r\n0\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        XCTAssertEqual(d.readResponse()?.status, 405)
        XCTAssertEqual(d.readResponse()?.text, "home\n")
    }

    // MARK: other clients

    func testOtherClientsAreServedWhileAnUploadStreams() throws {
        let c = try RawClient(port: server.port)
        c.send("POST /uploads/slow.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 3145728\r\n\r\n")
        let piece = [UInt8](repeating: 0x5A, count: 1 << 20)
        for i in 0..<3 {
            c.send(piece)
            // Between pieces, another client gets its page at once.
            let started = Date()
            let r = try XCTUnwrap(httpRequest(port: server.port, "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"), "piece \(i)")
            XCTAssertEqual(r.text, "home\n")
            XCTAssertLessThan(Date().timeIntervalSince(started), 1.0)
        }
        XCTAssertEqual(c.readResponse()?.status, 201)
        XCTAssertEqual(stored("slow.bin")?.count, 3 << 20)
    }
}
