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

    /// nginx's two certificates in one server (RSA and ECDSA): both load, each key checked
    /// against its own certificate, a certificate without a key or a key without a certificate
    /// is an error at its line; the client's signature algorithms pick which one it gets.
    func testAnRSAAndAnECDSACertificateInOneServer() throws {
        let pairs = """
            server {
                listen 127.0.0.1:0 ssl;
                ssl_certificate \(certs.rsaCertificate);
                ssl_certificate_key \(certs.rsaKey);
                ssl_certificate \(certs.ecdsaCertificate);
                ssl_certificate_key \(certs.ecdsaKey);
                return 200 "dual";
            }

            """
        let ok = try check(pairs)
        XCTAssertEqual(ok.status, 0, ok.err)
        let swapped = try check(
            pairs.replacingOccurrences(of: "ssl_certificate_key \(certs.ecdsaKey)", with: "ssl_certificate_key \(certs.rsaKey)"))
        XCTAssertEqual(swapped.status, 1)
        XCTAssertTrue(
            swapped.err.hasPrefix("\(directory.path)/t.conf:6: error: certificate key \"\(certs.rsaKey)\" does not match"),
            swapped.err)
        let noKey = try check(pairs.replacingOccurrences(of: "    ssl_certificate_key \(certs.ecdsaKey);\n", with: ""))
        XCTAssertEqual(noKey.status, 1)
        XCTAssertTrue(noKey.err.hasPrefix("\(directory.path)/t.conf:5: error: no \"ssl_certificate_key\" is defined"), noKey.err)
        let noCert = try check(pairs.replacingOccurrences(of: "    ssl_certificate \(certs.ecdsaCertificate);\n", with: ""))
        XCTAssertEqual(noCert.status, 1)
        XCTAssertTrue(noCert.err.hasPrefix("\(directory.path)/t.conf:5: error: no \"ssl_certificate\" is defined"), noCert.err)

        let server = try TestServer(config: pairs, files: [:])
        func subject(_ sigalgs: String) throws -> String {
            let out = try sClient(port: server.port, ["-servername", "dual.test", "-sigalgs", sigalgs, "-CAfile", certs.ca])
            return out.components(separatedBy: "\n").first { $0.hasPrefix("subject=") } ?? out
        }
        XCTAssertEqual(try subject("ECDSA+SHA256"), "subject=CN = b.test", "the ECDSA certificate")
        XCTAssertEqual(try subject("RSA-PSS+SHA256:RSA+SHA256"), "subject=CN = a.test", "the RSA certificate")
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
