import XCTest

@testable import WebservCore

#if canImport(Glibc)
    import Glibc
#endif

/// OutputQueue's shared chunks (a broadcast frame referenced by many queues, not copied), its
/// byte accounting, and compaction while a slow reader takes its bytes.
final class OutputQueueSharingTests: XCTestCase {
    var fds: [Int32] = []

    override func tearDown() {
        for fd in fds { close(fd) }
        fds = []
    }

    /// A non-blocking socket pair with small buffers, so a reader can be slow.
    func pair(buffer: Int32 = 4 << 20) -> (writer: Int32, reader: Int32) {
        var p: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &p), 0)
        var size = buffer
        setsockopt(p[0], SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(p[1], SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        _ = fcntl(p[0], F_SETFL, O_NONBLOCK)
        _ = fcntl(p[1], F_SETFL, O_NONBLOCK)
        fds += [p[0], p[1]]
        return (p[0], p[1])
    }

    func readAll(_ fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { return out }
            out += chunk[0..<n]
        }
    }

    func testSharedChunkIsReferencedByEveryQueueNotCopied() {
        let frame = [UInt8](repeating: 0x42, count: 64 << 10)
        var queues = [OutputQueue](repeating: OutputQueue(), count: 150)
        for i in queues.indices { queues[i].appendShared(frame) }
        let storage = frame.withUnsafeBufferPointer { $0.baseAddress }
        for q in queues {
            XCTAssertEqual(q.chunkCount, 1)
            XCTAssertEqual(q.pendingBytes, 64 << 10)
            XCTAssertEqual(q.queuedChunks.first?.withUnsafeBufferPointer { $0.baseAddress }, storage, "a copy was made")
        }
        XCTAssertTrue(queues.allSatisfy { $0.buffer.isEmpty })
    }

    func testSmallFramesAreCopiedIntoTheBuffer() {
        var q = OutputQueue()
        q.appendShared(Array("tiny".utf8))
        XCTAssertEqual(q.chunkCount, 0)
        XCTAssertEqual(q.buffer, Array("tiny".utf8))
        XCTAssertEqual(q.pendingBytes, 4)
    }

    func testOrderIsKeptAcrossBufferedBytesAndChunks() throws {
        let (writer, reader) = pair()
        var q = OutputQueue()
        let a = [UInt8](repeating: 0x61, count: 2000)
        let b = [UInt8](repeating: 0x62, count: 3000)
        q.append(Array("head".utf8))
        q.appendShared(a)
        q.append(Array("mid".utf8))
        q.appendShared(b)
        q.append(Array("tail".utf8))
        XCTAssertEqual(q.pendingBytes, 4 + 2000 + 3 + 3000 + 4)
        var budget = 1 << 20
        XCTAssertTrue(try q.flush(to: writer, budget: &budget))
        XCTAssertTrue(q.isEmpty)
        XCTAssertEqual(q.pendingBytes, 0)
        XCTAssertEqual(q.chunkCount, 0)
        XCTAssertEqual(readAll(reader), Array("head".utf8) + a + Array("mid".utf8) + b + Array("tail".utf8))
    }

    func testSentChunksAreReleasedAsTheyGoAndAccountingFollows() throws {
        let (writer, reader) = pair(buffer: 64 << 10)
        var q = OutputQueue()
        var frames: [[UInt8]] = []
        for i in 0..<40 { frames.append([UInt8](repeating: UInt8(i), count: 32 << 10)) }
        for f in frames { q.appendShared(f) }
        XCTAssertEqual(q.pendingBytes, 40 * (32 << 10))
        var received: [UInt8] = []
        var budget = 1 << 20
        var rounds = 0
        var lastChunks = q.chunkCount
        while !(try q.flush(to: writer, budget: &budget)) {
            rounds += 1
            XCTAssertLessThan(rounds, 10_000)
            // A unix socket's sent bytes are readable at once: what the queue counts is exactly
            // what has not been sent, and sent chunks have left it.
            received += readAll(reader)
            XCTAssertEqual(q.pendingBytes, 40 * (32 << 10) - received.count)
            XCTAssertLessThanOrEqual(q.chunkCount, lastChunks)
            XCTAssertEqual(q.chunkCount, (q.pendingBytes + (32 << 10) - 1) / (32 << 10))
            lastChunks = q.chunkCount
        }
        received += readAll(reader)
        XCTAssertEqual(received, frames.flatMap { $0 })
        XCTAssertEqual(q.chunkCount, 0)
        XCTAssertTrue(q.isEmpty)
    }

    func testSlowReaderCompactsTheBufferWhileSending() throws {
        let (writer, reader) = pair(buffer: 32 << 10)
        var q = OutputQueue()
        let total = 1 << 20
        q.append([UInt8](repeating: 0x7A, count: total))
        var budget = 1 << 20
        var received = 0
        while !(try q.flush(to: writer, budget: &budget)) {
            received += readAll(reader).count
            // What has gone is not held until everything has: at most twice what waits, and
            // never less than the compaction threshold.
            XCTAssertLessThanOrEqual(q.buffer.count, max(2 * q.pendingBytes, q.pendingBytes + OutputQueue.compactThreshold))
        }
        received += readAll(reader).count
        XCTAssertEqual(received, total)
        XCTAssertEqual(q.pendingBytes, 0)
        XCTAssertEqual(q.buffer.capacity, 0, "a drained buffer past the kept capacity is freed")
    }

    func testDiscardDropsChunks() {
        var q = OutputQueue()
        q.appendShared([UInt8](repeating: 1, count: 4096))
        q.append([1, 2, 3])
        q.discard()
        XCTAssertTrue(q.isEmpty)
        XCTAssertEqual(q.pendingBytes, 0)
        XCTAssertEqual(q.chunkCount, 0)
    }
}
