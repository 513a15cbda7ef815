import XCTest

@testable import WebservCore

final class ChunkedDecoderTests: XCTestCase {
    /// Feeds `pieces` in order as a connection would: unconsumed bytes stay for the next request.
    private func decode(
        _ pieces: [[UInt8]], decoder: inout ChunkedDecoder
    ) throws -> (payload: [UInt8], finished: Bool, leftover: [UInt8]) {
        var payload: [UInt8] = []
        var leftover: [UInt8] = []
        var finished = false
        for piece in pieces {
            if finished { leftover += piece; continue }
            let result = try piece.withUnsafeBytes { buf in
                try decoder.decode(buf) { payload += $0 }
            }
            finished = result.finished
            leftover += piece[result.consumed...]
            if !finished { XCTAssertEqual(result.consumed, piece.count, "an unfinished decoder consumes all") }
        }
        return (payload, finished, leftover)
    }

    private func decode(_ text: String) throws -> (payload: String, finished: Bool, leftover: String) {
        var decoder = ChunkedDecoder()
        let r = try decode([Array(text.utf8)], decoder: &decoder)
        return (String(decoding: r.payload, as: UTF8.self), r.finished, String(decoding: r.leftover, as: UTF8.self))
    }

    private func assertThrows(_ text: String, _ expected: ChunkedError, line: UInt = #line) {
        for pieces in FeedSplits.all(Array(text.utf8)) {
            var decoder = ChunkedDecoder(maxChunkLineLength: 64, maxTrailerBytes: 64)
            XCTAssertThrowsError(try decode(pieces, decoder: &decoder), line: line) {
                XCTAssertEqual($0 as? ChunkedError, expected, line: line)
            }
        }
    }

    private let sample = Array(
        ("4\r\nWiki\r\n" + "5;ext=1;q=\"a;b\\\"c\"\r\npedia\r\n" + "E\r\n in\r\n\r\nchunks.\r\n"
            + "0\r\nExpires: never\r\nX-Trailer: 1\r\n\r\n" + "GET /next HTTP/1.1\r\n").utf8)

    func testDecodesIdenticallyWholeByteByByteAndAtRandomSplits() throws {
        for pieces in FeedSplits.all(sample) {
            var decoder = ChunkedDecoder()
            let r = try decode(pieces, decoder: &decoder)
            XCTAssertEqual(String(decoding: r.payload, as: UTF8.self), "Wikipedia in\r\n\r\nchunks.")
            XCTAssertTrue(r.finished)
            XCTAssertEqual(String(decoding: r.leftover, as: UTF8.self), "GET /next HTTP/1.1\r\n")
            XCTAssertEqual(decoder.totalPayload, 23)
        }
    }

    func testHandsOutPayloadAsSubBuffersOfTheInput() throws {
        let input = Array("a\r\n0123456789\r\n0\r\n\r\n".utf8)
        var decoder = ChunkedDecoder()
        try input.withUnsafeBytes { buf in
            var runs: [UnsafeRawBufferPointer] = []
            let r = try decoder.decode(buf) { runs.append($0) }
            XCTAssertEqual(r.consumed, input.count)
            XCTAssertEqual(runs.count, 1)
            XCTAssertEqual(runs[0].baseAddress, buf.baseAddress! + 3, "payload is not copied")
            XCTAssertEqual(runs[0].count, 10)
        }
    }

    func testStopsAtTheEndAndLeavesPipelinedBytes() throws {
        let r = try decode("0\r\n\r\nGET / HTTP/1.1\r\n")
        XCTAssertTrue(r.finished)
        XCTAssertEqual(r.payload, "")
        XCTAssertEqual(r.leftover, "GET / HTTP/1.1\r\n")
    }

    func testAcceptsUpperAndLowerCaseHexAndLeadingZeros() throws {
        let body = String(repeating: "x", count: 0xAb)
        XCTAssertEqual(try decode("aB\r\n\(body)\r\n000\r\n\r\n").payload, body)
        XCTAssertEqual(try decode("00001\r\nz\r\n0\r\n\r\n").payload, "z")
    }

    func testAcceptsBareLFLineEnds() throws {
        let r = try decode("3\nabc\n3;x\r\ndef\r\n0\nTrailer: y\n\n")
        XCTAssertEqual(r.payload, "abcdef")
        XCTAssertTrue(r.finished)
    }

    func testAcceptsWhitespaceBeforeAnExtensionOrLineEnd() throws {
        XCTAssertEqual(try decode("3 ;a=b\r\nabc\r\n3\t \r\ndef\r\n0\r\n\r\n").payload, "abcdef")
    }

    func testSkipsTrailersUntilTheEmptyLine() throws {
        let r = try decode("1\r\na\r\n0\r\nA: 1\r\nB: 2\r\n")
        XCTAssertFalse(r.finished)
        XCTAssertEqual(try decode("1\r\na\r\n0\r\nA: 1\r\nB: 2\r\n\r\n").finished, true)
    }

    func testRefusesHostileSizes() {
        assertThrows("ffffffffffffffffff\r\n", .sizeOverflow)
        assertThrows("8000000000000000\r\n", .sizeOverflow)
        assertThrows("-5\r\nhello\r\n0\r\n\r\n", .invalidChunkSize)
        assertThrows("\r\n", .invalidChunkSize)
        assertThrows("\n", .invalidChunkSize)
        assertThrows(";ext\r\n", .invalidChunkSize)
        assertThrows(" 5\r\nhello\r\n", .invalidChunkSize)
        assertThrows("5 5\r\nhello\r\n", .invalidChunkSize)
        assertThrows("0x5\r\nhello\r\n", .invalidChunkSize)
        assertThrows("5g\r\n", .invalidChunkSize)
        assertThrows("+5\r\n", .invalidChunkSize)
    }

    func testTheLargestSizeIsReadThenWaitsForData() throws {
        var decoder = ChunkedDecoder()
        let r = try decode([Array("7fffffffffffffff\r\nabc".utf8)], decoder: &decoder)
        XCTAssertEqual(r.payload, Array("abc".utf8))
        XCTAssertFalse(r.finished)
        XCTAssertEqual(decoder.announcedPayload, Int.max)
    }

    /// Found by fuzz/targets/chunked.swift: a size line announcing Int.max after some payload
    /// made `announcedPayload` overflow and trap, and BodyReader reads it after every chunk.
    func testAnnouncedPayloadSaturatesWhenALargeChunkFollowsPayload() throws {
        var decoder = ChunkedDecoder()
        let r = try decode([Array("1\r\nx\r\n7fffffffffffffff\r\n".utf8)], decoder: &decoder)
        XCTAssertEqual(r.payload, Array("x".utf8))
        XCTAssertEqual(decoder.totalPayload, 1)
        XCTAssertEqual(decoder.announcedPayload, Int.max)
    }

    func testRefusesDataNotFollowedByALineEnd() {
        assertThrows("5\r\nhelloX\r\n0\r\n\r\n", .missingCRLF)
        assertThrows("5\r\nhello\rX", .missingCRLF)
        assertThrows("5\r\nhello world\r\n", .missingCRLF)
        assertThrows("5\rX", .missingCRLF)
        assertThrows("0\r\n\rX", .missingCRLF)
    }

    func testRefusesControlCharactersInExtensions() {
        assertThrows("5;a=\"b\rc\"\r\n", .invalidExtension)
        assertThrows("5;a\u{0}\r\n", .invalidExtension)
    }

    func testLimitsSizeLinesAndTrailers() {
        assertThrows("5;" + String(repeating: "e", count: 100) + "\r\n", .lineTooLong)
        assertThrows(String(repeating: "0", count: 100) + "\r\n", .lineTooLong)
        assertThrows("0\r\n" + String(repeating: "X: y\r\n", count: 20) + "\r\n", .trailerTooLarge)
    }

    func testEveryTruncatedPrefixWaitsWithoutErrorOrEnd() throws {
        let end = sample.count - "GET /next HTTP/1.1\r\n".utf8.count
        for cut in 0..<end {
            var decoder = ChunkedDecoder()
            let r = try decode([Array(sample[..<cut])], decoder: &decoder)
            XCTAssertFalse(r.finished, "prefix of \(cut) bytes")
            XCTAssertFalse(decoder.isFinished)
        }
    }

    func testPropagatesTheSinksError() {
        struct DiskFull: Error {}
        var decoder = ChunkedDecoder()
        XCTAssertThrowsError(
            try Array("3\r\nabc\r\n0\r\n\r\n".utf8).withUnsafeBytes { buf in
                try decoder.decode(buf) { _ in throw DiskFull() }
            }
        ) { XCTAssertTrue($0 is DiskFull) }
    }

    func testCountsPayloadMidStreamForBodySizeLimits() throws {
        var decoder = ChunkedDecoder()
        _ = try Array("10\r\n01234567".utf8).withUnsafeBytes { try decoder.decode($0) { _ in } }
        XCTAssertEqual(decoder.totalPayload, 8)
        XCTAssertEqual(decoder.announcedPayload, 16)
    }

    func testConsumesNothingOnceFinished() throws {
        var decoder = ChunkedDecoder()
        _ = try Array("0\r\n\r\n".utf8).withUnsafeBytes { try decoder.decode($0) { _ in } }
        let r = try Array("1\r\na".utf8).withUnsafeBytes { try decoder.decode($0) { _ in XCTFail() } }
        XCTAssertEqual(r.consumed, 0)
        XCTAssertTrue(r.finished)
    }

    func testMapsEveryErrorTo400() {
        let all: [ChunkedError] = [
            .invalidChunkSize, .sizeOverflow, .missingCRLF, .lineTooLong, .invalidExtension, .trailerTooLarge,
        ]
        XCTAssertTrue(all.allSatisfy { $0.status == 400 })
    }
}
