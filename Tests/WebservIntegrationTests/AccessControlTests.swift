import Foundation
import XCTest

/// SPEC 8 access control: `allow`/`deny` (403), `auth_basic` with htpasswd entries of every
/// scheme generated now by openssl and Python (401 + `WWW-Authenticate`), `limit_except`.
final class AccessControlTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/www;
            access_log {{ROOT}}/access.log;
            location /denied/ { deny 127.0.0.1; }
            location /subnet/ { deny 127.0.0.2; allow 127.0.0.0/8; deny all; }
            location /others/ { allow 10.0.0.0/8; allow ::1; deny all; }
            location /private/ { auth_basic "Private \\"Zone\\""; auth_basic_user_file {{ROOT}}/users; }
            location /both/ { allow 127.0.0.1; deny all; auth_basic "Both"; auth_basic_user_file {{ROOT}}/users; }
            location /lan/ { satisfy any; allow 10.0.0.0/8; deny all; auth_basic "LAN"; auth_basic_user_file {{ROOT}}/users; }
            location /local/ { satisfy any; allow 127.0.0.1; deny all; auth_basic "L"; auth_basic_user_file {{ROOT}}/users; }
            location /anyrules/ { satisfy any; deny all; }
            location /writes/ {
                allow_methods GET POST DELETE;
                upload_store {{ROOT}}/store;
                limit_except GET { deny all; }
            }
            location /admin/ {
                allow_methods GET POST DELETE;
                upload_store {{ROOT}}/store;
                auth_basic_user_file {{ROOT}}/users;
                limit_except GET { auth_basic "Writers"; }
            }
        }
        """

    /// user → password; hashes made at test time by the tools people use.
    static let passwords = ["sha512": "pw-six", "sha256": "pw-five", "apr1": "pw-apr", "sha": "pw-sha", "bcrypt": "pw-bcrypt"]

    func htpasswd() throws -> String {
        func openssl(_ args: [String]) throws -> String {
            let r = try WebservIntegrationTests.run("/usr/bin/openssl", args)
            XCTAssertEqual(r.status, 0, r.err)
            return String(decoding: r.out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var lines = [
            "sha512:" + (try openssl(["passwd", "-6", Self.passwords["sha512"]!])),
            "sha256:" + (try openssl(["passwd", "-5", Self.passwords["sha256"]!])),
            "apr1:" + (try openssl(["passwd", "-apr1", Self.passwords["apr1"]!])),
        ]
        let sha = Data(Insecure.sha1(Array(Self.passwords["sha"]!.utf8))).base64EncodedString()
        lines.append("sha:{SHA}" + sha)
        let script = "import bcrypt,sys;print(bcrypt.hashpw(sys.argv[1].encode(),bcrypt.gensalt(rounds=4)).decode())"
        let py = try WebservIntegrationTests.run("/usr/bin/env", ["python3", "-c", script, Self.passwords["bcrypt"]!])
        if py.status == 0 {
            lines.append("bcrypt:" + String(decoding: py.out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return lines.joined(separator: "\n") + "\n# a comment\n"
    }

    func makeServer() throws -> TestServer {
        try TestServer(
            config: Self.config,
            files: [
                "users": try htpasswd(), "www/denied/a.txt": "a", "www/subnet/a.txt": "a", "www/others/a.txt": "a",
                "www/private/a.txt": "private", "www/lan/a.txt": "lan", "www/local/a.txt": "local",
                "www/anyrules/a.txt": "x", "www/both/a.txt": "both", "www/writes/a.txt": "w",
                "www/admin/a.txt": "admin", "store/.keep": "",
            ])
    }

    func status(_ s: TestServer, _ args: [String]) throws -> Int {
        Int(try curl(["-o", "/dev/null", "-w", "%{http_code}"] + args)) ?? -1
    }

    func url(_ s: TestServer, _ path: String) -> String { "http://127.0.0.1:\(s.port)\(path)" }

    func testDenyAndAllowFirstMatchWins() throws {
        let s = try makeServer()
        XCTAssertEqual(try status(s, [url(s, "/denied/a.txt")]), 403)
        XCTAssertEqual(try status(s, [url(s, "/subnet/a.txt")]), 200)
        XCTAssertEqual(try status(s, [url(s, "/others/a.txt")]), 403)
        XCTAssertTrue(s.stderr.contains("access forbidden by rule"), s.stderr)
    }

    func testBasicAuthChallengesAndAcceptsEveryScheme() throws {
        let s = try makeServer()
        let challenge = try curl(["-i", url(s, "/private/a.txt")])
        XCTAssertTrue(challenge.hasPrefix("HTTP/1.1 401"), challenge)
        XCTAssertTrue(challenge.contains("WWW-Authenticate: Basic realm=\"Private \\\"Zone\\\"\"\r\n"), challenge)
        let users = try String(contentsOfFile: s.path("users"), encoding: .utf8)
        for (user, password) in Self.passwords where users.contains("\(user):") {
            XCTAssertEqual(try curl(["-u", "\(user):\(password)", url(s, "/private/a.txt")]), "private", user)
            XCTAssertEqual(try status(s, ["-u", "\(user):\(password)x", url(s, "/private/a.txt")]), 401, user)
        }
        XCTAssertEqual(try status(s, ["-u", "nobody:pw-six", url(s, "/private/a.txt")]), 401)
        XCTAssertEqual(try status(s, ["-H", "Authorization: Bearer x", url(s, "/private/a.txt")]), 401)
        XCTAssertTrue(
            waitUntil(timeout: 5) {
                (try? String(contentsOfFile: s.path("access.log"), encoding: .utf8))?.contains(" - sha512 [") == true
            })
        // Why each login was refused, in the error log (nginx's words).
        XCTAssertTrue(
            waitUntil(timeout: 5) {
                s.stderr.contains("user \"sha512\": password mismatch, client: 127.0.0.1")
                    && s.stderr.contains("user \"nobody\" was not found in \"\(s.path("users"))\"")
            }, s.stderr)
    }

    func testAccessRulesComeBeforeAuth() throws {
        let s = try makeServer()
        XCTAssertEqual(try status(s, [url(s, "/both/a.txt")]), 401)
        XCTAssertEqual(try curl(["-u", "sha256:pw-five", url(s, "/both/a.txt")]), "both")
    }

    func testSatisfyAnyAdmitsByAddressOrByPassword() throws {
        let s = try makeServer()
        XCTAssertEqual(try curl([url(s, "/local/a.txt")]), "local")
        XCTAssertEqual(try status(s, [url(s, "/lan/a.txt")]), 401)
        XCTAssertEqual(try curl(["-u", "sha256:pw-five", url(s, "/lan/a.txt")]), "lan")
        XCTAssertEqual(try status(s, ["-u", "sha256:wrong", url(s, "/lan/a.txt")]), 401)
        XCTAssertEqual(try status(s, [url(s, "/anyrules/a.txt")]), 403)
    }

    func testUserFileChangesApplyWithoutRestart() throws {
        let s = try makeServer()
        XCTAssertEqual(try status(s, ["-u", "late:pw", url(s, "/private/a.txt")]), 401)
        try s.write("users", "late:{PLAIN}pw\n")
        XCTAssertTrue(waitUntil(timeout: 5) { (try? self.status(s, ["-u", "late:pw", self.url(s, "/private/a.txt")])) == 200 })
    }

    /// A user file that disappears refuses every request (403, as nginx, which reads it per
    /// request), not only the one that noticed; one back with a line of a scheme webserv cannot
    /// check refuses that user alone, as nginx does, instead of failing everyone with 500.
    func testUserFileGoneOrWithAnUncheckableLineIsReadAsNginxWould() throws {
        let s = try makeServer()
        let login = ["-u", "sha256:pw-five", url(s, "/private/a.txt")]
        XCTAssertEqual(try status(s, login), 200)
        XCTAssertEqual(unlink(s.path("users")), 0)
        XCTAssertTrue(waitUntil(timeout: 5) { (try? self.status(s, login)) == 403 })
        for _ in 0..<8 { XCTAssertEqual(try status(s, login), 403, "the file is gone: no stale logins") }
        try s.write("users", "good:{PLAIN}pw\nodd:on:$6$not-a-hash\n")
        let good = ["-u", "good:pw", url(s, "/private/a.txt")]
        XCTAssertTrue(waitUntil(timeout: 5) { (try? self.status(s, good)) == 200 }, s.stderr)
        for _ in 0..<4 {
            XCTAssertEqual(try status(s, good), 200)
            XCTAssertEqual(try status(s, [url(s, "/private/a.txt")]), 401)
            XCTAssertEqual(try status(s, ["-u", "odd:on:$6$not-a-hash", url(s, "/private/a.txt")]), 401)
        }
    }

    func testLimitExceptGuardsTheOtherMethodsOnly() throws {
        let s = try makeServer()
        XCTAssertEqual(try status(s, [url(s, "/writes/a.txt")]), 200)
        XCTAssertEqual(try status(s, ["-I", url(s, "/writes/a.txt")]), 200)
        XCTAssertEqual(try status(s, ["-X", "POST", "-d", "x", url(s, "/writes/b.txt")]), 403)
        XCTAssertEqual(try status(s, ["-X", "DELETE", url(s, "/writes/a.txt")]), 403)

        XCTAssertEqual(try status(s, [url(s, "/admin/a.txt")]), 200)
        XCTAssertEqual(try status(s, ["-d", "x", url(s, "/admin/new.txt")]), 401)
        XCTAssertEqual(try status(s, ["-u", "sha512:pw-six", "-d", "x", url(s, "/admin/new.txt")]), 201)
        XCTAssertTrue(FileManager.default.fileExists(atPath: s.path("store/new.txt")))
    }

    func testIPv6ClientsMatchIPv6Rules() throws {
        let s = try TestServer(
            config: """
                server {
                    listen [::1]:0;
                    root {{ROOT}}/www;
                    access_log off;
                    location /v6/ { allow ::1/128; deny all; }
                    location /not/ { allow 127.0.0.1; deny ::/0; }
                }
                """,
            files: ["www/v6/a.txt": "six", "www/not/a.txt": "no"])
        XCTAssertEqual(try curl(["http://[::1]:\(s.port)/v6/a.txt"]), "six")
        XCTAssertEqual(try status(s, ["http://[::1]:\(s.port)/not/a.txt"]), 403)
    }

    func testCheckReportsBadCIDRAndUnreadableUserFileAtTheirLines() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("acl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases = [
            ("server {\n    allow 10.0.0.0/40;\n}\n", "bad.conf:2: error: invalid parameter \"10.0.0.0/40\""),
            (
                "server {\n    location / {\n        auth_basic_user_file missing.htpasswd;\n    }\n}\n",
                "bad.conf:3: error: open() \"\(dir.path)/missing.htpasswd\" failed (2: No such file or directory)"
            ),
            ("server {\n    add_header X $unknown;\n}\n", "bad.conf:2: error: unknown \"unknown\" variable"),
        ]
        for (text, expected) in cases {
            let conf = dir.appendingPathComponent("bad.conf")
            try text.write(to: conf, atomically: true, encoding: .utf8)
            let r = try WebservIntegrationTests.run(TestServer.binary, ["-t", "-p", dir.path, "bad.conf"], in: dir)
            XCTAssertEqual(r.status, 1, text)
            XCTAssertTrue(r.err.hasSuffix(expected + "\n"), r.err)
        }
    }
}

/// SHA-1 for the `{SHA}` entry, through the system's openssl-free Foundation-less path.
enum Insecure {
    static func sha1(_ bytes: [UInt8]) -> [UInt8] {
        let r = try? run("/usr/bin/openssl", ["dgst", "-sha1", "-binary"], stdin: Data(bytes))
        return Array(r?.out ?? Data())
    }
}
