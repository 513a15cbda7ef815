/// A directive's place in the configuration, where an error about its value is reported.
public struct DirectivePlace: Hashable, Sendable {
    public var file: String
    public var line: Int
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }
}

/// Which argument of a directive is wrong.
struct BadArgument: Error, Equatable {
    var index: Int
}

/// A TLS protocol version as `ssl_protocols` names it.
public enum TLSProtocol: String, CaseIterable, Comparable, Sendable {
    case sslv2 = "SSLv2"
    case sslv3 = "SSLv3"
    case tlsv1 = "TLSv1"
    case tlsv1_1 = "TLSv1.1"
    case tlsv1_2 = "TLSv1.2"
    case tlsv1_3 = "TLSv1.3"

    public static func < (a: TLSProtocol, b: TLSProtocol) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The names of `ssl_protocols`, in any case (nginx's bitmask slot compares with
    /// ngx_strcasecmp); a failure names the first unknown name's index.
    static func parse(_ names: [String]) -> Result<Set<TLSProtocol>, BadArgument> {
        var set: Set<TLSProtocol> = []
        for (i, name) in names.enumerated() {
            let lower = name.lowercased()
            guard let p = allCases.first(where: { $0.rawValue.lowercased() == lower }) else {
                return .failure(BadArgument(index: i))
            }
            set.insert(p)
        }
        return .success(set)
    }
}

/// `ssl_session_cache off | none | [builtin[:SIZE]] [shared:NAME:SIZE]` (nginx's forms). One
/// process, so a shared cache is the built-in one sized like nginx's (about 4000 sessions a
/// megabyte).
public enum TLSSessionCache: Hashable, Sendable {
    /// Clients are told sessions cannot be reused.
    case off
    /// nginx's default: sessions may be offered for reuse, none is stored (tickets still work).
    case none
    /// An in-memory cache of at most this many sessions.
    case sessions(Int)

    static let builtinDefault = 20480

    /// One line's values, alone.
    static func parse(_ args: [String]) -> Result<TLSSessionCache, BadArgument> {
        var parts = Parts()
        return parts.add(args).map { parts.cache }
    }

    /// What the `ssl_session_cache` lines of one block say together, as nginx's
    /// ngx_http_ssl_session_cache sets them one value at a time: the last of `off`, `none` and
    /// `builtin` decides the built-in cache, the last `shared:` the shared one (`builtin;` then
    /// `shared:SSL:1m;` keeps both; `off shared:SSL:1m` is off).
    struct Parts: Hashable, Sendable {
        enum Builtin: Hashable, Sendable {
            /// `off`; `none` (offered, never stored); a size.
            case off, noStore
            case size(Int)
        }
        var builtin: Builtin?
        var shared: Int?

        mutating func add(_ args: [String]) -> Result<Void, BadArgument> {
            for (i, arg) in args.enumerated() {
                if arg == "off" {
                    builtin = .off
                } else if arg == "none" {
                    builtin = .noStore
                } else if arg == "builtin" {
                    builtin = .size(builtinDefault)
                } else if arg.hasPrefix("builtin:") {
                    guard let n = ConfigValues.decimal(arg.dropFirst(8)), n > 0 else {
                        return .failure(BadArgument(index: i))
                    }
                    builtin = .size(n)
                } else if arg.hasPrefix("shared:") {
                    let parts = arg.split(separator: ":", omittingEmptySubsequences: false)
                    guard parts.count == 3, !parts[1].isEmpty, let size = ConfigValues.size(String(parts[2])),
                        size >= 8192
                    else { return .failure(BadArgument(index: i)) }
                    shared = max(1, size / 256)
                } else {
                    return .failure(BadArgument(index: i))
                }
            }
            return .success(())
        }

        var cache: TLSSessionCache {
            switch builtin {
            case .off: return .off
            case .noStore: return TLSSessionCache.none
            case .size(let n): return .sessions(n + (shared ?? 0))
            case nil: return shared.map { .sessions($0) } ?? TLSSessionCache.none
            }
        }
    }
}

/// One server's TLS settings, resolved (server, else http, else default).
public struct TLSSettings: Hashable, Sendable {
    /// Every `ssl_certificate` and `ssl_certificate_key`, in order (nginx: an RSA and an ECDSA
    /// certificate side by side; the client's signature algorithms pick). `certificateKeys[i]`
    /// belongs to `certificates[i]`; either list may be the longer, which `TLSContext` reports.
    public var certificates: [PathAt] = []
    public var certificateKeys: [PathAt] = []
    public var protocols: Set<TLSProtocol> = [.tlsv1_2, .tlsv1_3]
    public var ciphers = "HIGH:!aNULL:!MD5"
    public var ciphersPlace: DirectivePlace?
    public var preferServerCiphers = false
    public var sessionCache = TLSSessionCache.none
    /// Milliseconds.
    public var sessionTimeout = 300_000
    public var sessionTickets = true

    public init() {}
}

/// A file named by a directive, and where.
public struct PathAt: Hashable, Sendable {
    public var path: String
    public var place: DirectivePlace
}

/// What one block set of the TLS directives; nil inherits. A block with any `ssl_certificate`
/// (or `_key`) replaces the inherited list, as nginx's arrays do.
struct TLSBlockSettings: Sendable {
    var certificates: [PathAt]?
    var certificateKeys: [PathAt]?
    var protocols: Set<TLSProtocol>?
    var ciphers: (String, DirectivePlace)?
    var preferServerCiphers: Bool?
    var sessionCache: TLSSessionCache.Parts?
    var sessionTimeout: Int?
    var sessionTickets: Bool?

    /// These settings over `outer`'s, over the defaults.
    func resolved(over outer: TLSBlockSettings) -> TLSSettings {
        var t = TLSSettings()
        t.certificates = certificates ?? outer.certificates ?? []
        t.certificateKeys = certificateKeys ?? outer.certificateKeys ?? []
        t.protocols = protocols ?? outer.protocols ?? t.protocols
        if let c = ciphers ?? outer.ciphers {
            t.ciphers = c.0
            t.ciphersPlace = c.1
        }
        t.preferServerCiphers = preferServerCiphers ?? outer.preferServerCiphers ?? false
        t.sessionCache = (sessionCache ?? outer.sessionCache)?.cache ?? .none
        t.sessionTimeout = sessionTimeout ?? outer.sessionTimeout ?? t.sessionTimeout
        t.sessionTickets = sessionTickets ?? outer.sessionTickets ?? true
        return t
    }
}

/// The TLS directives' table rows and setters.
enum TLSDirectives {
    static let rows: [DirectiveRow] = [
        DirectiveRow("ssl_certificate", [.http, .server], arguments: 1...1, repeatable: true) {
            s, n, state throws(ConfigError) in
            s.tls.certificates =
                (s.tls.certificates ?? []) + [
                    PathAt(path: state.absolute(n.args[0]), place: DirectivePlace(file: n.file, line: n.line))
                ]
        },
        DirectiveRow("ssl_certificate_key", [.http, .server], arguments: 1...1, repeatable: true) {
            s, n, state throws(ConfigError) in
            s.tls.certificateKeys =
                (s.tls.certificateKeys ?? []) + [
                    PathAt(path: state.absolute(n.args[0]), place: DirectivePlace(file: n.file, line: n.line))
                ]
        },
        // Repeatable: the lines of one block add up, as nginx's bitmask slot.
        DirectiveRow("ssl_protocols", [.http, .server], arguments: 1...DirectiveTable.many, repeatable: true) {
            s, n, _ throws(ConfigError) in
            switch TLSProtocol.parse(n.args) {
            case .success(let set): s.tls.protocols = (s.tls.protocols ?? []).union(set)
            case .failure(let bad): throw Setters.invalidValue(n, bad.index)
            }
        },
        DirectiveRow("ssl_ciphers", [.http, .server], arguments: 1...1) { s, n, _ throws(ConfigError) in
            s.tls.ciphers = (n.args[0], DirectivePlace(file: n.file, line: n.line))
        },
        DirectiveRow("ssl_prefer_server_ciphers", [.http, .server], arguments: 1...1) { s, n, _ throws(ConfigError) in
            s.tls.preferServerCiphers = try Setters.flag(n)
        },
        // Repeatable: the lines of one block combine (`TLSSessionCache.Parts`), as in nginx.
        DirectiveRow("ssl_session_cache", [.http, .server], arguments: 1...2, repeatable: true) {
            s, n, _ throws(ConfigError) in
            var parts = s.tls.sessionCache ?? TLSSessionCache.Parts()
            if case .failure(let bad) = parts.add(n.args) {
                throw n.error(argument: bad.index, "invalid session cache \"\(n.args[bad.index])\"")
            }
            s.tls.sessionCache = parts
        },
        DirectiveRow("ssl_session_timeout", [.http, .server], arguments: 1...1) { s, n, _ throws(ConfigError) in
            // nginx's seconds slot: `ms` is refused, `M` and `y` are units.
            guard let value = ConfigValues.milliseconds(n.args[0], inSeconds: true) else { throw Setters.invalidValue(n) }
            s.tls.sessionTimeout = value
        },
        DirectiveRow("ssl_session_tickets", [.http, .server], arguments: 1...1) { s, n, _ throws(ConfigError) in
            s.tls.sessionTickets = try Setters.flag(n)
        },
    ]
}
