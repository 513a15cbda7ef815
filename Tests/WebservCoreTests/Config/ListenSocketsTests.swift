import XCTest

@testable import WebservCore

/// Which sockets the `listen` addresses open, and which servers a connection on each reaches
/// (nginx: a wildcard takes in the specific addresses of its family and port).
final class ListenSocketsTests: XCTestCase {
    private func address(_ host: String, _ port: UInt16) -> ListenAddress { ListenAddress(host: host, port: port) }

    private func hosts(_ text: String) throws -> VirtualHosts {
        VirtualHosts(try XCTUnwrap(loadConfig(text)))
    }

    /// The server a connection reaches on socket `s` when its local address is `local` and it
    /// sends `host`.
    private func server(_ vhosts: VirtualHosts, socket s: Int, local: ListenAddress, host: String? = nil) -> Int {
        let route = vhosts.sockets[s].route(local: local)
        return vhosts.serverIndex(inGroup: route.group, host: host.map(bytes))
    }

    func testWildcardTakesInASpecificAddressOnItsPort() throws {
        let vhosts = try hosts(
            """
            server { listen 19001; server_name wild.test; }
            server { listen 127.0.0.1:19001; server_name local.test; }
            """)
        XCTAssertEqual(
            vhosts.sockets,
            [
                ListenSocket(
                    address: address("0.0.0.0", 19001), file: "test.conf", line: 1, group: 0,
                    specific: [address("127.0.0.1", 19001): 1])
            ])
        XCTAssertEqual(server(vhosts, socket: 0, local: address("127.0.0.1", 19001)), 1)
        XCTAssertEqual(server(vhosts, socket: 0, local: address("192.0.2.7", 19001)), 0)
        // Only the servers on the exact address answer there, whatever the Host.
        XCTAssertEqual(server(vhosts, socket: 0, local: address("127.0.0.1", 19001), host: "wild.test"), 1)
        XCTAssertEqual(server(vhosts, socket: 0, local: address("192.0.2.7", 19001), host: "local.test"), 0)
    }

    func testBothInOneServerOpenOnlyTheWildcardReportedAtItsOwnLine() throws {
        let vhosts = try hosts(
            """
            server {
                listen 127.0.0.1:19001;
                listen 19001;
            }
            """)
        XCTAssertEqual(vhosts.sockets.map(\.address), [address("0.0.0.0", 19001)])
        XCTAssertEqual(vhosts.sockets[0].line, 3)
        XCTAssertEqual(Set(vhosts.sockets[0].specific.keys), [address("127.0.0.1", 19001)])
        XCTAssertEqual(server(vhosts, socket: 0, local: address("127.0.0.1", 19001)), 0)
        XCTAssertEqual(server(vhosts, socket: 0, local: address("10.0.0.1", 19001)), 0)
    }

    func testSpecificAddressGroupKeepsItsDefaultServer() throws {
        let vhosts = try hosts(
            """
            server { listen 127.0.0.1:19001; server_name a.test; }
            server { listen 127.0.0.1:19001 default_server; server_name b.test; }
            server { listen *:19001; server_name a.test; }
            """)
        XCTAssertEqual(vhosts.sockets.count, 1)
        XCTAssertEqual(vhosts.sockets[0].line, 3)
        XCTAssertEqual(server(vhosts, socket: 0, local: address("127.0.0.1", 19001)), 1)
        XCTAssertEqual(server(vhosts, socket: 0, local: address("127.0.0.1", 19001), host: "a.test"), 0)
        XCTAssertEqual(server(vhosts, socket: 0, local: address("10.0.0.1", 19001), host: "b.test"), 2)
    }

    func testEachFamilyHasItsOwnWildcard() throws {
        let vhosts = try hosts(
            """
            server { listen [::]:19001; listen 127.0.0.1:19001; }
            server { listen [::1]:19001; listen 0.0.0.0:19001; }
            server { listen [::1]:19002; listen 19002; }
            """)
        XCTAssertEqual(
            vhosts.sockets,
            [
                ListenSocket(
                    address: address("::", 19001), file: "test.conf", line: 1, group: 0, specific: [address("::1", 19001): 2]),
                ListenSocket(
                    address: address("0.0.0.0", 19001), file: "test.conf", line: 2, group: 3,
                    specific: [address("127.0.0.1", 19001): 1]),
                ListenSocket(address: address("::1", 19002), file: "test.conf", line: 3, group: 4),
                ListenSocket(address: address("0.0.0.0", 19002), file: "test.conf", line: 3, group: 5),
            ])
        XCTAssertEqual(server(vhosts, socket: 0, local: address("::1", 19001)), 1)
        XCTAssertEqual(server(vhosts, socket: 0, local: address("fe80::1", 19001)), 0)
        XCTAssertEqual(server(vhosts, socket: 1, local: address("127.0.0.1", 19001)), 0)
        XCTAssertEqual(server(vhosts, socket: 1, local: address("10.0.0.1", 19001)), 1)
    }

    func testSpecificAddressesAloneEachGetASocket() throws {
        let vhosts = try hosts(
            """
            server { listen 127.0.0.1:19001; listen 127.0.0.2:19001; }
            server { listen 127.0.0.1:19002; listen 127.0.0.1:19001; }
            server { listen 19003; }
            """)
        XCTAssertEqual(
            vhosts.sockets,
            [
                ListenSocket(address: address("127.0.0.1", 19001), file: "test.conf", line: 1, group: 0),
                ListenSocket(address: address("127.0.0.2", 19001), file: "test.conf", line: 1, group: 1),
                ListenSocket(address: address("127.0.0.1", 19002), file: "test.conf", line: 2, group: 2),
                ListenSocket(address: address("0.0.0.0", 19003), file: "test.conf", line: 3, group: 3),
            ])
        XCTAssertEqual(server(vhosts, socket: 2, local: address("127.0.0.1", 19002)), 1)
    }

    func testPortZeroIsNoSharedPort() throws {
        let vhosts = try hosts("server { listen 0.0.0.0:0; listen 127.0.0.1:0; }")
        XCTAssertEqual(vhosts.sockets.map(\.address), [address("0.0.0.0", 0), address("127.0.0.1", 0)])
        XCTAssertTrue(vhosts.sockets.allSatisfy(\.specific.isEmpty))
    }

    func testImplicitListenIsReportedAtItsServer() throws {
        let vhosts = try hosts("\n\nserver {\n}\n")
        XCTAssertEqual(
            vhosts.sockets, [ListenSocket(address: address("0.0.0.0", 8080), file: "test.conf", line: 3, group: 0)])
    }
}
