/// What a handler answers. The body is a description, not necessarily bytes in memory:
/// files are streamed from disk and CGI output from a pipe.
public struct Response {
    public enum Body {
        case empty
        case bytes([UInt8])
        /// `length` bytes of an open file from `offset`; the connection closes `fd` when done.
        case file(fd: Int32, offset: Int, length: Int)
        /// Produced later by a stream source (CGI, broadcast poll): length unknown, sent chunked.
        case stream
    }

    public var status: Int
    /// A reason phrase other than the standard one (a CGI script's `Status: 418 Teapot`, as
    /// nginx passes it on); its source guarantees no control characters.
    public var reason: String?
    public var headers: [(name: String, value: String)]
    public var body: Body
    /// Overrides the body's own length (HEAD answers, 304s keep the entity's length).
    public var contentLength: Int?
    /// Precomputed header lines (ending in CRLF) for cached files; appended verbatim.
    public var rawHeaders: [UInt8]?
    /// The connection must close after this response.
    public var close = false
    /// Compressed forms of a cached body, which the compression step takes when it encodes.
    var variants: EncodedVariants?
    /// The open file a cached `.bytes` body was read from: sent with sendfile instead of copied.
    /// Whatever replaces the body drops it.
    var descriptor: FileCache.CachedDescriptor?

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Body = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A cached file's answer, every field set at once (`StaticFile.cachedResponse`): built
    /// field by field, the value was copied once more on its way out, a retain per field.
    init(
        status: Int, headers: [(name: String, value: String)], bytes: [UInt8], rawHeaders: [UInt8],
        descriptor: FileCache.CachedDescriptor?, variants: EncodedVariants?
    ) {
        self.status = status
        self.headers = headers
        self.body = .bytes(bytes)
        self.rawHeaders = rawHeaders
        self.descriptor = descriptor
        self.variants = variants
    }

    public var bodyLength: Int? {
        switch body {
        case .empty: return 0
        case .bytes(let b): return b.count
        case .file(_, _, let length): return length
        case .stream: return nil
        }
    }

    public static func html(_ status: Int, _ text: String, headers: [(name: String, value: String)] = []) -> Response {
        var r = Response(status: status, headers: headers, body: .bytes(Array(text.utf8)))
        r.headers.append(("Content-Type", "text/html"))
        return r
    }
}

/// Writes a response head: status line, the headers every response carries, framing.
public enum ResponseSerializer {
    public static func head(
        _ r: Response, minorVersion: Int, keepAlive: Bool, date: [UInt8], chunked: Bool,
        keepAliveHeader: Int? = nil, into out: inout [UInt8]
    ) {
        // RFC 9112 §2.5: a server sends its own highest conformant version, whatever the
        // request's (as nginx does); `minorVersion` only decides the connection header below.
        if r.status == 200 && r.reason == nil {
            // The usual case in one copy, without looking up and transcoding the reason.
            Bytes.append("HTTP/1.1 200 OK\r\nServer: webserv\r\nDate: ", to: &out)
        } else {
            Bytes.append("HTTP/1.1 ", to: &out)
            Bytes.appendDecimal(r.status, to: &out)
            out.append(0x20)
            Bytes.append(r.reason ?? HTTPStatus.reason(r.status), to: &out)
            Bytes.append("\r\nServer: webserv\r\nDate: ", to: &out)
        }
        out.append(contentsOf: date)
        Bytes.append("\r\n", to: &out)
        for (name, value) in r.headers {
            Bytes.append(name, to: &out)
            Bytes.append(": ", to: &out)
            Bytes.append(value, to: &out)
            Bytes.append("\r\n", to: &out)
        }
        if let raw = r.rawHeaders { out.append(contentsOf: raw) }
        if chunked {
            Bytes.append("Transfer-Encoding: chunked\r\n", to: &out)
        } else if r.status >= 200 && r.status != 204 && r.status != 304 && r.rawHeaders == nil {
            if let length = r.contentLength ?? r.bodyLength {
                Bytes.append("Content-Length: ", to: &out)
                Bytes.appendDecimal(length, to: &out)
                Bytes.append("\r\n", to: &out)
            }
        }
        if r.status == 101 {
            // Upgrade responses carry their own Connection header.
        } else if !keepAlive {
            Bytes.append("Connection: close\r\n", to: &out)
        } else if minorVersion == 0 {
            Bytes.append("Connection: keep-alive\r\n", to: &out)
        }
        if keepAlive, r.status != 101, let seconds = keepAliveHeader {
            Bytes.append("Keep-Alive: timeout=", to: &out)
            Bytes.appendDecimal(seconds, to: &out)
            Bytes.append("\r\n", to: &out)
        }
        Bytes.append("\r\n", to: &out)
    }
}
