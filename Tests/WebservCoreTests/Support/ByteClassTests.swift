import XCTest

@testable import WebservCore

final class ByteClassTests: XCTestCase {
    /// The bit masks behind `isToken` match RFC 9110's tchar list for every byte.
    func testTokenCharactersMatchRFC() {
        let tchar = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for b in 0...255 {
            XCTAssertEqual(ByteClass.isToken(UInt8(b)), tchar.contains(UInt8(b)), "byte \(b)")
        }
    }
}
