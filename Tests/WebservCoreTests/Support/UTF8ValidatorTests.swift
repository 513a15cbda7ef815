import XCTest

@testable import WebservCore

final class UTF8ValidatorTests: XCTestCase {
    /// Feeds `bytes` split at every position into two feeds and at one byte per feed; all must agree.
    private func validate(_ bytes: [UInt8]) -> Bool {
        let whole = UTF8Validator.isValid(bytes)
        var single = UTF8Validator()
        var ok = true
        for b in bytes where ok { ok = single.feed([b][...]) }
        XCTAssertEqual(ok && single.isAtCharacterBoundary, whole, "byte-by-byte disagrees for \(bytes)")
        for split in 0...bytes.count {
            var v = UTF8Validator()
            let ok = v.feed(bytes[..<split]) && v.feed(bytes[split...])
            XCTAssertEqual(ok && v.isAtCharacterBoundary, whole, "split at \(split) disagrees for \(bytes)")
        }
        return whole
    }

    func testAcceptsValidText() {
        let samples: [[UInt8]] = [
            [],
            Array("Hello-µ@ßöäüàá-UTF-8!!".utf8),
            Array("κόσμε".utf8),
            Array(String(repeating: "plain ascii run ", count: 20).utf8),
            [0x00], [0x7F],
            [0xC2, 0x80], [0xDF, 0xBF],  // U+0080, U+07FF
            [0xE0, 0xA0, 0x80], [0xEF, 0xBF, 0xBF],  // U+0800, U+FFFF
            [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80],  // U+D7FF, U+E000
            [0xEF, 0xBF, 0xBE],  // U+FFFE noncharacter is still valid UTF-8
            [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],  // U+10000, U+10FFFF
        ]
        for s in samples { XCTAssertTrue(validate(s), "\(s)") }
    }

    func testRejectsEveryInvalidClass() {
        let samples: [[UInt8]] = [
            [0x80], [0xBF], [0x61, 0x80, 0x61],  // lone continuation bytes
            [0xC0, 0x80], [0xC1, 0xBF],  // overlong 2-byte
            [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],  // overlong 3-byte
            [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],  // overlong 4-byte
            [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],  // surrogates U+D800, U+DFFF
            [0xED, 0xA0, 0x80, 0xED, 0xB0, 0x80],  // surrogate pair
            [0xF4, 0x90, 0x80, 0x80], [0xF7, 0xBF, 0xBF, 0xBF],  // above U+10FFFF
            [0xF5, 0x80, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFC, 0x84, 0x80, 0x80, 0x80, 0x80],
            [0xFE], [0xFF], [0xFE, 0xFE, 0xFF, 0xFF],
            [0xC2, 0x41], [0xE1, 0x80, 0x41], [0xF1, 0x80, 0x80, 0x41],  // bad continuation
            [0xC2], [0xE1, 0x80], [0xF1, 0x80, 0x80],  // truncated at end
            Array("κόσμε".utf8) + [0xED, 0xA0, 0x80] + Array("edited".utf8),  // Autobahn 6.3.1
        ]
        for s in samples { XCTAssertFalse(validate(s), "\(s)") }
    }

    func testFailsFastOnTheOffendingByte() {
        var v = UTF8Validator()
        XCTAssertTrue(v.feed(Array("κόσμε".utf8)[...]))
        XCTAssertTrue(v.feed([0xF4][...]))  // could still become U+10xxxx
        XCTAssertFalse(v.isAtCharacterBoundary)
        XCTAssertFalse(v.feed([0x90][...]))  // now above U+10FFFF: fails at once
        XCTAssertTrue(v.hasFailed)
        XCTAssertFalse(v.feed(Array("ok".utf8)[...]), "stays failed")
        v.reset()
        XCTAssertTrue(v.feed(Array("ok".utf8)[...]))
        XCTAssertTrue(v.isAtCharacterBoundary)
    }

    func testSequenceSplitAcrossFeedsAfterLongAsciiRun() {
        var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: 37)
        bytes += [0xF0, 0x9F, 0x98, 0x80]  // U+1F600
        bytes += [UInt8](repeating: UInt8(ascii: "y"), count: 19)
        XCTAssertTrue(validate(bytes))
        bytes[50] = 0xC0
        XCTAssertFalse(validate(bytes))
    }

    func testMatchesStandardLibraryOnRandomBytes() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<2000 {
            let length = Int(rng.next() % 12)
            let pool: [UInt8] = [
                0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF,
            ]
            let bytes = (0..<length).map { _ in pool[Int(rng.next() % UInt64(pool.count))] }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            XCTAssertEqual(UTF8Validator.isValid(bytes), expected, "\(bytes)")
        }
    }
}

/// Deterministic generator so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    func testRepairedReplacesEachInvalidSequenceAndKeepsValidText() {
        XCTAssertEqual(UTF8Validator.repaired(Array("héllo".utf8)), Array("héllo".utf8))
        XCTAssertEqual(UTF8Validator.repaired([0xFF, 0xFE, 0x62]), Array("\u{FFFD}\u{FFFD}b".utf8))
        XCTAssertEqual(UTF8Validator.repaired([0x61, 0xE2, 0x82]), Array("a\u{FFFD}".utf8), "a cut sequence")
    }
}
