/// Applies inheritance (location, else server, else http, else the default) once, turning the
/// checker's per-block settings into the immutable `Configuration`.
enum ConfigResolver {
    static let defaultListen = ListenAddress(host: "0.0.0.0", port: 8080)
    static let defaultClientMaxBodySize = 1 << 20
    static let defaultWebSocketMaxMessage = 1 << 20
    static let defaultCGITimeout = 30_000
    static let defaultKeepaliveTimeout = 75_000
    static let defaultTimeout = 60_000
    static let defaultType = "application/octet-stream"

    static func resolve(_ parsed: ParsedConfiguration, prefix: String) -> Configuration {
        let servers = parsed.servers.map { server(http: parsed.http, $0, prefix: prefix) }
        var configuration = Configuration(servers: servers, prefix: prefix)
        configuration.logPlaces = parsed.logPlaces
        // tls
        configuration.tls = parsed.servers.map { $0.settings.tls.resolved(over: parsed.http.tls) }
        return configuration
    }

    private static func server(http: BlockSettings, _ parsed: ParsedServer, prefix: String) -> ServerConfig {
        let own = parsed.settings
        let listens =
            own.listens.isEmpty
            ? [Listen(address: defaultListen, defaultServer: false, file: parsed.file, line: parsed.line)] : own.listens
        var fallback = location(
            path: "", exact: false, own: BlockSettings(), server: own, http: http, prefix: prefix)
        fallback.tryFiles = own.tryFiles  // site: a server's try_files serves what no location matches
        let locations = parsed.locations.map {
            location(path: $0.path, exact: $0.exact, own: $0.settings, server: own, http: http, prefix: prefix)
        }
        var config = ServerConfig(
            listens: listens,
            serverNames: own.serverNames.isEmpty ? [""] : own.serverNames,
            returnDirective: own.returnDirective,
            locations: locations,
            fallbackLocation: fallback,
            keepaliveTimeout: own.keepaliveTimeout ?? http.keepaliveTimeout ?? defaultKeepaliveTimeout,
            clientHeaderTimeout: own.clientHeaderTimeout ?? http.clientHeaderTimeout ?? defaultTimeout,
            clientBodyTimeout: own.clientBodyTimeout ?? http.clientBodyTimeout ?? defaultTimeout,
            sendTimeout: own.sendTimeout ?? http.sendTimeout ?? defaultTimeout,
            accessLog: own.accessLog ?? http.accessLog ?? "",
            errorLog: own.errorLog ?? http.errorLog ?? "")
        config.keepaliveHeader = own.keepaliveHeader ?? http.keepaliveHeader
        config.keepaliveRequests = own.keepaliveRequests ?? http.keepaliveRequests
        config.hasResponseHeaders = ([fallback] + locations).contains {
            !$0.addHeaders.isEmpty || $0.expires != .off || $0.charset != nil
        }  // site
        return config
    }

    /// The fallback location passes empty `own` settings: it is the server's settings alone.
    /// `return`, `alias`, `upload_store`, `cgi` and `websocket` belong to their location only
    /// (a server-level `return` lives in `ServerConfig.returnDirective`).
    private static func location(
        path: String, exact: Bool, own: BlockSettings, server: BlockSettings, http: BlockSettings, prefix: String
    ) -> LocationConfig {
        func inherit<T>(_ field: KeyPath<BlockSettings, T?>, _ fallback: T) -> T {
            own[keyPath: field] ?? server[keyPath: field] ?? http[keyPath: field] ?? fallback
        }
        var config = LocationConfig(
            path: path,
            exact: exact,
            root: inherit(\.root, ConfigFiles.resolve("www", against: prefix)),
            alias: own.alias,
            index: inherit(\.index, ["index.html"]),
            autoindex: inherit(\.autoindex, false),
            errorPages: inherit(\.errorPages, [:]),
            clientMaxBodySize: inherit(\.clientMaxBodySize, defaultClientMaxBodySize),
            allowMethods: inherit(\.allowMethods, ["GET", "HEAD"]),
            returnDirective: own.returnDirective,
            uploadStore: own.uploadStore,
            cgi: own.cgi,
            cgiTimeout: inherit(\.cgiTimeout, defaultCGITimeout),
            websocket: own.websocket,
            websocketMaxMessage: inherit(\.websocketMaxMessage, defaultWebSocketMaxMessage),
            websocketOrigins: inherit(\.websocketOrigins, nil),
            types: inherit(\.types, MIMETypes.builtIn),
            defaultType: inherit(\.defaultType, defaultType))
        config.defaultTypeIsConfigured = (own.defaultType ?? server.defaultType ?? http.defaultType) != nil
        config.compression = CompressionDirectives.resolve(own: own, server: server, http: http)  // compress
        resolveSite(&config, own: own, server: server, http: http)  // site
        // realtime
        config.realtime.sseHeartbeat = inherit(\.websocketSSEHeartbeat, config.realtime.sseHeartbeat)
        config.realtime.pollMaxWait = inherit(\.websocketPollMaxWait, config.realtime.pollMaxWait)
        config.realtime.subprotocols = inherit(\.websocketSubprotocols, [])
        config.realtime.execBinary = inherit(\.websocketExecBinary, false)
        config.realtime.execMax = inherit(\.websocketExecMax, config.realtime.execMax)
        config.websocketDeflate = inherit(\.websocketDeflate, true)  // deflate
        // bounds
        config.websocketBounds = WebSocketBounds.resolve(own: own, server: server, http: http)
        return config
    }
}
