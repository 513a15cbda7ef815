/// nginx's access phase for a location: `allow`/`deny` (403), then `auth_basic` (401), with a
/// `limit_except` block's rules for the methods it does not list.
enum AccessControl {
    /// True when the request may go on; otherwise the refusal is already answered.
    static func permits(_ c: Connection, _ req: RequestHead, location: LocationConfig) -> Bool {
        if location.limitExcept == nil && location.access.isEmpty { return true }
        var policy = location.access
        if let limit = location.limitExcept, !limit.methods.contains(req.method.name) {
            policy = limit.policy
        }
        if policy.isEmpty { return true }
        if !policy.rules.isEmpty {
            let client = IPNetwork.addressBytes(c.peerAddress).map(IPNetwork.unmapped)
            let allowed = AccessRule.allows(policy.rules, client: client)
            if allowed && policy.satisfyAny { return true }
            // `satisfy any` still asks for a password when there is one (nginx: 401 wins over 403).
            if !allowed && !(policy.satisfyAny && policy.auth != nil) {
                c.server.logError("access forbidden by rule, client: \(c.peerAddress), request: \"\(req.target)\"")
                c.respondError(403)
                return false
            }
        }
        guard let auth = policy.auth else { return true }
        if let failure = auth.users.refresh(now: c.loop.now) {
            c.server.logError("auth_basic_user_file \"\(auth.users.path)\" cannot be read (errno \(failure))")
            c.respondError(failure == ENOENT ? 403 : 500)
            return false
        }
        if let (user, password) = credentials(req.header("authorization")) {
            if auth.users.matches(user: user, password: password) { return true }
            // nginx's two error-log lines, so that a refused login can be told from a typo.
            var escaped: [UInt8] = []
            CombinedLogFormat.escape(user, into: &escaped)  // a name is the client's bytes: no CR LF in the log
            let name = String(decoding: escaped, as: UTF8.self)
            let why =
                auth.users.hasUser(user)
                ? "user \"\(name)\": password mismatch" : "user \"\(name)\" was not found in \"\(auth.users.path)\""
            c.server.logError("\(why), client: \(c.peerAddress), request: \"\(req.target)\"")
        }
        c.respondError(401, headers: [("WWW-Authenticate", challenge(realm: auth.realm))])
        return false
    }

    /// `Basic realm="REALM"`, the realm's quotes and backslashes escaped (RFC 9110 §5.6.4).
    static func challenge(realm: String) -> String {
        var quoted = ""
        for ch in realm.unicodeScalars {
            if ch == "\"" || ch == "\\" { quoted.append("\\") }
            if ch.value >= 0x20 && ch.value != 0x7F { quoted.unicodeScalars.append(ch) }
        }
        return "Basic realm=\"\(quoted)\""
    }

    /// User and password of `Authorization: Basic base64(user:password)` (RFC 7617); nil for
    /// another scheme, bad base64, no `:` or an empty user.
    static func credentials(_ value: ArraySlice<UInt8>?) -> (ArraySlice<UInt8>, ArraySlice<UInt8>)? {
        guard let value, value.count > 6, Bytes.equalsLowercased(value.prefix(5), "basic"),
            value[value.startIndex + 5] == 0x20
        else { return nil }
        let encoded = value.dropFirst(6).drop { $0 == 0x20 }
        guard let decoded = Base64.decode(encoded), let colon = decoded.firstIndex(of: 0x3A), colon > 0 else {
            return nil
        }
        return (decoded[..<colon], decoded[(colon + 1)...])
    }
}
