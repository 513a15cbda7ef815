/// The framing step of the response filter stage, last of the three: how the body's end is
/// known (RFC 9112 §6.3). Pure.
public enum ResponseFraming: Equatable, Sendable {
    /// No content at all: 1xx, 204, 304 (RFC 9110 §6.4.1).
    case none
    /// `Content-Length`: the body's length is known (bytes, a file, a stream that declared it).
    case contentLength
    /// `Transfer-Encoding: chunked`: a stream of unknown length on HTTP/1.1.
    case chunked
    /// A stream of unknown length on HTTP/1.0: closing the connection ends it.
    case close

    /// The framing a response of `status` gets; `streamed` with `knownLength` false is a body
    /// whose length nobody knows yet (CGI output, a compressed stream). A HEAD answer is
    /// framed as its GET would be (RFC 9110 §9.3.2), without the body.
    public static func choose(status: Int, streamed: Bool, knownLength: Bool, minorVersion: Int) -> ResponseFraming {
        if HTTPStatus.hasNoBody(status) { return .none }
        if !streamed || knownLength { return .contentLength }
        return minorVersion >= 1 ? .chunked : .close
    }
}
