import XCTest

@testable import WebservCore

#if canImport(Glibc)
    import Glibc
#endif

/// A socket's own address comes back in the form `listen` addresses are kept in, so a
/// wildcard socket finds the servers of the specific address a client reached.
final class SocketAddressTests: XCTestCase {
    func testLocalAddressHasTheListenForm() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var storage = sockaddr_storage()
        let length = SocketAddress.fill(&storage, host: "127.0.0.1", port: 0)
        let rc = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        XCTAssertEqual(rc, 0)
        let local = SocketAddress.local(fd)
        XCTAssertNotEqual(local.port, 0)
        let configured = try ConfigValues.listenAddress("localhost:\(local.port)").get()
        XCTAssertEqual(local, configured)
        XCTAssertEqual(SocketAddress.localPort(fd), local.port)
    }
}
