/// SHA-1 (FIPS 180-4), needed only for the WebSocket `Sec-WebSocket-Accept` value.
public enum SHA1 {
    /// Returns the 20-byte digest of `bytes`.
    public static func hash<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var state = State()
        if let digest = bytes.withContiguousStorageIfAvailable({ state.finish(UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        let copy = Array(bytes)
        return copy.withUnsafeBytes { state.finish($0) }
    }

    /// The five chaining words and the block loop.
    private struct State {
        var h0: UInt32 = 0x6745_2301
        var h1: UInt32 = 0xEFCD_AB89
        var h2: UInt32 = 0x98BA_DCFE
        var h3: UInt32 = 0x1032_5476
        var h4: UInt32 = 0xC3D2_E1F0

        mutating func finish(_ message: UnsafeRawBufferPointer) -> [UInt8] {
            let fullBlocks = message.count / 64
            for block in 0..<fullBlocks {
                compress(UnsafeRawBufferPointer(rebasing: message[(block * 64)..<(block * 64 + 64)]))
            }
            // FIPS 180-4 §5.1.1: append 0x80, zeros to 56 mod 64, then the bit length as 64-bit big-endian.
            var tail = [UInt8](message[(fullBlocks * 64)...])
            tail.append(0x80)
            while tail.count % 64 != 56 { tail.append(0) }
            let bitLength = UInt64(message.count) &* 8
            for shift in stride(from: 56, through: 0, by: -8) {
                tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
            }
            tail.withUnsafeBytes { raw in
                for block in 0..<(raw.count / 64) {
                    compress(UnsafeRawBufferPointer(rebasing: raw[(block * 64)..<(block * 64 + 64)]))
                }
            }
            var digest = [UInt8]()
            digest.reserveCapacity(20)
            for word in [h0, h1, h2, h3, h4] {
                digest.append(UInt8(truncatingIfNeeded: word >> 24))
                digest.append(UInt8(truncatingIfNeeded: word >> 16))
                digest.append(UInt8(truncatingIfNeeded: word >> 8))
                digest.append(UInt8(truncatingIfNeeded: word))
            }
            return digest
        }

        /// FIPS 180-4 §6.1.2 on one 64-byte block.
        mutating func compress(_ block: UnsafeRawBufferPointer) {
            var w = (
                UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0),
                UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0)
            )
            withUnsafeMutableBytes(of: &w) { raw in
                let words = raw.bindMemory(to: UInt32.self)
                for i in 0..<16 {
                    words[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
                }
                var a = h0, b = h1, c = h2, d = h3, e = h4
                for t in 0..<80 {
                    let wt: UInt32
                    if t < 16 {
                        wt = words[t]
                    } else {
                        // Message schedule kept as a 16-word ring.
                        let x = words[(t - 3) & 15] ^ words[(t - 8) & 15] ^ words[(t - 14) & 15] ^ words[t & 15]
                        wt = (x << 1) | (x >> 31)
                        words[t & 15] = wt
                    }
                    let f: UInt32
                    let k: UInt32
                    switch t {
                    case 0..<20:
                        f = (b & c) | (~b & d)
                        k = 0x5A82_7999
                    case 20..<40:
                        f = b ^ c ^ d
                        k = 0x6ED9_EBA1
                    case 40..<60:
                        f = (b & c) | (b & d) | (c & d)
                        k = 0x8F1B_BCDC
                    default:
                        f = b ^ c ^ d
                        k = 0xCA62_C1D6
                    }
                    let temp = ((a << 5) | (a >> 27)) &+ f &+ e &+ k &+ wt
                    e = d
                    d = c
                    c = (b << 30) | (b >> 2)
                    b = a
                    a = temp
                }
                h0 = h0 &+ a
                h1 = h1 &+ b
                h2 = h2 &+ c
                h3 = h3 &+ d
                h4 = h4 &+ e
            }
        }
    }
}
