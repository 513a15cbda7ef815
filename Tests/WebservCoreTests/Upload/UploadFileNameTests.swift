import XCTest

@testable import WebservCore

final class UploadFileNameTests: XCTestCase {
    func testStripsUnixAndWindowsPaths() {
        XCTAssertEqual(UploadFileName.sanitize("../../etc/passwd"), "passwd")
        XCTAssertEqual(UploadFileName.sanitize("C:\\Users\\me\\report.pdf"), "report.pdf")
        XCTAssertEqual(UploadFileName.sanitize("/abs/dir\\mixed/name.txt"), "name.txt")
        XCTAssertEqual(UploadFileName.sanitize("plain.txt"), "plain.txt")
    }

    func testDropsControlCharacters() {
        XCTAssertEqual(UploadFileName.sanitize("a\u{0}b\u{1F}c\u{7F}d\r\n.txt"), "abcd.txt")
        XCTAssertEqual(UploadFileName.sanitize("tab\there"), "tabhere")
    }

    func testKeepsNonASCIINames() {
        XCTAssertEqual(UploadFileName.sanitize("résumé €.txt"), "résumé €.txt")
    }

    func testRejectsNamesThatNameNothing() {
        for raw in ["", ".", "..", "dir/", "dir/..", "C:\\dir\\.", "\u{0}\u{1}", "  ", " .. "] {
            XCTAssertNil(UploadFileName.sanitize(raw), raw.debugDescription)
        }
        XCTAssertEqual(UploadFileName.sanitize("..."), "...")
        XCTAssertEqual(UploadFileName.sanitize(".hidden"), ".hidden")
    }

    func testLimitsLengthKeepingTheExtension() throws {
        let name = try XCTUnwrap(UploadFileName.sanitize(String(repeating: "a", count: 500) + ".tar.gz"))
        XCTAssertEqual(name.utf8.count, 200)
        XCTAssertTrue(name.hasSuffix("a.gz"))
        // Multi-byte characters are never cut in half.
        let euro = try XCTUnwrap(UploadFileName.sanitize(String(repeating: "€", count: 100) + ".txt"))
        XCTAssertLessThanOrEqual(euro.utf8.count, 200)
        XCTAssertTrue(euro.hasSuffix("€.txt"))
        // An over-long "extension" is not kept whole.
        let dotted = try XCTUnwrap(UploadFileName.sanitize("a." + String(repeating: "x", count: 300)))
        XCTAssertEqual(dotted.utf8.count, 200)
    }

    func testUniqueNeverReusesAnExistingName() {
        var taken: Set<String> = ["a.txt", "a-1.txt", "a-2.txt", "noext", ".profile"]
        XCTAssertEqual(UploadFileName.unique("b.txt") { taken.contains($0) }, "b.txt")
        XCTAssertEqual(UploadFileName.unique("a.txt") { taken.contains($0) }, "a-3.txt")
        XCTAssertEqual(UploadFileName.unique("noext") { taken.contains($0) }, "noext-1")
        XCTAssertEqual(UploadFileName.unique(".profile") { taken.contains($0) }, ".profile-1")
        taken.insert("x.tar.gz")
        XCTAssertEqual(UploadFileName.unique("x.tar.gz") { taken.contains($0) }, "x.tar-1.gz")
    }

    /// Issue 12: the 3,000th copy of a name must not probe 3,000 names.
    func testChoosingAFreeNameTakesFewProbesForTheThousandthCopy() {
        let taken: Set<String> = Set(["a.txt"] + (1..<3000).map { "a-\($0).txt" })
        var probes = 0
        let cold = UploadFileName.unique("a.txt", after: 0) {
            probes += 1
            return taken.contains($0)
        }
        XCTAssertEqual(cold.name, "a-3000.txt")
        XCTAssertEqual(cold.suffix, 3000)
        XCTAssertLessThanOrEqual(probes, 2 * 12 + 2, "no hint: about 2·log2(3000) probes")
        probes = 0
        let warm = UploadFileName.unique("a.txt", after: 2999) {
            probes += 1
            return taken.contains($0)
        }
        XCTAssertEqual(warm.name, "a-3000.txt")
        XCTAssertEqual(probes, 2, "from the hint: the name, then the next suffix")
    }

    func testAStaleHintOrAGapStillGivesAFreeName() {
        let taken: Set<String> = ["a.txt", "a-1.txt", "a-3.txt", "a-4.txt", "a-9.txt"]
        for hint in [0, 1, 2, 3, 8, 50] {
            let chosen = UploadFileName.unique("a.txt", after: hint) { taken.contains($0) }.name
            XCTAssertFalse(taken.contains(chosen), "hint \(hint): \(chosen)")
        }
    }
}
