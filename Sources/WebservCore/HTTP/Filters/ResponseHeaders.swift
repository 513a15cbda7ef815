/// The headers step of the response filter stage, first of three (headers → compression →
/// framing; nginx's ngx_http_headers_filter_module): what `add_header` and `expires` add to a
/// response, cached static hits and error pages included (`Connection.filter` applies it).
enum ResponseHeaders {
    /// The statuses nginx adds headers to without `always` (and the only ones `expires` touches).
    static func isSuccessOrRedirect(_ status: Int) -> Bool {
        switch status {
        case 200, 201, 204, 206, 301, 302, 303, 304, 307, 308: return true
        default: return false
        }
    }

    /// What `location`'s rules add to a response of `status` (`now` in wall-clock seconds):
    /// `expires` first (its `Expires` and `Cache-Control` replace the response's own), then
    /// each `add_header` whose value is not empty.
    /// `sent` is the response's own headers (`$sent_http_NAME` sees them, and each header added before).
    static func extra(
        rules: [HeaderRule], expires: Expires, status: Int, now: Int, sent: [(name: String, value: String)] = [],
        variables: () -> VariableContext
    ) -> (headers: [(name: String, value: String)], replacesCaching: Bool) {
        var out: [(name: String, value: String)] = []
        let safe = isSuccessOrRedirect(status)
        if safe, let pair = expiresHeaders(expires, now: now) {
            out.append(("Expires", pair.expires))
            out.append(("Cache-Control", pair.cacheControl))
        }
        var context: VariableContext?
        for rule in rules where safe || rule.always {
            let value: String
            if rule.value.isLiteral {
                value = rule.value.source
            } else {
                if context == nil {
                    context = variables()
                    context!.status = status
                }
                context!.sentHeaders = sent + out
                value = Redirect.sanitize(rule.value.expand(context!))
            }
            if !value.isEmpty { out.append((rule.name, value)) }
        }
        return (out, safe && expires != .off)
    }

    /// `Expires` and `Cache-Control` as nginx writes them; nil for `expires off`.
    static func expiresHeaders(_ expires: Expires, now: Int) -> (expires: String, cacheControl: String)? {
        switch expires {
        case .off:
            return nil
        case .epoch:
            return ("Thu, 01 Jan 1970 00:00:01 GMT", "no-cache")
        case .max:
            return ("Thu, 31 Dec 2037 23:55:55 GMT", "max-age=315360000")
        case .seconds(let n):
            let date = String(decoding: HTTPDate.format(now + n), as: UTF8.self)
            return (date, n < 0 ? "no-cache" : "max-age=\(n)")
        }
    }
}
