#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A malformed or truncated multipart body; the upload handler answers 400.
public enum MultipartError: Error, Equatable, Sendable {
    case invalidBoundary
    case malformedBoundaryLine
    case headerTooLarge
    case malformedHeader
    case truncated

    public var status: Int { 400 }
}

/// Incremental multipart/form-data parser (RFC 7578, RFC 2046 §5.1.1) that never holds a part.
///
/// It keeps only a partial delimiter match (as a count into the delimiter itself) and the
/// current part's header lines. Part data is handed out as slices of the input, or of the
/// delimiter when a carried partial match turns out to be data.
public struct MultipartScanner: Sendable {
    /// What the scanner reports, in body order. Buffers are valid only during the callback.
    public enum Event {
        case partBegin(MultipartPartHeaders)
        /// A slice of the fed input or of the scanner's carry; never copied.
        case partData(UnsafeRawBufferPointer)
        case partEnd
        case end
    }

    /// Where the scanner is in the body grammar.
    enum State: Sendable {
        case preamble  // before the first delimiter: discarded
        case afterDelimiter  // right after "--boundary": "--", padding or the line end
        case closeDash  // saw one "-" after the delimiter
        case padding  // transport padding (LWSP) before the line end
        case delimiterLF  // saw CR ending the delimiter line
        case headers  // part header lines until an empty line
        case body  // part data until the next delimiter
        case epilogue  // after the close delimiter: discarded
    }

    /// CRLF "--" boundary: the delimiter that ends every part (RFC 2046 §5.1.1).
    private let delimiter: [UInt8]
    private let maxHeaderBytes: Int
    private let boundaryIsValid: Bool
    private var state: State = .preamble
    /// How many delimiter bytes the end of the previous input matched.
    private var matched: Int
    private var inPart = false
    private var headerBytes: [UInt8] = []

    /// True once the close delimiter was seen; anything after it is epilogue.
    public var isFinished: Bool { state == .epilogue }

    /// boundary: from the Content-Type parameter (see `boundary(fromContentType:)`).
    public init(boundary: [UInt8], maxHeaderBytes: Int = 16384) {
        delimiter = [UInt8(ascii: "\r"), UInt8(ascii: "\n"), UInt8(ascii: "-"), UInt8(ascii: "-")] + boundary
        self.maxHeaderBytes = maxHeaderBytes
        // The carry logic relies on CR appearing only at the start of the delimiter; boundaries
        // from `boundary(fromContentType:)` never contain CR or LF.
        boundaryIsValid = !boundary.isEmpty && !boundary.contains(where: { $0 == 13 || $0 == 10 })
        // The first delimiter may open the body without a preceding CRLF: pretend one was seen.
        matched = 2
    }

    /// Feeds bytes; calls `onEvent` for each event in order. Throws on malformed input.
    public mutating func feed(_ input: UnsafeRawBufferPointer, onEvent: (Event) throws -> Void) throws {
        guard boundaryIsValid else { throw MultipartError.invalidBoundary }
        var i = 0
        let end = input.count
        while i < end {
            switch state {
            case .preamble, .body:
                i = try scanForDelimiter(input, from: i, onEvent: onEvent)
            case .headers:
                i = try scanHeaders(input, from: i, onEvent: onEvent)
            case .epilogue:
                return
            case .afterDelimiter, .closeDash, .padding, .delimiterLF:
                try stepDelimiterLine(input[i], onEvent: onEvent)
                i += 1
            }
        }
    }

    /// Call at end of body: throws if the closing boundary was not seen (a body cut short).
    public func finish() throws {
        guard isFinished else { throw MultipartError.truncated }
    }

    /// Finds the next delimiter, reporting (in `.body`) or dropping (in `.preamble`) what precedes it.
    private mutating func scanForDelimiter(
        _ input: UnsafeRawBufferPointer, from start: Int, onEvent: (Event) throws -> Void
    ) throws -> Int {
        let end = input.count
        var pos = start
        if matched > 0 {
            // Continue the partial match carried over from the previous input.
            let n = min(delimiter.count - matched, end - start)
            if Self.equal(input, start, delimiter, matched, n) {
                if matched + n < delimiter.count {
                    matched += n
                    return end
                }
                matched = 0
                try delimiterFound(onEvent: onEvent)
                return start + n
            }
            // Not a delimiter after all: the carried bytes were data. Since CR only starts the
            // delimiter, no later position inside the carry can start one, so rescan from `start`.
            if state == .body {
                let carried = matched
                try delimiter.withUnsafeBytes { d in
                    try onEvent(.partData(UnsafeRawBufferPointer(rebasing: d[0..<carried])))
                }
            }
            matched = 0
        }
        guard let base = input.baseAddress else { return end }
        while pos < end {
            // memchr is vectorised: the per-byte cost between CRs is a fraction of a cycle.
            guard let hit = memchr(base + pos, 13, end - pos) else { break }
            let cr = UnsafeRawPointer(hit) - base
            let n = min(delimiter.count, end - cr)
            if Self.equal(input, cr, delimiter, 0, n) {
                try emit(input, start, cr, onEvent)
                if n == delimiter.count {
                    try delimiterFound(onEvent: onEvent)
                    return cr + n
                }
                matched = n  // a delimiter prefix at the very end: keep it as a count, not bytes
                return end
            }
            pos = cr + 1
        }
        try emit(input, start, end, onEvent)
        return end
    }

    private func emit(
        _ input: UnsafeRawBufferPointer, _ from: Int, _ to: Int, _ onEvent: (Event) throws -> Void
    ) throws {
        guard to > from, state == .body else { return }
        try onEvent(.partData(UnsafeRawBufferPointer(rebasing: input[from..<to])))
    }

    private mutating func delimiterFound(onEvent: (Event) throws -> Void) throws {
        if inPart {
            inPart = false
            try onEvent(.partEnd)
        }
        state = .afterDelimiter
    }

    /// The rest of a delimiter line: "--" closes the body, else optional LWSP then the line end.
    private mutating func stepDelimiterLine(_ byte: UInt8, onEvent: (Event) throws -> Void) throws {
        switch (state, byte) {
        case (.afterDelimiter, UInt8(ascii: "-")):
            state = .closeDash
        case (.closeDash, UInt8(ascii: "-")):
            state = .epilogue
            try onEvent(.end)
        case (.afterDelimiter, UInt8(ascii: " ")), (.afterDelimiter, UInt8(ascii: "\t")),
            (.padding, UInt8(ascii: " ")), (.padding, UInt8(ascii: "\t")):
            state = .padding
        case (.afterDelimiter, UInt8(ascii: "\r")), (.padding, UInt8(ascii: "\r")):
            state = .delimiterLF
        case (.afterDelimiter, UInt8(ascii: "\n")), (.padding, UInt8(ascii: "\n")),
            (.delimiterLF, UInt8(ascii: "\n")):
            // A bare LF is tolerated as a line end, as for the request head.
            state = .headers
            headerBytes.removeAll(keepingCapacity: true)
        default:
            // "--boundaryX": the boundary must not occur inside the body (RFC 2046 §5.1.1).
            throw MultipartError.malformedBoundaryLine
        }
    }

    /// Collects header lines up to the empty line, then reports the part's start.
    private mutating func scanHeaders(
        _ input: UnsafeRawBufferPointer, from start: Int, onEvent: (Event) throws -> Void
    ) throws -> Int {
        var pos = start
        let end = input.count
        while pos < end {
            let lineStart = headerBytes.count
            var lineEnd = end
            var complete = false
            if let base = input.baseAddress, let hit = memchr(base + pos, 10, end - pos) {
                lineEnd = UnsafeRawPointer(hit) - base + 1
                complete = true
            }
            guard headerBytes.count + (lineEnd - pos) <= maxHeaderBytes else {
                throw MultipartError.headerTooLarge
            }
            headerBytes.append(contentsOf: input[pos..<lineEnd])
            pos = lineEnd
            guard complete else { break }
            // A line may have begun in an earlier input: find its real start.
            var first = lineStart
            while first > 0 && headerBytes[first - 1] != 10 { first -= 1 }
            let length = headerBytes.count - first
            if length == 1 || (length == 2 && headerBytes[first] == 13) {
                let headers = try MultipartPartHeaders(parsing: headerBytes[..<first])
                headerBytes.removeAll(keepingCapacity: true)
                state = .body
                inPart = true
                try onEvent(.partBegin(headers))
                return pos
            }
        }
        return pos
    }

    @inline(__always)
    private static func equal(
        _ a: UnsafeRawBufferPointer, _ aStart: Int, _ b: [UInt8], _ bStart: Int, _ count: Int
    ) -> Bool {
        b.withUnsafeBytes { b in
            memcmp(a.baseAddress! + aStart, b.baseAddress! + bStart, count) == 0
        }
    }
}
