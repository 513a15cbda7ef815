// Shared by every fuzz target: deterministic read splits and a loud failure for broken invariants.
#if canImport(Glibc)
import Glibc
#endif

/// Helpers that turn one fuzzer input into several ways a connection could have received it.
enum Fuzz {
    /// FNV-1a of the input: the seed for its splits, so a crash reproduces from the input alone.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// SplitMix64, as in the unit tests' FeedSplits.
    struct RNG {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// Cut points for `count` bytes: pieces of 1...maxPiece bytes, seeded.
    static func pieces(count: Int, seed: UInt64, maxPiece: Int) -> [Range<Int>] {
        var rng = RNG(state: seed)
        var result: [Range<Int>] = []
        var i = 0
        while i < count {
            let n = 1 + rng.below(maxPiece)
            result.append(i..<min(i + n, count))
            i += n
        }
        return result
    }

    /// Whole, then byte by byte (short inputs only: it is quadratic for some machines), then a
    /// seeded random split with small pieces.
    static func splits(count: Int, seed: UInt64) -> [[Range<Int>]] {
        var all: [[Range<Int>]] = [[0..<count]]
        if count <= 512 { all.append((0..<count).map { $0..<($0 + 1) }) }
        all.append(pieces(count: count, seed: seed, maxPiece: 1 + Int(seed >> 59)))
        return all
    }

    /// Reports a broken invariant with the input's context and aborts, so libFuzzer saves the input.
    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition {
            let text = Array("fuzz invariant failed: \(message())\n".utf8)
            _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            abort()
        }
    }
}
