import XCTest

@testable import WebservCore

/// client_max_body_size as BodyReader enforces it for uploads: the sink never sees a byte
/// past the limit, and a chunk announcing too much is refused at its size line.
final class UploadBodyLimitTests: XCTestCase {
    private func run(_ framing: BodyFraming, _ pieces: [[UInt8]], limit: Int) -> (delivered: Int, status: Int?) {
        var reader = BodyReader(framing: framing, limit: limit)
        var delivered = 0
        for piece in pieces {
            do {
                _ = try piece.withUnsafeBytes { p in
                    try reader.feed(p) { (chunk) throws(HandlerError) in delivered += chunk.count }
                }
            } catch {
                return (delivered, (error as? HandlerError)?.status ?? -1)
            }
        }
        return (delivered, nil)
    }

    func testOversizedChunkIsRefusedAtItsSizeLine() {
        let r = run(.chunked, [Array("100000\r\n".utf8)], limit: 1000)
        XCTAssertEqual(r.status, 413)
        XCTAssertEqual(r.delivered, 0)
    }

    func testChunkAnnouncingIntMaxAfterPayloadIsRefusedNotATrap() {
        // The server used to trap here: one request could stop it.
        let r = run(.chunked, [Array("1\r\nx\r\n7fffffffffffffff\r\n".utf8)], limit: 1 << 20)
        XCTAssertEqual(r.status, 413)
        XCTAssertEqual(r.delivered, 1)
    }

    func testManySmallChunksAreRefusedWhenTheirSumPassesTheLimit() {
        let chunk = Array("64\r\n".utf8) + [UInt8](repeating: 7, count: 100) + Array("\r\n".utf8)
        let r = run(.chunked, Array(repeating: chunk, count: 11), limit: 1000)
        XCTAssertEqual(r.status, 413)
        XCTAssertLessThanOrEqual(r.delivered, 1000)
    }

    func testBodyExactlyAtTheLimitPasses() {
        let body = Array("3e8\r\n".utf8) + [UInt8](repeating: 1, count: 1000) + Array("\r\n0\r\n\r\n".utf8)
        let r = run(.chunked, [body], limit: 1000)
        XCTAssertNil(r.status)
        XCTAssertEqual(r.delivered, 1000)
    }

    func testZeroMeansNoLimit() {
        let r = run(.chunked, [Array("100000\r\n".utf8) + [UInt8](repeating: 0, count: 5000)], limit: 0)
        XCTAssertNil(r.status)
        XCTAssertEqual(r.delivered, 5000)
    }

    /// The location's limit replaces the server's once; a later routing (error page, internal
    /// redirect) does not change it again.
    func testTheFirstChosenLimitStays() {
        var reader = BodyReader(framing: .contentLength(10), limit: 1)
        reader.chooseLimit(100)
        reader.chooseLimit(2)
        XCTAssertEqual(reader.limit, 100)
    }
}
