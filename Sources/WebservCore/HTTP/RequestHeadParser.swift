/// Finds the end of a request head in a growing buffer, then parses it in one pass
/// (picohttpparser's approach for a bounded input: look only at the new bytes).
public struct RequestHeadParser {
    public static let maxRequestLine = 8 * 1024
    public static let maxHeaderSection = 32 * 1024

    /// Where the previous scan stopped, so each byte is looked at once.
    private var scanned = 0
    /// Whether the request line's LF has been seen (and the line checked).
    private var lineChecked = false

    public init() {}

    public mutating func reset() {
        scanned = 0
        lineChecked = false
    }

    /// Looks for the blank line ending the head in `buffer`.
    /// Returns the head's length including the blank line, or nil if more bytes are needed.
    public mutating func findEnd(_ buffer: UnsafeRawBufferPointer) throws(HTTPParseError) -> Int? {
        let count = buffer.count
        var i = scanned
        if i == 0 {
            // RFC 9112 §2.2: empty lines before the request line are ignored, so they cannot
            // be the blank line that ends the head.
            while i < count && (buffer[i] == 0x0D || buffer[i] == 0x0A) { i += 1 }
            if i == count { return try checkLimits(buffer, upTo: count) }
        }
        while i < count {
            guard let p = memchr(buffer.baseAddress! + i, 0x0A, count - i) else { break }
            let lf = buffer.baseAddress!.distance(to: UnsafeRawPointer(p))
            if !lineChecked { try checkRequestLine(buffer, endingAt: lf) }
            // An LF followed by CRLF or LF ends the head (LF alone is tolerated as nginx does).
            if lf + 1 < count && buffer[lf + 1] == 0x0A { return lf + 2 }
            if lf + 2 < count && buffer[lf + 1] == 0x0D && buffer[lf + 2] == 0x0A { return lf + 3 }
            if lf + 2 >= count { scanned = lf; return try checkLimits(buffer, upTo: count) }
            i = lf + 1
        }
        scanned = max(count - 2, 0)
        return try checkLimits(buffer, upTo: count)
    }

    /// A request line needs two spaces (method SP target SP version). One without them, an
    /// HTTP/0.9 `GET /path` among others, would get 400 from `parse` once the blank line
    /// came, which such a client never sends: refuse it as soon as its line ends.
    private mutating func checkRequestLine(_ buffer: UnsafeRawBufferPointer, endingAt lf: Int) throws(HTTPParseError) {
        var start = 0
        while start < lf && (buffer[start] == 0x0D || buffer[start] == 0x0A) { start += 1 }
        guard start < lf else { return }  // the LF of an empty line before the request line
        lineChecked = true
        // Two memchr calls, not a loop over the line's bytes: this runs for every request.
        let base = buffer.baseAddress!
        guard let first = memchr(base + start, 0x20, lf - start) else { throw .badRequest("request line without a version") }
        let next = base.distance(to: UnsafeRawPointer(first)) + 1
        guard next < lf, memchr(base + next, 0x20, lf - next) != nil else {
            throw .badRequest("request line without a version")
        }
    }

    private func checkLimits(_ buffer: UnsafeRawBufferPointer, upTo count: Int) throws(HTTPParseError) -> Int? {
        if count > Self.maxRequestLine {
            // Skip the empty lines a client may send before the request line.
            var start = 0
            while start < count && (buffer[start] == 0x0D || buffer[start] == 0x0A) { start += 1 }
            // The longest line allowed is followed by CR LF: look that far for its LF.
            let window = min(count - start, Self.maxRequestLine + 2)
            if memchr(buffer.baseAddress! + start, 0x0A, window) == nil {
                // No LF yet: the line holds at least these bytes, less a CR that may end it.
                let known = buffer[start + window - 1] == 0x0D ? window - 1 : window
                if known > Self.maxRequestLine { throw .requestLineTooLong }
            }
        }
        if count > Self.maxRequestLine + Self.maxHeaderSection { throw .headersTooLarge }
        return nil
    }

    /// Parses a complete head (as found by `findEnd`).
    public static func parse(_ head: [UInt8]) throws(HTTPParseError) -> RequestHead {
        try head.withUnsafeBufferPointer { buffer in
            Result { () throws(HTTPParseError) in
                var p = HeadScanner(bytes: head, scan: buffer)
                return try p.parse()
            }
        }.get()
    }
}

/// The one-pass parse of a complete head.
private struct HeadScanner {
    let bytes: [UInt8]
    /// `bytes` for the byte-by-byte loops: no bounds check or reference counting per
    /// byte. Valid only during `RequestHeadParser.parse`.
    let scan: UnsafeBufferPointer<UInt8>
    var i = 0

    init(bytes: [UInt8], scan: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        self.scan = scan
    }

    mutating func parse() throws(HTTPParseError) -> RequestHead {
        let bytes = scan
        let n = bytes.count
        while i < n && (bytes[i] == 0x0D || bytes[i] == 0x0A) { i += 1 }

        // request-line = method SP request-target SP HTTP-version CRLF
        let methodStart = i
        while i < n && ByteClass.isToken(bytes[i]) { i += 1 }
        let methodRange = methodStart..<i
        guard !methodRange.isEmpty, i < n, bytes[i] == 0x20 else { throw .badRequest("bad request line") }
        while i < n && bytes[i] == 0x20 { i += 1 }
        let targetStart = i
        while i < n && bytes[i] > 0x20 && bytes[i] != 0x7F { i += 1 }
        let targetRange = targetStart..<i
        guard !targetRange.isEmpty, i < n, bytes[i] == 0x20 else { throw .badRequest("bad request line") }
        while i < n && bytes[i] == 0x20 { i += 1 }
        let versionStart = i
        let lineEnd = try endOfLine()
        // The whole line counts, from the method's first byte to the version's last.
        if lineEnd - methodStart > RequestHeadParser.maxRequestLine { throw .requestLineTooLong }
        let minor = try Self.version(self.bytes[versionStart..<lineEnd])
        let method = HTTPMethod(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[methodRange])))

        // header-field = field-name ":" OWS field-value OWS
        var headers: [HeaderField] = []
        headers.reserveCapacity(12)
        let headersStart = i
        while i < n {
            if bytes[i] == 0x0A { i += 1; break }
            if bytes[i] == 0x0D {
                guard i + 1 < n, bytes[i + 1] == 0x0A else { throw .badRequest("bare CR") }
                i += 2
                break
            }
            if bytes[i] == 0x20 || bytes[i] == 0x09 { throw .badRequest("obsolete line folding") }
            let nameStart = i
            while i < n && ByteClass.isToken(bytes[i]) { i += 1 }
            guard i > nameStart, i < n, bytes[i] == 0x3A else { throw .badRequest("bad header name") }
            let nameRange = nameStart..<i
            i += 1
            while i < n && (bytes[i] == 0x20 || bytes[i] == 0x09) { i += 1 }
            let valueStart = i
            let end = try endOfLine()
            var valueEnd = end
            while valueEnd > valueStart && (bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09) { valueEnd -= 1 }
            for k in valueStart..<valueEnd where !ByteClass.isFieldValue(bytes[k]) {
                throw .badRequest("bad header value")
            }
            headers.append(HeaderField(name: nameRange, value: valueStart..<valueEnd))
        }
        if i - headersStart > RequestHeadParser.maxHeaderSection { throw .headersTooLarge }
        return try semantics(method: method, methodRange: methodRange, targetRange: targetRange, minor: minor, headers: headers)
    }

    /// Advances past the line's CRLF (or LF); returns where the line's content ends.
    mutating func endOfLine() throws(HTTPParseError) -> Int {
        let bytes = scan
        let n = bytes.count
        let start = i
        while i < n && bytes[i] != 0x0A {
            if bytes[i] == 0x0D {
                guard i + 1 < n, bytes[i + 1] == 0x0A else { throw .badRequest("bare CR") }
                let end = i
                i += 2
                return end
            }
            i += 1
        }
        guard i < n else { throw .badRequest("unterminated line") }
        _ = start
        i += 1
        return i - 1
    }

    /// The fields that hold one value and whose second line nginx refuses with 400 ("client
    /// sent duplicate header line"): reading either copy could differ from what a proxy in
    /// front read (an Authorization, a validator). Host, Content-Length and
    /// Transfer-Encoding have their own checks in `semantics`.
    @inline(__always)
    static func singletonBit(_ name: ArraySlice<UInt8>) -> UInt16? {
        switch name.count {
        case 6 where Bytes.equalsLowercased(name, "expect"): return 1 << 0
        case 8 where Bytes.equalsLowercased(name, "if-match"): return 1 << 1
        case 8 where Bytes.equalsLowercased(name, "if-range"): return 1 << 2
        case 13 where Bytes.equalsLowercased(name, "if-none-match"): return 1 << 3
        case 13 where Bytes.equalsLowercased(name, "authorization"): return 1 << 4
        case 13 where Bytes.equalsLowercased(name, "content-range"): return 1 << 5
        case 17 where Bytes.equalsLowercased(name, "if-modified-since"): return 1 << 6
        case 19 where Bytes.equalsLowercased(name, "if-unmodified-since"): return 1 << 7
        default: return nil
        }
    }

    static func version(_ v: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        // HTTP-version = "HTTP/" DIGIT "." DIGIT
        let s = v.startIndex
        guard v.count == 8, v[s] == 0x48, v[s + 1] == 0x54, v[s + 2] == 0x54, v[s + 3] == 0x50, v[s + 4] == 0x2F,
            let major = ByteClass.digit(v[v.startIndex + 5]), v[v.startIndex + 6] == 0x2E,
            let minor = ByteClass.digit(v[v.startIndex + 7])
        else { throw .badRequest("bad version") }
        guard major == 1, minor <= 1 else { throw .versionNotSupported }
        return minor
    }

    func semantics(
        method: HTTPMethod, methodRange: Range<Int>, targetRange: Range<Int>, minor: Int, headers: [HeaderField]
    ) throws(HTTPParseError) -> RequestHead {
        var hostRange: Range<Int>?
        var contentLength: Int?
        var transferEncoding: Range<Int>?
        var keepAlive = minor >= 1
        var expectsContinue = false
        var singletonsSeen: UInt16 = 0
        for field in headers {
            let name = bytes[field.name]
            let value = field.value
            if let bit = Self.singletonBit(name) {
                guard singletonsSeen & bit == 0 else { throw .badRequest("duplicate header line") }
                singletonsSeen |= bit
            }
            switch name.count {
            case 4 where Bytes.equalsLowercased(name, "host"):
                guard hostRange == nil else { throw .badRequest("duplicate Host") }
                hostRange = value
            case 6 where Bytes.equalsLowercased(name, "expect"):
                if Bytes.equalsLowercased(bytes[value], "100-continue") { expectsContinue = true }
            case 10 where Bytes.equalsLowercased(name, "connection"):
                Bytes.forEachToken(bytes[value]) { token in
                    if Bytes.equalsLowercased(token, "close") { keepAlive = false }
                    if Bytes.equalsLowercased(token, "keep-alive") && minor == 0 { keepAlive = true }
                }
            case 14 where Bytes.equalsLowercased(name, "content-length"):
                // Duplicates, signs and overflow are smuggling vectors: refuse them all.
                guard contentLength == nil else { throw .badRequest("duplicate Content-Length") }
                guard let length = Bytes.parseDecimal(bytes[value]) else { throw .badRequest("bad Content-Length") }
                contentLength = length
            case 17 where Bytes.equalsLowercased(name, "transfer-encoding"):
                guard transferEncoding == nil else { throw .badRequest("duplicate Transfer-Encoding") }
                transferEncoding = value
            default:
                break
            }
        }

        var framing = BodyFraming.none
        if let te = transferEncoding {
            // nginx's order: HTTP/1.0 (400), then a coding we do not implement (501: "gzip,
            // chunked", "identity" and friends, with or without Content-Length), then both (400).
            guard minor >= 1 else { throw .badRequest("Transfer-Encoding in HTTP/1.0") }
            guard Bytes.equalsLowercased(bytes[te], "chunked") else { throw .unsupportedTransferCoding }
            guard contentLength == nil else { throw .badRequest("both Content-Length and Transfer-Encoding") }
            framing = .chunked
        } else if let length = contentLength, length > 0 {
            framing = .contentLength(length)
        }

        let headerHost = hostRange
        // request-target: origin-form, absolute-form (host taken from it), or "*" for OPTIONS.
        var target = bytes[targetRange]
        if target.first != 0x2F {
            if method == .options && target.count == 1 && target.first == 0x2A {
                target = target.prefix(0)
            } else if let authority = RequestTarget.absoluteFormAuthority(target) {
                hostRange = authority
                target = bytes[authority.upperBound..<targetRange.upperBound]
            } else {
                throw .badRequest("bad request target")
            }
        }
        // HTTP/1.1 needs the Host field even when the target names the host (RFC 9112 §3.2,
        // nginx); the field is valid or 400 whichever of the two is used.
        if minor >= 1 && headerHost == nil { throw .badRequest("missing Host") }
        if let h = headerHost, !Self.validHost(bytes[h]) { throw .badRequest("bad Host") }
        if let h = hostRange, !Self.validHost(bytes[h]) { throw .badRequest("bad Host") }

        var rawPath = target
        var queryRange: Range<Int>?
        if let q = target.firstIndex(of: 0x3F) {
            rawPath = bytes[target.startIndex..<q]
            queryRange = (q + 1)..<target.endIndex
        }
        if let hash = rawPath.firstIndex(of: 0x23) { rawPath = bytes[rawPath.startIndex..<hash] }
        let path: [UInt8]
        do {
            path = rawPath.isEmpty ? [0x2F] : try PathNormalizer.normalize(rawPath)
        } catch {
            throw error == .aboveRoot ? .outsideRoot : .badRequest("bad path")
        }

        return RequestHead(
            bytes: bytes, method: method, methodRange: methodRange, targetRange: targetRange,
            minorVersion: minor, headers: headers, path: path, queryRange: queryRange, hostRange: hostRange,
            framing: framing, keepAlive: keepAlive, expectsContinue: expectsContinue)
    }

    /// reg-name / IPv4 / [IPv6] with optional port: no slashes, spaces or control bytes. As
    /// nginx's ngx_http_validate_host, an empty name (`Host:`, `Host: :80`) or `..` is invalid.
    static func validHost(_ h: ArraySlice<UInt8>) -> Bool {
        guard let first = h.first, first != 0x3A else { return false }
        var previous: UInt8 = 0
        for b in h {
            if b <= 0x20 || b == 0x2F || b == 0x5C || b == 0x7F || b == 0x40 { return false }
            if b == 0x2E && previous == 0x2E { return false }
            previous = b
        }
        return true
    }
}
