/// Checks every directive against the table the same way (nginx's `ngx_conf_handler`) and
/// collects each block's own settings. Walks in file order, so the first error wins.
struct ConfigChecker {
    private var state: CheckState
    private var parsed = ParsedConfiguration()

    init(prefix: String) { state = CheckState(prefix: prefix) }

    mutating func check(_ nodes: [ConfigNode]) throws(ConfigError) -> ParsedConfiguration {
        // Without an `http { }` wrapper the top level plays the http context itself.
        let hasHTTPBlock = nodes.contains { $0.name == "http" && $0.block != nil }
        var http = BlockSettings()
        var noLocations: [ParsedLocation] = []
        try walk(nodes, context: hasHTTPBlock ? .main : .http, settings: &http, locations: &noLocations)
        parsed.http = http
        parsed.logPlaces = state.logPlaces
        return parsed
    }

    /// Applies `nodes` (one block's children) to that block's `settings`; `locations` collects
    /// the `location` blocks of a server (the table admits them nowhere else).
    private mutating func walk(
        _ nodes: [ConfigNode], context: DirectiveContext, settings: inout BlockSettings,
        locations: inout [ParsedLocation]
    ) throws(ConfigError) {
        var seen: Set<String> = []
        for node in nodes {
            let row = try validate(node, context: context, seen: &seen)
            switch row.name {
            case "http":
                try walk(node.block ?? [], context: .http, settings: &settings, locations: &locations)
            case "server":
                var server = ParsedServer(file: node.file, line: node.line)
                try walk(node.block ?? [], context: .server, settings: &server.settings, locations: &server.locations)
                parsed.servers.append(server)
            case "location":
                try location(node, in: &locations)
            case "types":
                try types(node, settings: &settings)
            case "events":  // nginx's, read and checked (NginxCompatibility)
                var ignored = BlockSettings()
                var none: [ParsedLocation] = []
                try walk(node.block ?? [], context: .events, settings: &ignored, locations: &none)
            case "limit_except":  // site
                var inner = BlockSettings()
                var none: [ParsedLocation] = []
                try walk(node.block ?? [], context: .limitExcept, settings: &inner, locations: &none)
                settings.limitExcept = try SiteSetters.limitExcept(node, inner: inner)
            default:
                try row.set(&settings, node, &state)
            }
        }
    }

    /// The checks every directive gets, in nginx's order.
    private func validate(
        _ node: ConfigNode, context: DirectiveContext, seen: inout Set<String>
    ) throws(ConfigError) -> DirectiveRow {
        guard let row = DirectiveTable.rows[node.name] else {
            throw node.error("unknown directive \"\(node.name)\"")
        }
        if !row.takesBlock, let line = Self.lineMissingSemicolon(node) {
            throw ConfigError(file: node.file, line: line, message: "directive \"\(node.name)\" is not terminated by \";\"")
        }
        guard row.contexts.contains(context) else {
            throw node.error("\"\(node.name)\" directive is not allowed here")
        }
        if row.takesBlock && node.block == nil {
            throw node.error("directive \"\(node.name)\" has no opening \"{\"")
        }
        if !row.takesBlock && node.block != nil {
            throw ConfigError(
                file: node.file, line: node.blockLine, message: "directive \"\(node.name)\" is not terminated by \";\"")
        }
        guard (row.minArguments...row.maxArguments).contains(node.args.count) else {
            throw node.error("invalid number of arguments in \"\(node.name)\" directive")
        }
        if !row.repeatable {
            guard seen.insert(node.name).inserted else { throw node.error("\"\(node.name)\" directive is duplicate") }
        }
        return row
    }

    /// `root /x` and, on the next line, `index a.html;` read as one directive `root /x index
    /// a.html`: an argument that starts a new line and is the name of a directive means the
    /// line before it lacks its `;`. Returns that line (the directive's own), as nginx would say.
    static func lineMissingSemicolon(_ node: ConfigNode) -> Int? {
        var previousLine = node.line
        for (argument, line) in zip(node.args, node.argLines) {
            if line > previousLine, DirectiveTable.rows[argument] != nil || argument == "include" { return previousLine }
            previousLine = line
        }
        return nil
    }

    /// `location [=|^~] PATH { ... }`; as nginx, the modifier may be glued to the path
    /// (`location =/x`). `^~` (a prefix that stops nginx's regular-expression search) is a
    /// plain prefix here, where no regular-expression locations exist.
    private mutating func location(_ node: ConfigNode, in locations: inout [ParsedLocation]) throws(ConfigError) {
        let pathIndex = node.args.count - 1
        var modifier = node.args.count == 2 ? node.args[0] : ""
        var path = node.args[pathIndex]
        if node.args.count == 1 {
            for glued in ["=", "^~"] where path.hasPrefix(glued) && path.count > glued.count {
                modifier = glued
                path = String(path.dropFirst(glued.count))
                break
            }
        }
        guard modifier.isEmpty || modifier == "=" || modifier == "^~" else {
            throw node.error(argument: 0, "invalid location modifier \"\(modifier)\"")
        }
        let exact = modifier == "="
        guard path.hasPrefix("/") else {
            throw node.error(argument: pathIndex, "invalid location path \"\(path)\", it must start with \"/\"")
        }
        if locations.contains(where: { $0.path == path && $0.exact == exact }) {
            throw node.error(argument: pathIndex, "duplicate location \"\(path)\"")
        }
        var location = ParsedLocation(path: path, exact: exact)
        var nested: [ParsedLocation] = []
        try walk(node.block ?? [], context: .location, settings: &location.settings, locations: &nested)
        locations.append(location)
    }

    /// `types { MIME EXT ...; ... }`: several blocks in one context merge, and together they
    /// replace the inherited table.
    private func types(_ node: ConfigNode, settings: inout BlockSettings) throws(ConfigError) {
        var table = settings.types?.byExtension ?? [:]
        for entry in node.block ?? [] {
            if entry.block != nil {
                throw ConfigError(
                    file: entry.file, line: entry.blockLine,
                    message: "directive \"\(entry.name)\" is not terminated by \";\"")
            }
            // `text/x;` with no extension maps nothing (nginx accepts it).
            for ext in entry.args {
                table[ext.lowercased()] = entry.name
            }
        }
        settings.types = MIMETypes(byExtension: table)
    }
}
