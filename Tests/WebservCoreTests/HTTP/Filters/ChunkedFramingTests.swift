import XCTest

@testable import WebservCore

/// The framing step's chunks read back by the request-side chunked decoder, however the
/// body was cut into chunks and however the framed bytes arrive.
final class ChunkedFramingTests: XCTestCase {
    func testChunkBytes() {
        XCTAssertEqual(String(decoding: ChunkedFraming.chunk(Array("hello".utf8)), as: UTF8.self), "5\r\nhello\r\n")
        XCTAssertEqual(ChunkedFraming.chunk([UInt8](repeating: 0x41, count: 255)).prefix(4), Array("ff\r\n".utf8)[...])
        XCTAssertEqual(ChunkedFraming.chunk([]), [], "an empty chunk would end the body")
        XCTAssertEqual(String(decoding: ChunkedFraming.lastChunk, as: UTF8.self), "0\r\n\r\n")
    }

    func testFramedBodiesDecode() throws {
        let body = sampleText(2000, seed: 11)
        for chunks in FeedSplits.all(body) {
            let framed = chunks.flatMap { ChunkedFraming.chunk($0) } + ChunkedFraming.lastChunk
            for reads in [FeedSplits.whole(framed), FeedSplits.random(framed, seed: UInt64(chunks.count))] {
                var decoder = ChunkedDecoder()
                var payload: [UInt8] = []
                var finished = false
                for read in reads where !finished {
                    let result = try read.withUnsafeBytes { try decoder.decode($0) { payload += $0 } }
                    finished = result.finished
                }
                XCTAssertTrue(finished)
                XCTAssertEqual(payload, body)
            }
        }
    }
}
