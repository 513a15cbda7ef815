import XCTest

final class PlaceholderTests: XCTestCase {
    func testHarnessBuilds() { XCTAssertTrue(true) }
}
