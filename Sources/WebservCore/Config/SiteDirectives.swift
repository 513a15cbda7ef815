/// The directives of static sites (SPEC 8): `add_header`, `expires`, `try_files`, `allow`/`deny`,
/// `auth_basic`, `limit_except`, the `autoindex_*` formats: their resolved values, table rows,
/// setters, and how they inherit.

/// `add_header NAME VALUE [always];`
public struct HeaderRule: Hashable, Sendable {
    public var name: String
    public var value: VariableTemplate
    /// Added to every status, not only the successful and redirect ones.
    public var always: Bool
}

/// `expires TIME|epoch|max|off;`
public enum Expires: Hashable, Sendable {
    case off
    case epoch
    case max
    /// Seconds from now; negative means already expired.
    case seconds(Int)
}

/// `try_files FILE ... URI|=CODE;`
public struct TryFiles: Hashable, Sendable {
    public var files: [VariableTemplate]
    public enum Fallback: Hashable, Sendable {
        case uri(VariableTemplate)
        case status(Int)
    }
    public var fallback: Fallback
}

/// `auth_basic REALM;` with its `auth_basic_user_file`.
public struct AuthBasic: Hashable, Sendable {
    public var realm: String
    public var users: UserFile
}

/// The access checks of one location (or of its `limit_except` block): allow/deny, then
/// auth_basic (nginx's `satisfy all`).
public struct AccessPolicy: Hashable, Sendable {
    public var rules: [AccessRule] = []
    public var auth: AuthBasic?
    /// `satisfy any`: either check admits the request (nginx); otherwise both must.
    public var satisfyAny = false
    public var isEmpty: Bool { rules.isEmpty && auth == nil }
}

/// `limit_except METHOD ... { ... }`: `policy` applies to the methods not listed.
public struct LimitExcept: Hashable, Sendable {
    /// Upper-case; GET brings HEAD.
    public var methods: Set<String>
    public var policy: AccessPolicy
}

public enum AutoindexFormat: String, Hashable, Sendable {
    case html
    case json
}

/// A `limit_except` block's own settings, before inheritance from its location.
struct LimitExceptSettings: Sendable {
    var methods: Set<String>
    var rules: [AccessRule]?
    var authRealm: String??
    var authUserFile: UserFile?
}

extension DirectiveContext {
    /// Inside `limit_except { }`.
    static let limitExcept = DirectiveContext(rawValue: 16)
}

extension DirectiveTable {
    static let siteRows: [DirectiveRow] = [
        DirectiveRow("add_header", .anyHTTP, arguments: 2...3, repeatable: true, set: SiteSetters.addHeader),
        DirectiveRow("add_header_inherit", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
            s.addHeaderInherit = try Setters.flag(n)
        },
        DirectiveRow("expires", .anyHTTP, arguments: 1...1, set: SiteSetters.expires),
        DirectiveRow("try_files", [.server, .location], arguments: 2...many, set: SiteSetters.tryFiles),
        DirectiveRow("allow", [.anyHTTP, .limitExcept], arguments: 1...1, repeatable: true, set: SiteSetters.access),
        DirectiveRow("deny", [.anyHTTP, .limitExcept], arguments: 1...1, repeatable: true, set: SiteSetters.access),
        DirectiveRow("auth_basic", [.anyHTTP, .limitExcept], arguments: 1...1) { s, n, _ throws(ConfigError) in
            s.authRealm = n.args[0] == "off" ? .some(nil) : .some(n.args[0])
        },
        DirectiveRow("auth_basic_user_file", [.anyHTTP, .limitExcept], arguments: 1...1, set: SiteSetters.userFile),
        DirectiveRow("limit_except", .location, arguments: 1...many, block: true),
        DirectiveRow("satisfy", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
            // Case-insensitive, as nginx's enum slot.
            let value = n.args[0].lowercased()
            guard value == "all" || value == "any" else { throw Setters.invalidValue(n) }
            s.satisfyAny = value == "any"
        },
        DirectiveRow("charset", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
            // A charset name is a token (RFC 9110 §8.3.2); nginx's `charset` takes any name.
            guard !n.args[0].isEmpty, n.args[0].utf8.allSatisfy(ByteClass.isToken) else { throw Setters.invalidValue(n) }
            s.charset = n.args[0]
        },
        // Repeatable: the lines of one block add up, as nginx's types slot.
        DirectiveRow("charset_types", .anyHTTP, arguments: 1...many, repeatable: true) { s, n, _ throws(ConfigError) in
            s.charsetTypes = (s.charsetTypes ?? []) + n.args.map { $0.lowercased() }
        },
        DirectiveRow("autoindex_format", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
            guard let format = AutoindexFormat(rawValue: n.args[0].lowercased()) else { throw Setters.invalidValue(n) }
            s.autoindexFormat = format
        },
        DirectiveRow("autoindex_exact_size", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
            s.autoindexExactSize = try Setters.flag(n)
        },
        DirectiveRow("autoindex_localtime", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
            s.autoindexLocaltime = try Setters.flag(n)
        },
    ]
}

enum SiteSetters {
    /// A configuration string with variables, or nginx's error at its argument.
    static func template(_ n: ConfigNode, _ index: Int) throws(ConfigError) -> VariableTemplate {
        switch VariableTemplate.parse(n.args[index]) {
        case .success(let template): return template
        case .failure(let error): throw n.error(argument: index, error.message)
        }
    }

    static func addHeader(_ s: inout BlockSettings, _ n: ConfigNode, _: inout CheckState) throws(ConfigError) {
        let name = n.args[0]
        guard !name.isEmpty, name.utf8.allSatisfy(ByteClass.isToken) else {
            throw n.error(argument: 0, "invalid header name \"\(name)\"")
        }
        guard n.args[1].utf8.allSatisfy(ByteClass.isFieldValue) else {
            throw n.error(argument: 1, "invalid header value \"\(n.args[1])\"")
        }
        if n.args.count == 3 && n.args[2] != "always" {
            throw n.error(argument: 2, "invalid value \"\(n.args[2])\"")
        }
        let rule = HeaderRule(name: name, value: try template(n, 1), always: n.args.count == 3)
        s.addHeaders = (s.addHeaders ?? []) + [rule]
    }

    static let maxExpires = 315_360_000

    /// nginx's `expires [modified] TIME|epoch|max|off`, without `modified` and `@` times.
    static func expires(_ s: inout BlockSettings, _ n: ConfigNode, _: inout CheckState) throws(ConfigError) {
        switch n.args[0] {
        case "off": s.expires = .off
        case "epoch": s.expires = .epoch
        case "max": s.expires = .max
        default:
            guard let seconds = expiresSeconds(n.args[0]) else { throw Setters.invalidValue(n) }
            s.expires = .seconds(seconds)
        }
    }

    /// `[+|-]TIME` in seconds, with nginx's units (s m h d w M y; a bare number is seconds; no ms).
    static func expiresSeconds(_ text: String) -> Int? {
        var rest = Substring(text)
        var sign = 1
        if rest.first == "-" || rest.first == "+" {
            sign = rest.first == "-" ? -1 : 1
            rest = rest.dropFirst()
        }
        // nginx parses expires in seconds: milliseconds are an invalid value there.
        guard let ms = ConfigValues.milliseconds(String(rest), inSeconds: true), ms / 1000 <= 1 << 40 else { return nil }
        let total = ms / 1000
        return sign * total
    }

    static func tryFiles(_ s: inout BlockSettings, _ n: ConfigNode, _: inout CheckState) throws(ConfigError) {
        var files: [VariableTemplate] = []
        for i in 0..<(n.args.count - 1) { files.append(try template(n, i)) }
        let last = n.args[n.args.count - 1]
        let fallback: TryFiles.Fallback
        if last.hasPrefix("=") {
            guard let code = ConfigValues.decimal(last.dropFirst()), (100...999).contains(code) else {
                throw n.error(argument: n.args.count - 1, "invalid code \"\(last)\"")
            }
            fallback = .status(code)
        } else {
            fallback = .uri(try template(n, n.args.count - 1))
        }
        s.tryFiles = TryFiles(files: files, fallback: fallback)
    }

    static func access(_ s: inout BlockSettings, _ n: ConfigNode, _: inout CheckState) throws(ConfigError) {
        let value = n.args[0]
        var network: IPNetwork?
        if value != "all" {
            guard let parsed = IPNetwork(value) else { throw n.error(argument: 0, "invalid parameter \"\(value)\"") }
            network = parsed
        }
        s.accessRules = (s.accessRules ?? []) + [AccessRule(allow: n.name == "allow", network: network)]
    }

    static func userFile(_ s: inout BlockSettings, _ n: ConfigNode, _ state: inout CheckState) throws(ConfigError) {
        let path = state.absolute(n.args[0])
        do {
            s.authUserFile = try UserFile(path: path)
        } catch {
            throw n.error(argument: 0, error.message(path: path))
        }
    }

    /// nginx's other names in `limit_except` (its dav module's): no request here uses them, so
    /// they only widen the set of methods the rules do not apply to.
    static let webDAVMethods: Set<String> = ["MKCOL", "COPY", "MOVE", "PROPFIND", "PROPPATCH", "LOCK", "UNLOCK"]

    /// `limit_except METHOD ... { ... }`; the block's directives were walked into `inner`.
    static func limitExcept(_ n: ConfigNode, inner: BlockSettings) throws(ConfigError) -> LimitExceptSettings {
        var methods: Set<String> = []
        for (i, raw) in n.args.enumerated() {
            let method = raw.uppercased()
            guard Setters.knownMethods.contains(method) || webDAVMethods.contains(method) else {
                throw n.error(argument: i, "invalid method \"\(raw)\"")
            }
            methods.insert(method)
        }
        if methods.contains("GET") { methods.insert("HEAD") }
        return LimitExceptSettings(
            methods: methods, rules: inner.accessRules, authRealm: inner.authRealm, authUserFile: inner.authUserFile)
    }
}

extension ConfigResolver {
    /// The site settings of a location: most inherit nearest-wins; `add_header` merges down the
    /// tree (a block's header replaces an inherited one of the same name) unless
    /// `add_header_inherit off` asks for nginx's replace; `try_files` is the location's own.
    static func resolveSite(
        _ config: inout LocationConfig, own: BlockSettings, server: BlockSettings, http: BlockSettings
    ) {
        func inherit<T>(_ field: KeyPath<BlockSettings, T?>, _ fallback: T) -> T {
            own[keyPath: field] ?? server[keyPath: field] ?? http[keyPath: field] ?? fallback
        }
        var headers: [HeaderRule] = []
        var merging = true
        for block in [http, server, own] {
            merging = block.addHeaderInherit ?? merging
            guard let added = block.addHeaders else { continue }
            if merging {
                let names = Set(added.map { $0.name.lowercased() })
                headers.removeAll { names.contains($0.name.lowercased()) }
                headers += added
            } else {
                headers = added
            }
        }
        config.addHeaders = headers
        config.expires = inherit(\.expires, .off)
        config.tryFiles = own.tryFiles
        config.autoindexFormat = inherit(\.autoindexFormat, .html)
        config.autoindexExactSize = inherit(\.autoindexExactSize, true)
        config.autoindexLocaltime = inherit(\.autoindexLocaltime, false)
        let charset = inherit(\.charset, "off")
        config.charset = charset == "off" ? nil : charset
        config.charsetTypes = inherit(\.charsetTypes, Charset.defaultTypes)

        let rules = inherit(\.accessRules, [])
        let realm = inherit(\.authRealm, nil)
        let users = own.authUserFile ?? server.authUserFile ?? http.authUserFile
        let any = inherit(\.satisfyAny, false)
        config.access = policy(rules: rules, realm: realm, users: users, any: any)
        if let limit = own.limitExcept {
            config.limitExcept = LimitExcept(
                methods: limit.methods,
                policy: policy(
                    rules: limit.rules ?? rules, realm: limit.authRealm ?? realm, users: limit.authUserFile ?? users,
                    any: any))
        }
    }

    private static func policy(rules: [AccessRule], realm: String?, users: UserFile?, any: Bool) -> AccessPolicy {
        // nginx's auth_basic declines without both a realm and a user file.
        let auth = realm.flatMap { r in users.map { AuthBasic(realm: r, users: $0) } }
        return AccessPolicy(rules: rules, auth: auth, satisfyAny: any)
    }
}
