import CBrotli
import CZlib

/// A streaming compressor for one response body: bytes in, compressed bytes out, in bounded
/// memory (zlib's or brotli's window plus one output block). `flush` makes everything given so
/// far decodable by the client (zlib's Z_SYNC_FLUSH, brotli's FLUSH), so a slow stream (CGI)
/// reaches it as it is produced; `finish` ends the stream.
public final class BodyEncoder {
    public let coding: ContentCoding
    /// On the heap: zlib's state points back at its stream, which must not move.
    private var zlib: UnsafeMutablePointer<z_stream>?
    private var brotli: OpaquePointer?
    private var block = [UInt8](repeating: 0, count: 16 * 1024)
    public private(set) var finished = false

    /// nil when the library cannot start a stream (out of memory).
    public init?(_ coding: ContentCoding, level: Int) {
        self.coding = coding
        switch coding {
        case .gzip:
            let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            s.initialize(to: z_stream())
            // 15 + 16: the gzip wrapper; memLevel 8 is zlib's default.
            guard webserv_deflateInit2(s, Int32(level), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK else {
                s.deallocate()
                return nil
            }
            zlib = s
        case .br:
            guard let state = BrotliEncoderCreateInstance(nil, nil, nil) else { return nil }
            BrotliEncoderSetParameter(state, BROTLI_PARAM_QUALITY, UInt32(level))
            // A 512 KiB window (ngx_brotli's default) keeps each stream's memory bounded.
            BrotliEncoderSetParameter(state, BROTLI_PARAM_LGWIN, 19)
            brotli = state
        case .zstd:
            return nil  // only served from precompressed files
        }
    }

    deinit {
        if let s = zlib {
            deflateEnd(s)
            s.deallocate()
        }
        if let b = brotli { BrotliEncoderDestroyInstance(b) }
    }

    /// Compresses `input`, appending what the compressor gives back to `out`.
    public func encode(_ input: UnsafeRawBufferPointer, flush: Bool, into out: inout [UInt8]) {
        precondition(!finished)
        run(input, mode: flush ? .flush : .process, into: &out)
    }

    /// Ends the stream: the compressor's last bytes (and gzip's trailer) go to `out`.
    public func finish(into out: inout [UInt8]) {
        guard !finished else { return }
        run(UnsafeRawBufferPointer(start: nil, count: 0), mode: .finish, into: &out)
        finished = true
    }

    /// The whole of `input` compressed in one stream (bodies already in memory).
    public static func compress(_ input: [UInt8], _ coding: ContentCoding, level: Int) -> [UInt8]? {
        guard let encoder = BodyEncoder(coding, level: level) else { return nil }
        var out: [UInt8] = []
        input.withUnsafeBytes { encoder.encode($0, flush: false, into: &out) }
        encoder.finish(into: &out)
        return out
    }

    private enum Mode { case process, flush, finish }

    private func run(_ input: UnsafeRawBufferPointer, mode: Mode, into out: inout [UInt8]) {
        if let s = zlib {
            deflate(s, input, mode: mode, into: &out)
        } else if let state = brotli {
            compressBrotli(state, input, mode: mode, into: &out)
        }
    }

    private func deflate(
        _ s: UnsafeMutablePointer<z_stream>, _ input: UnsafeRawBufferPointer, mode: Mode, into out: inout [UInt8]
    ) {
        let flush: Int32
        switch mode {
        case .process: flush = Z_NO_FLUSH
        case .flush: flush = Z_SYNC_FLUSH
        case .finish: flush = Z_FINISH
        }
        let blockSize = block.count
        s.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        s.pointee.avail_in = uInt(input.count)
        block.withUnsafeMutableBytes { b in
            let base = b.baseAddress!.assumingMemoryBound(to: Bytef.self)
            while true {
                s.pointee.next_out = base
                s.pointee.avail_out = uInt(blockSize)
                let status = CZlib.deflate(s, flush)
                let produced = blockSize - Int(s.pointee.avail_out)
                out.append(contentsOf: UnsafeBufferPointer(start: base, count: produced))
                // Done when zlib had room to spare (all input taken, flush complete), or at the end.
                if status == Z_STREAM_END || status == Z_STREAM_ERROR { break }
                if s.pointee.avail_out != 0 && s.pointee.avail_in == 0 && mode != .finish { break }
                if status == Z_BUF_ERROR && produced == 0 { break }
            }
        }
        s.pointee.next_in = nil
    }

    private func compressBrotli(
        _ state: OpaquePointer, _ input: UnsafeRawBufferPointer, mode: Mode, into out: inout [UInt8]
    ) {
        let op: BrotliEncoderOperation
        switch mode {
        case .process: op = BROTLI_OPERATION_PROCESS
        case .flush: op = BROTLI_OPERATION_FLUSH
        case .finish: op = BROTLI_OPERATION_FINISH
        }
        var availIn = input.count
        var nextIn = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let blockSize = block.count
        block.withUnsafeMutableBytes { b in
            let base = b.baseAddress!.assumingMemoryBound(to: UInt8.self)
            while true {
                var availOut = blockSize
                var nextOut: UnsafeMutablePointer<UInt8>? = base
                guard BrotliEncoderCompressStream(state, op, &availIn, &nextIn, &availOut, &nextOut, nil) != 0 else {
                    return
                }
                out.append(contentsOf: UnsafeBufferPointer(start: base, count: blockSize - availOut))
                if availIn == 0 && BrotliEncoderHasMoreOutput(state) == 0 {
                    if mode != .finish || BrotliEncoderIsFinished(state) != 0 { return }
                }
            }
        }
    }
}
