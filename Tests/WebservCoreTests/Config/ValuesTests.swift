import XCTest

@testable import WebservCore

final class ValuesTests: XCTestCase {
    func testSizes() {
        XCTAssertEqual(ConfigValues.size("0"), 0)
        XCTAssertEqual(ConfigValues.size("1024"), 1024)
        XCTAssertEqual(ConfigValues.size("8k"), 8192)
        XCTAssertEqual(ConfigValues.size("8K"), 8192)
        XCTAssertEqual(ConfigValues.size("1m"), 1 << 20)
        XCTAssertEqual(ConfigValues.size("2M"), 2 << 20)
        XCTAssertEqual(ConfigValues.size("1g"), 1 << 30)
        XCTAssertEqual(ConfigValues.size("3G"), 3 << 30)
        for bad in ["", "k", "1.5m", "-1", "1mb", "1 m", "99999999999999999999", "9999999999999g"] {
            XCTAssertNil(ConfigValues.size(bad), bad)
        }
    }

    func testTimes() {
        XCTAssertEqual(ConfigValues.milliseconds("0"), 0)
        XCTAssertEqual(ConfigValues.milliseconds("30"), 30_000)
        XCTAssertEqual(ConfigValues.milliseconds("30s"), 30_000)
        XCTAssertEqual(ConfigValues.milliseconds("500ms"), 500)
        XCTAssertEqual(ConfigValues.milliseconds("5m"), 300_000)
        XCTAssertEqual(ConfigValues.milliseconds("1h"), 3_600_000)
        XCTAssertEqual(ConfigValues.milliseconds("1h30m"), 5_400_000)
        XCTAssertEqual(ConfigValues.milliseconds("1m30s"), 90_000)
        for bad in ["", "s", "5x", "-5", "1.5s", "5 s", "ms"] {
            XCTAssertNil(ConfigValues.milliseconds(bad), bad)
        }
    }

    func testRefusesTimesWhoseDeadlineWouldOverflow() {
        // Fits an Int in milliseconds, but `now + timeout` trapped on the first connection.
        XCTAssertNil(ConfigValues.milliseconds("2562047788015h"))
        XCTAssertNil(ConfigValues.milliseconds("9007199254740993ms"))
        XCTAssertEqual(ConfigValues.milliseconds("9007199254740992ms"), 1 << 53)
        XCTAssertEqual(ConfigValues.milliseconds("3650d"), 3650 * 86_400_000)
    }

    func testListenAddresses() throws {
        func parse(_ text: String) -> String? {
            try? ConfigValues.listenAddress(text).get().description
        }
        XCTAssertEqual(parse("80"), "0.0.0.0:80")
        XCTAssertEqual(parse("0"), "0.0.0.0:0")
        XCTAssertEqual(parse("65535"), "0.0.0.0:65535")
        XCTAssertEqual(parse("*:80"), "0.0.0.0:80")
        XCTAssertEqual(parse("localhost:80"), "127.0.0.1:80")
        XCTAssertEqual(parse("10.0.0.1:80"), "10.0.0.1:80")
        XCTAssertEqual(parse("[::1]:8080"), "[::1]:8080")
        XCTAssertEqual(parse("[0:0:0:0:0:0:0:1]:8080"), "[::1]:8080")
        XCTAssertEqual(parse("[::1]"), "[::1]:80")
        XCTAssertEqual(parse("localhost"), "127.0.0.1:80")
        XCTAssertEqual(ConfigValues.listenAddress("65536"), .failure(.invalidPort))
        XCTAssertEqual(ConfigValues.listenAddress("abc"), .failure(.invalidPort))
        XCTAssertEqual(ConfigValues.listenAddress("1.2.3.4:"), .failure(.invalidPort))
        XCTAssertEqual(ConfigValues.listenAddress("[::1]8080"), .failure(.invalidPort))
        XCTAssertEqual(ConfigValues.listenAddress("1.2.3:80"), .failure(.invalidHost))
        XCTAssertEqual(ConfigValues.listenAddress("[zz]:80"), .failure(.invalidHost))
    }
}
