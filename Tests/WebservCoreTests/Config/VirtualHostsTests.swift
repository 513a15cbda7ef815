import XCTest

@testable import WebservCore

final class VirtualHostsTests: XCTestCase {
    private let address = ListenAddress(host: "127.0.0.1", port: 8080)

    private func hosts(_ text: String) throws -> VirtualHosts {
        VirtualHosts(try XCTUnwrap(loadConfig(text)))
    }

    private let shared = """
        server { listen 127.0.0.1:8080; server_name first.test; }
        server { listen 127.0.0.1:8080; server_name www.example.com example.com; }
        server { listen 127.0.0.1:8080; server_name *.example.com; }
        server { listen 127.0.0.1:8080; server_name *.api.example.com; }
        server { listen 127.0.0.1:9090; listen 127.0.0.1:8080; server_name other.test; }
        """

    func testAddressesInOrderOfFirstAppearance() throws {
        let vhosts = try hosts(shared)
        XCTAssertEqual(vhosts.addresses.map(\.description), ["127.0.0.1:8080", "127.0.0.1:9090"])
    }

    func testExactName() throws {
        let vhosts = try hosts(shared)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: bytes("www.example.com")), 1)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: bytes("example.com")), 1)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: bytes("other.test")), 4)
    }

    func testHostIgnoresCasePortAndTrailingDot() throws {
        let vhosts = try hosts(shared)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: bytes("WWW.Example.COM:8080")), 1)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: bytes("www.example.com.")), 1)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: bytes("www.example.com.:80")), 1)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: bytes(" other.test ")), 4)
    }

    func testWildcardMatchesAnyDepthButNotTheBareDomain() throws {
        let vhosts = try hosts(shared)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: bytes("img.example.com")), 2)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: bytes("a.b.example.com")), 2)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: bytes("notexample.com")), 0)
    }

    func testLongestWildcardWins() throws {
        let vhosts = try hosts(shared)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: bytes("v1.api.example.com")), 3)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: bytes("api.example.com")), 2)
    }

    func testUnknownOrMissingHostGoesToFirstServerOnTheAddress() throws {
        let vhosts = try hosts(shared)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: bytes("unknown.test")), 0)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: nil), 0)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: bytes("")), 0)
        XCTAssertEqual(vhosts.serverIndex(for: ListenAddress(host: "127.0.0.1", port: 9090), host: bytes("first.test")), 4)
    }

    func testDefaultServerBeatsFirstServer() throws {
        let vhosts = try hosts(
            """
            server { listen 127.0.0.1:8080; server_name a.test; }
            server { listen 127.0.0.1:8080 default_server; server_name b.test; }
            server { listen 127.0.0.1:8081; }
            """)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: bytes("zzz")), 1)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: nil), 1)
        XCTAssertEqual(vhosts.serverIndex(for: address, host: bytes("a.test")), 0)
        XCTAssertEqual(vhosts.serverIndex(for: ListenAddress(host: "127.0.0.1", port: 8081), host: nil), 2)
    }

    func testIPv6HostHeader() throws {
        let vhosts = try hosts(
            """
            server { listen [::1]:8080; }
            server { listen [::1]:8080; server_name [::1]; }
            """)
        let v6 = ListenAddress(host: "::1", port: 8080)
        XCTAssertEqual(vhosts.serverIndex(for: v6, host: bytes("[::1]:8080")), 1)
        XCTAssertEqual(vhosts.serverIndex(for: v6, host: bytes("[::1]")), 1)
        XCTAssertEqual(vhosts.serverIndex(for: v6, host: bytes("x")), 0)
    }

    func testImplicitListen() throws {
        let vhosts = try hosts("server { }\nserver { server_name b; }")
        let implicit = ListenAddress(host: "0.0.0.0", port: 8080)
        XCTAssertEqual(vhosts.addresses, [implicit])
        XCTAssertEqual(vhosts.serverIndex(for: implicit, host: bytes("b")), 1)
        XCTAssertEqual(vhosts.serverIndex(for: implicit, host: bytes("c")), 0)
    }
}
