import XCTest

@testable import WebservCore

/// The one backpressure rule of WebSocket members and SSE streams.
final class OutputBoundTests: XCTestCase {
    func testHardCapIsTwiceTheLargestMessageWithinFourAndOneHundredTwentyEightMiB() {
        XCTAssertEqual(OutputBound(limit: 100, maxMessage: 64 << 10, timeout: 1000).hardCap, 4 << 20)
        XCTAssertEqual(OutputBound(limit: 100, maxMessage: 8 << 20, timeout: 1000).hardCap, 16 << 20)
        XCTAssertEqual(OutputBound(limit: 100, maxMessage: Int.max / 4, timeout: 1000).hardCap, 128 << 20)
        let b = OutputBound(limit: 100, maxMessage: 64 << 10, timeout: 1000)
        XCTAssertTrue(b.admits(pending: (4 << 20) - 10, adding: 10))
        XCTAssertFalse(b.admits(pending: (4 << 20) - 10, adding: 11), "past the hard cap")
    }

    func testZeroLimitMeansNoLimit() {
        var b = OutputBound(limit: 0, maxMessage: 1000, timeout: 1000)
        XCTAssertEqual(b.limit, Int.max)
        XCTAssertFalse(b.isOverTooLong(pending: 1 << 30, now: 0))
        XCTAssertFalse(b.isOverTooLong(pending: 1 << 30, now: 10_000))
    }

    func testOverTheLimitForTheTimeoutIsTooLong() {
        var b = OutputBound(limit: 100, maxMessage: 1000, timeout: 1000)
        XCTAssertFalse(b.isOverTooLong(pending: 100, now: 0), "at the limit is not over it")
        XCTAssertFalse(b.isOverTooLong(pending: 101, now: 500), "over since 500")
        XCTAssertFalse(b.isOverTooLong(pending: 5000, now: 1499))
        XCTAssertTrue(b.isOverTooLong(pending: 101, now: 1500), "over for the whole timeout")
    }

    func testGoingBackUnderTheLimitStartsAfresh() {
        var b = OutputBound(limit: 100, maxMessage: 1000, timeout: 1000)
        for t in stride(from: 0, through: 5000, by: 400) {
            XCTAssertFalse(b.isOverTooLong(pending: 200, now: t), "a reader that keeps catching up stays")
            XCTAssertFalse(b.isOverTooLong(pending: 50, now: t + 200))
        }
    }
}
