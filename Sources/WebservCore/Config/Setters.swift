/// The value checks and stores behind the directive table's rows that need more than one line.
/// Arity and context are already checked; each setter checks only its values.
enum Setters {
    static func listen(_ s: inout BlockSettings, _ n: ConfigNode, _ state: inout CheckState) throws(ConfigError) {
        let address: ListenAddress
        switch ConfigValues.listenAddress(n.args[0]) {
        case .success(let parsed): address = parsed
        case .failure(let failure): throw n.error(argument: 0, failure.message(n.args[0]))
        }
        var isDefault = false
        var ssl = false
        for (i, parameter) in n.args.enumerated().dropFirst() {
            switch parameter {
            case "default_server", "default": isDefault = true
            case "ssl": ssl = true
            // Common in nginx configs: accepted so a moved site loads; webserv speaks HTTP/1.1
            // (ALPN) and takes the kernel's defaults for the others.
            case "http2", "reuseport", "deferred": break
            // An IPv6 listener always accepts IPv6 only (nginx's default, ipv6only=on).
            case "ipv6only=on": break
            case "ipv6only=off": throw n.error(argument: i, "\"ipv6only=off\" is not supported: listen on both addresses")
            case _ where parameter.hasPrefix("ipv6only="):
                throw n.error(argument: i, "invalid ipv6only flags \"\(parameter.dropFirst(9))\"")
            case _ where parameter.hasPrefix("backlog="):
                guard let backlog = Int(parameter.dropFirst(8)), backlog > 0 else {
                    throw n.error(argument: i, "invalid backlog \"\(parameter.dropFirst(8))\"")
                }
            default: throw n.error(argument: i, "invalid parameter \"\(parameter)\"")
            }
        }
        if s.listens.contains(where: { $0.address == address }) {
            throw n.error("duplicate listen \(address)")
        }
        if isDefault {
            if state.defaultServers.contains(address) {
                throw n.error("a duplicate default server for \(address)")
            }
            state.defaultServers.insert(address)
        }
        s.listens.append(Listen(address: address, defaultServer: isDefault, file: n.file, line: n.line, ssl: ssl))
    }

    /// Exact names and leading `*.` wildcards; `.example.com` is nginx's shorthand for both
    /// `example.com` and `*.example.com`.
    static func serverName(_ s: inout BlockSettings, _ n: ConfigNode, _: inout CheckState) throws(ConfigError) {
        for (i, raw) in n.args.enumerated() {
            var name = raw.lowercased()
            if name.count > 1, name.hasSuffix(".") { name.removeLast() }
            let stars = name.filter { $0 == "*" }.count
            let valid =
                !name.hasPrefix("~")
                && (stars == 0 || (stars == 1 && name.hasPrefix("*.") && name.count > 2))
                && !(name.hasPrefix(".") && name.count == 1)
            guard valid else { throw n.error(argument: i, "invalid server name or wildcard \"\(raw)\"") }
            if name.hasPrefix(".") {
                appendOnce(String(name.dropFirst()), to: &s.serverNames)
                appendOnce("*" + name, to: &s.serverNames)
            } else {
                appendOnce(name, to: &s.serverNames)
            }
        }
    }

    static func root(_ s: inout BlockSettings, _ n: ConfigNode, _ state: inout CheckState) throws(ConfigError) {
        try notTheRootItself(n)
        if s.alias != nil { throw n.error("\"root\" directive is duplicate, \"alias\" directive was specified earlier") }
        s.root = ConfigFiles.trimTrailingSlashes(state.absolute(n.args[0]))
    }

    /// Kept as written (trailing slash included): alias replaces the location prefix verbatim.
    static func alias(_ s: inout BlockSettings, _ n: ConfigNode, _ state: inout CheckState) throws(ConfigError) {
        try notTheRootItself(n)
        if s.root != nil { throw n.error("\"alias\" directive is duplicate, \"root\" directive was specified earlier") }
        s.alias = state.absolute(n.args[0])
    }

    /// `root $document_root;` would define the root by itself (nginx refuses it the same way).
    private static func notTheRootItself(_ n: ConfigNode) throws(ConfigError) {
        for variable in ["$document_root", "$realpath_root"] where n.args[0].contains(variable) {
            throw n.error(argument: 0, "the \(variable) variable cannot be used in the \"\(n.name)\" directive")
        }
    }

    static func flag(_ n: ConfigNode) throws(ConfigError) -> Bool {
        switch n.args[0].lowercased() {
        case "on": return true
        case "off": return false
        default: throw n.error(argument: 0, "\"\(n.name)\" directive must be \"on\" or \"off\"")
        }
    }

    static func size(_ n: ConfigNode) throws(ConfigError) -> Int {
        guard let value = ConfigValues.size(n.args[0]) else { throw invalidValue(n) }
        return value
    }

    static func time(_ n: ConfigNode) throws(ConfigError) -> Int {
        guard let value = ConfigValues.milliseconds(n.args[0]) else { throw invalidValue(n) }
        return value
    }

    /// A time that must be more than zero (a heartbeat or a wait of 0 would mean nothing).
    static func positiveTime(_ n: ConfigNode) throws(ConfigError) -> Int {
        let value = try time(n)
        guard value > 0 else { throw invalidValue(n) }
        return value
    }

    static func invalidValue(_ n: ConfigNode, _ index: Int = 0) -> ConfigError {
        n.error(argument: index, "invalid value \"\(n.args[index])\" in \"\(n.name)\" directive")
    }

    /// `error_page CODE ... [=[CODE]] URI;` (`=` alone: the page's own status, as nginx).
    static func errorPage(_ s: inout BlockSettings, _ n: ConfigNode, _: inout CheckState) throws(ConfigError) {
        var codeArguments = n.args.count - 1
        var status = ErrorPage.Status.original
        if n.args[codeArguments - 1].hasPrefix("=") {
            let text = n.args[codeArguments - 1]
            if text == "=" {
                status = .page
            } else {
                guard let code = ConfigValues.decimal(text.dropFirst()), (100...599).contains(code) else {
                    throw n.error(argument: codeArguments - 1, "invalid value \"\(text)\"")
                }
                status = .fixed(code)
            }
            codeArguments -= 1
        }
        guard codeArguments >= 1 else { throw n.error("invalid number of arguments in \"error_page\" directive") }
        _ = try SiteSetters.template(n, n.args.count - 1)  // variables
        let page = ErrorPage(uri: n.args[n.args.count - 1], status: status)
        var pages = s.errorPages ?? [:]
        for i in 0..<codeArguments {
            guard let code = ConfigValues.decimal(Substring(n.args[i])) else {
                throw n.error(argument: i, "invalid value \"\(n.args[i])\"")
            }
            guard (300...599).contains(code) else {
                throw n.error(argument: i, "value \"\(n.args[i])\" must be between 300 and 599")
            }
            pages[code] = page
        }
        s.errorPages = pages
    }

    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]

    static func allowMethods(_ s: inout BlockSettings, _ n: ConfigNode, _: inout CheckState) throws(ConfigError) {
        var methods: [String] = []
        for (i, raw) in n.args.enumerated() {
            let method = raw.uppercased()
            guard knownMethods.contains(method) else {
                throw n.error(argument: i, "unknown method \"\(raw)\" in \"allow_methods\" directive")
            }
            appendOnce(method, to: &methods)
        }
        if methods.contains("GET") { appendOnce("HEAD", to: &methods) }
        s.allowMethods = methods
    }

    /// `return CODE [TEXT|URL];` or `return URL;` (302), as nginx's rewrite module.
    static func returnDirective(_ s: inout BlockSettings, _ n: ConfigNode, _: inout CheckState) throws(ConfigError) {
        let first = n.args[0]
        for i in n.args.indices { _ = try SiteSetters.template(n, i) }  // variables
        guard let code = ConfigValues.decimal(Substring(first)) else {
            guard n.args.count == 1, isURL(first) else {
                throw n.error(argument: 0, "invalid return code \"\(first)\"")
            }
            if s.returnDirective == nil { s.returnDirective = ReturnDirective(status: 302, text: first) }
            return
        }
        guard code <= 999 else { throw n.error(argument: 0, "invalid return code \"\(first)\"") }
        let text = n.args.count == 2 ? n.args[1] : nil
        // With a code, the URL may also be a relative reference (`../other`), sent as written
        // (nginx); without one, nginx sends the redirect with an empty Location.
        // Several `return`s in one block: the first answers (nginx runs them in order, the first stops).
        if s.returnDirective == nil { s.returnDirective = ReturnDirective(status: code, text: text) }
    }

    /// What `return URL;` (no code) takes, as nginx: an absolute URL, or here also a path; a
    /// variable may expand to either (`$scheme://$host$request_uri`, as nginx allows).
    private static func isURL(_ text: String) -> Bool {
        text.hasPrefix("http://") || text.hasPrefix("https://") || text.hasPrefix("/") || text.hasPrefix("$")
    }

    /// `cgi EXT [INTERPRETER];`
    static func cgi(_ s: inout BlockSettings, _ n: ConfigNode, _ state: inout CheckState) throws(ConfigError) {
        let ext = n.args[0]
        guard ext.hasPrefix("."), ext.count > 1, !ext.contains("/") else {
            throw n.error(argument: 0, "invalid extension \"\(ext)\" in \"cgi\" directive, it must start with \".\"")
        }
        if s.cgi.contains(where: { $0.ext == ext }) {
            throw n.error(argument: 0, "duplicate extension \"\(ext)\" in \"cgi\" directive")
        }
        let interpreter = n.args.count == 2 ? program(n.args[1], state) : nil
        s.cgi.append((ext: ext, interpreter: interpreter))
    }

    /// `websocket echo|broadcast|exec COMMAND [ARG ...];`
    static func websocket(_ s: inout BlockSettings, _ n: ConfigNode, _ state: inout CheckState) throws(ConfigError) {
        switch n.args[0] {
        case "echo", "broadcast":
            guard n.args.count == 1 else { throw n.error("invalid number of arguments in \"websocket\" directive") }
            s.websocket = n.args[0] == "echo" ? .echo : .broadcast
        case "exec":
            guard n.args.count >= 2 else { throw n.error("\"websocket exec\" needs a command") }
            s.websocket = .exec([program(n.args[1], state)] + n.args.dropFirst(2))
        default:
            throw n.error(
                argument: 0,
                "invalid value \"\(n.args[0])\" in \"websocket\" directive, it must be \"echo\", \"broadcast\" or \"exec\"")
        }
    }

    static let logLevels: Set<String> = ["debug", "info", "notice", "warn", "error", "crit", "alert", "emerg"]

    /// `error_log PATH [LEVEL];` — `stderr` is the default destination; the level is accepted
    /// for nginx compatibility and otherwise ignored.
    static func errorLog(_ s: inout BlockSettings, _ n: ConfigNode, _ state: inout CheckState) throws(ConfigError) {
        if n.args.count == 2, !logLevels.contains(n.args[1]) {
            throw n.error(argument: 1, "invalid log level \"\(n.args[1])\"")
        }
        s.errorLog = n.args[0] == "stderr" ? "" : state.logFile(n)
    }

    /// A program path: resolved against the prefix only when it names a relative path
    /// (`bin/x`); a bare name (`python3`) is left for `PATH` lookup.
    private static func program(_ path: String, _ state: CheckState) -> String {
        path.contains("/") ? state.absolute(path) : path
    }

    private static func appendOnce(_ value: String, to list: inout [String]) {
        if !list.contains(value) { list.append(value) }
    }
}
