/// One header field as ranges into `RequestHead.bytes` (no copies per header).
public struct HeaderField: Sendable {
    public var name: Range<Int>
    public var value: Range<Int>
}

/// How the request body is framed (RFC 9112 §6.3).
public enum BodyFraming: Equatable, Sendable {
    case none
    case contentLength(Int)
    case chunked
}

/// A parsed request head: the bytes as received plus ranges into them, and the facts
/// derived once at parse time that every handler needs.
public struct RequestHead: Sendable {
    public var bytes: [UInt8]
    public var method: HTTPMethod
    public var methodRange: Range<Int>
    public var targetRange: Range<Int>
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    public var headers: [HeaderField]
    /// Percent-decoded, dot-segment-free path, always starting with "/".
    public var path: [UInt8]
    /// Raw (still encoded) query string, without the "?".
    public var queryRange: Range<Int>?
    /// The host the client addressed: absolute-form target, else the Host header.
    public var hostRange: Range<Int>?
    public var framing: BodyFraming
    public var keepAlive: Bool
    public var expectsContinue: Bool
    /// How many times a CGI's local `Location` re-dispatched this request (nginx stops at 10).
    public var internalRedirects = 0
    /// Set while this is an `error_page`'s internal request.
    public var errorPage: ErrorPageRequest?
    /// The client's own target once an internal redirect replaced `targetRange` (nginx's
    /// `$request_uri` never changes); nil before any.
    public var originalTargetRange: Range<Int>?

    public func string(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    public var methodString: String { string(methodRange) }
    public var target: String { string(targetRange) }
    /// nginx's `$request_uri` (CGI's REQUEST_URI): the client's own target, with an
    /// absolute-form's `scheme://authority` left out (`http://h/a?b` gives `/a?b`).
    public var requestURI: String {
        let range = originalTargetRange ?? targetRange
        guard bytes[range].first != UInt8(ascii: "/"), let authority = RequestTarget.absoluteFormAuthority(bytes[range]) else {
            return string(range)
        }
        let rest = string(authority.upperBound..<range.upperBound)
        return rest.hasPrefix("/") ? rest : "/" + rest
    }
    public var query: String { queryRange.map(string) ?? "" }
    public var pathString: String { String(decoding: path, as: UTF8.self) }
    public var host: ArraySlice<UInt8>? { hostRange.map { bytes[$0] } }

    /// The first value of a header; `name` must be lower-case.
    public func header(_ name: StaticString) -> ArraySlice<UInt8>? {
        for field in headers where Bytes.equalsLowercased(bytes[field.name], name) {
            return bytes[field.value]
        }
        return nil
    }

    public func headerString(_ name: StaticString) -> String? {
        header(name).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Every header as strings, in order (for CGI and logs).
    public var headerPairs: [(name: String, value: String)] {
        headers.map { (string($0.name), string($0.value)) }
    }
}
