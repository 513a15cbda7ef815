/// What the CGI handler knows about a request, in the terms RFC 3875 §4.1 needs.
public struct CGIRequestInfo: Sendable {
    public var method: String
    /// The raw request target, query included (REQUEST_URI).
    public var requestURI: String
    /// The URI path that names the script.
    public var scriptName: String
    /// The script's absolute file path.
    public var scriptFilename: String
    /// The URI path after the script name; "" if none.
    public var pathInfo: String
    /// The document root joined with `pathInfo`; nil when there is no path info.
    public var pathTranslated: String?
    public var queryString: String
    public var contentLength: Int?
    public var contentType: String?
    public var serverName: String
    public var serverPort: Int
    public var serverProtocol: String
    public var remoteAddr: String
    public var remotePort: Int
    public var headers: [(name: String, value: String)]
    public var documentRoot: String
    /// The request came over TLS: `HTTPS=on`, `REQUEST_SCHEME=https`.
    public var https = false

    public init(
        method: String, requestURI: String, scriptName: String, scriptFilename: String,
        pathInfo: String = "", pathTranslated: String? = nil, queryString: String = "",
        contentLength: Int? = nil, contentType: String? = nil,
        serverName: String, serverPort: Int, serverProtocol: String = "HTTP/1.1",
        remoteAddr: String, remotePort: Int,
        headers: [(name: String, value: String)] = [], documentRoot: String
    ) {
        self.method = method
        self.requestURI = requestURI
        self.scriptName = scriptName
        self.scriptFilename = scriptFilename
        self.pathInfo = pathInfo
        self.pathTranslated = pathTranslated
        self.queryString = queryString
        self.contentLength = contentLength
        self.contentType = contentType
        self.serverName = serverName
        self.serverPort = serverPort
        self.serverProtocol = serverProtocol
        self.remoteAddr = remoteAddr
        self.remotePort = remotePort
        self.headers = headers
        self.documentRoot = documentRoot
    }
}

/// Builds a CGI/1.1 script's environment (RFC 3875 §4.1) as `NAME=value` strings for execve.
public enum CGIEnvironment {
    /// Fixed search path: the server's own PATH is not leaked to scripts.
    public static let path = "/usr/local/bin:/usr/bin:/bin"

    public static func build(_ info: CGIRequestInfo) -> [String] {
        var env: [String] = [
            "GATEWAY_INTERFACE=CGI/1.1",
            "SERVER_SOFTWARE=webserv",
            "SERVER_PROTOCOL=\(info.serverProtocol)",
            "SERVER_NAME=\(info.serverName)",
            "SERVER_PORT=\(info.serverPort)",
            "REQUEST_METHOD=\(info.method)",
            "REQUEST_URI=\(info.requestURI)",
            // Always present, even empty (RFC 3875 §4.1.7).
            "QUERY_STRING=\(info.queryString)",
            "SCRIPT_NAME=\(info.scriptName)",
            "SCRIPT_FILENAME=\(info.scriptFilename)",
            "PATH_INFO=\(info.pathInfo)",
            "DOCUMENT_ROOT=\(info.documentRoot)",
            "REMOTE_ADDR=\(info.remoteAddr)",
            "REMOTE_PORT=\(info.remotePort)",
            // PHP's php-cgi refuses to run without it (its force-cgi-redirect protection).
            "REDIRECT_STATUS=200",
            "PATH=\(path)",
        ]
        // tls: as nginx's fastcgi_params and Apache's mod_cgi say it.
        env.append("REQUEST_SCHEME=\(info.https ? "https" : "http")")
        if info.https { env.append("HTTPS=on") }
        if !info.pathInfo.isEmpty, let translated = info.pathTranslated {
            env.append("PATH_TRANSLATED=\(translated)")
        }
        if let length = info.contentLength { env.append("CONTENT_LENGTH=\(length)") }
        if let type = info.contentType { env.append("CONTENT_TYPE=\(type)") }

        // Repeated headers are joined in arrival order, as one field value (RFC 3875 §4.1.18);
        // cookies with "; ", the one separator a Cookie header has (RFC 6265 §5.4).
        var order: [String] = []
        var values: [String: String] = [:]
        for (name, value) in info.headers {
            guard let variable = variableName(forHeader: name), isSafeValue(value) else { continue }
            if let previous = values[variable] {
                values[variable] = previous + (variable == "HTTP_COOKIE" ? "; " : ", ") + value
            } else {
                order.append(variable)
                values[variable] = value
            }
        }
        for variable in order { env.append("\(variable)=\(values[variable]!)") }
        return env
    }

    /// `HTTP_` + the name upper-cased with `-` as `_`; nil for headers that must not pass.
    static func variableName(forHeader name: String) -> String? {
        var out = "HTTP_"
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): out.unicodeScalars.append(Unicode.Scalar(byte - 32))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "-"): out.append("_")
            // "X_Foo" would collide with "X-Foo" and let a client forge another header's variable.
            default: return nil
            }
        }
        switch out {
        case "HTTP_":
            return nil
        // Already passed as CONTENT_LENGTH / CONTENT_TYPE (RFC 3875 §4.1.18).
        case "HTTP_CONTENT_LENGTH", "HTTP_CONTENT_TYPE":
            return nil
        // httpoxy (CVE-2016-5385): HTTP_PROXY would be read by scripts as their outgoing proxy.
        case "HTTP_PROXY":
            return nil
        default:
            return out
        }
    }

    private static func isSafeValue(_ value: String) -> Bool {
        !value.utf8.contains { $0 == 0 || $0 == 10 || $0 == 13 }
    }
}
