import XCTest

@testable import WebservCore

final class SHA1Tests: XCTestCase {
    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    func testFIPS180ShortMessage() {
        XCTAssertEqual(hex(SHA1.hash(Array("abc".utf8))), "a9993e364706816aba3e25717850c26c9cd0d89d")
    }

    func testEmptyMessage() {
        XCTAssertEqual(hex(SHA1.hash([UInt8]())), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    }

    func testFIPS180TwoBlockMessage() {
        let message = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        XCTAssertEqual(hex(SHA1.hash(message)), "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    }

    func testOneMillionA() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        XCTAssertEqual(hex(SHA1.hash(message)), "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    func testNonContiguousCollectionMatchesArray() {
        let message = Array("The quick brown fox jumps over the lazy dog".utf8)
        XCTAssertEqual(SHA1.hash(message.lazy.map { $0 }), SHA1.hash(message))
        XCTAssertEqual(hex(SHA1.hash(message)), "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12")
    }

    func testEveryPaddingBoundary() {
        // Lengths around 55/56/64 exercise the one- and two-block padding paths.
        let known: [Int: String] = [
            55: "c1c8bbdc22796e28c0e15163d20899b65621d65a",
            56: "c2db330f6083854c99d4b5bfb6e8f29f201be699",
            64: "0098ba824b5c16427bd7a1122a5a442a25ec644d",
        ]
        for (length, digest) in known {
            XCTAssertEqual(hex(SHA1.hash([UInt8](repeating: UInt8(ascii: "a"), count: length))), digest, "length \(length)")
        }
    }
}
