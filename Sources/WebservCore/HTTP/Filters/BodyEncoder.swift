import CBrotli
import CZlib

/// A streaming compressor for one response body: bytes in, compressed bytes out, in bounded
/// memory (zlib's or brotli's window plus one output block). `flush` makes everything given so
/// far decodable by the client (zlib's Z_SYNC_FLUSH, brotli's FLUSH), so a slow stream (CGI)
/// reaches it as it is produced; `finish` ends the stream.
public final class BodyEncoder {
    public let coding: ContentCoding
    public let level: Int
    /// zlib's window and hash sizes (`gzipMemory`); 0 for brotli.
    let windowBits: Int32
    let memLevel: Int32
    /// On the heap: zlib's state points back at its stream, which must not move.
    private var zlib: UnsafeMutablePointer<z_stream>?
    private var brotli: OpaquePointer?
    /// Where the compressor writes before `emit` takes the bytes; never zeroed (only what the
    /// compressor wrote is read), allocated once for the encoder's life (pooled: `EncoderPool`).
    private let block: UnsafeMutableRawBufferPointer
    public private(set) var finished = false

    /// brotli's two slowest levels (10 and 11 run zopfli, ~1.4 s per MiB): such an encoder
    /// flushes after every piece it is given, and a file is fed to it `slowInput` bytes per turn
    /// of the loop (`FileBodySource`), so no one call holds the loop for long. Otherwise brotli
    /// gathers up to 1 MiB of input into one metablock and compresses it in one call, while
    /// every other client waits.
    public var isSlow: Bool { coding == .br && level >= 10 }
    static let slowInput = 8 * 1024

    /// zlib's windowBits and memLevel for a body of `length` bytes (nil: unknown), as nginx
    /// picks them: a window no larger than the body needs, the hash table shrunk with it. A
    /// 1 KiB answer then clears and fills a 4 KiB hash table instead of 64 KiB (a window larger
    /// than the body finds no more matches: nothing lies before its start).
    static func gzipMemory(length: Int?) -> (windowBits: Int32, memLevel: Int32) {
        var bits: Int32 = 15
        var memLevel: Int32 = 8
        if let length, length > 0 {
            // zlib's usable window is 262 bytes smaller than 2^bits (MIN_LOOKAHEAD).
            while bits > 9 && length < (1 << (bits - 1)) - 262 {
                bits -= 1
                memLevel -= 1
            }
        }
        return (bits, max(memLevel, 1))
    }

    /// nil when the library cannot start a stream (out of memory). `length`: the body's size
    /// when known, to size zlib's memory for it.
    public init?(_ coding: ContentCoding, level: Int, length: Int? = nil) {
        self.coding = coding
        self.level = level
        switch coding {
        case .gzip:
            (windowBits, memLevel) = Self.gzipMemory(length: length)
        case .br, .zstd:
            (windowBits, memLevel) = (0, 0)
        }
        switch coding {
        case .gzip:
            let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            s.initialize(to: z_stream())
            // + 16: the gzip wrapper (zlib writes the header and computes the CRC, once).
            guard webserv_deflateInit2(s, Int32(level), Z_DEFLATED, windowBits + 16, memLevel, Z_DEFAULT_STRATEGY) == Z_OK
            else {
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
        // Last: a failed init (above) has nothing of it to free.
        block = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)
    }

    deinit {
        if let s = zlib {
            deflateEnd(s)
            s.deallocate()
        }
        if let b = brotli { BrotliEncoderDestroyInstance(b) }
        block.deallocate()
    }

    /// Compresses `input`, appending what the compressor gives back to `out`.
    public func encode(_ input: UnsafeRawBufferPointer, flush: Bool, into out: inout [UInt8]) {
        encode(input, flush: flush) { out.append(contentsOf: $0) }
    }

    /// Compresses `input`, handing what the compressor gives back to `emit`, block by block
    /// (valid only during the call): the caller copies it once, where it goes.
    public func encode(_ input: UnsafeRawBufferPointer, flush: Bool, emit: (UnsafeRawBufferPointer) -> Void) {
        precondition(!finished)
        run(input, mode: flush ? .flush : .process, emit: emit)
    }

    /// Ends the stream: the compressor's last bytes (and gzip's trailer) go to `out`.
    public func finish(into out: inout [UInt8]) {
        finish { out.append(contentsOf: $0) }
    }

    /// Ends the stream, handing the last bytes to `emit`.
    public func finish(emit: (UnsafeRawBufferPointer) -> Void) {
        guard !finished else { return }
        run(UnsafeRawBufferPointer(start: nil, count: 0), mode: .finish, emit: emit)
        finished = true
    }

    /// Makes a finished gzip encoder ready for another body with the same settings: zlib's
    /// deflateReset keeps the memory deflateInit2 allocated. False when it cannot be reused
    /// (brotli, or unfinished).
    func reset() -> Bool {
        guard finished, let s = zlib, deflateReset(s) == Z_OK else { return false }
        finished = false
        return true
    }

    /// The whole of `input` compressed in one stream (bodies already in memory), zlib's memory
    /// sized for its length.
    public static func compress(_ input: [UInt8], _ coding: ContentCoding, level: Int) -> [UInt8]? {
        guard let encoder = BodyEncoder(coding, level: level, length: input.count) else { return nil }
        var out: [UInt8] = []
        input.withUnsafeBytes { encoder.encode($0, flush: false, into: &out) }
        encoder.finish(into: &out)
        return out
    }

    private enum Mode { case process, flush, finish }

    private func run(_ input: UnsafeRawBufferPointer, mode: Mode, emit: (UnsafeRawBufferPointer) -> Void) {
        if let s = zlib {
            deflate(s, input, mode: mode, emit: emit)
        } else if let state = brotli {
            compressBrotli(state, input, mode: mode, emit: emit)
        }
    }

    private func deflate(
        _ s: UnsafeMutablePointer<z_stream>, _ input: UnsafeRawBufferPointer, mode: Mode,
        emit: (UnsafeRawBufferPointer) -> Void
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
        let base = block.baseAddress!.assumingMemoryBound(to: Bytef.self)
        while true {
            s.pointee.next_out = base
            s.pointee.avail_out = uInt(blockSize)
            let status = CZlib.deflate(s, flush)
            let produced = blockSize - Int(s.pointee.avail_out)
            if produced > 0 { emit(UnsafeRawBufferPointer(start: base, count: produced)) }
            // Done when zlib had room to spare (all input taken, flush complete), or at the end.
            if status == Z_STREAM_END || status == Z_STREAM_ERROR { break }
            if s.pointee.avail_out != 0 && s.pointee.avail_in == 0 && mode != .finish { break }
            if status == Z_BUF_ERROR && produced == 0 { break }
        }
        s.pointee.next_in = nil
    }

    private func compressBrotli(
        _ state: OpaquePointer, _ input: UnsafeRawBufferPointer, mode: Mode, emit: (UnsafeRawBufferPointer) -> Void
    ) {
        let op: BrotliEncoderOperation
        switch mode {
        case .process: op = isSlow ? BROTLI_OPERATION_FLUSH : BROTLI_OPERATION_PROCESS
        case .flush: op = BROTLI_OPERATION_FLUSH
        case .finish: op = BROTLI_OPERATION_FINISH
        }
        var availIn = input.count
        var nextIn = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let blockSize = block.count
        let base = block.baseAddress!.assumingMemoryBound(to: UInt8.self)
        while true {
            var availOut = blockSize
            var nextOut: UnsafeMutablePointer<UInt8>? = base
            guard BrotliEncoderCompressStream(state, op, &availIn, &nextIn, &availOut, &nextOut, nil) != 0 else {
                return
            }
            if blockSize > availOut { emit(UnsafeRawBufferPointer(start: base, count: blockSize - availOut)) }
            if availIn == 0 && BrotliEncoderHasMoreOutput(state) == 0 {
                if mode != .finish || BrotliEncoderIsFinished(state) != 0 { return }
            }
        }
    }
}

/// Finished gzip encoders kept for the next compressed response (one server, one thread):
/// deflateReset instead of zlib's allocations and setup per response.
final class EncoderPool {
    private var free: [BodyEncoder] = []
    /// More than the usual handful in flight at once are made and dropped as before.
    static let kept = 4

    /// An encoder for a body of `length` bytes (nil: unknown): a kept one with the same settings,
    /// or a new one; nil when the library cannot start one.
    func take(_ coding: ContentCoding, level: Int, length: Int?) -> BodyEncoder? {
        if coding == .gzip {
            let memory = BodyEncoder.gzipMemory(length: length)
            if let i = free.lastIndex(where: {
                $0.level == level && $0.windowBits == memory.windowBits && $0.memLevel == memory.memLevel
            }) {
                return free.remove(at: i)
            }
        }
        return BodyEncoder(coding, level: level, length: length)
    }

    /// Keeps a finished gzip encoder for reuse; anything else is let go. When full, the
    /// oldest kept one gives way: encoders of settings no longer asked for do not stay forever.
    func give(_ encoder: BodyEncoder) {
        guard encoder.reset() else { return }
        if free.count == Self.kept { free.removeFirst() }
        free.append(encoder)
    }
}
