import XCTest

@testable import WebservCore

/// The htpasswd parser, every hash scheme, and the user file's reload on change.
final class HtpasswdTests: XCTestCase {
    static let hashes: [(scheme: String, hash: String)] = [
        ("sha512", "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1"),
        ("sha256", "$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA"),
        ("md5crypt", "$1$saltsalt$9xy1btjgzLYfb7hivXtC//"),
        ("apr1", "$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0"),
        ("bcrypt", "$2b$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW"),
        ("bcrypt2y", "$2y$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW"),
        ("sha", "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ="),
        ("ssha", "{SSHA}gVK8WC9YyFT1gMsQHTGCgT3sSv5zYWx0"),
        ("plain", "{PLAIN}secret"),
    ]

    func entries(_ text: String) -> [String] {
        Htpasswd.parse(Array(text.utf8)).map { String(decoding: $0.user + [0x3D] + $0.hash, as: UTF8.self) }
    }

    func testParsesLinesCommentsAndLineEnds() {
        XCTAssertEqual(entries("a:x\nb:y:comment\r\n# c:z\n\nnocolon\n:empty\nd:\ne:last"), ["a=x", "b=y", "d=", "e=last"])
        XCTAssertEqual(entries(""), [])
        XCTAssertEqual(entries("\r\n\r\n"), [])
        XCTAssertEqual(entries("u:p\r"), ["u=p"])
    }

    func testParsingAnyPrefixNeverTrapsAndKeepsWholeLines() {
        let text = Array("alice:{PLAIN}a\n# x\nbob:$6$s$h:c\r\ncarol:{SHA}q\n".utf8)
        for cut in 0...text.count {
            let parsed = Htpasswd.parse(text[..<cut])
            let whole = Htpasswd.parse(text)
            XCTAssertLessThanOrEqual(parsed.count, whole.count)
            for (p, w) in zip(parsed, whole) { XCTAssertEqual(p.user, w.user) }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let noise = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = Htpasswd.parse(noise)
        }
    }

    func testSchemes() {
        XCTAssertEqual(Htpasswd.scheme(Array("{SHA}x".utf8)), .sha)
        XCTAssertEqual(Htpasswd.scheme(Array("{SSHA}x".utf8)), .saltedSHA)
        XCTAssertEqual(Htpasswd.scheme(Array("{PLAIN}x".utf8)), .plain)
        XCTAssertEqual(Htpasswd.scheme(Array("$apr1$x$y".utf8)), .apr1)
        for id in ["$2a$", "$2b$", "$2y$", "$5$", "$6$", "$1$", "$y$"] {
            XCTAssertEqual(Htpasswd.scheme(Array((id + "x").utf8)), .crypt, id)
        }
        XCTAssertNil(Htpasswd.scheme(Array("plaintext".utf8)))
        XCTAssertNil(Htpasswd.scheme(Array("$9$x".utf8)))
        XCTAssertNil(Htpasswd.scheme([]))
    }

    func testAPR1MatchesOpenSSL() {
        XCTAssertEqual(
            APR1.hash(password: Array("x".utf8), setting: Array("$apr1$abc$".utf8)).map { String(decoding: $0, as: UTF8.self) },
            "$apr1$abc$51YrpNiEtKAQp4coykJmu.")
        XCTAssertEqual(
            APR1.hash(password: [], setting: Array("$apr1$x$".utf8)).map { String(decoding: $0, as: UTF8.self) },
            "$apr1$x$tMwYqBfQwi3FYAr0aJc8M/")
        XCTAssertNil(APR1.hash(password: [], setting: Array("$1$x$".utf8)))
    }

    func testEverySchemeAcceptsItsPasswordOnly() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("htpasswd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let text = Self.hashes.map { "\($0.scheme):\($0.hash)" }.joined(separator: "\n") + "\n"
        try text.write(to: file, atomically: true, encoding: .utf8)
        let users = try UserFile(path: file.path)
        for (scheme, _) in Self.hashes {
            XCTAssertTrue(users.matches(user: Array(scheme.utf8)[...], password: Array("secret".utf8)[...]), scheme)
            XCTAssertFalse(users.matches(user: Array(scheme.utf8)[...], password: Array("Secret".utf8)[...]), scheme)
            XCTAssertFalse(users.matches(user: Array(scheme.utf8)[...], password: Array("secret\0".utf8)[...]), scheme)
            XCTAssertFalse(users.matches(user: Array(scheme.utf8)[...], password: []), scheme)
        }
        XCTAssertFalse(users.matches(user: Array("nobody".utf8)[...], password: Array("secret".utf8)[...]))
    }

    func testUserFileIsReadAgainWhenItChanges() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("htpasswd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try "a:{PLAIN}one\n".write(to: file, atomically: true, encoding: .utf8)
        let users = try UserFile(path: file.path)
        XCTAssertTrue(users.matches(user: Array("a".utf8)[...], password: Array("one".utf8)[...]))
        try "a:{PLAIN}two\nb:{PLAIN}three\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertNil(users.refresh(now: 0))
        XCTAssertTrue(users.matches(user: Array("a".utf8)[...], password: Array("two".utf8)[...]))
        XCTAssertTrue(users.matches(user: Array("b".utf8)[...], password: Array("three".utf8)[...]))
        try FileManager.default.removeItem(at: file)
        XCTAssertNil(users.refresh(now: 500), "checked at most once a second")
        XCTAssertEqual(users.refresh(now: 1000), ENOENT)
    }

    /// A slow hash (bcrypt, SHA-crypt, apr1) is computed once per matching password: the
    /// loop is not held again for the same credentials. Wrong passwords are computed every
    /// time; a changed file, or another user with the same password, starts again.
    func testSlowHashesAreComputedOncePerMatchingPassword() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("htpasswd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let slow = Self.hashes.filter { ["sha512", "apr1", "bcrypt"].contains($0.scheme) }
        var text = slow.map { "\($0.scheme):\($0.hash)" }.joined(separator: "\n") + "\n"
        text += "fast:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n"
        try text.write(to: file, atomically: true, encoding: .utf8)
        let users = try UserFile(path: file.path)
        func check(_ user: String, _ password: String) -> Bool {
            users.matches(user: Array(user.utf8)[...], password: Array(password.utf8)[...])
        }
        for (n, (scheme, _)) in slow.enumerated() {
            XCTAssertTrue(check(scheme, "secret"), scheme)
            XCTAssertEqual(users.slowChecks, 3 * n + 1, scheme)
            XCTAssertTrue(check(scheme, "secret"), scheme)
            XCTAssertTrue(check(scheme, "secret"), scheme)
            XCTAssertEqual(users.slowChecks, 3 * n + 1, "\(scheme): remembered")
            XCTAssertFalse(check(scheme, "Secret"), scheme)
            XCTAssertFalse(check(scheme, "secre"), scheme)
            XCTAssertEqual(users.slowChecks, 3 * n + 3, "\(scheme): a wrong password is computed each time")
        }
        let computed = users.slowChecks
        XCTAssertTrue(check("fast", "secret"))
        XCTAssertEqual(users.slowChecks, computed, "{SHA} is not a slow hash")
        // The same password for a user whose hash differs is not taken from the table.
        XCTAssertFalse(check("fast", "Secret"))
        XCTAssertFalse(check("nobody", "secret"))
        // The file changes: what was remembered goes with the old entries.
        try (text + "other:{PLAIN}x\n").write(to: file, atomically: true, encoding: .utf8)
        XCTAssertNil(users.refresh(now: 0))
        XCTAssertTrue(check("bcrypt", "secret"))
        XCTAssertEqual(users.slowChecks, computed + 1, "read again: computed again")
        // The bcrypt line now holds another hash: the old password no longer passes.
        try "bcrypt:$2b$04$abcdefghijklmnopqrstuu0HtfOlPbTiymk5tcV.3TsFPDd3SYZqu\n".write(
            to: file, atomically: true, encoding: .utf8)
        XCTAssertNil(users.refresh(now: 1000))
        XCTAssertFalse(check("bcrypt", "secret"))
        XCTAssertTrue(check("bcrypt", "other"))
    }

    /// The table of remembered credentials stays bounded.
    func testRememberedCredentialsAreBounded() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("htpasswd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let count = UserFile.verifiedLimit + 10
        // Each user its own salt: each pair its own digest.
        let text = (0..<count).map { i in
            "u\(i):"
                + String(decoding: APR1.hash(password: Array("secret".utf8), setting: Array("$apr1$s\(i)$".utf8))!, as: UTF8.self)
        }.joined(separator: "\n")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let users = try UserFile(path: file.path)
        for i in 0..<count {
            XCTAssertTrue(users.matches(user: Array("u\(i)".utf8)[...], password: Array("secret".utf8)[...]))
        }
        XCTAssertLessThanOrEqual(users.rememberedCount, UserFile.verifiedLimit)
        XCTAssertGreaterThan(users.rememberedCount, UserFile.verifiedLimit / 2)
        XCTAssertEqual(users.slowChecks, count)
    }

    func testCredentialsOfTheAuthorizationHeader() {
        func pair(_ value: String) -> String? {
            AccessControl.credentials(Array(value.utf8)[...]).map {
                String(decoding: $0.0, as: UTF8.self) + "|" + String(decoding: $0.1, as: UTF8.self)
            }
        }
        XCTAssertEqual(pair("Basic " + Base64.encode(Array("u:p:q".utf8))), "u|p:q")
        XCTAssertEqual(pair("basic  " + Base64.encode(Array("u:".utf8))), "u|")
        XCTAssertNil(pair("Basic " + Base64.encode(Array(":p".utf8))))
        XCTAssertNil(pair("Basic " + Base64.encode(Array("up".utf8))))
        XCTAssertNil(pair("Bearer abc"))
        XCTAssertNil(pair("Basic !!!"))
        XCTAssertEqual(AccessControl.challenge(realm: "a \"b\" \\c"), "Basic realm=\"a \\\"b\\\" \\\\c\"")
    }
}
