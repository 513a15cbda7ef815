import Foundation
import XCTest

/// `webserv -t` loads every certificate and key (SPEC §7): a bad PEM or a key that does not
/// match is `FILE:LINE: error:` at its directive; chains load; nothing is bound.
final class TLSConfigTests: XCTestCase {
    var certs: TestCertificates!
    var directory: URL!

    override func setUpWithError() throws {
        certs = try TestCertificates.require()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("webserv-tlsconf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    func check(_ config: String) throws -> (status: Int32, out: String, err: String) {
        let path = directory.appendingPathComponent("t.conf").path
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try WebservIntegrationTests.run(TestServer.binary, ["-t", path], in: directory, timeout: 10)
        return (r.status, String(decoding: r.out, as: UTF8.self), r.err)
    }

    func server(cert: String, key: String) -> String {
        "server {\n    listen 127.0.0.1:8443 ssl;\n    ssl_certificate \(cert);\n    ssl_certificate_key \(key);\n}\n"
    }

    func testGoodCertificatesAndChainsLoad() throws {
        let ok = try check(server(cert: certs.rsaCertificate, key: certs.rsaKey))
        XCTAssertEqual(ok.status, 0, ok.err)
        XCTAssertEqual(ok.out, "configuration ok\n")
        let chain = directory.appendingPathComponent("chain.pem").path
        let both =
            try String(contentsOfFile: certs.ecdsaCertificate, encoding: .utf8)
            + String(contentsOfFile: certs.ca, encoding: .utf8)
        try both.write(toFile: chain, atomically: true, encoding: .utf8)
        let chained = try check(server(cert: chain, key: certs.ecdsaKey))
        XCTAssertEqual(chained.status, 0, chained.err)
    }

    func testBadPEMIsAnErrorAtItsDirective() throws {
        let junk = directory.appendingPathComponent("junk.pem").path
        try "not a certificate\n".write(toFile: junk, atomically: true, encoding: .utf8)
        let badCert = try check(server(cert: junk, key: certs.rsaKey))
        XCTAssertEqual(badCert.status, 1)
        XCTAssertTrue(
            badCert.err.hasPrefix("\(directory.path)/t.conf:3: error: cannot load certificate \"\(junk)\""), badCert.err)
        let badKey = try check(server(cert: certs.rsaCertificate, key: junk))
        XCTAssertEqual(badKey.status, 1)
        XCTAssertTrue(
            badKey.err.hasPrefix("\(directory.path)/t.conf:4: error: cannot load certificate key \"\(junk)\""), badKey.err)
        XCTAssertEqual(badKey.err.split(separator: "\n").count, 1, "one line")
    }

    func testEncryptedKeyIsAnErrorNotAPassphrasePrompt() throws {
        let encrypted = directory.appendingPathComponent("encrypted.key").path
        let made = try WebservIntegrationTests.run(
            "/usr/bin/openssl", ["pkey", "-in", certs.rsaKey, "-aes256", "-passout", "pass:secret", "-out", encrypted])
        XCTAssertEqual(made.status, 0, made.err)
        let r = try check(server(cert: certs.rsaCertificate, key: encrypted))
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.hasPrefix("\(directory.path)/t.conf:4: error: cannot load certificate key"), r.err)
    }

    func testKeyThatDoesNotMatchIsAnErrorAtTheKey() throws {
        let r = try check(server(cert: certs.rsaCertificate, key: certs.ecdsaKey))
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(
            r.err.hasPrefix("\(directory.path)/t.conf:4: error: certificate key \"\(certs.ecdsaKey)\" does not match"), r.err)
    }

    func testUnreadableAndBadCiphers() throws {
        let missing = try check(server(cert: certs.rsaCertificate, key: "/nonexistent/key.pem"))
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(
            missing.err,
            "\(directory.path)/t.conf:4: error: cannot load certificate key \"/nonexistent/key.pem\": No such file or directory\n"
        )
        let ciphers = try check(
            "server {\n    listen 127.0.0.1:8443 ssl;\n    ssl_certificate \(certs.rsaCertificate);\n"
                + "    ssl_certificate_key \(certs.rsaKey);\n    ssl_ciphers NOTHING-AT-ALL;\n}\n")
        XCTAssertEqual(ciphers.status, 1)
        XCTAssertTrue(ciphers.err.hasPrefix("\(directory.path)/t.conf:5: error: SSL_CTX_set_cipher_list"), ciphers.err)
    }
}
