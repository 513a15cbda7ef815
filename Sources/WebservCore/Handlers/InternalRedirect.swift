/// An internal request: the server answers as if the client had asked for another target with
/// GET (HEAD stays HEAD), through the normal dispatch. Used by a CGI's local redirect
/// (RFC 3875 §6.2.2, `Location: /path` without `Status`), by `error_page URI` and by `index`.
enum InternalRedirect {
    /// A CGI's local redirect.
    static func perform(_ c: Connection, to target: String) {
        guard let head = c.request, head.internalRedirects < CGIHandler.maxInternalRedirects else {
            c.server.logError("cgi: too many internal redirects")
            return c.respondError(500)
        }
        guard var next = retarget(head, to: target) else { return c.respondError(500) }
        // The original body (if any) is still drained by the first script's sink.
        next.expectsContinue = false
        c.request = next
        Dispatcher.handle(c)
    }

    /// nginx's index module: a directory's index file is answered by an internal request for
    /// its URI, with the method, body and query kept, so that the location of that URI serves
    /// it (`location = /index.html`, a CGI script named in `index`) and `$uri` names it. A
    /// `name` starting with `/` is that URI itself, not one in the directory.
    static func toIndex(_ c: Connection, _ head: RequestHead, name: String) {
        guard head.internalRedirects < CGIHandler.maxInternalRedirects else {
            c.server.logError("rewrite or internal redirection cycle while internally redirecting to \"\(name)\"")
            return c.respondError(500)
        }
        var target = HTML.percentEncodePath((name.hasPrefix("/") ? [] : head.path) + Array(name.utf8))
        if head.queryRange != nil { target += "?" + head.query }
        guard var next = retarget(head, to: target) else { return c.respondError(500) }
        next.method = head.method
        next.methodRange = head.methodRange
        next.framing = head.framing
        c.request = next
        Dispatcher.handle(c)
    }

    /// `head` asking for `target` (a path with an optional query) with GET and no body, or nil
    /// when the path does not normalise.
    static func retarget(_ head: RequestHead, to target: String) -> RequestHead? {
        let raw = Array(target.utf8)
        let pathPart = raw.prefix { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        guard let path = try? PathNormalizer.normalize(pathPart) else { return nil }

        // The new method and target go after the original bytes, so header ranges stay valid.
        var head = head
        head.originalTargetRange = head.originalTargetRange ?? head.targetRange
        let method: HTTPMethod = head.method == .head ? .head : .get
        let methodStart = head.bytes.count
        head.bytes.append(contentsOf: method.name.utf8)
        head.methodRange = methodStart..<head.bytes.count
        let targetStart = head.bytes.count
        head.bytes.append(contentsOf: raw.prefix { $0 != UInt8(ascii: "#") })
        head.targetRange = targetStart..<head.bytes.count
        if let q = head.bytes[head.targetRange].firstIndex(of: UInt8(ascii: "?")) {
            head.queryRange = (q + 1)..<head.targetRange.upperBound
        } else {
            head.queryRange = nil
        }
        head.method = method
        head.path = path
        head.framing = .none
        head.internalRedirects += 1
        return head
    }
}
