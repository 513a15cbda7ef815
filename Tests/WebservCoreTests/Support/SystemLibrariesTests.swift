import XCTest

@testable import WebservCore

final class SystemLibrariesTests: XCTestCase {
    func testLinksOpenSSL3ZlibAndBrotliFromTheSystem() {
        XCTAssertTrue(SystemLibraries.openSSL.hasPrefix("OpenSSL 3."), SystemLibraries.openSSL)
        XCTAssertTrue(SystemLibraries.zlib.hasPrefix("1."), SystemLibraries.zlib)
        XCTAssertTrue(SystemLibraries.brotli.hasPrefix("1."), SystemLibraries.brotli)
    }
}
