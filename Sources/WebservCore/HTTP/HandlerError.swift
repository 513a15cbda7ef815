/// A status a request fails with (a body over its limit, a handler's refusal); the connection
/// turns it into an error response. Thrown by the HTTP body reader as well as by handlers.
public struct HandlerError: Error, Sendable {
    public var status: Int
    public init(_ status: Int) { self.status = status }
}
