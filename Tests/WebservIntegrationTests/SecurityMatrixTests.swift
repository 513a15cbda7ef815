import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// Hostile input, row by row (docs/SECURITY-MATRIX.md lists each row with its answer):
/// encodings and symlinks against the roots, request smuggling, header and response splitting
/// through CGI output and redirects, hostile upload names, absurd lengths, WebSocket origins.
/// Complements PathSecurityTests, HTTPProtocolTests and WebSocketTests, which it does not repeat.
final class SecurityMatrixTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/www;
            access_log off;
            error_log {{ROOT}}/error.log;
            location /up/ { allow_methods GET POST DELETE; upload_store {{ROOT}}/www/up; }
            location /del/ { allow_methods GET DELETE; }
            location /list/ { autoindex on; }
            location /cgi/ { alias {{ROOT}}/cgi/; allow_methods GET POST; cgi .sh /bin/sh; }
            location = /redir { return 301 "http://example.com/a%0d%0aSet-Cookie:%20evil=1"; }
            location = /redir-raw { return 302 "http://example.com/a\\r\\nSet-Cookie: evil=1"; }
            location /ws { websocket echo; websocket_max_message 64k; websocket_origin http://good.example https://Other.Example:8443; }
            location /open { websocket echo; }
            location /chat/ { websocket broadcast; }
        }
        """

    static let secret = "OUTSIDE-SECRET"

    static let files: [String: String] = [
        "outside/secret.txt": secret,
        "outside/target.txt": "original target",
        "www/index.html": "home",
        "www/up/keep.txt": "keep",
        "www/del/plain.txt": "plain",
        "www/list/x.txt": "x",
        // Header values with a bare CR, a NUL, or a bad name: the head is invalid, 502.
        "cgi/status-cr.sh": "printf 'Status: 200 OK\\rSet-Cookie: evil=1\\r\\nContent-Type: text/plain\\r\\n\\r\\nx'\n",
        "cgi/location-cr.sh": "printf 'Location: http://example.com/\\rSet-Cookie: evil=1\\r\\n\\r\\n'\n",
        "cgi/value-cr.sh": "printf 'Content-Type: text/plain\\r\\nX-Name: a\\rSet-Cookie: evil=1\\r\\n\\r\\nx'\n",
        "cgi/value-nul.sh": "printf 'Content-Type: text/plain\\r\\nX-Name: a\\000b\\r\\n\\r\\nx'\n",
        "cgi/name-space.sh": "printf 'Content-Type: text/plain\\r\\nSet-Cookie : evil=1\\r\\n\\r\\nx'\n",
        // A script lying about its framing, with a second response in its body.
        "cgi/framing.sh":
            "printf 'Content-Type: text/plain\\r\\nContent-Length: 2\\r\\nTransfer-Encoding: chunked\\r\\nConnection: close\\r\\n\\r\\nabHTTP/1.1 200 OK\\r\\nX-Smuggled: 1\\r\\nContent-Length: 0\\r\\n\\r\\n'\n",
        // A local redirect whose target carries encoded CRLF.
        "cgi/local-crlf.sh": "printf 'Location: /index.html%%0d%%0aSet-Cookie:%%20evil=1\\r\\n\\r\\n'\n",
    ]

    func makeServer() throws -> TestServer {
        let s = try TestServer(config: Self.config, files: Self.files)
        let fm = FileManager.default
        // Admin-placed symlinks inside the root (and the store) pointing out of it.
        try fm.createSymbolicLink(atPath: s.path("www/linked"), withDestinationPath: s.path("outside"))
        try fm.createSymbolicLink(atPath: s.path("www/del/out"), withDestinationPath: s.path("outside"))
        try fm.createSymbolicLink(atPath: s.path("www/del/link.txt"), withDestinationPath: s.path("outside/target.txt"))
        try fm.createSymbolicLink(atPath: s.path("www/up/evil.txt"), withDestinationPath: s.path("outside/target.txt"))
        try fm.createSymbolicLink(atPath: s.path("www/up/sub"), withDestinationPath: s.path("outside"))
        return s
    }

    /// Sends `raw` on a fresh connection; every response until the server closes or goes quiet.
    func exchange(_ s: TestServer, _ raw: String, timeout: TimeInterval = 2) throws -> (responses: [HTTPResponse], closed: Bool) {
        let c = try RawClient(port: s.port, timeout: timeout)
        c.send(raw)
        var responses: [HTTPResponse] = []
        while let r = c.readResponse() { responses.append(r) }
        return (responses, c.isClosedByServer())
    }

    func assertNoSplit(_ r: HTTPResponse, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNil(r.header("Set-Cookie"), "\(what): a header was injected\n\(r.head)", file: file, line: line)
        XCTAssertNil(r.header("X-Smuggled"), "\(what): a header was injected\n\(r.head)", file: file, line: line)
        for field in r.head.components(separatedBy: "\r\n") {
            XCTAssertFalse(
                field.contains("\r") || field.contains("\n") || field.contains("\0"),
                "\(what): raw control byte in \(field.debugDescription)", file: file, line: line)
        }
    }

    // MARK: paths

    static let traversals = [
        // Overlong UTF-8 for "." and "/" (never decoded as such: invalid UTF-8 is just bytes).
        "/%c0%ae%c0%ae/outside/secret.txt", "/%e0%80%ae%e0%80%ae/outside/secret.txt",
        "/%f0%80%80%ae%f0%80%80%ae/outside/secret.txt",
        "/..%c0%afoutside%c0%afsecret.txt", "/..%e0%80%afoutside/secret.txt", "/..%c1%9coutside%c1%9csecret.txt",
        "/%c0%2e%c0%2e/outside/secret.txt", "/%uff0e%uff0e/outside/secret.txt", "/%ef%bc%8e%ef%bc%8e/outside/secret.txt",
        // NUL, other controls and separators glued to dot segments.
        "/..%00/outside/secret.txt", "/%2e%2e%00/outside/secret.txt", "/.%00./outside/secret.txt", "/..%09/outside/secret.txt",
        "/..;/outside/secret.txt", "/..%3b/outside/secret.txt", "/../outside/secret.txt%00.html", "/../outside/secret.txt%20",
        // Backslashes, raw and encoded, mixed with slashes.
        "/..\\outside\\secret.txt", "/.%5c..%5coutside/secret.txt", "/%5c..%5c..%5coutside%5csecret.txt",
        "/..%5c/outside/secret.txt",
        // Encoded slashes and double encoding through each location.
        "/del/..%2f..%2foutside%2fsecret.txt", "/up/..%2f..%2foutside/secret.txt", "/list/%2e%2e%2f%2e%2e%2foutside/secret.txt",
        "/cgi/..%2f..%2foutside/secret.txt", "/%252e%252e%252foutside%252fsecret.txt", "/.%252e/outside/secret.txt",
        "/....//outside/secret.txt", "/.../.../outside/secret.txt", "//..//..//outside//secret.txt",
        "/./.././outside/./secret.txt",
    ]

    func testEncodedTraversalsNeverReadWriteOrDeleteOutsideTheRoot() throws {
        let s = try makeServer()
        for target in Self.traversals {
            for method in ["GET", "HEAD", "DELETE", "POST"] {
                let body = method == "POST" ? "Content-Length: 5\r\n\r\nEVIL!" : "\r\n"
                let (responses, _) = try exchange(s, "\(method) \(target) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\(body)")
                for r in responses {
                    XCTAssertFalse(r.text.contains(Self.secret), "\(method) \(target) leaked the secret")
                    XCTAssertFalse((200..<300).contains(r.status), "\(method) \(target) answered \(r.status)")
                }
            }
        }
        XCTAssertEqual(try String(contentsOfFile: s.path("outside/secret.txt"), encoding: .utf8), Self.secret)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: s.path("outside")).sorted(), ["secret.txt", "target.txt"])
    }

    func testSymlinkPlacedInsideTheRootByTheAdminIsFollowedForReading() throws {
        // As nginx with its default `disable_symlinks off`: the admin's link is part of the site.
        let s = try makeServer()
        XCTAssertEqual(try httpRequest(port: s.port, "GET /linked/secret.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, Self.secret)
        XCTAssertEqual(try httpRequest(port: s.port, "GET /del/link.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "original target")
    }

    func testDeleteNeverRemovesAFileThroughASymlinkedDirectory() throws {
        let s = try makeServer()
        for target in ["/del/out/secret.txt", "/del/out/target.txt", "/del/out/../out/secret.txt"] {
            let r = try httpRequest(port: s.port, "DELETE \(target) HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(r?.status, 403, target)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.path("outside/secret.txt")))
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.path("outside/target.txt")))
        // The symlinked directory itself is a directory: 409, and it stays.
        XCTAssertEqual(try httpRequest(port: s.port, "DELETE /del/out HTTP/1.1\r\nHost: x\r\n\r\n")?.status, 409)
    }

    func testDeleteOfASymlinkRemovesTheLinkNeverItsTarget() throws {
        let s = try makeServer()
        XCTAssertEqual(try httpRequest(port: s.port, "DELETE /del/link.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.status, 204)
        XCTAssertNil(try? FileManager.default.destinationOfSymbolicLink(atPath: s.path("www/del/link.txt")))
        XCTAssertEqual(try String(contentsOfFile: s.path("outside/target.txt"), encoding: .utf8), "original target")
    }

    func testUploadNeverWritesThroughASymlinkInTheStore() throws {
        let s = try makeServer()
        // A raw body named after an existing symlink gets a fresh name; the link is not followed.
        let raw = try XCTUnwrap(
            httpRequest(port: s.port, "POST /up/evil.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nEVIL!"))
        XCTAssertEqual(raw.status, 201)
        XCTAssertEqual(raw.header("Location"), "/up/evil-1.txt")
        // So does a multipart part with that file name.
        let body = "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"evil.txt\"\r\n\r\nEVIL!\r\n--B--\r\n"
        let form = try XCTUnwrap(
            httpRequest(
                port: s.port,
                "POST /up/ HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            ))
        XCTAssertEqual(form.status, 201)
        XCTAssertEqual(form.header("Location"), "/up/evil-2.txt")
        // A URI through a symlinked directory of the store: only the last segment names the file.
        let nested = try XCTUnwrap(
            httpRequest(port: s.port, "POST /up/sub/planted.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nEVIL!"))
        XCTAssertEqual(nested.header("Location"), "/up/planted.txt")
        XCTAssertEqual(try String(contentsOfFile: s.path("outside/target.txt"), encoding: .utf8), "original target")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: s.path("outside")).sorted(), ["secret.txt", "target.txt"])
        XCTAssertEqual(try String(contentsOfFile: s.path("www/up/planted.txt"), encoding: .utf8), "EVIL!")
    }

    // MARK: request smuggling

    /// Heads the server must refuse, with the status, closing the connection; the body holds a
    /// second request that must never be parsed.
    static let refusedHeads: [(String, Int)] = [
        ("Transfer-Encoding: chunked, chunked", 501), ("Transfer-Encoding: xchunked", 501),
        ("Transfer-Encoding: chunked;q=1", 501), ("Transfer-Encoding: identity", 501), ("Transfer-Encoding: gzip, chunked", 501),
        ("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked", 400), ("Transfer-Encoding : chunked", 400),
        ("Transfer-Encoding: chunked\r\nContent-Length: 5", 400), ("Content-Length: 5\r\nTransfer-Encoding: chunked", 400),
        ("Transfer-Encoding: chunked\r\n chunked", 400), ("X: y\r\n Transfer-Encoding: chunked", 400),
        ("Content-Length: +5", 400), ("Content-Length: -5", 400), ("Content-Length: 5, 5", 400), ("Content-Length: 0x5", 400),
        ("Content-Length: 5 5", 400), ("Content-Length:", 400), ("Content-Length: 5\r\nContent-Length: 5", 400),
        ("Content-Length : 5", 400), ("Content-Length\t: 5", 400), ("Content-Length: 99999999999999999999", 400),
        ("Content-Length: 18446744073709551621", 400), ("Content-Length: 5\r\n 0", 400), ("Content-Length: 5\rX: y", 400),
        ("Content-Length: 5\0", 400), ("Content\0-Length: 5", 400),
    ]

    func testAmbiguousFramingIsRefusedAndTheConnectionClosed() throws {
        let s = try makeServer()
        let smuggled = "GET /linked/secret.txt HTTP/1.1\r\nHost: x\r\n\r\n"
        for (header, status) in Self.refusedHeads {
            let (responses, closed) = try exchange(
                s, "POST /up/x.txt HTTP/1.1\r\nHost: x\r\n\(header)\r\n\r\n5\r\nhello\r\n0\r\n\r\n\(smuggled)")
            XCTAssertEqual(responses.map(\.status), [status], header.debugDescription)
            XCTAssertTrue(closed, "\(header.debugDescription): the connection stayed open")
            for r in responses { XCTAssertFalse(r.text.contains(Self.secret), header.debugDescription) }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.path("www/up/x.txt")))
        // The same, as HTTP/1.0: Transfer-Encoding is not part of 1.0.
        let (old, closed) = try exchange(
            s, "POST /up/x.txt HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n\(smuggled)")
        XCTAssertEqual(old.map(\.status), [400])
        XCTAssertTrue(closed)
    }

    func testTransferEncodingIsMatchedWithoutCaseAndAroundWhitespace() throws {
        // `Chunked` and `\tchunked` are the same coding (RFC 9110 §7.8 OWS, §10.1.4 case-insensitive):
        // decoded, so the bytes after the last chunk are the next request, answered in order.
        let s = try makeServer()
        for (i, te) in ["Transfer-Encoding: Chunked", "Transfer-Encoding:\tchunked", "transfer-encoding: CHUNKED  "].enumerated()
        {
            let c = try RawClient(port: s.port)
            c.send(
                "POST /up/te\(i).txt HTTP/1.1\r\nHost: x\r\n\(te)\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
            )
            XCTAssertEqual(c.readResponse()?.status, 201, te)
            XCTAssertEqual(c.readResponse()?.text, "home", te)
            XCTAssertEqual(try String(contentsOfFile: s.path("www/up/te\(i).txt"), encoding: .utf8), "hello", te)
        }
    }

    func testChunkSizesThatOverflowOrAreMalformedAre400AndClose() throws {
        let s = try makeServer()
        for size in [
            "fffffffffffffffff", "10000000000000000", "ffffffffffffffffffffffffffffffff", "-1", "0x5", " 5", "+5", "5\0", "",
        ] {
            let (responses, closed) = try exchange(
                s,
                "POST /up/c.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\nhello\r\n0\r\n\r\nGET /linked/secret.txt HTTP/1.1\r\nHost: x\r\n\r\n"
            )
            XCTAssertEqual(responses.map(\.status), [400], size.debugDescription)
            XCTAssertTrue(closed, size.debugDescription)
        }
        // A size that fits in 64 bits but passes client_max_body_size is refused on its size line.
        let (big, closed) = try exchange(
            s, "POST /up/c.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nhello")
        XCTAssertEqual(big.map(\.status), [413])
        XCTAssertTrue(closed)
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.path("www/up/c.txt")))
    }

    func testBodyOnAGetIsConsumedNeverParsedAsASecondRequest() throws {
        let s = try makeServer()
        let inner = "GET /linked/secret.txt HTTP/1.1\r\nHost: x\r\n\r\n"
        for framing in [
            "Content-Length: \(inner.utf8.count)\r\n\r\n\(inner)",
            "Transfer-Encoding: chunked\r\n\r\n\(String(inner.utf8.count, radix: 16))\r\n\(inner)\r\n0\r\n\r\n",
        ] {
            let c = try RawClient(port: s.port)
            c.send(
                "GET /index.html HTTP/1.1\r\nHost: x\r\n\(framing)GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            var texts: [String] = []
            while let r = c.readResponse() { texts.append(r.text) }
            XCTAssertEqual(texts, ["home", "home"], framing)
        }
    }

    func testBareLFLineEndsAreToleratedAsNginxDoesWithoutDesync() throws {
        let s = try makeServer()
        let (responses, _) = try exchange(
            s, "GET /index.html HTTP/1.1\nHost: x\n\nGET /del/plain.txt HTTP/1.1\r\nHost: x\nConnection: close\n\n")
        XCTAssertEqual(responses.map(\.text), ["home", "plain"])
    }

    // MARK: response splitting

    func testCGIHeaderValuesWithBareCROrNULAre502() throws {
        let s = try makeServer()
        for script in ["status-cr", "location-cr", "value-cr", "value-nul", "name-space"] {
            let r = try XCTUnwrap(httpRequest(port: s.port, "GET /cgi/\(script).sh HTTP/1.1\r\nHost: x\r\n\r\n"), script)
            XCTAssertEqual(r.status, 502, script)
            assertNoSplit(r, script)
        }
    }

    func testCGIFramingHeadersAreReplacedSoItsBodyCannotSmuggleAResponse() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port)
        let r = try XCTUnwrap(c.request("GET /cgi/framing.sh HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(r.status, 200)
        // Its Content-Length frames the body; the bytes past it are never sent.
        XCTAssertEqual(r.header("Content-Length"), "2")
        XCTAssertNil(r.header("Transfer-Encoding"))
        XCTAssertEqual(r.text, "ab")
        assertNoSplit(r, "framing.sh")
        // Exactly one response: the connection closes after the declared bytes.
        XCTAssertTrue(c.isClosedByServer())
        XCTAssertEqual(c.pendingCount, 0, "bytes after the declared body: \(String(decoding: c.takeBuffered(), as: UTF8.self))")
    }

    func testCGILocalRedirectWithEncodedCRLFInjectsNothing() throws {
        let s = try makeServer()
        let r = try XCTUnwrap(httpRequest(port: s.port, "GET /cgi/local-crlf.sh HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertNotEqual(r.status, 200)
        assertNoSplit(r, "local-crlf.sh")
    }

    func testReturnRedirectKeepsEncodedCRLFEncoded() throws {
        let s = try makeServer()
        let r = try XCTUnwrap(httpRequest(port: s.port, "GET /redir HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(r.status, 301)
        XCTAssertEqual(r.header("Location"), "http://example.com/a%0d%0aSet-Cookie:%20evil=1")
        assertNoSplit(r, "return 301")
        // A raw CR LF written into the configuration (a `\r\n` escape) is percent-encoded too.
        let raw = try XCTUnwrap(httpRequest(port: s.port, "GET /redir-raw HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(raw.status, 302)
        XCTAssertEqual(raw.header("Location")?.lowercased(), "http://example.com/a%0d%0aset-cookie: evil=1")
        assertNoSplit(raw, "return 302 with a raw CR LF")
    }

    func testDirectoryRedirectOfANameWithCRLFIsPercentEncoded() throws {
        let s = try makeServer()
        try FileManager.default.createDirectory(
            atPath: s.path("www/list/d\r\nSet-Cookie: evil=1"), withIntermediateDirectories: true)
        let r = try XCTUnwrap(httpRequest(port: s.port, "GET /list/d%0d%0aSet-Cookie:%20evil=1 HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(r.status, 301)
        assertNoSplit(r, "directory 301")
        let location = try XCTUnwrap(r.header("Location"))
        XCTAssertTrue(location.lowercased().hasPrefix("/list/d%0d%0aset-cookie"), location)
        XCTAssertTrue(location.hasSuffix("/"), location)
        // The autoindex of the parent links to it percent-encoded too.
        let list = try XCTUnwrap(httpRequest(port: s.port, "GET /list/ HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertTrue(list.text.lowercased().contains("href=\"d%0d%0aset-cookie%3a%20evil%3d1/\""), list.text)
    }

    // MARK: upload names

    func testUploadNamesLoseControlCharactersAndPathPartsAndTheLocationStaysOneHeader() throws {
        let s = try makeServer()
        let raw = try XCTUnwrap(
            httpRequest(
                port: s.port, "POST /up/a%0d%0aSet-Cookie:%20evil=1.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nZ"))
        XCTAssertEqual(raw.status, 201)
        assertNoSplit(raw, "raw upload")
        let body =
            "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"..\\\\..\\\\x\u{01}y\u{1b}[31m\u{7f}z.txt\"\r\n\r\nZ\r\n--B--\r\n"
        let form = try XCTUnwrap(
            httpRequest(
                port: s.port,
                "POST /up/ HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            ))
        XCTAssertEqual(form.status, 201, form.text)
        assertNoSplit(form, "multipart upload")
        let names = try FileManager.default.contentsOfDirectory(atPath: s.path("www/up"))
        for name in names {
            XCTAssertFalse(
                name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "control byte in \(name.debugDescription)")
            XCTAssertFalse(name.contains("/") || name.contains("\\"), name)
        }
        XCTAssertTrue(names.contains("aSet-Cookie: evil=1.txt"), "\(names)")
        XCTAssertTrue(names.contains("xy[31mz.txt"), "\(names)")
        // A NUL in the URI never reaches the file system.
        let nul = try XCTUnwrap(httpRequest(port: s.port, "POST /up/n%00.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nZ"))
        XCTAssertEqual(nul.status, 400)
    }

    func testHugeNumbersInRangesDatesAndPollingCursorsAreHarmless() throws {
        let s = try makeServer()
        // (target, extra header, acceptable statuses): ignored as invalid, or unsatisfiable.
        let rows: [(String, String, Set<Int>)] = [
            ("/index.html", "Range: bytes=0-99999999999999999999", [200, 416]),
            ("/index.html", "Range: bytes=99999999999999999999-", [200, 416]),
            ("/index.html", "Range: bytes=-99999999999999999999", [200, 206, 416]),
            ("/index.html", "Range: bytes=18446744073709551615-18446744073709551616", [200, 416]),
            ("/index.html", "If-Modified-Since: Sat, 99 Foo 99999999999 99:99:99 GMT", [200]),
            ("/chat/lobby?since=99999999999999999999", "X: y", [200, 400]),
            ("/chat/lobby?since=-9223372036854775808", "X: y", [200, 400]),
        ]
        for (target, header, allowed) in rows {
            let r = try XCTUnwrap(httpRequest(port: s.port, "GET \(target) HTTP/1.1\r\nHost: x\r\n\(header)\r\n\r\n"), target)
            XCTAssertTrue(allowed.contains(r.status), "\(target) \(header): \(r.status)")
            if r.status == 200 && target == "/index.html" { XCTAssertEqual(r.text, "home", header) }
        }
        XCTAssertTrue(s.isRunning)
    }

    // MARK: WebSocket lengths and origins

    func testWebSocketAbsurdLengthsCloseWithoutAllocating() throws {
        let s = try makeServer()
        let before = s.peakRSSKiB
        // (header bytes after the mask bit, expected close code)
        let rows: [([UInt8], UInt16)] = [
            ([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0], 1002),  // 64-bit length with the top bit set
            ([0x82, 0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0], 1009),  // 2^62 claimed
            ([0x82, 0xFF, 0, 0, 0, 1, 0, 0, 0, 0], 1009),  // 4 GiB claimed
            ([0x81, 0xFF, 0, 0, 0, 0, 0, 0x10, 0, 1], 1009),  // 1 MiB + 1 > the default websocket_max_message
            ([0x89, 0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0], 1002),  // a ping over 125 bytes
            ([0x01, 0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0], 1009),  // a fragment claiming 2^62
        ]
        for (header, code) in rows {
            let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/open"))
            ws.raw.send(header + [1, 2, 3, 4])
            XCTAssertEqual(ws.receiveClose(), .some(code), "\(header)")
        }
        XCTAssertLessThan(s.peakRSSKiB - before, 8 * 1024, "memory grew for a claimed length")
    }

    func testWebSocketOriginMustMatchOneOfTheListedOrigins() throws {
        let s = try makeServer()
        // Origin header (nil: none) → upgraded?
        let rows: [(String?, Bool)] = [
            (nil, true), ("http://good.example", true), ("HTTP://GOOD.EXAMPLE", true), ("https://other.example:8443", true),
            ("http://evil.example", false), ("http://good.example:80", false), ("https://good.example", false),
            ("http://good.example/", false), ("http://good.example.evil", false), ("http://sub.good.example", false),
            ("null", false), ("", false), ("https://other.example", false),
        ]
        for (origin, allowed) in rows {
            let header = origin.map { "Origin: \($0)\r\n" } ?? ""
            let ws = try WebSocketClient(port: s.port, path: "/ws", extraHeaders: header)
            XCTAssertEqual(ws != nil, allowed, "Origin \(origin ?? "(none)")")
            let r = try XCTUnwrap(
                httpRequest(
                    port: s.port,
                    "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: \(WebSocketClient.key)\r\nSec-WebSocket-Version: 13\r\n\(header)\r\n",
                    head: true))
            XCTAssertEqual(r.status, allowed ? 101 : 403, "Origin \(origin ?? "(none)")")
        }
        // Two Origin headers are not one origin.
        let two = try XCTUnwrap(
            httpRequest(
                port: s.port,
                "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: \(WebSocketClient.key)\r\nSec-WebSocket-Version: 13\r\nOrigin: http://good.example\r\nOrigin: http://evil.example\r\n\r\n",
                head: true))
        XCTAssertEqual(two.status, 403)
        // Without websocket_origin any origin is accepted.
        XCTAssertNotNil(try WebSocketClient(port: s.port, path: "/open", extraHeaders: "Origin: http://evil.example\r\n"))
    }
}
