/// What one `http`, `server` or `location` block set itself; nil means "inherit".
/// The resolver merges these (location, else server, else http, else default).
struct BlockSettings: Sendable {
    // Server only.
    var listens: [Listen] = []
    var serverNames: [String] = []

    var root: String?
    var alias: String?
    var index: [String]?
    var autoindex: Bool?
    /// A block with any `error_page` replaces the inherited pages, as nginx does.
    var errorPages: [Int: ErrorPage]?
    var clientMaxBodySize: Int?
    var allowMethods: [String]?
    var returnDirective: ReturnDirective?
    var uploadStore: String?
    var cgi: [(ext: String, interpreter: String?)] = []
    var cgiTimeout: Int?
    var websocket: WebSocketMode?
    var websocketMaxMessage: Int?
    /// `.some(nil)` is `websocket_origin *`: any origin, even if an outer block restricted it.
    var websocketOrigins: [String]??
    /// A `types { }` block replaces the inherited table; several blocks in one context merge.
    var types: MIMETypes?
    var defaultType: String?

    var keepaliveTimeout: Int?
    /// Seconds; inherited on its own, as nginx merges it (`keepalive_timeout 10;` keeps it).
    var keepaliveHeader: Int?
    var keepaliveRequests: Int?
    var clientHeaderTimeout: Int?
    var clientBodyTimeout: Int?
    var sendTimeout: Int?
    /// `.some(nil)` is `access_log off`.
    var accessLog: String??
    var errorLog: String?

    // tls
    var tls = TLSBlockSettings()
    // compress
    var gzip: Bool?
    var gzipTypes: [String]?
    var gzipMinLength: Int?
    var gzipCompLevel: Int?
    var brotli: Bool?
    var brotliTypes: [String]?
    var brotliCompLevel: Int?
    var gzipStatic: GzipStatic?
    var precompressed: [ContentCoding]?
    var gzipHTTPMinor: Int?
    var gzipDisableMSIE6: Bool?
    var brotliStatic: GzipStatic?
    var brotliMinLength: Int?
    // site: add_header, expires, try_files, access, autoindex formats (SiteDirectives.swift)
    var addHeaders: [HeaderRule]?
    var addHeaderInherit: Bool?
    var expires: Expires?
    var tryFiles: TryFiles?
    var accessRules: [AccessRule]?
    /// `.some(nil)` is `auth_basic off`.
    var authRealm: String??
    var authUserFile: UserFile?
    var limitExcept: LimitExceptSettings?
    var satisfyAny: Bool?
    var autoindexFormat: AutoindexFormat?
    var autoindexExactSize: Bool?
    var autoindexLocaltime: Bool?
    /// `charset NAME|off` ("off" kept as written) and `charset_types`.
    var charset: String?
    var charsetTypes: [String]?
    // realtime
    var websocketSSEHeartbeat: Int?
    var websocketPollMaxWait: Int?
    var websocketSubprotocols: [String]?
    var websocketExecBinary: Bool?
    var websocketExecMax: Int?
    // deflate
    var websocketDeflate: Bool?
    // bounds
    var websocketMaxOutput: Int?
    var websocketRoomHistory: RoomHistoryLimit?
    var websocketMaxRooms: Int?
}

/// A `server` block as read: its own settings and its locations in file order.
struct ParsedServer: Sendable {
    /// Where the `server` directive is.
    var file: String
    var line: Int
    var settings = BlockSettings()
    var locations: [ParsedLocation] = []
}

/// A `location` block as read.
struct ParsedLocation: Sendable {
    var path: String
    var exact: Bool
    var settings = BlockSettings()
}

/// The checker's output: the http-level settings and every server, before inheritance.
struct ParsedConfiguration: Sendable {
    var http = BlockSettings()
    var servers: [ParsedServer] = []
    var logPlaces: [String: DirectivePlace] = [:]
}
