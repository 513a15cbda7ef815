import XCTest

@testable import WebservCore

/// BufferPool lends buffers to busy connections and keeps at most `limit` of the returned ones.
final class BufferPoolTests: XCTestCase {
    func testInputBuffersComeFilledAndAreReused() {
        let pool = BufferPool(size: 1024, limit: 2, keptCapacity: 1024, filled: true)
        var a = pool.take()
        XCTAssertEqual(a.count, 1024)
        let storage = a.withUnsafeBufferPointer { $0.baseAddress }
        pool.give(&a)
        XCTAssertTrue(a.isEmpty)
        XCTAssertEqual(a.capacity, 0, "the lender keeps no storage")
        XCTAssertEqual(pool.available, 1)
        let b = pool.take()
        XCTAssertEqual(b.withUnsafeBufferPointer { $0.baseAddress }, storage, "the same storage comes back")
        XCTAssertEqual(pool.available, 0)
    }

    func testOutputBuffersComeEmptyWithCapacity() {
        let pool = BufferPool(size: 4096, limit: 4, keptCapacity: 8192, filled: false)
        var a = pool.take()
        XCTAssertTrue(a.isEmpty)
        XCTAssertGreaterThanOrEqual(a.capacity, 4096)
        a.append(contentsOf: [1, 2, 3])
        pool.give(&a)
        let b = pool.take()
        XCTAssertTrue(b.isEmpty, "a returned buffer is emptied")
        XCTAssertGreaterThanOrEqual(b.capacity, 4096)
    }

    func testKeepsAtMostLimitAndNoGrownBuffers() {
        let pool = BufferPool(size: 16, limit: 3, keptCapacity: 64, filled: false)
        var taken = (0..<10).map { _ in pool.take() }
        for i in taken.indices { pool.give(&taken[i]) }
        XCTAssertEqual(pool.available, 3)
        var big = [UInt8](repeating: 0, count: 1000)
        pool.drain()
        pool.give(&big)
        XCTAssertEqual(pool.available, 0, "a buffer past keptCapacity is freed")
        var none: [UInt8] = []
        pool.give(&none)
        XCTAssertEqual(pool.available, 0, "nothing to keep")
    }

    func testByteBufferHandsItsStorageOutOnlyWhenEmpty() {
        var input = ByteBuffer(capacity: 0)
        XCTAssertEqual(input.capacity, 0)
        input.adopt([UInt8](repeating: 0, count: 64))
        let bytes: [UInt8] = [1, 2, 3]
        bytes.withUnsafeBytes { input.append($0) }
        XCTAssertNil(input.takeStorage(), "bytes still to parse")
        input.consume(3)
        let storage = input.takeStorage()
        XCTAssertEqual(storage?.count, 64)
        XCTAssertEqual(input.capacity, 0)
        // Reading grows it again when it has none.
        input.reserveWritable(10)
        XCTAssertGreaterThanOrEqual(input.capacity, 10)
    }
    /// A small buffer grows (compacting first) and keeps its unread bytes in order.
    func testByteBufferGrowsKeepingUnreadBytes() {
        var input = ByteBuffer(capacity: 4)
        [UInt8]([1, 2, 3]).withUnsafeBytes { input.append($0) }
        input.consume(1)
        let more = [UInt8](10..<30)
        more.withUnsafeBytes { input.append($0) }
        XCTAssertEqual(input.readableBytes(input.readableCount), [2, 3] + more)
        XCTAssertGreaterThanOrEqual(input.capacity, 22)
        input.consume(input.readableCount)
        XCTAssertTrue(input.isEmpty)
        let capacity = input.capacity
        input.reserveWritable(capacity)
        XCTAssertEqual(input.capacity, capacity, "an emptied buffer is reused, not grown")
    }
}
