import XCTest

@testable import WebservCore

/// CIDR blocks of allow/deny and nginx's first-match-wins rule.
final class IPNetworkTests: XCTestCase {
    func client(_ text: String) -> [UInt8] { IPNetwork.unmapped(IPNetwork.addressBytes(text)!) }

    func testIPv4Blocks() throws {
        let net = try XCTUnwrap(IPNetwork("192.168.1.77/24"))
        XCTAssertEqual(net.address, [192, 168, 1, 0])
        XCTAssertTrue(net.contains(client("192.168.1.1")))
        XCTAssertTrue(net.contains(client("192.168.1.255")))
        XCTAssertFalse(net.contains(client("192.168.2.1")))
        XCTAssertTrue(try XCTUnwrap(IPNetwork("10.0.0.0/8")).contains(client("10.255.0.1")))
        XCTAssertTrue(try XCTUnwrap(IPNetwork("0.0.0.0/0")).contains(client("8.8.8.8")))
        XCTAssertTrue(try XCTUnwrap(IPNetwork("172.16.0.0/12")).contains(client("172.31.255.255")))
        XCTAssertFalse(try XCTUnwrap(IPNetwork("172.16.0.0/12")).contains(client("172.32.0.0")))
        XCTAssertTrue(try XCTUnwrap(IPNetwork("10.0.0.5/31")).contains(client("10.0.0.4")))
        XCTAssertFalse(try XCTUnwrap(IPNetwork("10.0.0.5")).contains(client("10.0.0.4")))
    }

    func testIPv6AndMappedIPv4() throws {
        let net = try XCTUnwrap(IPNetwork("2001:db8::/32"))
        XCTAssertTrue(net.contains(client("2001:db8:1::5")))
        XCTAssertFalse(net.contains(client("2001:db9::1")))
        XCTAssertFalse(net.contains(client("10.0.0.1")))
        XCTAssertTrue(try XCTUnwrap(IPNetwork("::1")).contains(client("::1")))
        // A v4 client on a dual-stack socket is matched by the v4 rules, as nginx does.
        XCTAssertEqual(client("::ffff:127.0.0.1"), [127, 0, 0, 1])
        XCTAssertTrue(try XCTUnwrap(IPNetwork("127.0.0.0/8")).contains(client("::ffff:127.0.0.1")))
        XCTAssertTrue(try XCTUnwrap(IPNetwork("fe80::1/10")).contains(client("febf::1")))
        XCTAssertFalse(try XCTUnwrap(IPNetwork("fe80::1/10")).contains(client("fec0::1")))
    }

    func testInvalidBlocks() {
        for text in ["10.0.0.0/33", "::/129", "10.0.0/8", "10.0.0.0/", "/8", "x", "10.0.0.0/8/8", "10.0.0.0/-1", ""] {
            XCTAssertNil(IPNetwork(text), text)
        }
    }

    func testFirstMatchWinsAndNoMatchAllows() throws {
        let rules = [
            AccessRule(allow: false, network: IPNetwork("192.168.1.1")),
            AccessRule(allow: true, network: IPNetwork("192.168.1.0/24")),
            AccessRule(allow: true, network: IPNetwork("2001:db8::/32")),
            AccessRule(allow: false, network: nil),
        ]
        XCTAssertFalse(AccessRule.allows(rules, client: client("192.168.1.1")))
        XCTAssertTrue(AccessRule.allows(rules, client: client("192.168.1.2")))
        XCTAssertTrue(AccessRule.allows(rules, client: client("2001:db8::2")))
        XCTAssertFalse(AccessRule.allows(rules, client: client("10.0.0.1")))
        XCTAssertFalse(AccessRule.allows(rules, client: nil))
        XCTAssertTrue(AccessRule.allows(Array(rules.prefix(2)), client: client("10.0.0.1")))
    }
}
