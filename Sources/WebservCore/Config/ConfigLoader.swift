/// Reads, checks and resolves a configuration: lexer → parser (with includes) → checker → resolver.
public enum ConfigLoader {
    /// path: the config file as given (used verbatim in error messages); prefix: absolute
    /// directory relative paths resolve against (a relative `path` too, as nginx's `-c`).
    public static func load(path: String, prefix: String) throws(ConfigError) -> Configuration {
        let absolutePath = ConfigFiles.resolve(path, against: prefix)
        switch ConfigFiles.readFile(absolutePath: absolutePath) {
        case .failure(let failure):
            throw ConfigError(file: path, line: 1, message: failure.message(path: absolutePath))
        case .success(let bytes):
            return try load(bytes: bytes, fileName: path, absolutePath: absolutePath, prefix: prefix)
        }
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
        var parser = ConfigParser(prefix: prefix)
        let tree = parser.parse(bytes: bytes, displayName: fileName, absolutePath: absolutePath)
        // The tree stops at the first syntax error; anything wrong before it is reported first.
        var checker = ConfigChecker(prefix: prefix)
        let parsed = try checker.check(tree.nodes)
        if let syntaxError = tree.syntaxError { throw syntaxError }
        return ConfigResolver.resolve(parsed, prefix: prefix)
    }
}
