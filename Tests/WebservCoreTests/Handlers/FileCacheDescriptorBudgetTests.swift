import XCTest

@testable import WebservCore

final class FileCacheDescriptorBudgetTests: XCTestCase {
    /// The cache keeps at most an eighth of the open-file limit for sendfile, and never more
    /// than 256: with `ulimit -n 1024` connections keep 896 descriptors whatever it caches.
    func testDescriptorBudgetFollowsTheOpenFileLimit() {
        XCTAssertEqual(FileCache.descriptorBudget(openFileLimit: 1024), 128)
        XCTAssertEqual(FileCache.descriptorBudget(openFileLimit: 65_536), 256)
        XCTAssertEqual(FileCache.descriptorBudget(openFileLimit: 64), 8)
        XCTAssertEqual(FileCache.descriptorBudget(openFileLimit: 7), 0)
        XCTAssertEqual(FileCache.descriptorBudget(openFileLimit: Int.max), 256)
        XCTAssertLessThanOrEqual(FileCache().maxDescriptors, Sys.openFileLimit() / 8)
    }
}
