/// The resolved configuration: immutable values the server reads, produced once by
/// `ConfigLoader` before any socket is bound. Inheritance (http → server → location)
/// has already been applied, and every path is absolute (resolved against the prefix).

/// One `listen` address. `host` is a numeric IPv4 or IPv6 literal (no brackets).
public struct ListenAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    public var isIPv6: Bool { host.contains(":") }

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

public struct Listen: Hashable, Sendable {
    public var address: ListenAddress
    public var defaultServer: Bool
    /// Where the `listen` directive is (the `server` block's line for the implicit default):
    /// an address that cannot be bound is reported there, like a configuration error.
    public var file: String
    public var line: Int
    /// `listen ... ssl`: connections on this address speak TLS.
    public var ssl = false
    public init(address: ListenAddress, defaultServer: Bool, file: String = "", line: Int = 0, ssl: Bool = false) {
        self.address = address
        self.defaultServer = defaultServer
        self.file = file
        self.line = line
        self.ssl = ssl
    }
}

/// `error_page CODE ... [=[CODE]] URI;` — one entry per listed status.
public struct ErrorPage: Hashable, Sendable {
    /// The status the client sees with the page.
    public enum Status: Hashable, Sendable {
        /// No `=`: the original error's.
        case original
        /// `=CODE`: that one instead.
        case fixed(Int)
        /// `=` alone: the one the page's own request got (nginx).
        case page
    }

    public var uri: String
    public var status: Status
    /// `uri` with its variables (checked by the setter; unknown ones stay literal here).
    public var template: VariableTemplate
    public init(uri: String, status: Status = .original) {
        self.uri = uri
        self.status = status
        self.template = (try? VariableTemplate.parse(uri).get()) ?? VariableTemplate(literal: uri)
    }

    /// The status for an `original` error; nil: the page request's own.
    public func shownStatus(for original: Int) -> Int? {
        switch status {
        case .original: return original
        case .fixed(let code): return code
        case .page: return nil
        }
    }
}

/// `return CODE [URL|TEXT];` / `return URL;` (the latter is a 302).
public struct ReturnDirective: Hashable, Sendable {
    public var status: Int
    /// For 301/302/303/307/308 the Location; otherwise the response body text (may be nil).
    public var text: String?
    /// `text` with its variables (checked by the setter; unknown ones stay literal here).
    public var template: VariableTemplate?
    public init(status: Int, text: String?) {
        self.status = status
        self.text = text
        self.template = text.map { (try? VariableTemplate.parse($0).get()) ?? VariableTemplate(literal: $0) }
    }
}

public enum WebSocketMode: Hashable, Sendable {
    case echo
    case broadcast
    /// Program and its arguments; the program path is resolved against the prefix when relative.
    case exec([String])
}

/// MIME types by lower-case file extension (without the dot).
public struct MIMETypes: Hashable, Sendable {
    public var byExtension: [String: String]
    public init(byExtension: [String: String]) { self.byExtension = byExtension }
}

/// Everything a request needs once its location is chosen.
public struct LocationConfig: Sendable {
    /// The location's path as written (`/images/`); "" for the server's implicit catch-all.
    public var path: String
    /// `location = /path`.
    public var exact: Bool
    public var root: String
    public var alias: String?
    public var index: [String]
    public var autoindex: Bool
    public var errorPages: [Int: ErrorPage]
    /// Bytes; 0 means no limit.
    public var clientMaxBodySize: Int
    /// Upper-case method names as configured; `GET` implies `HEAD` (already added).
    public var allowMethods: [String]
    public var returnDirective: ReturnDirective?
    public var uploadStore: String?
    /// Extension with its dot (".py") → interpreter path, nil to exec the file directly.
    public var cgi: [(ext: String, interpreter: String?)]
    /// Milliseconds.
    public var cgiTimeout: Int
    public var websocket: WebSocketMode?
    public var websocketMaxMessage: Int
    /// nil: any origin is accepted.
    public var websocketOrigins: [String]?
    public var types: MIMETypes
    public var defaultType: String
    /// Whether a `default_type` applies from the configuration (here or above), not the
    /// built-in one: `return`'s text is then typed with it, as nginx types it.
    public var defaultTypeIsConfigured = false
    // compress
    /// gzip, brotli and precompressed files (set by the resolver after `init`).
    public var compression = CompressionSettings()

    // site (SiteDirectives.swift)
    public var addHeaders: [HeaderRule] = []
    public var expires: Expires = .off
    public var tryFiles: TryFiles?
    public var access = AccessPolicy()
    public var limitExcept: LimitExcept?
    public var autoindexFormat = AutoindexFormat.html
    public var autoindexExactSize = true
    public var autoindexLocaltime = false
    /// `charset`: added to the Content-Type of `charsetTypes` answers; nil is off.
    public var charset: String?
    public var charsetTypes = Charset.defaultTypes
    // realtime
    public var realtime = RealtimeSettings()
    // deflate
    /// permessage-deflate offered to WebSocket clients (`websocket_deflate`).
    public var websocketDeflate = true
    // bounds
    public var websocketBounds = WebSocketBounds()

    public init(
        path: String, exact: Bool, root: String, alias: String?, index: [String], autoindex: Bool,
        errorPages: [Int: ErrorPage], clientMaxBodySize: Int, allowMethods: [String],
        returnDirective: ReturnDirective?, uploadStore: String?,
        cgi: [(ext: String, interpreter: String?)], cgiTimeout: Int, websocket: WebSocketMode?,
        websocketMaxMessage: Int, websocketOrigins: [String]?, types: MIMETypes, defaultType: String
    ) {
        self.path = path
        self.exact = exact
        self.root = root
        self.alias = alias
        self.index = index
        self.autoindex = autoindex
        self.errorPages = errorPages
        self.clientMaxBodySize = clientMaxBodySize
        self.allowMethods = allowMethods
        self.returnDirective = returnDirective
        self.uploadStore = uploadStore
        self.cgi = cgi
        self.cgiTimeout = cgiTimeout
        self.websocket = websocket
        self.websocketMaxMessage = websocketMaxMessage
        self.websocketOrigins = websocketOrigins
        self.types = types
        self.defaultType = defaultType
    }
}

public struct ServerConfig: Sendable {
    public var listens: [Listen]
    /// Lower-cased; exact names or `*.example.com` wildcards.
    public var serverNames: [String]
    /// Server-level `return`: applies before any location is chosen.
    public var returnDirective: ReturnDirective?
    /// Explicit locations in file order.
    public var locations: [LocationConfig]
    /// Used when no location matches: the server's own (inherited) settings.
    public var fallbackLocation: LocationConfig
    /// Milliseconds.
    public var keepaliveTimeout: Int
    /// Seconds announced in `Keep-Alive: timeout=N` on keep-alive responses (nil: no header).
    public var keepaliveHeader: Int?
    /// `keepalive_requests`: the request that reaches this count on a connection is answered
    /// with `Connection: close` (nginx); nil: no limit.
    public var keepaliveRequests: Int?
    public var clientHeaderTimeout: Int
    public var clientBodyTimeout: Int
    public var sendTimeout: Int
    /// Absolute path, "" for stdout, nil for `off`.
    public var accessLog: String?
    /// Absolute path, "" for stderr.
    public var errorLog: String
    /// site: some location adds headers (`add_header`, `expires`, `charset`), so responses look them up.
    public var hasResponseHeaders = false

    public init(
        listens: [Listen], serverNames: [String], returnDirective: ReturnDirective?,
        locations: [LocationConfig], fallbackLocation: LocationConfig, keepaliveTimeout: Int,
        clientHeaderTimeout: Int, clientBodyTimeout: Int, sendTimeout: Int, accessLog: String?,
        errorLog: String
    ) {
        self.listens = listens
        self.serverNames = serverNames
        self.returnDirective = returnDirective
        self.locations = locations
        self.fallbackLocation = fallbackLocation
        self.keepaliveTimeout = keepaliveTimeout
        self.clientHeaderTimeout = clientHeaderTimeout
        self.clientBodyTimeout = clientBodyTimeout
        self.sendTimeout = sendTimeout
        self.accessLog = accessLog
        self.errorLog = errorLog
    }
}

public struct Configuration: Sendable {
    /// Servers in file order.
    public var servers: [ServerConfig]
    /// The prefix relative paths were resolved against (absolute).
    public var prefix: String
    /// Where each log file (absolute path) was first named, for an error opening it.
    public var logPlaces: [String: DirectivePlace] = [:]
    // tls
    /// Each server's TLS settings, by server index. Kept out of `ServerConfig`, which the
    /// request path reads on every request, since only the start needs them.
    public var tls: [TLSSettings] = []
    public init(servers: [ServerConfig], prefix: String) {
        self.servers = servers
        self.prefix = prefix
    }
}

/// A configuration error in the form compilers use: `FILE:LINE: error: MESSAGE`.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String
    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }
    public var description: String { "\(file):\(line): error: \(message)" }
}
