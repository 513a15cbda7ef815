import XCTest

@testable import WebservCore

final class Base64Tests: XCTestCase {
    // RFC 4648 §10.
    private let vectors = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    func testRFC4648Encode() {
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64.encode(Array(plain.utf8)), encoded)
        }
    }

    func testRFC4648Decode() {
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64.decode(ArraySlice(encoded.utf8)), Array(plain.utf8))
        }
    }

    func testAllByteValuesRoundTrip() {
        let bytes = (0...255).map { UInt8($0) }
        let encoded = Base64.encode(bytes)
        XCTAssertEqual(Base64.decode(ArraySlice(encoded.utf8)), bytes)
        XCTAssertTrue(encoded.hasSuffix("+/w=="))
    }

    func testDecodeRejectsMalformedInput() {
        for bad in [
            "Zg=", "Zg", "Z===", "Zm9", "Zm9v!", "Zm 9v", "Zg==Zg==", "=Zg=", "Zm=v", "Zh==", "Zm9=", "Zm\n9v", "Zm9v====",
        ] {
            XCTAssertNil(Base64.decode(ArraySlice(bad.utf8)), bad)
        }
    }

    func testDecodeWorksOnSliceWithOffset() {
        let whole = Array("xxZm9vYmFy".utf8)
        XCTAssertEqual(Base64.decode(whole[2...]), Array("foobar".utf8))
    }
}
