import XCTest

@testable import WebservCore

final class MessageDeflateStreamTests: XCTestCase {
    private func inflate(_ frames: [[UInt8]], inflater: MessageInflater, limit: Int = 1 << 24) throws -> [UInt8] {
        var out: [UInt8] = []
        for (i, frame) in frames.enumerated() {
            try inflater.inflate(frame, final: i == frames.count - 1, into: &out, limit: limit)
        }
        return out
    }

    /// RFC 7692 §7.2.3.1-§7.2.3.4: "Hello" compressed, in one frame, in two, as a stored block and with BFINAL.
    func testInflatesTheRFCExamples() throws {
        let hello = Array("Hello".utf8)
        let examples: [[[UInt8]]] = [
            [[0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]],
            [[0xF2, 0x48, 0xCD], [0xC9, 0xC9, 0x07, 0x00]],
            [[0x00, 0x05, 0x00, 0xFA, 0xFF, 0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x00]],
            [[0xF3, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x00]],
        ]
        for example in examples {
            let inflater = try XCTUnwrap(MessageInflater())
            XCTAssertEqual(try inflate(example, inflater: inflater), hello)
            inflater.endMessage(resetContext: false)
            // The inflater stays usable for the next message (after BFINAL, as a new stream).
            XCTAssertEqual(try inflate([[0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]], inflater: inflater), hello)
        }
    }

    /// §7.2.3.2: with context takeover the second "Hello" refers back to the first.
    func testContextTakeoverBothWays() throws {
        let inflater = try XCTUnwrap(MessageInflater())
        XCTAssertEqual(try inflate([[0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]], inflater: inflater), Array("Hello".utf8))
        inflater.endMessage(resetContext: false)
        XCTAssertEqual(try inflate([[0xF2, 0x00, 0x11, 0x00, 0x00]], inflater: inflater), Array("Hello".utf8))

        let deflater = try XCTUnwrap(MessageDeflater(windowBits: 15, resetsContext: false))
        let message = Array(String(repeating: "a chat message, ", count: 8).utf8)
        let first = deflater.compress(message)
        let second = deflater.compress(message)
        XCTAssertLessThan(second.count, first.count / 2, "the second message refers to the first")
        let fresh = try XCTUnwrap(MessageDeflater(windowBits: 15, resetsContext: true))
        XCTAssertEqual(fresh.compress(message), first)
        XCTAssertEqual(fresh.compress(message), first, "no context: every message compresses alike")
    }

    func testCompressorOutputInflatesAtRandomSplitsEveryWindow() throws {
        var rng = FeedSplits.SeededRNG(seed: 7)
        for bits in [9, 12, 15] {
            for resets in [false, true] {
                let deflater = try XCTUnwrap(MessageDeflater(windowBits: bits, resetsContext: resets))
                let inflater = try XCTUnwrap(MessageInflater())
                for round in 0..<10 {
                    let size = [0, 1, 100, 5_000, 100_000][round % 5]
                    let words = ["alpha ", "beta ", "gamma ", "\u{1F600} "].map { Array($0.utf8) }
                    var message: [UInt8] = []
                    while message.count < size {
                        message +=
                            Bool.random(using: &rng)
                            ? words.randomElement(using: &rng)! : [UInt8.random(in: 0...255, using: &rng)]
                    }
                    message = Array(message.prefix(size))
                    let compressed = deflater.compress(message)
                    XCTAssertFalse(compressed.isEmpty)
                    let frames = FeedSplits.random(compressed, seed: UInt64(round), maxPiece: 1 + round * 997)
                    XCTAssertEqual(try inflate(frames, inflater: inflater), message, "\(bits) bits, round \(round)")
                    inflater.endMessage(resetContext: resets)
                }
            }
        }
    }

    func testEmptyMessageIsOneZeroOctet() throws {
        let deflater = try XCTUnwrap(MessageDeflater(windowBits: 15, resetsContext: false))
        XCTAssertEqual(deflater.compress([UInt8]()), [0x00])
        let inflater = try XCTUnwrap(MessageInflater())
        XCTAssertEqual(try inflate([[0x00]], inflater: inflater), [])
    }

    func testDeflateBombStopsOneStepPastTheLimit() throws {
        let deflater = try XCTUnwrap(MessageDeflater(windowBits: 15, resetsContext: true))
        let bomb = deflater.compress([UInt8](repeating: 0, count: 50 << 20))
        XCTAssertLessThan(bomb.count, 100 << 10)
        let inflater = try XCTUnwrap(MessageInflater())
        var out: [UInt8] = []
        XCTAssertThrowsError(try inflater.inflate(bomb, final: true, into: &out, limit: 1 << 20)) {
            XCTAssertEqual($0 as? WebSocketError, .messageTooBig)
        }
        XCTAssertEqual(out.count, (1 << 20) + 1, "inflating stopped at the first byte over the limit")
        XCTAssertLessThanOrEqual(out.capacity, (1 << 21) + MessageInflater.step)
        // Exactly at the limit is fine.
        let fits = deflater.compress([UInt8](repeating: 0, count: 1 << 20))
        var exact: [UInt8] = []
        XCTAssertNoThrow(try MessageInflater()!.inflate(fits, final: true, into: &exact, limit: 1 << 20))
        XCTAssertEqual(exact.count, 1 << 20)
    }

    func testCorruptDataIsRefused() throws {
        // An empty payload: with the tail, a stored block header and half its length.
        var empty: [UInt8] = []
        XCTAssertThrowsError(try MessageInflater()!.inflate([], final: true, into: &empty, limit: 100)) {
            XCTAssertEqual($0 as? WebSocketError, .invalidCompressedData)
        }
        // A message cut inside a block.
        let cut = Array(MessageDeflater(windowBits: 15, resetsContext: true)!.compress(Array("Hello, hello".utf8)).dropLast(2))
        XCTAssertThrowsError(try MessageInflater()!.inflate(cut, final: true, into: &empty, limit: 100))
        let inflater = try XCTUnwrap(MessageInflater())
        var out: [UInt8] = []
        // BTYPE 11 is reserved (RFC 1951 §3.2.3).
        XCTAssertThrowsError(try inflater.inflate([0xFF, 0xFF, 0xFF], final: true, into: &out, limit: 100)) {
            XCTAssertEqual($0 as? WebSocketError, .invalidCompressedData)
        }
    }
}
