/// A framing error in a chunked request body; every case is a 400.
public enum ChunkedError: Error, Equatable, Sendable {
    case invalidChunkSize
    case sizeOverflow
    case missingCRLF
    case lineTooLong
    case invalidExtension
    case trailerTooLarge

    /// The response status for this error (the one place chunked framing maps to the wire).
    public var status: Int { 400 }
}

/// Resumable decoder for the chunked transfer coding (RFC 9112 §7.1), fed one buffer at a time.
///
/// Like nginx's `ngx_http_parse_chunked` it keeps an explicit state so a chunk-size line, a CRLF
/// or a trailer split across reads resumes where it stopped. Payload is handed out as
/// sub-buffers of the input, never copied.
public struct ChunkedDecoder: Sendable {
    /// Where the decoder is inside the chunked grammar.
    enum State: Sendable {
        case sizeStart  // first hex digit of chunk-size required
        case size  // more hex digits, or the end of the size
        case sizeSpace  // BWS after the size: only ";" or the line end may follow
        case extensionText  // inside chunk-ext (name, "=", token value)
        case extensionQuoted  // inside a quoted-string value
        case extensionEscape  // after a backslash in a quoted-string
        case sizeLF  // saw CR after the size line, LF must follow
        case data  // inside chunk-data, `remaining` bytes left
        case dataCR  // chunk-data done: CRLF (or a bare LF) must follow
        case dataLF  // saw CR after chunk-data, LF must follow
        case trailerStart  // start of a trailer line, or the final empty line
        case trailerLine  // inside a trailer field line (skipped)
        case trailerLF  // saw CR on the final empty line, LF must follow
        case done
    }

    private let maxChunkLineLength: Int
    private let maxTrailerBytes: Int
    private var state: State = .sizeStart
    private var chunkSize = 0
    private var remaining = 0
    private var lineLength = 0
    private var trailerBytes = 0

    /// Payload bytes handed to `onData` so far, so the caller can enforce client_max_body_size mid-stream.
    public private(set) var totalPayload = 0

    /// `totalPayload` plus what the chunk being read still announces: lets a caller refuse an
    /// oversized chunk as soon as its size line arrives. Saturates at Int.max: a size line may
    /// announce up to Int.max bytes after payload already received.
    public var announcedPayload: Int {
        let (sum, overflow) = totalPayload.addingReportingOverflow(remaining)
        return overflow ? Int.max : sum
    }

    /// True once the last chunk and the trailer section have been read.
    public var isFinished: Bool { state == .done }

    public init(maxChunkLineLength: Int = 4096, maxTrailerBytes: Int = 16384) {
        self.maxChunkLineLength = maxChunkLineLength
        self.maxTrailerBytes = maxTrailerBytes
    }

    /// Decodes from `input`; calls `onData` with each run of payload bytes (a sub-buffer of
    /// input, not copied, valid only during the call). Returns how many input bytes were
    /// consumed and whether the terminating zero chunk and trailers are complete; bytes after
    /// the end are not consumed (they belong to the next pipelined request).
    public mutating func decode(
        _ input: UnsafeRawBufferPointer,
        onData: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> (consumed: Int, finished: Bool) {
        var i = 0
        let end = input.count
        while i < end {
            if state == .data {
                // The bulk path: hand out as much of the chunk as this buffer holds in one call.
                let n = min(remaining, end - i)
                try onData(UnsafeRawBufferPointer(rebasing: input[i..<(i + n)]))
                i += n
                remaining -= n
                totalPayload += n
                if remaining == 0 { state = .dataCR }
                continue
            }
            if state == .done { break }
            let byte = input[i]
            i += 1
            try step(byte)
        }
        return (i, state == .done)
    }

    /// Advances the machine over one framing byte (never a payload byte).
    private mutating func step(_ byte: UInt8) throws {
        switch state {
        case .sizeStart, .size:
            if let digit = Self.hexValue(byte) {
                // Checked before shifting so no size can wrap (e.g. "ffffffffffffffffff").
                guard chunkSize <= (Int.max - digit) >> 4 else { throw ChunkedError.sizeOverflow }
                chunkSize = chunkSize << 4 | digit
                state = .size
                try countLineByte()
                return
            }
            // An empty size ("\r\n", ";ext", " 5") is not a chunk-size.
            guard state == .size else { throw ChunkedError.invalidChunkSize }
            switch byte {
            case UInt8(ascii: "\r"): state = .sizeLF
            case UInt8(ascii: "\n"): endSizeLine()
            case UInt8(ascii: ";"): state = .extensionText
            case UInt8(ascii: " "), UInt8(ascii: "\t"): state = .sizeSpace
            default: throw ChunkedError.invalidChunkSize
            }
            try countLineByte()
        case .sizeSpace:
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"): break
            case UInt8(ascii: ";"): state = .extensionText
            case UInt8(ascii: "\r"): state = .sizeLF
            case UInt8(ascii: "\n"): endSizeLine()
            default: throw ChunkedError.invalidChunkSize
            }
            try countLineByte()
        case .extensionText:
            // Extensions are understood by nobody here; skip them but keep the line bounded.
            switch byte {
            case UInt8(ascii: "\r"): state = .sizeLF
            case UInt8(ascii: "\n"): endSizeLine()
            case UInt8(ascii: "\""): state = .extensionQuoted
            case 0..<0x20 where byte != UInt8(ascii: "\t"), 0x7F: throw ChunkedError.invalidExtension
            default: break
            }
            try countLineByte()
        case .extensionQuoted:
            switch byte {
            case UInt8(ascii: "\""): state = .extensionText
            case UInt8(ascii: "\\"): state = .extensionEscape
            // qdtext excludes CR, LF and other controls: a line cannot end inside quotes.
            case 0..<0x20 where byte != UInt8(ascii: "\t"), 0x7F: throw ChunkedError.invalidExtension
            default: break
            }
            try countLineByte()
        case .extensionEscape:
            guard byte >= 0x20 || byte == UInt8(ascii: "\t"), byte != 0x7F else {
                throw ChunkedError.invalidExtension
            }
            state = .extensionQuoted
            try countLineByte()
        case .sizeLF:
            guard byte == UInt8(ascii: "\n") else { throw ChunkedError.missingCRLF }
            endSizeLine()
        case .dataCR:
            switch byte {
            case UInt8(ascii: "\r"): state = .dataLF
            case UInt8(ascii: "\n"): state = .sizeStart
            // Anything else means the sender's size and its data disagree: never resync.
            default: throw ChunkedError.missingCRLF
            }
        case .dataLF:
            guard byte == UInt8(ascii: "\n") else { throw ChunkedError.missingCRLF }
            state = .sizeStart
        case .trailerStart:
            switch byte {
            case UInt8(ascii: "\r"): state = .trailerLF
            case UInt8(ascii: "\n"): state = .done
            default:
                state = .trailerLine
                try countTrailerByte()
            }
        case .trailerLine:
            // Trailer fields are ignored (SPEC §3); only their size is limited.
            try countTrailerByte()
            if byte == UInt8(ascii: "\n") { state = .trailerStart }
        case .trailerLF:
            guard byte == UInt8(ascii: "\n") else { throw ChunkedError.missingCRLF }
            state = .done
        case .data, .done:
            preconditionFailure("payload and post-end bytes are not framing bytes")
        }
    }

    /// The size line is complete: the zero chunk starts the trailer section, others their data.
    private mutating func endSizeLine() {
        lineLength = 0
        if chunkSize == 0 {
            state = .trailerStart
        } else {
            remaining = chunkSize
            chunkSize = 0
            state = .data
        }
    }

    private mutating func countLineByte() throws {
        lineLength += 1
        guard lineLength <= maxChunkLineLength else { throw ChunkedError.lineTooLong }
    }

    private mutating func countTrailerByte() throws {
        trailerBytes += 1
        guard trailerBytes <= maxTrailerBytes else { throw ChunkedError.trailerTooLarge }
    }

    @inline(__always)
    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte &- UInt8(ascii: "A") &+ 10)
        default: return nil
        }
    }
}
