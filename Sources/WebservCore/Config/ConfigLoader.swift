/// Reads, checks and resolves a configuration: lexer → parser (with includes) → checker → resolver.
public enum ConfigLoader {
    /// path: the config file as given (used verbatim in error messages); prefix: absolute
    /// directory relative paths resolve against (a relative `path` too, as nginx's `-c`).
    public static func load(path: String, prefix: String) throws(ConfigError) -> Configuration {
        try load(firstOf: [(path, ConfigFiles.resolve(path, against: prefix))], named: path, prefix: prefix)
    }

    /// The first of `files` (name for messages, absolute path) that exists; a missing one is
    /// passed over while others remain. When none can be read, the error names `name` and
    /// every path tried.
    static func load(
        firstOf files: [(name: String, path: String)], named name: String, prefix: String
    ) throws(ConfigError) -> Configuration {
        var failures: [String] = []
        for (index, file) in files.enumerated() {
            switch ConfigFiles.readFile(absolutePath: file.path) {
            case .success(let bytes):
                return try load(bytes: bytes, fileName: file.name, absolutePath: file.path, prefix: prefix)
            case .failure(let failure):
                failures.append(failure.message(path: file.path))
                if !failure.isMissing || index == files.count - 1 {
                    throw ConfigError(file: name, line: 1, message: failures.joined(separator: ", "))
                }
            }
        }
        throw ConfigError(file: name, line: 1, message: "no configuration file")
    }

    /// Same, from text (for tests); `fileName` is used in messages; includes resolve relative
    /// to `fileName`'s directory, itself relative to `prefix`.
    public static func load(text: String, fileName: String, prefix: String) throws(ConfigError) -> Configuration {
        try load(
            bytes: Array(text.utf8), fileName: fileName,
            absolutePath: ConfigFiles.resolve(fileName, against: prefix), prefix: prefix)
    }

    private static func load(
        bytes: [UInt8], fileName: String, absolutePath: String, prefix: String
    ) throws(ConfigError) -> Configuration {
        var parser = ConfigParser()
        let tree = parser.parse(bytes: bytes, displayName: fileName, absolutePath: absolutePath)
        // The tree stops at the first syntax error; anything wrong before it is reported first.
        var checker = ConfigChecker(prefix: prefix)
        let parsed = try checker.check(tree.nodes)
        if let syntaxError = tree.syntaxError { throw syntaxError }
        // An empty file would start a server with no socket, silently (nginx starts one on :80).
        guard !parsed.servers.isEmpty else {
            throw ConfigError(file: fileName, line: 1, message: "no \"server\" block: nothing to listen on")
        }
        let configuration = ConfigResolver.resolve(parsed, prefix: prefix)
        // tls: every certificate and key is loaded now, so `-t` reports them at their directive.
        if TLSServers.needed(configuration) {
            _ = try TLSServers(configuration, vhosts: VirtualHosts(configuration))
        }
        return configuration
    }
}
