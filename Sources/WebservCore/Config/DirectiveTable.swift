/// The blocks a directive may appear in (nginx's `NGX_HTTP_MAIN_CONF` … flags).
struct DirectiveContext: OptionSet, Sendable {
    let rawValue: UInt8
    /// The file's top level when it holds an `http { }` block (otherwise the top level is `.http`).
    static let main = DirectiveContext(rawValue: 1)
    static let http = DirectiveContext(rawValue: 2)
    static let server = DirectiveContext(rawValue: 4)
    static let location = DirectiveContext(rawValue: 8)

    static let anyHTTP: DirectiveContext = [.http, .server, .location]
}

/// State a setter may need beyond its own block: the prefix, and what other servers declared.
struct CheckState: Sendable {
    var prefix: String
    /// Addresses some server already marked `default_server`.
    var defaultServers: Set<ListenAddress> = []
    /// The first `access_log` or `error_log` naming each file (absolute path), for start errors.
    var logPlaces: [String: DirectivePlace] = [:]

    /// `path` against the prefix unless absolute.
    func absolute(_ path: String) -> String { ConfigFiles.resolve(path, against: prefix) }

    /// A log's absolute path, remembering the first directive that named it.
    mutating func logFile(_ n: ConfigNode) -> String {
        let path = absolute(n.args[0])
        if logPlaces[path] == nil { logPlaces[path] = DirectivePlace(file: n.file, line: n.line) }
        return path
    }
}

/// One row of the directive table, like nginx's `ngx_command_t`: where it may appear, how many
/// arguments it takes, whether it may repeat in one block, and how it stores its value.
struct DirectiveRow: Sendable {
    typealias Setter = @Sendable (inout BlockSettings, ConfigNode, inout CheckState) throws(ConfigError) -> Void

    let name: String
    let contexts: DirectiveContext
    let minArguments: Int
    let maxArguments: Int
    /// `name args { ... }` rather than `name args;`. Blocks are walked by the checker itself.
    let takesBlock: Bool
    /// May appear more than once in one block (otherwise: `"root" directive is duplicate`).
    let repeatable: Bool
    let set: Setter

    init(
        _ name: String, _ contexts: DirectiveContext, arguments: ClosedRange<Int>, block: Bool = false,
        repeatable: Bool = false, set: @escaping Setter = { _, _, _ throws(ConfigError) in }
    ) {
        self.name = name
        self.contexts = contexts
        self.minArguments = arguments.lowerBound
        self.maxArguments = arguments.upperBound
        self.takesBlock = block
        self.repeatable = repeatable
        self.set = set
    }
}

/// Every directive webserv knows. `include` is not here: the parser splices it away.
enum DirectiveTable {
    static let many = Int.max

    static let rows: [String: DirectiveRow] = {
        let list: [DirectiveRow] = [
            DirectiveRow("http", .main, arguments: 0...0, block: true),
            DirectiveRow("server", .http, arguments: 0...0, block: true, repeatable: true),
            DirectiveRow("location", .server, arguments: 1...2, block: true, repeatable: true),
            DirectiveRow("types", .anyHTTP, arguments: 0...0, block: true, repeatable: true),

            DirectiveRow("listen", .server, arguments: 1...many, repeatable: true, set: Setters.listen),
            DirectiveRow("server_name", .server, arguments: 1...many, repeatable: true, set: Setters.serverName),
            DirectiveRow("root", .anyHTTP, arguments: 1...1, set: Setters.root),
            DirectiveRow("alias", .location, arguments: 1...1, set: Setters.alias),
            // Repeatable: the lines of one block append to one list (nginx's ngx_http_index_set_index).
            DirectiveRow("index", .anyHTTP, arguments: 1...many, repeatable: true) { s, n, _ throws(ConfigError) in
                if let empty = n.args.firstIndex(of: "") {
                    throw n.error(argument: empty, "index \"\" in \"index\" directive is invalid")
                }
                s.index = (s.index ?? []) + n.args
            },
            DirectiveRow("autoindex", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
                s.autoindex = try Setters.flag(n)
            },
            DirectiveRow("error_page", .anyHTTP, arguments: 2...many, repeatable: true, set: Setters.errorPage),
            DirectiveRow("client_max_body_size", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
                s.clientMaxBodySize = try Setters.size(n)
            },
            DirectiveRow("allow_methods", .anyHTTP, arguments: 1...many, set: Setters.allowMethods),
            DirectiveRow("return", [.server, .location], arguments: 1...2, repeatable: true, set: Setters.returnDirective),
            DirectiveRow("upload_store", .location, arguments: 1...1) { s, n, state throws(ConfigError) in
                s.uploadStore = ConfigFiles.trimTrailingSlashes(state.absolute(n.args[0]))
            },
            DirectiveRow("cgi", .location, arguments: 1...2, repeatable: true, set: Setters.cgi),
            DirectiveRow("cgi_timeout", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
                s.cgiTimeout = try Setters.time(n)
            },
            DirectiveRow("websocket", .location, arguments: 1...many, set: Setters.websocket),
            DirectiveRow("websocket_max_message", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
                s.websocketMaxMessage = try Setters.size(n)
            },
            DirectiveRow("websocket_origin", [.server, .location], arguments: 1...many) {
                s, n, _ throws(ConfigError) in
                s.websocketOrigins = n.args.contains("*") ? .some(nil) : .some(n.args.map { $0.lowercased() })
            },
            DirectiveRow("keepalive_timeout", [.http, .server], arguments: 1...2) { s, n, _ throws(ConfigError) in
                s.keepaliveTimeout = try Setters.time(n)
                // nginx's second argument: the `Keep-Alive: timeout=N` header, in whole seconds.
                if n.args.count == 2 {
                    guard let ms = ConfigValues.milliseconds(n.args[1]) else { throw Setters.invalidValue(n, 1) }
                    s.keepaliveHeader = ms / 1000
                }
            },
            DirectiveRow("keepalive_requests", [.http, .server], arguments: 1...1) { s, n, _ throws(ConfigError) in
                guard let count = Int(n.args[0]), count >= 0 else { throw Setters.invalidValue(n) }
                s.keepaliveRequests = count
            },
            DirectiveRow("client_header_timeout", [.http, .server], arguments: 1...1) {
                s, n, _ throws(ConfigError) in s.clientHeaderTimeout = try Setters.time(n)
            },
            DirectiveRow("client_body_timeout", [.http, .server], arguments: 1...1) {
                s, n, _ throws(ConfigError) in s.clientBodyTimeout = try Setters.time(n)
            },
            DirectiveRow("send_timeout", [.http, .server], arguments: 1...1) { s, n, _ throws(ConfigError) in
                s.sendTimeout = try Setters.time(n)
            },
            DirectiveRow("default_type", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
                s.defaultType = n.args[0]
            },
            // `access_log PATH combined;` names the one format written (nginx's predefined one).
            DirectiveRow("access_log", [.http, .server], arguments: 1...2) { s, n, state throws(ConfigError) in
                if n.args.count == 2 && n.args[1] != "combined" {
                    throw n.error(argument: 1, "unknown log format \"\(n.args[1])\"")
                }
                s.accessLog = n.args[0] == "off" ? .some(nil) : .some(state.logFile(n))
            },
            DirectiveRow("error_log", [.main, .http, .server], arguments: 1...2, set: Setters.errorLog),
            // realtime
            DirectiveRow("websocket_sse_heartbeat", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
                s.websocketSSEHeartbeat = try Setters.positiveTime(n)
            },
            DirectiveRow("websocket_poll_max_wait", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
                s.websocketPollMaxWait = try Setters.positiveTime(n)
            },
            DirectiveRow("websocket_subprotocols", .anyHTTP, arguments: 1...many) { s, n, _ throws(ConfigError) in
                // RFC 6455 §4.1: each name is a token; any other could never be offered.
                for (i, name) in n.args.enumerated() where name.isEmpty || !name.utf8.allSatisfy(ByteClass.isToken) {
                    throw Setters.invalidValue(n, i)
                }
                s.websocketSubprotocols = n.args
            },
            DirectiveRow("websocket_exec_binary", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
                s.websocketExecBinary = try Setters.flag(n)
            },
            DirectiveRow("websocket_exec_max", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
                guard let max = Int(n.args[0]), max > 0 else { throw Setters.invalidValue(n) }
                s.websocketExecMax = max
            },
            // deflate
            DirectiveRow("websocket_deflate", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
                s.websocketDeflate = try Setters.flag(n)
            },
        ]
        // Feature tables, one file each.
        let all =
            list + TLSDirectives.rows + CompressionDirectives.rows + siteRows + WebSocketBounds.directives
            + NginxCompatibility.rows
        return Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    }()
}
