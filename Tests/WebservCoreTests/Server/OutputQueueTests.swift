import XCTest

@testable import WebservCore

#if canImport(Glibc)
    import Glibc
#endif

/// OutputQueue.flush spends a budget of file bytes (the loop's per-iteration fairness) and
/// always sends what is buffered before the file.
final class OutputQueueTests: XCTestCase {
    var fds: [Int32] = []

    override func tearDown() {
        for fd in fds { close(fd) }
        fds = []
    }

    /// A socket pair (the writer non-blocking) and a file of `size` bytes opened for reading.
    func setUp(size: Int) throws -> (writer: Int32, reader: Int32, file: Int32) {
        var pair: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair), 0)
        var big: Int32 = 4 << 20
        setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &big, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(pair[1], SOL_SOCKET, SO_RCVBUF, &big, socklen_t(MemoryLayout<Int32>.size))
        _ = fcntl(pair[0], F_SETFL, O_NONBLOCK)
        var template = Array("/tmp/outputqueue-XXXXXX".utf8CString)
        let f = mkstemp(&template)
        unlink(String(cString: template))
        let data = [UInt8](repeating: 0x41, count: size)
        XCTAssertEqual(write(f, data, size), size)
        fds += [pair[0], pair[1], f]
        return (pair[0], pair[1], f)
    }

    func testFlushSpendsTheFileBudgetAndStops() throws {
        let (writer, _, file) = try setUp(size: 256 << 10)
        var q = OutputQueue()
        q.append(Array("HEAD\r\n\r\n".utf8))
        q.appendFile(fd: dup(file), offset: 0, length: 256 << 10)
        var budget = 64 << 10
        XCTAssertFalse(try q.flush(to: writer, budget: &budget), "a quarter of the file cannot finish it")
        XCTAssertEqual(budget, 0, "the budget is spent")
        XCTAssertEqual(q.file?.remaining, 192 << 10)
        XCTAssertTrue(q.onlyFileLeft, "the head went out first")

        var none = 0
        XCTAssertFalse(try q.flush(to: writer, budget: &none))
        XCTAssertEqual(q.file?.remaining, 192 << 10, "no budget, no file bytes")

        var plenty = 1 << 20
        XCTAssertTrue(try q.flush(to: writer, budget: &plenty))
        XCTAssertEqual(plenty, (1 << 20) - (192 << 10))
        XCTAssertTrue(q.isEmpty)
    }

    /// A cached file's shared descriptor: sent whole without spending the budget (its bytes in
    /// memory were never budgeted either), and let go of, not closed, once sent or discarded.
    func testASharedDescriptorIsNeitherBudgetedNorClosed() throws {
        let (writer, reader, file) = try setUp(size: 100 << 10)
        final class Keeper {}
        var keeper: Keeper? = Keeper()
        weak var held = keeper
        var q = OutputQueue()
        q.append(Array("HEAD\r\n\r\n".utf8))
        q.appendFile(fd: file, offset: 0, length: 100 << 10, keptBy: keeper!)
        keeper = nil
        XCTAssertNotNil(held, "the queue holds the keeper while it sends")
        XCTAssertFalse(q.onlyFileLeft, "nothing waits for the budget")
        var none = 0
        XCTAssertTrue(try q.flush(to: writer, budget: &none), "sent whole with no budget left")
        XCTAssertEqual(none, 0, "nothing spent")
        XCTAssertNil(held, "let go of once sent")
        XCTAssertNotEqual(fcntl(file, F_GETFD), -1, "the descriptor stays open: its owner closes it")
        var got = [UInt8](repeating: 0, count: 200 << 10)
        var total = 0
        while total < 8 + (100 << 10) {
            let n = read(reader, &got[total], got.count - total)
            XCTAssertGreaterThan(n, 0)
            if n <= 0 { break }
            total += n
        }
        XCTAssertEqual(Array(got[0..<8]), Array("HEAD\r\n\r\n".utf8))
        XCTAssertEqual(total, 8 + (100 << 10))

        var other: Keeper? = Keeper()
        weak var dropped = other
        var q2 = OutputQueue()
        q2.appendFile(fd: file, offset: 0, length: 10, keptBy: other!)
        other = nil
        q2.discard()
        XCTAssertNil(dropped, "let go of when the queue is dropped")
        XCTAssertNotEqual(fcntl(file, F_GETFD), -1, "and still not closed")
    }

    func testBytesQueuedBehindTheFileFollowIt() throws {
        let (writer, reader, file) = try setUp(size: 1000)
        var q = OutputQueue()
        q.append(Array("A".utf8))
        q.appendFile(fd: dup(file), offset: 10, length: 5)
        q.append(Array("Z".utf8))
        var budget = 1 << 20
        XCTAssertTrue(try q.flush(to: writer, budget: &budget))
        var got = [UInt8](repeating: 0, count: 64)
        let n = read(reader, &got, got.count)
        XCTAssertEqual(String(decoding: got[0..<max(0, n)], as: UTF8.self), "AAAAAAZ")
    }
}
