/// A CGI's local redirect (RFC 3875 §6.2.2, `Location: /path` without `Status`): the server
/// answers as if the client had asked for that path with GET, through the normal dispatch.
enum CGIInternalRedirect {
    static func perform(_ c: Connection, to target: String) {
        guard var head = c.request, head.internalRedirects < CGIHandler.maxInternalRedirects else {
            c.server.logError("cgi: too many internal redirects")
            return c.respondError(500)
        }
        let raw = Array(target.utf8)
        let pathPart = raw.prefix { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        guard let path = try? PathNormalizer.normalize(pathPart) else { return c.respondError(500) }

        // The new method and target go after the original bytes, so header ranges stay valid.
        let methodStart = head.bytes.count
        head.bytes.append(contentsOf: "GET".utf8)
        head.methodRange = methodStart..<head.bytes.count
        let targetStart = head.bytes.count
        head.bytes.append(contentsOf: raw.prefix { $0 != UInt8(ascii: "#") })
        head.targetRange = targetStart..<head.bytes.count
        if let q = head.bytes[head.targetRange].firstIndex(of: UInt8(ascii: "?")) {
            head.queryRange = (q + 1)..<head.targetRange.upperBound
        } else {
            head.queryRange = nil
        }
        head.method = .get
        head.path = path
        // The original body (if any) is still drained by the first script's sink.
        head.framing = .none
        head.expectsContinue = false
        head.internalRedirects += 1
        c.request = head
        Dispatcher.handle(c)
    }
}
