#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A CGI script's output that cannot be turned into a response; every case is a 502.
public enum CGIResponseError: Error, Equatable, Sendable {
    /// The output ended before the blank line that closes the header section.
    case missingHeaderSection
    case headerTooLarge
    case missingColon
    case invalidHeaderName
    /// CR, NUL or another control character in a value: a response-splitting attempt.
    case invalidHeaderValue
    case invalidStatus
    case duplicateHeader
    case invalidContentLength
    /// None of Content-Type, Location and Status (RFC 3875 §6.2 requires one).
    case noResponseHeaders

    public var status: Int { 502 }
}

/// The parsed header section of a CGI response (RFC 3875 §6.2, §6.3).
public struct CGIResponseHead: Sendable {
    public var status: Int
    /// `Status: 418 Teapot`'s "Teapot", for the status line; never holds a control character
    /// (every value with one is refused), so it cannot split the response head.
    public var reason: String?
    public var location: String?
    /// `Location: /path` without Status: the server re-dispatches it internally (RFC 3875 §6.2.2).
    public var isLocalRedirect: Bool
    public var contentType: String?
    /// The script's Content-Length: it frames the response, and bytes past it are never sent.
    public var contentLength: Int?
    /// Every other header, in order; hop-by-hop and server-owned fields are already removed.
    public var headers: [(name: String, value: String)]
}

/// Incremental parser for a CGI script's header section, fed chunks of its stdout.
///
/// Lines are checked as they complete, so a script that prints no header fails on its first
/// line rather than after 64 KiB. LF, CRLF and mixed line ends are accepted, as scripts use both.
public struct CGIResponseParser: Sendable {
    /// What one `feed` produced.
    public enum Progress: Sendable {
        case needMore
        /// The header section ended; the body starts at `bodyOffset` in the input just fed.
        case complete(CGIResponseHead, bodyOffset: Int)
    }

    private let maxHeaderBytes: Int
    private var line: [UInt8] = []
    private var consumed = 0
    private var done = false
    private var status: Int?
    private var reason: String?
    private var location: String?
    private var contentType: String?
    private var contentLength: Int?
    private var headers: [(name: String, value: String)] = []

    public var isComplete: Bool { done }

    public init(maxHeaderBytes: Int = 65536) {
        self.maxHeaderBytes = maxHeaderBytes
    }

    /// Feeds script output; once `.complete` is returned the rest of the output is body and
    /// must not be fed here.
    public mutating func feed(_ input: UnsafeRawBufferPointer) throws(CGIResponseError) -> Progress {
        precondition(!done, "the header section is already complete")
        guard let base = input.baseAddress else { return .needMore }
        var pos = 0
        while pos < input.count {
            guard let hit = memchr(base + pos, 10, input.count - pos) else {
                try take(input[pos...])
                return .needMore
            }
            let lineEnd = UnsafeRawPointer(hit) - base
            try take(input[pos...lineEnd])
            pos = lineEnd + 1
            line.removeLast()  // LF
            if line.last == 13 { line.removeLast() }
            if line.isEmpty {
                done = true
                return .complete(try makeHead(), bodyOffset: pos)
            }
            try parseLine()
            line.removeAll(keepingCapacity: true)
        }
        return .needMore
    }

    /// Call when the script's stdout closes: throws if the header section never ended.
    public func finish() throws(CGIResponseError) {
        guard done else { throw CGIResponseError.missingHeaderSection }
    }

    private mutating func take(_ bytes: Slice<UnsafeRawBufferPointer>) throws(CGIResponseError) {
        consumed += bytes.count
        guard consumed <= maxHeaderBytes else { throw CGIResponseError.headerTooLarge }
        line.append(contentsOf: bytes)
    }

    private mutating func parseLine() throws(CGIResponseError) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw CGIResponseError.missingColon }
        let name = line[..<colon]
        guard !name.isEmpty, name.allSatisfy(Self.isTokenChar) else { throw CGIResponseError.invalidHeaderName }
        var value = line[(colon + 1)...]
        while let f = value.first, f == 32 || f == 9 { value.removeFirst() }
        while let l = value.last, l == 32 || l == 9 { value.removeLast() }
        guard !value.contains(where: { ($0 < 32 && $0 != 9) || $0 == 127 }) else {
            throw CGIResponseError.invalidHeaderValue
        }
        let nameString = String(decoding: name, as: UTF8.self)
        let valueString = String(decoding: value, as: UTF8.self)
        switch nameString.lowercased() {
        case "status":
            guard status == nil else { throw CGIResponseError.duplicateHeader }
            try parseStatus(value)
        case "location":
            guard location == nil else { throw CGIResponseError.duplicateHeader }
            guard !value.isEmpty else { throw CGIResponseError.invalidHeaderValue }
            location = valueString
        case "content-type":
            guard contentType == nil else { throw CGIResponseError.duplicateHeader }
            contentType = valueString
        case "content-length":
            guard contentLength == nil else { throw CGIResponseError.duplicateHeader }
            guard !value.isEmpty, value.count <= 18, value.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                let n = Int(valueString)
            else { throw CGIResponseError.invalidContentLength }
            contentLength = n
        // Framing and connection management belong to the server, not the script.
        case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
            "upgrade", "server", "date":
            break
        default:
            headers.append((nameString, valueString))
        }
    }

    /// `Status: 404 Not Found`: exactly three digits, then optionally a space and a reason.
    private mutating func parseStatus(_ value: ArraySlice<UInt8>) throws(CGIResponseError) {
        let digits = value.prefix(3)
        guard digits.count == 3, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw CGIResponseError.invalidStatus
        }
        let code = digits.reduce(0) { $0 * 10 + Int($1 - 48) }
        guard (100...999).contains(code) else { throw CGIResponseError.invalidStatus }
        let rest = value.dropFirst(3)
        if let first = rest.first {
            guard first == 32 || first == 9 else { throw CGIResponseError.invalidStatus }
            var text = rest.dropFirst()
            while let f = text.first, f == 32 || f == 9 { text.removeFirst() }
            if !text.isEmpty { reason = String(decoding: text, as: UTF8.self) }
        }
        status = code
    }

    private func makeHead() throws(CGIResponseError) -> CGIResponseHead {
        guard contentType != nil || location != nil || status != nil else {
            throw CGIResponseError.noResponseHeaders
        }
        let isLocal = status == nil && (location?.hasPrefix("/") ?? false) && !(location?.hasPrefix("//") ?? false)
        let code = status ?? (location != nil && !isLocal ? 302 : 200)
        return CGIResponseHead(
            status: code, reason: reason, location: location, isLocalRedirect: isLocal,
            contentType: contentType, contentLength: contentLength, headers: headers)
    }

    /// RFC 9110 tchar.
    private static func isTokenChar(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }
}
