import Foundation
import XCTest

@testable import WebservCore

/// UploadSession against a real temp directory: what ends up on disk for each body.
final class UploadSessionTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("upload-unit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private var listing: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }

    private func contents(_ name: String) -> [UInt8] {
        Array((try? Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))) ?? Data())
    }

    private func feed(_ session: UploadSession, _ pieces: [[UInt8]]) throws {
        for piece in pieces {
            try piece.withUnsafeBytes { b in try session.feed(b) }
        }
    }

    private func multipart(_ parts: [(disposition: String, data: [UInt8])], boundary: String = "b0und") -> [UInt8] {
        var body: [UInt8] = Array("preamble\r\n".utf8)
        for part in parts {
            body += Array(
                "--\(boundary)\r\nContent-Disposition: form-data; \(part.disposition)\r\nContent-Type: application/octet-stream\r\n\r\n"
                    .utf8)
            body += part.data
            body += Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return body
    }

    private func random(_ n: Int, seed: UInt64) -> [UInt8] {
        var rng = FeedSplits.SeededRNG(seed: seed)
        return (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    func testRawBodyIsStoredUnderItsSanitisedName() throws {
        let data = random(100_000, seed: 1)
        let s = try UploadSession(directory: dir, kind: .raw(name: "..\\x/report.pdf"), contentType: nil, now: 0)
        try feed(s, FeedSplits.random(data, seed: 3, maxPiece: 9000))
        XCTAssertEqual(try s.finish(), [StoredUpload(name: "report.pdf", size: 100_000)])
        XCTAssertEqual(listing, ["report.pdf"])
        XCTAssertEqual(contents("report.pdf"), data)
    }

    func testRawBodyWithoutANameGetsAGeneratedOne() throws {
        let s = try UploadSession(
            directory: dir, kind: .raw(name: nil), contentType: "text/plain; charset=utf-8", now: 86400 + 3661)
        try feed(s, [Array("hi".utf8)])
        XCTAssertEqual(try s.finish().map(\.name), ["upload-19700102-010101.txt"])
    }

    func testEmptyRawBodyIsAnEmptyFile() throws {
        let s = try UploadSession(directory: dir, kind: .raw(name: "empty"), contentType: nil, now: 0)
        XCTAssertEqual(try s.finish(), [StoredUpload(name: "empty", size: 0)])
        XCTAssertEqual(listing, ["empty"])
    }

    func testTempFileIsHiddenUntilTheBodyCompletes() throws {
        let s = try UploadSession(directory: dir, kind: .raw(name: "a.bin"), contentType: nil, now: 0)
        try feed(s, [[1, 2, 3]])
        XCTAssertEqual(listing.count, 1)
        XCTAssertTrue(listing[0].hasPrefix(".upload-") && listing[0].hasSuffix(".part"), listing[0])
        _ = try s.finish()
        XCTAssertEqual(listing, ["a.bin"])
    }

    func testAbortedRawBodyLeavesNothing() throws {
        let s = try UploadSession(directory: dir, kind: .raw(name: "a.bin"), contentType: nil, now: 0)
        try feed(s, [random(5000, seed: 2)])
        s.abort()
        XCTAssertEqual(listing, [])
    }

    func testExistingNamesAreNeverOverwritten() throws {
        _ = FileManager.default.createFile(atPath: dir + "/a.txt", contents: Data("old".utf8))
        for _ in 0..<2 {
            let s = try UploadSession(directory: dir, kind: .raw(name: "a.txt"), contentType: nil, now: 0)
            try feed(s, [Array("new".utf8)])
            _ = try s.finish()
        }
        XCTAssertEqual(listing, ["a-1.txt", "a-2.txt", "a.txt"])
        XCTAssertEqual(contents("a.txt"), Array("old".utf8))
    }

    func testMultipartStoresEveryFilePartAtEverySplit() throws {
        let one = random(3000, seed: 5) + Array("\r\n--b0un".utf8)  // a near-delimiter inside the data
        let two = random(1000, seed: 6)
        let body = multipart([
            ("name=\"note\"", Array("a plain field".utf8)),
            ("name=\"f\"; filename=\"one.bin\"", one),
            ("name=\"g\"; filename=\"C:\\\\dir\\\\two.bin\"", two),
            ("name=\"h\"; filename=\"one.bin\"", two),
        ])
        for (k, pieces) in FeedSplits.all(body).enumerated() {
            try FileManager.default.contentsOfDirectory(atPath: dir).forEach {
                try FileManager.default.removeItem(atPath: dir + "/" + $0)
            }
            let s = try UploadSession(directory: dir, kind: .multipart(boundary: Array("b0und".utf8)), contentType: nil, now: 0)
            try feed(s, pieces)
            let stored = try s.finish()
            XCTAssertEqual(
                stored,
                [
                    StoredUpload(name: "one.bin", size: one.count), StoredUpload(name: "two.bin", size: two.count),
                    StoredUpload(name: "one-1.bin", size: two.count),
                ], "split \(k)")
            XCTAssertEqual(contents("one.bin"), one, "split \(k)")
            XCTAssertEqual(contents("two.bin"), two, "split \(k)")
            XCTAssertEqual(contents("one-1.bin"), two, "split \(k)")
            XCTAssertEqual(listing, ["one-1.bin", "one.bin", "two.bin"], "split \(k)")
        }
    }

    func testEmptyFileInputIsSkippedButAnEmptyNamedFileIsKept() throws {
        let body = multipart([("name=\"f\"; filename=\"\"", []), ("name=\"g\"; filename=\"zero.txt\"", [])])
        let s = try UploadSession(directory: dir, kind: .multipart(boundary: Array("b0und".utf8)), contentType: nil, now: 0)
        try feed(s, [body])
        XCTAssertEqual(try s.finish(), [StoredUpload(name: "zero.txt", size: 0)])
    }

    func testMultipartWithoutFilesIsRefused() throws {
        let s = try UploadSession(directory: dir, kind: .multipart(boundary: Array("b0und".utf8)), contentType: nil, now: 0)
        try feed(s, [multipart([("name=\"a\"", Array("x".utf8))])])
        XCTAssertThrowsError(try s.finish()) { XCTAssertEqual(($0 as? HandlerError)?.status, 400) }
        XCTAssertEqual(listing, [])
    }

    func testTruncatedMultipartRemovesEvenItsCompletedParts() throws {
        var body = multipart([
            ("name=\"f\"; filename=\"done.bin\"", [1, 2, 3]), ("name=\"g\"; filename=\"cut.bin\"", random(500, seed: 9)),
        ])
        body.removeLast(40)
        let s = try UploadSession(directory: dir, kind: .multipart(boundary: Array("b0und".utf8)), contentType: nil, now: 0)
        try feed(s, [body])
        XCTAssertEqual(listing.filter { !$0.hasPrefix(".") }, ["done.bin"])
        XCTAssertThrowsError(try s.finish()) { XCTAssertEqual(($0 as? HandlerError)?.status, 400) }
        s.abort()
        XCTAssertEqual(listing, [])
    }

    func testMalformedMultipartIsA400() throws {
        let s = try UploadSession(directory: dir, kind: .multipart(boundary: Array("b0und".utf8)), contentType: nil, now: 0)
        let bad = Array("--b0und\r\nno colon here\r\n\r\ndata\r\n--b0und--\r\n".utf8)
        XCTAssertThrowsError(try feed(s, [bad])) { XCTAssertEqual(($0 as? HandlerError)?.status, 400) }
        s.abort()
        XCTAssertEqual(listing, [])
    }

    func testDroppedSessionCleansUpItsTempFile() throws {
        do {
            let s = try UploadSession(directory: dir, kind: .raw(name: "x"), contentType: nil, now: 0)
            try feed(s, [[1]])
        }
        XCTAssertEqual(listing, [])
    }

    func testUnwritableStoreMapsToAStatus() throws {
        XCTAssertThrowsError(try UploadSession(directory: dir + "/missing", kind: .raw(name: "x"), contentType: nil, now: 0)) {
            XCTAssertEqual(($0 as? HandlerError)?.status, 500)
        }
        XCTAssertEqual(UploadFile.error(ENOSPC).status, 507)
        XCTAssertEqual(UploadFile.error(EACCES).status, 403)
    }

    func testCopiesOfOneNameAreNumberedInOrderWithHints() throws {
        let hints = UploadNameHints()
        var names: [String] = []
        for i in 0..<5 {
            let s = try UploadSession(directory: dir, kind: .raw(name: "a.txt"), contentType: nil, now: 0, hints: hints)
            try feed(s, [Array("\(i)".utf8)])
            names += try s.finish().map(\.name)
        }
        XCTAssertEqual(names, ["a.txt", "a-1.txt", "a-2.txt", "a-3.txt", "a-4.txt"])
        XCTAssertEqual(contents("a-4.txt"), Array("4".utf8))
    }

    func testPutReplacesTheFileAndSaysSo() throws {
        for (i, expectReplaced) in [false, true].enumerated() {
            let s = try UploadSession(directory: dir, kind: .raw(name: "p.txt"), contentType: nil, now: 0, replacing: true)
            try feed(s, [Array("v\(i)".utf8)])
            XCTAssertEqual(try s.finish().map(\.name), ["p.txt"])
            XCTAssertEqual(s.replaced, expectReplaced)
        }
        XCTAssertEqual(listing, ["p.txt"])
        XCTAssertEqual(contents("p.txt"), Array("v1".utf8))
        // Aborted: the old file stays, the temp file goes.
        let cut = try UploadSession(directory: dir, kind: .raw(name: "p.txt"), contentType: nil, now: 0, replacing: true)
        try feed(cut, [Array("partial".utf8)])
        cut.abort()
        XCTAssertEqual(listing, ["p.txt"])
        XCTAssertEqual(contents("p.txt"), Array("v1".utf8))
    }
}
