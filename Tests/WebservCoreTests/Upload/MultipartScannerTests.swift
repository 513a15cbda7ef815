import XCTest

@testable import WebservCore

final class MultipartScannerTests: XCTestCase {
    /// A scanner's events with data runs merged, so outputs from different splits compare equal.
    private struct Part: Equatable {
        var headers: MultipartPartHeaders
        var data: [UInt8] = []
        var ended = false
    }

    private struct Outcome: Equatable {
        var parts: [Part] = []
        var sawEnd = false
    }

    private func scan(
        _ pieces: [[UInt8]], boundary: String = "XyZ", maxHeaderBytes: Int = 16384
    ) throws -> Outcome {
        var scanner = MultipartScanner(boundary: Array(boundary.utf8), maxHeaderBytes: maxHeaderBytes)
        var out = Outcome()
        for piece in pieces {
            try piece.withUnsafeBytes { buf in
                try scanner.feed(buf) { event in
                    XCTAssertFalse(out.sawEnd, "no event after .end")
                    switch event {
                    case .partBegin(let h):
                        XCTAssertTrue(out.parts.last?.ended ?? true, "parts do not overlap")
                        out.parts.append(Part(headers: h))
                    case .partData(let d):
                        XCTAssertFalse(d.isEmpty, "no empty data events")
                        out.parts[out.parts.count - 1].data += d
                    case .partEnd:
                        out.parts[out.parts.count - 1].ended = true
                    case .end:
                        out.sawEnd = true
                    }
                }
            }
        }
        if out.sawEnd { XCTAssertNoThrow(try scanner.finish()) }
        XCTAssertEqual(scanner.isFinished, out.sawEnd)
        return out
    }

    private func scan(_ text: String, boundary: String = "XyZ") throws -> Outcome {
        try scan([Array(text.utf8)], boundary: boundary)
    }

    /// Binary data laced with everything that looks almost like a delimiter.
    private let binary: [UInt8] =
        Array("\r\n--\r\n--X\r\n--Xy\r--XyZ\n--XyZ\r\n-XyZ--XyZ--".utf8)
        + (0...255).map { UInt8($0) } + Array("\r\n--Xy".utf8) + [13, 13, 10, 13]

    private var threeParts: [UInt8] {
        Array(
            ("preamble, ignored\r\n--XyZ\r\n"
                + "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
                + "hello\r\nworld\r\n--XyZ\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").utf8) + binary
            + Array(
                ("\r\n--XyZ  \t\r\n"
                    + "content-disposition: form-data; name=\"empty\"; filename=\"\"\r\n\r\n"
                    + "\r\n--XyZ--\r\nepilogue, ignored\r\n--XyZ\r\n").utf8)
    }

    private var expectedThreeParts: Outcome {
        Outcome(
            parts: [
                Part(headers: MultipartPartHeaders(name: "title"), data: Array("hello\r\nworld".utf8), ended: true),
                Part(
                    headers: MultipartPartHeaders(name: "file", fileName: "a.bin", contentType: "application/octet-stream"),
                    data: binary, ended: true),
                Part(headers: MultipartPartHeaders(name: "empty", fileName: ""), data: [], ended: true),
            ], sawEnd: true)
    }

    func testScansIdenticallyWholeByteByByteAndAtRandomSplits() throws {
        for pieces in FeedSplits.all(threeParts) {
            XCTAssertEqual(try scan(pieces), expectedThreeParts)
        }
    }

    func testFindsTheDelimiterSplitAcrossReadsAtEveryOffset() throws {
        for pieces in FeedSplits.twoPieces(threeParts) {
            XCTAssertEqual(try scan(pieces), expectedThreeParts)
        }
    }

    func testHandsOutDataAsSlicesOfTheInput() throws {
        let body = Array("--b\r\n\r\n0123456789\r\n--b--".utf8)
        var scanner = MultipartScanner(boundary: Array("b".utf8))
        try body.withUnsafeBytes { buf in
            try scanner.feed(buf) { event in
                if case .partData(let d) = event {
                    XCTAssertEqual(d.baseAddress, buf.baseAddress! + 7)
                    XCTAssertEqual(d.count, 10)
                }
            }
        }
        XCTAssertTrue(scanner.isFinished)
    }

    func testAcceptsAPartWithoutHeadersAndAnEmptyBody() throws {
        let out = try scan("--XyZ\r\n\r\ndata\r\n--XyZ\r\n\r\n\r\n--XyZ--")
        XCTAssertEqual(
            out.parts,
            [
                Part(headers: MultipartPartHeaders(), data: Array("data".utf8), ended: true),
                Part(headers: MultipartPartHeaders(), data: [], ended: true),
            ])
        XCTAssertTrue(out.sawEnd)
    }

    func testKeepsDashesAndBoundaryTextWithoutTheLeadingCRLF() throws {
        let out = try scan("--XyZ\r\n\r\n--XyZ --XyZ-- a--XyZ\n--XyZ\r\n--XyZ--")
        XCTAssertEqual(out.parts.map(\.data), [Array("--XyZ --XyZ-- a--XyZ\n--XyZ".utf8)])
    }

    func testAcceptsLFOnlyLinesAroundHeaders() throws {
        let out = try scan("--XyZ\nContent-Disposition: form-data; name=a\n\nv\r\n--XyZ--")
        XCTAssertEqual(out.parts, [Part(headers: MultipartPartHeaders(name: "a"), data: [118], ended: true)])
    }

    func testIgnoresEverythingAfterTheCloseDelimiter() throws {
        let out = try scan("--XyZ\r\n\r\nx\r\n--XyZ--garbage\r\n--XyZ\r\n\r\nmore")
        XCTAssertEqual(out.parts.count, 1)
        XCTAssertTrue(out.sawEnd)
    }

    func testRefusesTextGluedToTheBoundary() {
        XCTAssertThrowsError(try scan("--XyZ\r\n\r\nx\r\n--XyZW\r\n\r\n")) {
            XCTAssertEqual($0 as? MultipartError, .malformedBoundaryLine)
        }
        XCTAssertThrowsError(try scan("--XyZ-x")) { XCTAssertEqual($0 as? MultipartError, .malformedBoundaryLine) }
        XCTAssertThrowsError(try scan("--XyZ \r\r\n")) { XCTAssertEqual($0 as? MultipartError, .malformedBoundaryLine) }
    }

    func testRefusesHeaderSectionsOverTheLimit() {
        let long = "--XyZ\r\nX-Long: " + String(repeating: "a", count: 200) + "\r\n\r\n"
        for pieces in FeedSplits.all(Array(long.utf8)) {
            XCTAssertThrowsError(try scan(pieces, maxHeaderBytes: 100)) {
                XCTAssertEqual($0 as? MultipartError, .headerTooLarge)
            }
        }
    }

    func testRefusesAHeaderLineWithoutAColon() {
        XCTAssertThrowsError(try scan("--XyZ\r\nnonsense\r\n\r\n")) {
            XCTAssertEqual($0 as? MultipartError, .malformedHeader)
        }
    }

    func testABodyCutShortFailsToFinishAtEveryPrefix() throws {
        let body = threeParts
        let closeEnd = body.count - "\r\nepilogue, ignored\r\n--XyZ\r\n".utf8.count
        for cut in 0..<closeEnd {
            var scanner = MultipartScanner(boundary: Array("XyZ".utf8))
            try Array(body[..<cut]).withUnsafeBytes { try scanner.feed($0) { _ in } }
            XCTAssertThrowsError(try scanner.finish(), "cut at \(cut)") {
                XCTAssertEqual($0 as? MultipartError, .truncated)
            }
        }
    }

    func testAnEmptyBodyIsTruncated() {
        let scanner = MultipartScanner(boundary: Array("XyZ".utf8))
        XCTAssertThrowsError(try scanner.finish())
    }

    func testRefusesAnUnusableBoundary() {
        var scanner = MultipartScanner(boundary: Array("a\r\nb".utf8))
        XCTAssertThrowsError(try [UInt8](repeating: 0, count: 4).withUnsafeBytes { try scanner.feed($0) { _ in } }) {
            XCTAssertEqual($0 as? MultipartError, .invalidBoundary)
        }
    }

    func testPropagatesTheSinksError() {
        struct DiskFull: Error {}
        var scanner = MultipartScanner(boundary: Array("b".utf8))
        XCTAssertThrowsError(
            try Array("--b\r\n\r\nxx".utf8).withUnsafeBytes { buf in
                try scanner.feed(buf) { if case .partData = $0 { throw DiskFull() } }
            }
        ) { XCTAssertTrue($0 is DiskFull) }
    }

    func testReadsFileNamesQuotedEscapedAndExtended() throws {
        func headers(_ disposition: String) throws -> MultipartPartHeaders? {
            try scan("--XyZ\r\nContent-Disposition: \(disposition)\r\n\r\n\r\n--XyZ--").parts.first?.headers
        }
        XCTAssertEqual(try headers("form-data; name=\"f\"; filename=\"C:\\dir\\a.txt\"")?.fileName, "C:\\dir\\a.txt")
        XCTAssertEqual(try headers("form-data; name=\"f\"; filename=\"say \\\"hi\\\".txt\"")?.fileName, "say \"hi\".txt")
        XCTAssertEqual(try headers("form-data; name=\"a;b\"; filename=x.txt")?.name, "a;b")
        XCTAssertEqual(
            try headers("form-data; NAME=f; FILENAME=\"plain.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt")?.fileName,
            "€ rates.txt")
        XCTAssertEqual(try headers("form-data; name=f")?.fileName, nil)
    }

    func testExtractsTheBoundaryFromTheContentType() {
        func boundary(_ s: String) -> String? {
            MultipartScanner.boundary(fromContentType: ArraySlice(s.utf8)).map { String(decoding: $0, as: UTF8.self) }
        }
        XCTAssertEqual(boundary("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxk"), "----WebKitFormBoundary7MA4YWxk")
        XCTAssertEqual(boundary("Multipart/Form-Data;BOUNDARY=\"a b:c?\""), "a b:c?")
        XCTAssertEqual(boundary("multipart/form-data; charset=utf-8; boundary=abc ; x=y"), "abc")
        XCTAssertEqual(
            boundary("multipart/mixed; boundary=" + String(repeating: "b", count: 70)), String(repeating: "b", count: 70))
        XCTAssertNil(boundary("multipart/form-data; boundary=" + String(repeating: "b", count: 71)))
        XCTAssertNil(boundary("multipart/form-data; boundary=\"\""))
        XCTAssertNil(boundary("multipart/form-data; boundary=\"ends in space \""))
        XCTAssertNil(boundary("multipart/form-data; boundary=\"a\\\"b\""))
        XCTAssertNil(boundary("multipart/form-data"))
        XCTAssertNil(boundary("text/plain; boundary=abc"))
        XCTAssertNil(boundary("multipart/form-data; boundary=a\u{1}b"))
    }
}
