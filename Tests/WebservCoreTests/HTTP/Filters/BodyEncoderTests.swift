import XCTest

@testable import WebservCore

/// The streaming compressors: any way the body is cut, the client decodes the same bytes, and
/// after each flushed piece it has everything sent so far (a slow CGI's output is not held).
final class BodyEncoderTests: XCTestCase {
    let codings: [ContentCoding] = [.gzip, .br]

    func testWholeBodiesRoundTrip() throws {
        for coding in codings {
            for size in [0, 1, 20, 1000, 300_000] {
                let input = sampleText(size)
                let level = coding == .gzip ? 6 : 5
                let compressed = try XCTUnwrap(BodyEncoder.compress(input, coding, level: level))
                XCTAssertEqual(TestDecoder.decode(compressed, coding), input, "\(coding) \(size)")
                if size >= 1000 { XCTAssertLessThan(compressed.count, size / 2, "\(coding) compresses") }
            }
        }
    }

    /// nginx's rule: the window shrinks (and the hash with it) while the body fits in half of it.
    func testZlibMemoryFollowsTheBodyLength() {
        XCTAssertTrue(BodyEncoder.gzipMemory(length: nil) == (15, 8), "unknown length: zlib's defaults")
        XCTAssertTrue(BodyEncoder.gzipMemory(length: 0) == (15, 8))
        XCTAssertTrue(BodyEncoder.gzipMemory(length: 65_536) == (15, 8))
        XCTAssertTrue(BodyEncoder.gzipMemory(length: 16_122) == (15, 8), "2^14 - 262: the full window still")
        XCTAssertTrue(BodyEncoder.gzipMemory(length: 16_121) == (14, 7))
        XCTAssertTrue(BodyEncoder.gzipMemory(length: 1024) == (11, 4))
        XCTAssertTrue(BodyEncoder.gzipMemory(length: 1) == (9, 2), "the smallest window zlib takes")
    }

    /// An encoder given back to the pool is reset and taken again for the same settings only;
    /// its next stream is whole and the same as a fresh encoder's.
    func testPooledEncoderStartsEachBodyAfresh() throws {
        let pool = EncoderPool()
        let first = sampleText(65_536, seed: 3)
        let second = sampleText(40_000, seed: 9)
        let encoder = try XCTUnwrap(pool.take(.gzip, level: 1, length: first.count))
        var out: [UInt8] = []
        first.withUnsafeBytes { encoder.encode($0, flush: false, into: &out) }
        pool.give(encoder)
        XCTAssertFalse(try XCTUnwrap(pool.take(.gzip, level: 1, length: first.count)) === encoder, "unfinished: not kept")
        encoder.finish(into: &out)
        XCTAssertEqual(TestDecoder.decode(out, .gzip), first)
        pool.give(encoder)
        XCTAssertFalse(try XCTUnwrap(pool.take(.gzip, level: 6, length: second.count)) === encoder, "another level")
        XCTAssertFalse(try XCTUnwrap(pool.take(.gzip, level: 1, length: 1000)) === encoder, "another window")
        let again = try XCTUnwrap(pool.take(.gzip, level: 1, length: second.count))
        XCTAssertTrue(again === encoder, "kept and reused")
        var reused: [UInt8] = []
        second.withUnsafeBytes { again.encode($0, flush: false, into: &reused) }
        again.finish(into: &reused)
        XCTAssertEqual(TestDecoder.decode(reused, .gzip), second)
        var fresh: [UInt8] = []
        let new = try XCTUnwrap(BodyEncoder(.gzip, level: 1, length: second.count))
        second.withUnsafeBytes { new.encode($0, flush: false, into: &fresh) }
        new.finish(into: &fresh)
        XCTAssertEqual(reused, fresh, "a reset stream writes what a new one writes")
        let br = try XCTUnwrap(pool.take(.br, level: 4, length: nil))
        br.finish(into: &out)
        pool.give(br)
        XCTAssertFalse(try XCTUnwrap(pool.take(.br, level: 4, length: nil)) === br, "brotli is not reused")
    }

    /// A full pool makes room for the newest encoder: four of one level do not keep out
    /// the level asked for next.
    func testAFullPoolLetsTheOldestGo() throws {
        let pool = EncoderPool()
        func finished(level: Int) throws -> BodyEncoder {
            let e = try XCTUnwrap(BodyEncoder(.gzip, level: level, length: 100_000))
            var out: [UInt8] = []
            e.finish(into: &out)
            return e
        }
        let old = try (0..<EncoderPool.kept).map { _ in try finished(level: 9) }
        for e in old { pool.give(e) }
        let newest = try finished(level: 1)
        pool.give(newest)
        XCTAssertTrue(try XCTUnwrap(pool.take(.gzip, level: 1, length: 100_000)) === newest, "kept though the pool was full")
        let taken = try (1..<EncoderPool.kept).map { _ in try XCTUnwrap(pool.take(.gzip, level: 9, length: 100_000)) }
        XCTAssertTrue(taken.allSatisfy { t in old.dropFirst().contains { $0 === t } }, "the oldest went")
        XCTAssertFalse(try XCTUnwrap(pool.take(.gzip, level: 9, length: 100_000)) === old[0])
    }

    func testEveryLevelRoundTrips() throws {
        let input = sampleText(5000)
        for level in 1...9 {
            XCTAssertEqual(TestDecoder.decode(try XCTUnwrap(BodyEncoder.compress(input, .gzip, level: level)), .gzip), input)
        }
        for level in 0...11 {
            XCTAssertEqual(TestDecoder.decode(try XCTUnwrap(BodyEncoder.compress(input, .br, level: level)), .br), input)
        }
    }

    /// Whole, byte by byte and at random splits, each piece flushed: the decoder has the input
    /// so far after every piece, and the whole after `finish`.
    func testFlushedPiecesDecodeAsTheyArrive() throws {
        let input = sampleText(3000, seed: 7)
        for coding in codings {
            for pieces in FeedSplits.all(input) {
                let encoder = try XCTUnwrap(BodyEncoder(coding, level: 4))
                let decoder = TestDecoder(coding)
                var sent = 0
                for piece in pieces {
                    var out: [UInt8] = []
                    piece.withUnsafeBytes { encoder.encode($0, flush: true, into: &out) }
                    sent += piece.count
                    decoder.feed(out)
                    XCTAssertEqual(decoder.output.count, sent, "\(coding): a flushed piece decodes at once")
                }
                var last: [UInt8] = []
                encoder.finish(into: &last)
                decoder.feed(last)
                XCTAssertTrue(decoder.ended, "\(coding)")
                XCTAssertFalse(decoder.failed, "\(coding)")
                XCTAssertEqual(decoder.output, input, "\(coding)")
            }
        }
    }

    /// File bodies are fed in blocks without flushing: the same bytes come out, and output
    /// never lags by more than the compressor's window.
    func testUnflushedBlocksRoundTripInBoundedSteps() throws {
        let input = sampleText(2 << 20, seed: 3)
        for coding in codings {
            let encoder = try XCTUnwrap(BodyEncoder(coding, level: coding == .gzip ? 1 : 4))
            var compressed: [UInt8] = []
            var offset = 0
            while offset < input.count {
                let end = min(offset + 64 * 1024, input.count)
                var out: [UInt8] = []
                input[offset..<end].withUnsafeBytes { encoder.encode($0, flush: false, into: &out) }
                XCTAssertLessThan(out.count, 1 << 20, "\(coding): one block's output stays small")
                compressed += out
                offset = end
            }
            XCTAssertGreaterThan(compressed.count, 0, "\(coding): output flows before the end")
            encoder.finish(into: &compressed)
            XCTAssertEqual(TestDecoder.decode(compressed, coding), input, "\(coding)")
        }
    }

    func testFinishTwiceAddsNothing() throws {
        let encoder = try XCTUnwrap(BodyEncoder(.gzip, level: 1))
        var out: [UInt8] = []
        encoder.finish(into: &out)
        let count = out.count
        encoder.finish(into: &out)
        XCTAssertEqual(out.count, count)
        XCTAssertEqual(TestDecoder.decode(out, .gzip), [])
    }

    func testZstdIsOnlyServedPrecompressed() {
        XCTAssertNil(BodyEncoder(.zstd, level: 3))
    }
}
