import XCTest

@testable import WebservCore

final class PathNormalizerShortcutTests: XCTestCase {
    private func normalize(_ s: String) -> [UInt8]? { try? PathNormalizer.normalize(Array(s.utf8)[...]) }

    func testExamples() {
        XCTAssertEqual(normalize("/"), Array("/".utf8))
        XCTAssertEqual(normalize("/a/b.html"), Array("/a/b.html".utf8))
        XCTAssertEqual(normalize("/a/./b/../c"), Array("/a/c".utf8))
        XCTAssertEqual(normalize("/a//b"), Array("/a/b".utf8))
        XCTAssertEqual(normalize("/%61%2e%2E/b"), Array("/a../b".utf8))
        XCTAssertEqual(normalize("/a/%2e%2E/b"), Array("/b".utf8))
        XCTAssertEqual(normalize("/a/b/.."), Array("/a/".utf8))
        XCTAssertEqual(normalize("/a/.."), Array("/".utf8))
        XCTAssertEqual(normalize("/a/b/../../c"), Array("/c".utf8))
        XCTAssertEqual(normalize("/.hidden/x."), Array("/.hidden/x.".utf8))
        XCTAssertNil(normalize("/.."))
        XCTAssertNil(normalize("/a/%00"))
        XCTAssertNil(normalize("a"))
    }

    /// The shortcut for paths already in normal form answers exactly as the full pass.
    func testShortcutAgreesWithFullPass() {
        let pieces = ["/", "a", ".", "..", "%2e", "%2F", "b.c", "//", "%", "x."]
        var paths: [String] = []
        for a in pieces { for b in pieces { for c in pieces { paths.append("/" + a + b + c) } } }
        for path in paths {
            let raw = Array(path.utf8)[...]
            let fast = Result { () throws(PathNormalizer.Failure) in try PathNormalizer.normalize(raw) }
            let full = Result { () throws(PathNormalizer.Failure) in try PathNormalizer.resolve(raw) }
            XCTAssertEqual(try? fast.get(), try? full.get(), path)
            if PathNormalizer.isNormal(raw) { XCTAssertEqual(try? full.get(), Array(raw), path) }
        }
    }
}
