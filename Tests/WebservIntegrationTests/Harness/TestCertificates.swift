import Foundation
import XCTest

/// Certificates made at test time with the openssl command (no private key is committed): a
/// test CA, an RSA-2048 server certificate for `a.test`, `localhost` and 127.0.0.1, and an
/// ECDSA P-256 one for `b.test` and `*.wild.test`, both signed by the CA.
final class TestCertificates: @unchecked Sendable {
    let directory: URL
    var ca: String { path("ca.pem") }
    var rsaCertificate: String { path("rsa.pem") }
    var rsaKey: String { path("rsa.key") }
    var ecdsaCertificate: String { path("ecdsa.pem") }
    var ecdsaKey: String { path("ecdsa.key") }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Made once per test run.
    static let shared: TestCertificates? = try? TestCertificates()

    private init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("webserv-certs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=webserv test CA",
        ])
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa.key", "-out", "rsa.csr", "-subj", "/CN=a.test"])
        try sign("rsa", names: "DNS:a.test,DNS:localhost,IP:127.0.0.1")
        try openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ecdsa.key",
            "-out", "ecdsa.csr", "-subj", "/CN=b.test",
        ])
        try sign("ecdsa", names: "DNS:b.test,DNS:*.wild.test")
    }

    private func sign(_ name: String, names: String) throws {
        try "subjectAltName=\(names)\n".write(
            to: directory.appendingPathComponent("\(name).ext"), atomically: true, encoding: .utf8)
        try openssl([
            "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "\(name).pem", "-days", "2", "-extfile", "\(name).ext",
        ])
    }

    private func openssl(_ arguments: [String]) throws {
        let r = try run("/usr/bin/openssl", arguments, in: directory)
        guard r.status == 0 else { throw TestError.serverDidNotStart("openssl \(arguments): \(r.err)") }
    }

    /// The certificates, or a skipped test when openssl cannot make them.
    static func require() throws -> TestCertificates {
        guard let c = shared else { throw XCTSkip("the openssl command could not make test certificates") }
        return c
    }
}

/// `openssl s_client` with a time bound; stdin closed at once unless `input` is given.
func sClient(port: Int, _ arguments: [String], input: String = "") throws -> String {
    let r = try run(
        "/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(port)"] + arguments,
        stdin: Data(input.utf8), timeout: 15)
    return String(decoding: r.out, as: UTF8.self) + r.err
}
