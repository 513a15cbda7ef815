import CBrotli
import CZlib
import XCTest

@testable import WebservCore

/// Streaming decoders for the tests: what a client's gzip or brotli library would make of the
/// bytes received so far (a prefix decodes as far as it was flushed).
final class TestDecoder {
    let coding: ContentCoding
    private var zlib: UnsafeMutablePointer<z_stream>?
    private var brotli: OpaquePointer?
    private(set) var output: [UInt8] = []
    private(set) var ended = false
    private(set) var failed = false

    init(_ coding: ContentCoding) {
        self.coding = coding
        if coding == .gzip {
            let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            s.initialize(to: z_stream())
            precondition(webserv_inflateInit2(s, 15 + 16) == Z_OK)
            zlib = s
        } else {
            brotli = BrotliDecoderCreateInstance(nil, nil, nil)
        }
    }

    deinit {
        if let s = zlib {
            inflateEnd(s)
            s.deallocate()
        }
        if let b = brotli { BrotliDecoderDestroyInstance(b) }
    }

    /// Decodes `input`, appending to `output`.
    func feed(_ input: [UInt8]) {
        var block = [UInt8](repeating: 0, count: 4096)
        input.withUnsafeBytes { inp in
            block.withUnsafeMutableBytes { out in
                let outBase = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
                if let s = zlib {
                    s.pointee.next_in = UnsafeMutablePointer(mutating: inp.baseAddress?.assumingMemoryBound(to: Bytef.self))
                    s.pointee.avail_in = uInt(inp.count)
                    repeat {
                        s.pointee.next_out = outBase
                        s.pointee.avail_out = uInt(out.count)
                        let status = inflate(s, Z_SYNC_FLUSH)
                        output.append(
                            contentsOf: UnsafeBufferPointer(start: outBase, count: out.count - Int(s.pointee.avail_out)))
                        if status == Z_STREAM_END { ended = true }
                        if status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR { failed = true }
                        if status != Z_OK { break }
                    } while s.pointee.avail_out == 0 || s.pointee.avail_in > 0
                } else if let b = brotli {
                    var availIn = inp.count
                    var nextIn = inp.baseAddress?.assumingMemoryBound(to: UInt8.self)
                    while true {
                        var availOut = out.count
                        var nextOut: UnsafeMutablePointer<UInt8>? = outBase
                        let r = BrotliDecoderDecompressStream(b, &availIn, &nextIn, &availOut, &nextOut, nil)
                        output.append(contentsOf: UnsafeBufferPointer(start: outBase, count: out.count - availOut))
                        if r == BROTLI_DECODER_RESULT_SUCCESS { ended = true }
                        if r == BROTLI_DECODER_RESULT_ERROR { failed = true }
                        if r != BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT { break }
                    }
                }
            }
        }
    }

    static func decode(_ bytes: [UInt8], _ coding: ContentCoding) -> [UInt8]? {
        let d = TestDecoder(coding)
        d.feed(bytes)
        return d.ended && !d.failed ? d.output : nil
    }
}

/// Text that compresses like a web page: words repeated with variation.
func sampleText(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
    var rng = FeedSplits.SeededRNG(seed: seed)
    let words = ["<div class=\"item\">", "alpha", "beta", "gamma", "</div>\n", "delta", "épsilon", "0123"]
    var out: [UInt8] = []
    out.reserveCapacity(count + 32)
    while out.count < count {
        out += Array(words[Int.random(in: 0..<words.count, using: &rng)].utf8)
        out.append(UInt8.random(in: 0x20...0x7E, using: &rng))
    }
    return Array(out.prefix(count))
}
