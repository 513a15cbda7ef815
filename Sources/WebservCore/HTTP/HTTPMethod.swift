/// Request methods. `other` methods are answered 501; known but unhandled ones 405.
public enum HTTPMethod: UInt8, Sendable {
    case get, head, post, put, delete, options, patch, trace, connect, other

    init(_ token: UnsafeRawBufferPointer) {
        func eq(_ s: StaticString) -> Bool {
            s.utf8CodeUnitCount == token.count
                && memcmp(s.utf8Start, token.baseAddress!, token.count) == 0
        }
        switch token.count {
        case 3: self = eq("GET") ? .get : eq("PUT") ? .put : .other
        case 4: self = eq("HEAD") ? .head : eq("POST") ? .post : .other
        case 5: self = eq("PATCH") ? .patch : eq("TRACE") ? .trace : .other
        case 6: self = eq("DELETE") ? .delete : .other
        case 7: self = eq("OPTIONS") ? .options : eq("CONNECT") ? .connect : .other
        default: self = .other
        }
    }

    public var name: String {
        switch self {
        case .get: return "GET"
        case .head: return "HEAD"
        case .post: return "POST"
        case .put: return "PUT"
        case .delete: return "DELETE"
        case .options: return "OPTIONS"
        case .patch: return "PATCH"
        case .trace: return "TRACE"
        case .connect: return "CONNECT"
        case .other: return "OTHER"
        }
    }
}
