/// Pure validation of an HTTP/1.1 upgrade request (RFC 6455 §4.2.1) and the 101 headers (§4.2.2).
public enum WebSocketHandshake {
    /// §1.3: the GUID appended to the key before hashing.
    public static let acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// Headers for the 426 a caller sends when a WebSocket location gets a plain request.
    public static let upgradeRequiredHeaders: [(String, String)] = [("Upgrade", "websocket")]

    /// What to answer.
    public enum Result {
        /// Send 101 Switching Protocols with these headers.
        case accept(headers: [(String, String)])
        /// Send this status with these headers; the connection stays HTTP.
        case reject(status: Int, headers: [(String, String)])
        /// Not an upgrade request at all (no `Upgrade: websocket` / `Connection: upgrade`): the
        /// caller decides (426 with `upgradeRequiredHeaders` for echo/exec, polling for broadcast).
        case notUpgrade
    }

    /// Checks an upgrade request. `header` returns the value of a header by lower-case name
    /// (repeated fields joined with ", "). `allowedOrigins`, when non-nil, lists accepted `Origin`
    /// values (compared case-insensitively); a request without `Origin` is not from a browser and
    /// is accepted, since the check exists to stop cross-site browser pages.
    public static func validate(
        method: String, versionMajor: Int, versionMinor: Int,
        header: (String) -> [UInt8]?, allowedOrigins: [String]?
    ) -> Result {
        // §4.2.1 items 3 and 4: an |Upgrade| header containing "websocket" and a |Connection|
        // header containing "Upgrade", both case-insensitive.
        guard let upgrade = header("upgrade"), hasToken("websocket", in: upgrade[...]),
            let connection = header("connection"), hasToken("upgrade", in: connection[...])
        else { return .notUpgrade }
        // Item 1: "An HTTP/1.1 or higher GET request".
        guard method == "GET" else { return .reject(status: 405, headers: [("Allow", "GET")]) }
        guard versionMajor > 1 || (versionMajor == 1 && versionMinor >= 1) else {
            return .reject(status: 400, headers: [])
        }
        // §4.2.2: "If this version does not match a version understood by the server, the server
        // MUST abort the WebSocket handshake ... and instead send an appropriate HTTP error code
        // (such as 426 Upgrade Required) and a |Sec-WebSocket-Version| header field".
        guard let version = header("sec-websocket-version"), trimmed(version[...]).elementsEqual("13".utf8) else {
            return .reject(status: 426, headers: [("Sec-WebSocket-Version", "13")])
        }
        // Item 5: "a base64-encoded value that, when decoded, is 16 bytes in length".
        guard let rawKey = header("sec-websocket-key") else { return .reject(status: 400, headers: []) }
        let key = trimmed(rawKey[...])
        guard let nonce = Base64.decode(key), nonce.count == 16 else { return .reject(status: 400, headers: []) }
        if let allowedOrigins, let origin = header("origin") {
            let value = trimmed(origin[...])
            guard allowedOrigins.contains(where: { asciiCaseInsensitiveEqual(Array($0.utf8)[...], value) }) else {
                return .reject(status: 403, headers: [])
            }
        }
        return .accept(headers: [
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Accept", acceptValue(forKey: key)),
        ])
    }

    /// §4.2.2 item 5.4: base64(SHA-1(key + GUID)) of the key as sent (not decoded).
    public static func acceptValue(forKey key: some Collection<UInt8>) -> String {
        Base64.encode(SHA1.hash(Array(key) + Array(acceptGUID.utf8)))
    }

    /// True when the comma-separated `value` lists `token`, ignoring case and optional whitespace.
    public static func hasToken(_ token: String, in value: ArraySlice<UInt8>) -> Bool {
        let wanted = Array(token.utf8)[...]
        var start = value.startIndex
        while start <= value.endIndex {
            let end = value[start...].firstIndex(of: UInt8(ascii: ",")) ?? value.endIndex
            if asciiCaseInsensitiveEqual(wanted, trimmed(value[start..<end])) { return true }
            start = end + 1
        }
        return false
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return slice
    }

    private static func asciiCaseInsensitiveEqual(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { lower($0) == lower($1) }
    }

    @inline(__always)
    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
