import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// CGI/1.1 through the real binary: which file runs and how, its environment, request bodies
/// to stdin, and its output parsed and streamed back (RFC 3875 §4, §6).
final class CGITests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/www;
            error_log {{ROOT}}/error.log;
            location /cgi-bin/ {
                root {{ROOT}};
                allow_methods GET HEAD POST;
                cgi .py python3;
                cgi .sh /bin/sh;
                cgi .cgi;
                cgi .php /usr/bin/php-cgi;
                cgi_timeout 20s;
                client_max_body_size 64m;
            }
            location /repo/ {
                alias {{REPO}}/cgi-bin/;
                allow_methods GET HEAD POST;
                cgi .py python3;
                cgi .sh /bin/sh;
            }
        }
        """

    static let scripts: [String: String] = [
        "www/static.txt": "static text\n",
        "cgi-bin/cat.sh": "printf 'Content-Type: application/octet-stream\\r\\n\\r\\n'\necho \"len=$CONTENT_LENGTH\"\ncat\n",
        // Lists what its descriptors point at (the shell's own: /proc/$$/fd).
        "cgi-bin/fds.sh":
            "printf 'Content-Type: text/plain\\r\\n\\r\\n'\nfor f in /proc/$$/fd/*; do echo \"${f##*/} $(readlink $f)\"; done\n",
        "cgi-bin/pwd.cgi": "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\npwd\n",
        "cgi-bin/noexec.cgi": "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nran\\n'\n",
        "cgi-bin/sub/where.sh": "printf 'Content-Type: text/plain\\r\\n\\r\\n'\npwd\n",
        "cgi-bin/teapot.sh":
            "printf 'Status: 418 Short and stout\\r\\nX-Thing: one\\r\\nContent-Type: text/x-tea\\r\\n\\r\\nbrewing\\n'\n",
        "cgi-bin/fine.sh": "printf 'Status: 200 Fine Thanks\\r\\nContent-Type: text/plain\\r\\n\\r\\nfine\\n'\n",
        "cgi-bin/noreason.sh": "printf 'Status: 404\\r\\nContent-Type: text/plain\\r\\n\\r\\nmissing\\n'\n",
        "cgi-bin/oddcode.sh": "printf 'Status: 299\\r\\nContent-Type: text/plain\\r\\n\\r\\nodd\\n'\n",
        "cgi-bin/badreason.sh": "printf 'Status: 418 Tea\\001pot\\r\\nContent-Type: text/plain\\r\\n\\r\\nx'\n",
        // Longer than what is read before the head goes out (64 KiB): these always stream.
        "cgi-bin/sized.sh":
            "printf 'Content-Type: text/plain\\r\\nContent-Length: 100000\\r\\n\\r\\n'\nhead -c 100000 /dev/zero | tr '\\0' a\n",
        "cgi-bin/oversized.sh":
            "printf 'Content-Type: text/plain\\r\\nContent-Length: 100000\\r\\n\\r\\n'\nhead -c 100000 /dev/zero | tr '\\0' a\nprintf EXTRA\n",
        "cgi-bin/undersized.sh":
            "printf 'Content-Type: text/plain\\r\\nContent-Length: 100000\\r\\n\\r\\n'\nhead -c 70000 /dev/zero | tr '\\0' a\n",
        "cgi-bin/unsized.sh": "printf 'Content-Type: text/plain\\r\\n\\r\\n'\nhead -c 100000 /dev/zero | tr '\\0' a\n",
        // Says 5 and sends 11, all before its head is read.
        "cgi-bin/toolong.sh": "printf 'Content-Type: text/plain\\r\\nContent-Length: 5\\r\\n\\r\\nhello world'\n",
        "cgi-bin/nocontent.sh": "printf 'Status: 204 No Content\\r\\nContent-Type: text/plain\\r\\n\\r\\nignored'\n",
        "cgi-bin/local.sh": "printf 'Location: /static.txt\\r\\n\\r\\n'\n",
        "cgi-bin/tocgi.sh": "printf 'Location: /cgi-bin/query.sh?from=redirect\\r\\n\\r\\n'\n",
        "cgi-bin/query.sh": "printf 'Content-Type: text/plain\\r\\n\\r\\n%s %s\\n' \"$REQUEST_METHOD\" \"$QUERY_STRING\"\n",
        "cgi-bin/loop.sh": "printf 'Location: /cgi-bin/loop.sh\\r\\n\\r\\n'\n",
        "cgi-bin/away.sh": "printf 'Location: https://example.com/there\\r\\n\\r\\n'\n",
        "cgi-bin/form.php":
            "<?php\nheader('X-Php: yes');\necho 'hello ' . htmlspecialchars($_GET['name'] ?? 'nobody') . ' via ' . $_SERVER['REQUEST_METHOD'] . \"\\n\";\nif ($_SERVER['REQUEST_METHOD'] === 'POST') { echo 'posted ' . $_POST['a'] . \"\\n\"; }\n",
        "cgi-bin/lf.sh": "printf 'Content-Type: text/plain\\n\\nunix line ends\\n'\n",
        // Prints one line, then waits (bounded) for the test to create `go`, then another.
        "cgi-bin/step.sh":
            "printf 'Content-Type: text/plain\\r\\n\\r\\nfirst\\n'\ni=0\nwhile [ ! -e ../go ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done\necho second\n",
    ]

    func makeServer() throws -> TestServer {
        let s = try TestServer(config: Self.config, files: Self.scripts)
        chmod(s.path("cgi-bin/pwd.cgi"), 0o755)
        return s
    }

    /// SPEC's example interpreter: Debian's php-cgi (needs REDIRECT_STATUS); .ci/run installs it.
    func testPhpCgiRunsGetAndPostForms() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/php-cgi"), "php-cgi is not installed")
        let s = try makeServer()
        let get = try XCTUnwrap(httpRequest(port: s.port, "GET /cgi-bin/form.php?name=ann HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(get.status, 200)
        XCTAssertEqual(get.header("X-Php"), "yes")
        XCTAssertEqual(get.text, "hello ann via GET\n")
        let post = try XCTUnwrap(
            httpRequest(
                port: s.port,
                "POST /cgi-bin/form.php HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 4\r\n\r\na=42"))
        XCTAssertEqual(post.status, 200)
        XCTAssertEqual(post.text, "hello nobody via POST\nposted 42\n")
    }

    func testRunsScriptThroughInterpreter() throws {
        let s = try makeServer()
        let r = try XCTUnwrap(httpRequest(port: s.port, "GET /repo/hello.sh HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.header("Content-Type"), "text/plain")
        // Finished before its headers were read: one write with a length; else chunked.
        XCTAssertTrue(r.header("Content-Length") == "\(r.body.count)" || r.header("Transfer-Encoding") == "chunked")
        XCTAssertEqual(r.header("Server"), "webserv")
        XCTAssertEqual(r.text, "Hello from webserv CGI (/repo/hello.sh)\n")
    }

    /// Client sockets are accepted close-on-exec (accept4): a script sees none of them, not
    /// its own client's nor another's that is open at the same time. (Sockets the server
    /// itself inherited from the test runner are not its to close, as with nginx.)
    func testScriptInheritsNoClientSocket() throws {
        let s = try makeServer()
        func sockets(_ lines: [String]) -> Set<String> {
            Set(lines.compactMap { line in line.split(separator: " ").last.map(String.init) }.filter { $0.hasPrefix("socket:") })
        }
        func serverSockets() -> Set<String> {
            let dir = "/proc/\(s.pid)/fd"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            return sockets(names.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "\(dir)/\($0)") })
        }
        let before = serverSockets()
        XCTAssertFalse(before.isEmpty, "the listener")
        let other = try RawClient(port: s.port)
        other.send("GET /static.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try XCTUnwrap(other.readResponse()).status, 200)
        XCTAssertGreaterThan(serverSockets().subtracting(before).count, 0, "the client's socket")
        let r = try XCTUnwrap(httpRequest(port: s.port, "GET /cgi-bin/fds.sh HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(r.status, 200)
        let lines = r.text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("0 pipe:") }, r.text)
        XCTAssertEqual(sockets(lines).subtracting(before), [], r.text)
    }

    func testExecutesExecutableFileDirectlyInItsDirectory() throws {
        let s = try makeServer()
        let r = try XCTUnwrap(httpRequest(port: s.port, "GET /cgi-bin/pwd.cgi HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text.trimmingCharacters(in: .whitespacesAndNewlines), realpath(s.path("cgi-bin")))
        let sub = try XCTUnwrap(httpRequest(port: s.port, "GET /cgi-bin/sub/where.sh HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(sub.text.trimmingCharacters(in: .whitespacesAndNewlines), realpath(s.path("cgi-bin/sub")))
    }

    func testNonExecutableScriptWithoutInterpreterIs403AndMissingScriptIs404() throws {
        let s = try makeServer()
        XCTAssertEqual(try httpRequest(port: s.port, "GET /cgi-bin/noexec.cgi HTTP/1.1\r\nHost: x\r\n\r\n")?.status, 403)
        XCTAssertEqual(try httpRequest(port: s.port, "GET /cgi-bin/nothere.py HTTP/1.1\r\nHost: x\r\n\r\n")?.status, 404)
        XCTAssertEqual(try httpRequest(port: s.port, "GET /cgi-bin/nothere.py/x HTTP/1.1\r\nHost: x\r\n\r\n")?.status, 404)
    }

    /// nginx with FastCGI: a missing script is 404 whatever the method; a 405 here would list
    /// the very method it refuses in `Allow`.
    func testMissingScriptIs404ForEveryAllowedMethod() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port)
        for target in ["/cgi-bin/nothere.py", "/cgi-bin/nothere.py/x", "/cgi-bin/nodir/x.sh"] {
            let post = try XCTUnwrap(c.request("POST \(target) HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"))
            XCTAssertEqual(post.status, 404, target)
            XCTAssertNil(post.header("Allow"), target)
            XCTAssertEqual(c.request("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n")?.status, 404, target)
        }
        // A method the location does not allow stays 405, and Allow does not list it.
        let delete = try XCTUnwrap(c.request("DELETE /cgi-bin/nothere.py HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(delete.status, 405)
        XCTAssertFalse((delete.header("Allow") ?? "").contains("DELETE"))
        // A file that exists but is no script: still 405 for POST, as nginx's static module.
        let existing = try XCTUnwrap(c.request("POST /cgi-bin/sub/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"))
        XCTAssertEqual(existing.status, 405)
    }

    func testEnvironmentFollowsRFC3875WithPathInfoAndHeaders() throws {
        let s = try makeServer()
        let r = try XCTUnwrap(
            httpRequest(
                port: s.port,
                """
                GET /repo/env.py/extra/path?a=1&b=%20 HTTP/1.1\r
                Host: example.test:\(s.port)\r
                X-Custom-Thing: yes\r
                Accept: text/plain\r
                Cookie: a=1\r
                Proxy: evil\r
                Accept: */*\r
                Cookie: b=2\r
                \r

                """))
        XCTAssertEqual(r.status, 200)
        var env: [String: String] = [:]
        for line in r.text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            env[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        XCTAssertEqual(env["GATEWAY_INTERFACE"], "CGI/1.1")
        XCTAssertEqual(env["SERVER_PROTOCOL"], "HTTP/1.1")
        XCTAssertEqual(env["SERVER_SOFTWARE"], "webserv")
        XCTAssertEqual(env["SERVER_NAME"], "example.test")
        XCTAssertEqual(env["SERVER_PORT"], "\(s.port)")
        XCTAssertEqual(env["REQUEST_METHOD"], "GET")
        XCTAssertEqual(env["SCRIPT_NAME"], "/repo/env.py")
        XCTAssertEqual(env["SCRIPT_FILENAME"], TestServer.packageRoot.appendingPathComponent("cgi-bin/env.py").path)
        XCTAssertEqual(env["PATH_INFO"], "/extra/path")
        XCTAssertEqual(env["PATH_TRANSLATED"], s.path("www/extra/path"))
        XCTAssertEqual(env["QUERY_STRING"], "a=1&b=%20")
        XCTAssertEqual(env["REQUEST_URI"], "/repo/env.py/extra/path?a=1&b=%20")
        XCTAssertEqual(env["REDIRECT_STATUS"], "200")
        XCTAssertEqual(env["REMOTE_ADDR"], "127.0.0.1")
        XCTAssertNotNil(env["REMOTE_PORT"].flatMap { Int($0) })
        XCTAssertEqual(env["HTTP_X_CUSTOM_THING"], "yes")
        XCTAssertEqual(env["HTTP_ACCEPT"], "text/plain, */*")
        XCTAssertEqual(env["HTTP_COOKIE"], "a=1; b=2", "RFC 6265 §5.4")
        XCTAssertEqual(env["HTTP_HOST"], "example.test:\(s.port)")
        XCTAssertNil(env["HTTP_PROXY"], "httpoxy")
        XCTAssertNil(env["CONTENT_LENGTH"], "no body, no CONTENT_LENGTH")
        XCTAssertEqual(env["PATH"], "/usr/local/bin:/usr/bin:/bin")
    }

    func testPostFormReachesStdinWithContentLength() throws {
        let s = try makeServer()
        let body = "name=Ada&message=hello+there"
        let r = try XCTUnwrap(
            httpRequest(
                port: s.port,
                """
                POST /repo/form.py HTTP/1.1\r
                Host: x\r
                Content-Type: application/x-www-form-urlencoded\r
                Content-Length: \(body.utf8.count)\r
                \r
                \(body)
                """))
        XCTAssertEqual(r.status, 200)
        XCTAssertTrue(r.text.contains("<h1>POST form</h1>"))
        XCTAssertTrue(r.text.contains("<tr><td>name</td><td>Ada</td></tr>"))
        XCTAssertTrue(r.text.contains("<tr><td>message</td><td>hello there</td></tr>"))
        let get = try curl(["http://127.0.0.1:\(s.port)/repo/form.py?name=Bob"])
        XCTAssertTrue(get.contains("<h1>GET form</h1>") && get.contains("<td>Bob</td>"))
    }

    func testChunkedBodyIsDechunkedWithContentLengthAndEOF() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port)
        c.send("POST /cgi-bin/cat.sh HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        c.send("1;ext=1\r\n \r\n6\r\nworld!\r\n0\r\nTrailer: x\r\n\r\n")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "len=12\nhello world!")
        // The connection stays usable.
        XCTAssertEqual(c.request("GET /static.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "static text\n")
    }

    func testKeepAliveRequestsAfterCGIResponses() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port)
        for i in 0..<5 {
            let r = try XCTUnwrap(c.request("POST /cgi-bin/cat.sh HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nab\(i)"))
            XCTAssertEqual(r.text, "len=3\nab\(i)")
        }
    }

    func testStatusAndOtherHeadersArePassedOn() throws {
        let s = try makeServer()
        let r = try XCTUnwrap(httpRequest(port: s.port, "GET /cgi-bin/teapot.sh HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(r.status, 418)
        XCTAssertEqual(r.header("X-Thing"), "one")
        XCTAssertEqual(r.header("Content-Type"), "text/x-tea")
        XCTAssertNil(r.header("Status"))
        XCTAssertEqual(r.text, "brewing\n")
        let lf = try XCTUnwrap(httpRequest(port: s.port, "GET /cgi-bin/lf.sh HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(lf.status, 200)
        XCTAssertEqual(lf.text, "unix line ends\n")
    }

    /// nginx passes a script's `Status:` reason phrase on; only a missing one gets the standard
    /// (or, for a code without one, a generic) reason.
    func testStatusReasonPhraseIsPassedThrough() throws {
        let s = try makeServer()
        func statusLine(_ method: String, _ path: String) throws -> String? {
            let r = try httpRequest(port: s.port, "\(method) \(path) HTTP/1.1\r\nHost: x\r\n\r\n", head: method == "HEAD")
            return r?.head.components(separatedBy: "\r\n").first
        }
        XCTAssertEqual(try statusLine("GET", "/cgi-bin/teapot.sh"), "HTTP/1.1 418 Short and stout")
        XCTAssertEqual(try statusLine("HEAD", "/cgi-bin/teapot.sh"), "HTTP/1.1 418 Short and stout")
        XCTAssertEqual(try statusLine("GET", "/cgi-bin/fine.sh"), "HTTP/1.1 200 Fine Thanks")
        XCTAssertEqual(try statusLine("GET", "/cgi-bin/noreason.sh"), "HTTP/1.1 404 Not Found")
        XCTAssertEqual(try statusLine("GET", "/cgi-bin/oddcode.sh"), "HTTP/1.1 299 Success")
        // A control character in the reason would split the head: the output is invalid, 502.
        let bad = try XCTUnwrap(httpRequest(port: s.port, "GET /cgi-bin/badreason.sh HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(bad.status, 502)
        XCTAssertFalse(bad.head.contains("Tea"))
    }

    func testNoContentStatusDropsTheScriptsTypeAndBody() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port)
        let r = try XCTUnwrap(c.request("GET /cgi-bin/nocontent.sh HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(r.status, 204)
        XCTAssertNil(r.header("Content-Type"), r.head)
        XCTAssertNil(r.header("Content-Length"), r.head)
        XCTAssertNil(r.header("Transfer-Encoding"), r.head)
        XCTAssertEqual(c.request("GET /static.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "static text\n")
    }

    func testLocalLocationIsServedAsInternalRedirect() throws {
        let s = try makeServer()
        let r = try XCTUnwrap(httpRequest(port: s.port, "GET /cgi-bin/local.sh HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(r.status, 200)
        XCTAssertNil(r.header("Location"))
        XCTAssertEqual(r.text, "static text\n")
        // To another script, as GET with the new query, even from a POST.
        let p = try XCTUnwrap(
            httpRequest(port: s.port, "POST /cgi-bin/tocgi.sh HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody"))
        XCTAssertEqual(p.text, "GET from=redirect\n")
        // A script redirecting to itself stops after 10 hops.
        XCTAssertEqual(try httpRequest(port: s.port, "GET /cgi-bin/loop.sh HTTP/1.1\r\nHost: x\r\n\r\n")?.status, 500)
    }

    func testAbsoluteLocationIs302() throws {
        let s = try makeServer()
        let r = try XCTUnwrap(httpRequest(port: s.port, "GET /cgi-bin/away.sh HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(r.status, 302)
        XCTAssertEqual(r.header("Location"), "https://example.com/there")
    }

    /// A script's valid Content-Length frames the response as it is: no chunked coding, and
    /// the connection stays open for the next request.
    func testScriptContentLengthIsPassedThroughWithoutChunking() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port)
        let r = try assertFramedByScript(c.request("GET /cgi-bin/sized.sh HTTP/1.1\r\nHost: x\r\n\r\n"), length: 100_000)
        XCTAssertNil(r.header("Connection"))
        XCTAssertEqual(r.body, [UInt8](repeating: UInt8(ascii: "a"), count: 100_000))
        XCTAssertEqual(c.request("GET /static.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "static text\n")
        XCTAssertEqual(c.pendingCount, 0, "nothing beyond the two responses")
    }

    /// Output beyond the script's Content-Length is cut at it, and the connection closes after
    /// the declared bytes (whether the excess came before the head went out or while streaming).
    func testOutputPastTheScriptsContentLengthIsCutAndTheConnectionCloses() throws {
        let s = try makeServer()
        for (path, length) in [("/cgi-bin/oversized.sh", 100_000), ("/cgi-bin/toolong.sh", 5)] {
            let c = try RawClient(port: s.port)
            let r = try assertFramedByScript(c.request("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n"), length: length)
            XCTAssertFalse(r.text.contains("EXTRA") || r.text.contains("world"), path)
            XCTAssertTrue(c.isClosedByServer(), "\(path): the connection stays open after a cut body")
            XCTAssertEqual(c.pendingCount, 0, "\(path): bytes after the declared body")
        }
        XCTAssertTrue(waitUntil(timeout: 5) { s.children.isEmpty })
    }

    /// A body that ends short of the script's Content-Length never looks complete: the
    /// connection closes before the declared length is reached.
    func testOutputShortOfTheScriptsContentLengthClosesTheConnection() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port)
        c.send("GET /cgi-bin/undersized.sh HTTP/1.1\r\nHost: x\r\n\r\n")
        let raw = c.readToEnd()
        let text = String(decoding: raw, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200"), String(text.prefix(200)))
        XCTAssertTrue(text.contains("\r\nContent-Length: 100000\r\n"), String(text.prefix(200)))
        let headEnd = try XCTUnwrap(text.range(of: "\r\n\r\n"))
        let bodyCount = text.utf8.distance(from: headEnd.upperBound, to: text.endIndex)
        XCTAssertLessThan(bodyCount, 100_000)
    }

    /// HEAD gets the headers GET would: the script's Content-Length if it gave one, else no
    /// length at all (never a made-up `Content-Length: 0`) and no chunked coding.
    func testHeadGetsTheSameFramingHeadersAsGet() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port)
        let sized = try XCTUnwrap(c.request("HEAD /cgi-bin/sized.sh HTTP/1.1\r\nHost: x\r\n\r\n", head: true))
        XCTAssertEqual(sized.status, 200)
        XCTAssertEqual(sized.header("Content-Length"), "100000")
        XCTAssertNil(sized.header("Transfer-Encoding"))
        let unsized = try XCTUnwrap(c.request("HEAD /cgi-bin/teapot.sh HTTP/1.1\r\nHost: x\r\n\r\n", head: true))
        XCTAssertEqual(unsized.status, 418)
        XCTAssertEqual(unsized.header("Content-Type"), "text/x-tea")
        // Unknown length: the framing GET would use (SPEC §3: Content-Length or chunked on
        // every response), and no body.
        XCTAssertNil(unsized.header("Content-Length"), unsized.head)
        XCTAssertEqual(unsized.header("Transfer-Encoding"), "chunked", unsized.head)
        XCTAssertNil(unsized.header("Connection"), unsized.head)
        // No body followed either head: the next response starts right after.
        XCTAssertEqual(c.request("GET /static.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "static text\n")
    }

    /// HTTP/1.0 has no chunked coding: a body of unknown length ends with the connection, but
    /// with the script's Content-Length a keep-alive client keeps its connection.
    func testHTTP10KeepAliveWithScriptContentLength() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port)
        let r = try assertFramedByScript(
            c.request("GET /cgi-bin/sized.sh HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), length: 100_000)
        XCTAssertEqual(r.header("Connection"), "keep-alive")
        XCTAssertEqual(c.request("GET /static.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")?.text, "static text\n")
        // Unknown length: close-delimited even though keep-alive was asked for.
        let u = try RawClient(port: s.port)
        let unsized = try XCTUnwrap(u.request("GET /cgi-bin/unsized.sh HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"))
        XCTAssertEqual(unsized.status, 200)
        XCTAssertNil(unsized.header("Content-Length"))
        XCTAssertNil(unsized.header("Transfer-Encoding"))
        XCTAssertEqual(unsized.header("Connection"), "close")
        XCTAssertEqual(unsized.body.count, 100_000)
    }

    /// A 200 framed by the script's Content-Length of `length` bytes, without chunked coding.
    @discardableResult
    func assertFramedByScript(
        _ response: HTTPResponse?, length: Int, file: StaticString = #filePath, line: UInt = #line
    ) throws -> HTTPResponse {
        let r = try XCTUnwrap(response, file: file, line: line)
        XCTAssertEqual(r.status, 200, file: file, line: line)
        XCTAssertEqual(r.header("Content-Length"), "\(length)", r.head, file: file, line: line)
        XCTAssertNil(r.header("Transfer-Encoding"), r.head, file: file, line: line)
        XCTAssertEqual(r.body.count, length, file: file, line: line)
        return r
    }

    func testHeadGetsTheScriptsHeadersOnly() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port)
        let r = try XCTUnwrap(c.request("HEAD /cgi-bin/teapot.sh HTTP/1.1\r\nHost: x\r\n\r\n", head: true))
        XCTAssertEqual(r.status, 418)
        XCTAssertEqual(r.header("X-Thing"), "one")
        XCTAssertEqual(c.request("GET /static.txt HTTP/1.1\r\nHost: x\r\n\r\n")?.text, "static text\n")
    }

    func testOutputStreamsToTheClientAsTheScriptPrints() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port)
        c.send("GET /cgi-bin/step.sh HTTP/1.1\r\nHost: x\r\n\r\n")
        // The first line arrives while the script is still waiting for `go`.
        var seen: [UInt8] = []
        XCTAssertTrue(
            waitUntil(timeout: 5) {
                seen += receiveSome(c.fd)
                return String(decoding: seen, as: UTF8.self).contains("first")
            })
        XCTAssertFalse(String(decoding: seen, as: UTF8.self).contains("second"))
        XCTAssertTrue(String(decoding: seen, as: UTF8.self).contains("Transfer-Encoding: chunked"))
        _ = FileManager.default.createFile(atPath: s.path("go"), contents: Data())
        XCTAssertTrue(
            waitUntil(timeout: 5) {
                seen += receiveSome(c.fd)
                return String(decoding: seen, as: UTF8.self).hasSuffix("0\r\n\r\n")
            })
        XCTAssertTrue(String(decoding: seen, as: UTF8.self).hasSuffix("\r\n6\r\nfirst\n\r\n7\r\nsecond\n\r\n0\r\n\r\n"))
    }

    func testHTTP10GetsCloseDelimitedBody() throws {
        let s = try makeServer()
        let c = try RawClient(port: s.port)
        c.send("GET /repo/hello.sh HTTP/1.0\r\n\r\n")
        let raw = String(decoding: c.readToEnd(), as: UTF8.self)
        XCTAssertTrue(raw.hasPrefix("HTTP/1.1 200 OK\r\n"), raw)
        XCTAssertFalse(raw.contains("Transfer-Encoding"))
        XCTAssertTrue(raw.hasSuffix("\r\n\r\nHello from webserv CGI (/repo/hello.sh)\n"))
    }

    func testDefaultConfigRunsTheDemoScripts() throws {
        // conf/default.conf's /cgi-bin/ location, on an ephemeral port.
        let conf = try String(contentsOf: TestServer.packageRoot.appendingPathComponent("conf/default.conf"), encoding: .utf8)
        let start = try XCTUnwrap(conf.range(of: "location /cgi-bin/ {"))
        let end = try XCTUnwrap(conf[start.upperBound...].range(of: "}"))
        let block = String(conf[start.lowerBound..<end.upperBound]).replacingOccurrences(of: "root .;", with: "root {{REPO}};")
        let s = try TestServer(config: "server {\n listen 127.0.0.1:0;\n root {{REPO}}/www;\n \(block)\n}\n")
        XCTAssertTrue(try curl(["http://127.0.0.1:\(s.port)/cgi-bin/hello.sh"]).hasPrefix("Hello from webserv CGI"))
        XCTAssertTrue(try curl(["http://127.0.0.1:\(s.port)/cgi-bin/env.py"]).contains("GATEWAY_INTERFACE=CGI/1.1"))
        XCTAssertTrue(try curl(["-d", "name=Zed", "http://127.0.0.1:\(s.port)/cgi-bin/form.py"]).contains("<td>Zed</td>"))
        XCTAssertEqual(try curl(["http://127.0.0.1:\(s.port)/cgi-bin/stream.py"]), (1...10).map { "line \($0)\n" }.joined())
        XCTAssertEqual(
            try curl(["-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(s.port)/cgi-bin/nohead.py"]), "502")
        XCTAssertEqual(try curl(["-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(s.port)/cgi-bin/crash.py"]), "502")
        let page = try curl(["http://127.0.0.1:\(s.port)/cgi.html"])
        XCTAssertTrue(page.contains("/css/site.css"))
        XCTAssertTrue(page.contains("action=\"/cgi-bin/form.py\""))
    }
}

func realpath(_ path: String) -> String {
    guard let p = Glibc.realpath(path, nil) else { return path }
    defer { free(p) }
    return String(cString: p)
}

/// What one recv returns within the socket's timeout ([] on timeout or EOF).
func receiveSome(_ fd: Int32) -> [UInt8] {
    var chunk = [UInt8](repeating: 0, count: 65536)
    let n = recv(fd, &chunk, chunk.count, 0)
    return n > 0 ? Array(chunk[0..<n]) : []
}
