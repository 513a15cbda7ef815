import XCTest

@testable import WebservCore

final class SmokeTests: XCTestCase {
    func testConfigErrorPrintsLikeACompiler() {
        let e = ConfigError(file: "conf/a.conf", line: 3, message: "unknown directive \"foo\"")
        XCTAssertEqual(e.description, "conf/a.conf:3: error: unknown directive \"foo\"")
    }
}
