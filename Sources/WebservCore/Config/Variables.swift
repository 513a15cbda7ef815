#if canImport(Glibc)
    import Glibc
#endif

/// nginx variables in configuration strings (`return`, `error_page`, `add_header`, `try_files`):
/// split once at load into literal and variable parts, expanded per request from a context.
public enum Variable: Hashable, Sendable {
    case scheme
    /// Host of the request line or the `Host` header, without port, lower-cased; else server_name.
    case host
    case serverName
    case serverPort
    /// The client's target, query included, whatever internal redirects followed.
    case requestURI
    /// The normalised path.
    case uri
    case args
    /// `?` when the request has arguments, else "".
    case isArgs
    case remoteAddr
    case requestMethod
    /// `$http_NAME`: the request header NAME (`_` for `-`); stored lower-case with `-`.
    case header(String)
    /// `$arg_NAME`: the first query argument NAME (any case), as sent; stored lower-case.
    case argument(String)
    /// `$cookie_NAME`: the cookie NAME (any case) of the `Cookie` header; stored lower-case.
    case cookie(String)
    /// `on` on a TLS connection, else "".
    case https
    /// The `Content-Length` header.
    case contentLength
    /// The machine's host name.
    case hostname
    /// The server's process id.
    case pid
    /// The client's port.
    case remotePort
    /// The address the connection arrived on (getsockname: the real one under a wildcard listen).
    case serverAddr
    /// The response status where one is known (`add_header`, `return`, `error_page`), else "000".
    case status
    /// Seconds since the request's first byte, with milliseconds (`0.012`).
    case requestTime
    /// Local time in ISO 8601 (the server keeps UTC, as its access log: `2026-12-06T21:22:16+00:00`).
    case timeISO8601
    /// Local time in the access log's form (`06/Dec/2026:21:22:16 +0000`).
    case timeLocal
    /// Seconds since the epoch, with milliseconds.
    case msec
    /// The location's root, or its alias.
    case documentRoot
    /// The file the URI maps to (root or alias).
    case requestFilename
    /// webserv's own version (`webserv -v`): the server says `Server: webserv` with no version,
    /// and no nginx version would be true.
    case nginxVersion
    /// `$sent_http_NAME`: the response header NAME as it stands (in `add_header`: the response's
    /// headers and the ones added before it); stored lower-case with `-`.
    case sentHeader(String)
    /// Always empty: webserv streams bodies, never holds one in memory (nginx: empty unless the
    /// body was read into a memory buffer, which `return` and `add_header` never see).
    case requestBody

    static let names: [String: Variable] = [
        "scheme": .scheme, "host": .host, "server_name": .serverName, "server_port": .serverPort,
        "request_uri": .requestURI, "uri": .uri, "document_uri": .uri, "args": .args, "query_string": .args,
        "is_args": .isArgs, "remote_addr": .remoteAddr, "request_method": .requestMethod, "https": .https,
        "content_length": .contentLength, "hostname": .hostname, "pid": .pid, "remote_port": .remotePort,
        "server_addr": .serverAddr, "status": .status, "request_time": .requestTime, "time_iso8601": .timeISO8601,
        "time_local": .timeLocal, "msec": .msec, "document_root": .documentRoot, "request_filename": .requestFilename,
        "nginx_version": .nginxVersion, "request_body": .requestBody,
    ]

    /// nginx variables webserv knows and refuses, with the reason.
    static let refused: [String: String] = [
        "binary_remote_addr":
            "the \"binary_remote_addr\" variable is not supported: its raw address bytes only key nginx's "
            + "limit zones, which webserv does not have; use $remote_addr"
    ]

    /// The variable a name (without `$`) stands for, nil when nginx would not know it either.
    static func named(_ name: String) -> Variable? {
        let lower = name.lowercased()
        if let known = names[lower] { return known }
        if lower.hasPrefix("http_"), lower.count > 5 {
            return .header(String(lower.dropFirst(5).map { $0 == "_" ? "-" : $0 }))
        }
        if lower.hasPrefix("arg_"), lower.count > 4 { return .argument(String(lower.dropFirst(4))) }
        if lower.hasPrefix("cookie_"), lower.count > 7 { return .cookie(String(lower.dropFirst(7))) }
        if lower.hasPrefix("sent_http_"), lower.count > 10 {
            return .sentHeader(String(lower.dropFirst(10).map { $0 == "_" ? "-" : $0 }))
        }
        return nil
    }
}

/// A string split into literal text and variables, as nginx's script compiler splits it.
public struct VariableTemplate: Hashable, Sendable {
    public enum Part: Hashable, Sendable {
        case literal(String)
        case variable(Variable)
    }

    public let parts: [Part]
    /// The text as written in the configuration.
    public let source: String

    /// Text taken as it is, with no variables.
    public init(literal: String) {
        source = literal
        parts = literal.isEmpty ? [] : [.literal(literal)]
    }

    /// True when expanding needs no request.
    public var isLiteral: Bool { !parts.contains { if case .variable = $0 { return true } else { return false } } }

    /// Splits `text` at `$name` and `${name}`; the error is nginx's message.
    public static func parse(_ text: String) -> Result<VariableTemplate, VariableError> {
        var parts: [Part] = []
        var literal = ""
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            guard scalars[i] == "$" else {
                literal.unicodeScalars.append(scalars[i])
                i += 1
                continue
            }
            i += 1
            let braced = i < scalars.count && scalars[i] == "{"
            if braced { i += 1 }
            var name = ""
            while i < scalars.count, isNameScalar(scalars[i]) {
                name.unicodeScalars.append(scalars[i])
                i += 1
            }
            if braced {
                guard i < scalars.count, scalars[i] == "}" else { return .failure(.missingBracket(text)) }
                i += 1
            }
            guard !name.isEmpty else { return .failure(.invalidName(text)) }
            if let reason = Variable.refused[name.lowercased()] { return .failure(.unsupported(reason)) }
            guard let variable = Variable.named(name) else { return .failure(.unknown(name)) }
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = ""
            parts.append(.variable(variable))
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return .success(VariableTemplate(parts: parts, source: text))
    }

    private init(parts: [Part], source: String) {
        self.parts = parts
        self.source = source
    }

    private static func isNameScalar(_ s: Unicode.Scalar) -> Bool {
        (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "_"
    }

    /// The text with each variable replaced by its value in `context`.
    public func expand(_ context: VariableContext) -> String {
        if parts.count == 1, case .literal(let text) = parts[0] { return text }
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .variable(let variable): out += context.value(variable)
            }
        }
        return out
    }
}

/// Why a configuration string's variables do not parse (nginx's wording).
public enum VariableError: Error, Equatable, Sendable {
    case unknown(String)
    case invalidName(String)
    case missingBracket(String)
    /// A variable nginx has and webserv refuses; the message says why.
    case unsupported(String)

    public var message: String {
        switch self {
        case .unsupported(let reason): return reason
        case .unknown(let name): return "unknown \"\(name)\" variable"
        case .invalidName(let text): return "invalid variable name in \"\(text)\""
        case .missingBracket(let text): return "the closing bracket in \"\(text)\" variable is missing"
        }
    }
}

/// What the variables of one request expand to. The client address is formatted only when a
/// template asks for it.
public struct VariableContext {
    public var scheme: String
    public var serverName: String
    public var serverPort: Int
    public var request: RequestHead?
    public var remoteAddress: () -> String
    /// The response status, 0 while none is known (`$status` is then "000", as nginx's).
    public var status = 0
    /// The response's headers so far, for `$sent_http_NAME`.
    public var sentHeaders: [(name: String, value: String)] = []
    public var remotePort: () -> Int = { 0 }
    public var serverAddress: () -> String = { "" }
    /// Milliseconds since the request's first byte.
    public var elapsedMilliseconds: () -> Int = { 0 }
    /// The location answering the request (`$document_root`, `$request_filename`).
    public var location: () -> LocationConfig? = { nil }

    public init(
        scheme: String, serverName: String, serverPort: Int, request: RequestHead?,
        remoteAddress: @escaping () -> String
    ) {
        self.scheme = scheme
        self.serverName = serverName
        self.serverPort = serverPort
        self.request = request
        self.remoteAddress = remoteAddress
    }

    public func value(_ variable: Variable) -> String {
        switch variable {
        case .scheme: return scheme
        case .host: return host
        case .serverName: return serverName
        case .serverPort: return String(serverPort)
        case .requestURI: return request?.requestURI ?? ""
        case .uri: return request?.pathString ?? ""
        case .args: return request?.query ?? ""
        case .isArgs: return (request?.query.isEmpty ?? true) ? "" : "?"
        case .remoteAddr: return remoteAddress()
        case .requestMethod: return request?.methodString ?? ""
        case .header(let name): return header(name) ?? ""
        case .argument(let name): return Self.pair(named: name, in: request?.query ?? "", separator: "&") ?? ""
        case .cookie(let name): return header("cookie").flatMap { Self.pair(named: name, in: $0, separator: ";") } ?? ""
        case .https: return scheme == "https" ? "on" : ""
        case .contentLength: return header("content-length") ?? ""
        case .hostname: return Self.hostname
        case .pid: return String(getpid())
        case .remotePort: return String(remotePort())
        case .serverAddr: return serverAddress()
        case .status: return status == 0 ? "000" : String(status)
        case .requestTime: return Self.milliseconds(elapsedMilliseconds())
        case .timeISO8601: return Self.iso8601(Clock.wallSeconds())
        case .timeLocal: return String(decoding: HTTPDate.formatLog(Clock.wallSeconds()), as: UTF8.self)
        case .msec: return Self.milliseconds(Clock.wallMilliseconds())
        case .documentRoot: return location().map { $0.alias ?? $0.root } ?? ""
        case .requestFilename:
            guard let location = location(), let path = request?.path, let file = FileResolver.map(path, location: location)
            else {
                return ""
            }
            return String(decoding: file, as: UTF8.self)
        case .nginxVersion: return Command.version
        case .sentHeader(let name): return sentHeaders.last { $0.name.lowercased() == name }?.value ?? ""
        case .requestBody: return ""
        }
    }

    /// `12.345` from 12345 milliseconds (nginx's `%T.%03M`).
    static func milliseconds(_ ms: Int) -> String {
        let fraction = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// `2026-12-06T21:22:16+00:00` (UTC, the server's time zone everywhere).
    static func iso8601(_ seconds: Int) -> String {
        let tm = HTTPDate.utc(seconds)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(tm.tm_year + 1900)-\(two(tm.tm_mon + 1))-\(two(tm.tm_mday))T"
            + "\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec))+00:00"
    }

    /// The value of the first `NAME=VALUE` (name in any case) among `list`'s items, spaces
    /// around an item ignored (cookies); a bare `NAME` is an empty value.
    static func pair(named name: String, in list: String, separator: Character) -> String? {
        for item in list.split(separator: separator) {
            let trimmed = item.drop { $0 == " " }
            let key = trimmed.prefix { $0 != "=" }
            guard key.lowercased() == name else { continue }
            return String(trimmed.dropFirst(key.count + 1))
        }
        return nil
    }

    static let hostname: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// nginx's `$host`: the request's host without its port or one trailing dot, lower-cased,
    /// else the server name (the same host part the virtual server was chosen by).
    var host: String {
        guard let raw = request?.host, let name = VirtualHosts.hostName(raw), !name.isEmpty else { return serverName }
        return String(decoding: Bytes.lowercased(name), as: UTF8.self)
    }

    /// Values of every field named `name`, joined as nginx joins repeated headers.
    func header(_ name: String) -> String? {
        guard let request else { return nil }
        let wanted = Array(name.utf8)
        var values: [String] = []
        for field in request.headers {
            let fieldName = request.bytes[field.name]
            if fieldName.count == wanted.count, Bytes.lowercased(fieldName) == wanted {
                values.append(request.string(field.value))
            }
        }
        return values.isEmpty ? nil : values.joined(separator: name == "cookie" ? "; " : ", ")
    }
}
