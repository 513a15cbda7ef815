import XCTest

@testable import WebservCore

/// One pass of percent-decoding and dot-segment removal that never climbs above "/".
final class PathNormalizerTests: XCTestCase {
    private func normalize(_ s: String) -> Result<String, PathNormalizer.Failure> {
        do {
            return .success(String(decoding: try PathNormalizer.normalize(Array(s.utf8)[...]), as: UTF8.self))
        } catch {
            return .failure(error)
        }
    }

    func testPlainPathsAreUnchanged() {
        for p in ["/", "/a", "/a/b.html", "/a/", "/a./b", "/..a", "/a..", "/.hidden", "/a/...", "/a-b_c~d"] {
            XCTAssertEqual(normalize(p), .success(p), p)
        }
    }

    func testDotSegmentsAreResolved() {
        let rows: [(String, String)] = [
            ("/a/../b", "/b"),
            ("/a/b/../c", "/a/c"),
            ("/a/b/../../c", "/c"),
            ("/a/./b", "/a/b"),
            ("/./a", "/a"),
            ("/a/.", "/a/"),
            ("/a/..", "/"),
            ("/a/b/..", "/a/"),
            ("/a/b/../", "/a/"),
            ("/.", "/"),
            ("/a/b/c/../../d/./e", "/a/d/e"),
        ]
        for (input, expected) in rows { XCTAssertEqual(normalize(input), .success(expected), input) }
    }

    func testRepeatedSlashesMerge() {
        XCTAssertEqual(normalize("//a//b///c"), .success("/a/b/c"))
        XCTAssertEqual(normalize("/a//../b"), .success("/b"))
    }

    func testPercentEncodingIsDecodedOnce() {
        XCTAssertEqual(normalize("/a%20b"), .success("/a b"))
        XCTAssertEqual(normalize("/%41%62"), .success("/Ab"))
        XCTAssertEqual(normalize("/a/%2e%2e/b"), .success("/b"))
        XCTAssertEqual(normalize("/a/%2E/b"), .success("/a/b"))
        XCTAssertEqual(normalize("/a%2fb"), .success("/a/b"), "an encoded slash is a separator like any other")
        XCTAssertEqual(normalize("/%252e%252e/x"), .success("/%2e%2e/x"), "double encoding is decoded once only")
        XCTAssertEqual(normalize("/a%5c..%5cb"), .success("/a\\..\\b"), "a backslash is an ordinary byte")
    }

    func testClimbingAboveRootIsRefused() {
        for p in [
            "/..", "/../", "/../etc/passwd", "/a/../..", "/a/b/../../../x", "/%2e%2e/x", "/%2E%2E", "/a/%2e%2e%2f%2e%2e%2fetc",
            "/.%2e/x", "/%2e./x", "/a%2f..%2f..%2fx", "//../x",
        ] {
            XCTAssertEqual(normalize(p), .failure(.aboveRoot), p)
        }
    }

    func testNULIsRefusedEncodedOrRaw() {
        XCTAssertEqual(normalize("/a%00.html"), .failure(.nulByte))
        XCTAssertEqual(normalize("/a\u{0}b"), .failure(.nulByte))
    }

    func testBrokenEscapesAreRefused() {
        for p in ["/%", "/%2", "/a%zz", "/%g0", "/%%41"] {
            XCTAssertEqual(normalize(p), .failure(.badEscape), p)
        }
    }

    func testRelativePathIsRefused() {
        XCTAssertEqual(normalize("a/b"), .failure(.notAbsolute))
        XCTAssertEqual(normalize(""), .failure(.notAbsolute))
    }

    func testResultNeverContainsDotSegmentsOrDoubleSlashes() {
        // Random paths over a hostile alphabet: whatever comes out is clean and under "/".
        var rng = FeedSplits.SeededRNG(seed: 42)
        let alphabet = ["/", ".", "..", "%2e", "%2f", "a", "b", "//", "%2E%2e", "/./", "/../"]
        for _ in 0..<5000 {
            var p = "/"
            for _ in 0..<Int.random(in: 1...8, using: &rng) { p += alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
            guard case .success(let out) = normalize(p) else { continue }
            XCTAssertTrue(out.hasPrefix("/"), p)
            XCTAssertFalse(out.contains("//"), "\(p) → \(out)")
            let segments = out.split(separator: "/", omittingEmptySubsequences: false)
            XCTAssertFalse(segments.contains("..") || segments.contains("."), "\(p) → \(out)")
        }
    }
}
