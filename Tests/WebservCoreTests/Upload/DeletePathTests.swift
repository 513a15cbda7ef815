import XCTest

@testable import WebservCore

/// The paths DELETE and uploads act on: dot segments resolve without leaving "//" behind, and
/// climbing above "/" is refused (403) rather than clamped.
final class DeletePathTests: XCTestCase {
    private func normalize(_ s: String) -> String? {
        (try? PathNormalizer.normalize(Array(s.utf8)[...])).map { String(decoding: $0, as: UTF8.self) }
    }

    func testDotDotRemovesExactlyOneSegment() {
        XCTAssertEqual(normalize("/a/b/../c"), "/a/c")
        XCTAssertEqual(normalize("/a/b/.."), "/a/")
        XCTAssertEqual(normalize("/a/b/../../c"), "/c")
        XCTAssertEqual(normalize("/uploads/%2e%2e/index.html"), "/index.html")
    }

    func testClimbingAboveTheRootIsRefused() {
        XCTAssertNil(normalize("/uploads/../../outside/secret.txt"))
        XCTAssertNil(normalize("/uploads/%2e%2e/%2E%2E/x"))
        XCTAssertNil(normalize("/a/../.."))
    }
}
