import Foundation
import XCTest

/// SPEC §3: no encoding trick reads (or deletes) a file outside the root or alias. Secret files
/// sit next to the root; their contents must never appear in any response.
final class PathSecurityTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/site/www;
            access_log off;
            location /img { alias {{ROOT}}/site/www/img; }
            location /pics/ { alias {{ROOT}}/site/pics/; }
            location /w { alias {{ROOT}}/site/www; }
            location /del/ { allow_methods GET DELETE; }
            location /list/ { autoindex on; }
        }
        """

    static let secrets = ["TOP-SECRET-ONE", "SIBLING-SECRET-TWO", "PREFIX-SECRET-THREE"]

    func makeServer() throws -> TestServer {
        try TestServer(
            config: Self.config,
            files: [
                "site/www/index.html": "public index",
                "site/www/img/logo.txt": "logo",
                "site/www/del/keep.txt": "k",
                "site/www/list/x.txt": "x",
                "site/pics/p.txt": "pic",
                "secret.txt": Self.secrets[0],
                "site/secret.txt": Self.secrets[1],
                "site/www-private/secret.txt": Self.secrets[2],
                "site/www/img-private.txt": "not a secret but outside /img",
            ])
    }

    static let attacks: [String] = [
        "/../secret.txt", "/../../secret.txt", "/a/../../secret.txt", "/./../secret.txt", "//../secret.txt",
        "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/.%2e/secret.txt", "/%2e./secret.txt", "/%2e%2e/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt", "/..%2fsecret.txt", "/%2f..%2f..%2fsecret.txt", "/..%2f..%2fsecret.txt",
        "/..%5csecret.txt", "/%5c..%5c..%5csecret.txt", "/..\\secret.txt", "/..\\..\\secret.txt",
        "/%252e%252e/secret.txt", "/%252e%252e%252fsecret.txt", "/%25%32%65%25%32%65/secret.txt",
        "/secret.txt%00.html", "/%00/../secret.txt", "/..%00/secret.txt", "/%c0%ae%c0%ae/secret.txt",
        "/img../secret.txt", "/img/../../secret.txt", "/img/..%2f..%2fsecret.txt", "/img%2f..%2f..%2fsecret.txt",
        "/pics/../secret.txt", "/pics/..%2f..%2fsecret.txt", "/pics/%2e%2e/%2e%2e/secret.txt",
        "/w-private/secret.txt", "/w/../www-private/secret.txt", "/w/..%2fwww-private/secret.txt",
        "/....//secret.txt", "/.../secret.txt", "/list/../../secret.txt", "/list/%2e%2e/%2e%2e/",
        "http://x/../secret.txt", "http://x/%2e%2e/%2e%2e/secret.txt",
    ]

    func assertNoSecret(_ r: HTTPResponse?, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let r else { return }  // closing the connection is a fine answer
        for secret in Self.secrets {
            XCTAssertFalse(r.text.contains(secret), "\(what) leaked \(secret): \(r.status)", file: file, line: line)
        }
        XCTAssertNotEqual(r.status, 200, "\(what) answered 200: \(r.text)", file: file, line: line)
    }

    func testEncodedTraversalNeverReadsOutsideTheRoot() throws {
        let s = try makeServer()
        for target in Self.attacks {
            for method in ["GET", "HEAD"] {
                let r = try httpRequest(
                    port: s.port, "\(method) \(target) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", head: method == "HEAD")
                assertNoSecret(r, "\(method) \(target)")
            }
        }
    }

    func testCurlPathAsIsNeverLeaks() throws {
        let s = try makeServer()
        for target in ["/../secret.txt", "/%2e%2e/secret.txt", "/img../secret.txt", "/pics/%2e%2e%2f%2e%2e%2fsecret.txt"] {
            let out = try curl(["-i", "--path-as-is", "http://127.0.0.1:\(s.port)\(target)"])
            for secret in Self.secrets { XCTAssertFalse(out.contains(secret), "\(target): \(out)") }
        }
    }

    func testDeleteCannotRemoveFilesOutsideTheRoot() throws {
        let s = try makeServer()
        for target in [
            "/del/../../secret.txt", "/del/%2e%2e/%2e%2e/secret.txt", "/del/..%2f..%2fsecret.txt",
            "/del/..%2f..%2f..%2fsecret.txt", "/del/%252e%252e/secret.txt",
        ] {
            let r = try httpRequest(port: s.port, "DELETE \(target) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            XCTAssertNotEqual(r?.status, 204, target)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.path("secret.txt")))
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.path("site/secret.txt")))
    }

    func testLegitimatePathsStillWork() throws {
        // The guard is not a blanket refusal: dots and encodings that stay inside are served.
        let s = try makeServer()
        let rows: [(String, String)] = [
            ("/img/logo.txt", "logo"), ("/img/./logo.txt", "logo"), ("/img/x/../logo.txt", "logo"),
            ("/%69mg/logo.txt", "logo"), ("/pics/p.txt", "pic"), ("/pics/%2e/p.txt", "pic"), ("/w/index.html", "public index"),
            ("/list/../index.html", "public index"),
        ]
        for (target, body) in rows {
            XCTAssertEqual(try httpRequest(port: s.port, "GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n")?.text, body, target)
        }
    }
}
