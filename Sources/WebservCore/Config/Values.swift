#if canImport(Glibc)
    import Glibc
#endif

/// Parsers for the scalar values directives take: sizes, times, `listen` addresses.
enum ConfigValues {
    /// `1024`, `8k`, `1m`, `2G` (case-insensitive) in bytes, as nginx's `ngx_parse_size`; nil if invalid.
    static func size(_ text: String) -> Int? {
        var digits = Substring(text)
        var scale = 1
        switch digits.last {
        case "k", "K": scale = 1 << 10
        case "m", "M": scale = 1 << 20
        case "g", "G": scale = 1 << 30
        default: break
        }
        if scale != 1 { digits.removeLast() }
        guard let value = decimal(digits) else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? nil : product
    }

    /// `30`, `500ms`, `30s`, `5m`, `1h`, `1h30m` in milliseconds, as nginx's `ngx_parse_time`;
    /// a number without a unit is seconds. nil if invalid.
    /// With `inSeconds` (nginx's `ngx_conf_set_sec_slot`: `ssl_session_timeout`), `ms` is no
    /// unit and `M` (30 days) and `y` (365 days) are; `w` (a week) is one either way.
    static func milliseconds(_ text: String, inSeconds: Bool = false) -> Int? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var total = 0
        var index = 0
        var previousScale = Int.max  // units go from larger to smaller, each once (`30s1m` is refused)
        while index < bytes.count {
            var value = 0
            let start = index
            while index < bytes.count, let digit = digitValue(bytes[index]) {
                let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
                let (added, o2) = shifted.addingReportingOverflow(digit)
                if o1 || o2 { return nil }
                value = added
                index += 1
            }
            if index == start { return nil }
            var scale = 1000
            if index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "m"):
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "s") {
                        if inSeconds { return nil }
                        scale = 1
                        index += 1
                    } else {
                        scale = 60_000
                    }
                case UInt8(ascii: "s"): scale = 1000
                case UInt8(ascii: "h"): scale = 3_600_000
                case UInt8(ascii: "d"): scale = 86_400_000
                case UInt8(ascii: "w"): scale = 7 * 86_400_000
                case UInt8(ascii: "M") where inSeconds: scale = 30 * 86_400_000
                case UInt8(ascii: "y") where inSeconds: scale = 365 * 86_400_000
                default: return nil
                }
                index += 1
            }
            guard scale < previousScale else { return nil }
            previousScale = scale
            let (part, o1) = value.multipliedReportingOverflow(by: scale)
            let (sum, o2) = total.addingReportingOverflow(part)
            if o1 || o2 || sum > maxMilliseconds { return nil }
            total = sum
        }
        return total
    }

    /// The longest time accepted, about 285,000 years: no real timeout comes near it, and a
    /// deadline `now + timeout` (monotonic milliseconds) cannot overflow, as it did for
    /// `keepalive_timeout 2562047788015h`, which -t accepted and the first connection trapped on.
    static let maxMilliseconds = 1 << 53

    /// A non-negative decimal integer without sign or suffix.
    static func decimal(_ text: Substring) -> Int? {
        guard !text.isEmpty else { return nil }
        var value = 0
        for byte in text.utf8 {
            guard let digit = digitValue(byte) else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (added, o2) = shifted.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            value = added
        }
        return value
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    /// `[ADDR:]PORT` as `listen` takes it: `8080`, `127.0.0.1:8080`, `*:80`, `localhost:80`,
    /// `[::1]:8080`, or an address alone (port 80, as nginx). The error is the message nginx gives.
    static func listenAddress(_ text: String) -> Result<ListenAddress, ListenError> {
        var host: Substring
        var port: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return .failure(.invalidHost) }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.first == ":" else { return .failure(.invalidPort) }
                port = rest.dropFirst()
            }
            guard let numeric = numericHost(String(host), family: AF_INET6) else { return .failure(.invalidHost) }
            return withPort(port, host: numeric)
        }
        if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        } else if decimal(Substring(text)) != nil || text.isEmpty {
            host = "*"
            port = Substring(text)
        } else {
            host = Substring(text)
            port = nil
            // A word that is no address at all reads best as a bad port (`listen abc;`).
            if host != "*" && host != "localhost" && numericHost(String(host), family: AF_INET) == nil {
                return .failure(.invalidPort)
            }
        }
        let numeric: String
        switch host {
        case "": return .failure(.noHost)
        case "*": numeric = "0.0.0.0"
        case "localhost": numeric = "127.0.0.1"
        default:
            guard let parsed = numericHost(String(host), family: AF_INET) else { return .failure(.invalidHost) }
            numeric = parsed
        }
        return withPort(port, host: numeric)
    }

    enum ListenError: Error, Equatable {
        case invalidPort
        case invalidHost
        case noHost

        func message(_ argument: String) -> String {
            switch self {
            case .invalidPort: return "invalid port in \"\(argument)\" of the \"listen\" directive"
            case .invalidHost: return "host not found in \"\(argument)\" of the \"listen\" directive"
            case .noHost: return "no host in \"\(argument)\" of the \"listen\" directive"
            }
        }
    }

    private static func withPort(_ port: Substring?, host: String) -> Result<ListenAddress, ListenError> {
        guard let port else { return .success(ListenAddress(host: host, port: 80)) }
        guard let value = decimal(port), value <= 65535 else { return .failure(.invalidPort) }
        return .success(ListenAddress(host: host, port: UInt16(value)))
    }

    /// The canonical numeric form (`inet_ntop` of `inet_pton`), or nil when `text` is no literal.
    static func numericHost(_ text: String, family: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let parsed = buffer.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) }
        guard parsed == 1 else { return nil }
        var output = [CChar](repeating: 0, count: 64)
        let ok = buffer.withUnsafeBytes { raw in
            output.withUnsafeMutableBufferPointer { out in
                inet_ntop(family, raw.baseAddress, out.baseAddress, socklen_t(out.count)) != nil
            }
        }
        guard ok else { return nil }
        return String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
