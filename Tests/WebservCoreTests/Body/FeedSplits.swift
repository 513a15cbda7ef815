/// Ways to cut one input into reads, after NIO's ByteToMessageDecoderVerifier: whole, byte by
/// byte, and at seeded random points, so a parser's output can be compared across all three.
enum FeedSplits {
    /// Deterministic SplitMix64, so a failing split can be reproduced from its seed.
    struct SeededRNG: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func whole(_ input: [UInt8]) -> [[UInt8]] { [input] }

    static func byteByByte(_ input: [UInt8]) -> [[UInt8]] { input.map { [$0] } }

    static func random(_ input: [UInt8], seed: UInt64, maxPiece: Int = 17) -> [[UInt8]] {
        var rng = SeededRNG(seed: seed)
        var pieces: [[UInt8]] = []
        var i = 0
        while i < input.count {
            let n = Int.random(in: 1...maxPiece, using: &rng)
            pieces.append(Array(input[i..<min(i + n, input.count)]))
            i += n
        }
        return pieces
    }

    /// Every way to cut the input into two reads.
    static func twoPieces(_ input: [UInt8]) -> [[[UInt8]]] {
        (0...input.count).map { [Array(input[..<$0]), Array(input[$0...])] }
    }

    /// Whole, byte by byte, and 20 seeded random splits.
    static func all(_ input: [UInt8]) -> [[[UInt8]]] {
        [whole(input), byteByByte(input)] + (1...20).map { random(input, seed: UInt64($0)) }
    }
}
