/// One directive as written: `name args;` or `name args { block }`, with where it came from.
struct ConfigNode: Sendable {
    var name: String
    var args: [String]
    /// Line of each argument (arguments may span lines).
    var argLines: [Int]
    /// The file as named in messages (the path given, or the include path joined to its directory).
    var file: String
    var line: Int
    /// Children of `name args { ... }`; nil for `name args;`.
    var block: [ConfigNode]?
    /// Line of the `{`, for errors about the block itself.
    var blockLine: Int

    func error(_ message: String) -> ConfigError {
        ConfigError(file: file, line: line, message: message)
    }

    /// An error about one argument, reported on that argument's line.
    func error(argument index: Int, _ message: String) -> ConfigError {
        ConfigError(file: file, line: argLines.indices.contains(index) ? argLines[index] : line, message: message)
    }
}

/// The parsed tree, cut short at the first syntax error so that the checker can still
/// report an earlier semantic error first (nginx reports whichever comes first in the file).
struct ParseResult: Sendable {
    var nodes: [ConfigNode]
    var syntaxError: ConfigError?
}

/// Builds the directive tree from tokens and splices `include FILE;` in place, in any context.
struct ConfigParser {
    /// Absolute paths of the files being read, innermost last: relative includes resolve
    /// against the last one's directory, and a file already open is an include cycle.
    private var openFiles: [String] = []
    /// Blocks open around the current token, across includes: past `maxDepth` an error, before
    /// the recursion runs out of stack.
    private var depth = 0
    static let maxDepth = 100

    /// Parses `bytes` as the file `displayName` (found at `absolutePath`).
    mutating func parse(bytes: [UInt8], displayName: String, absolutePath: String) -> ParseResult {
        var nodes: [ConfigNode] = []
        do {
            try parseFile(bytes: bytes, displayName: displayName, absolutePath: absolutePath, into: &nodes)
            return ParseResult(nodes: nodes, syntaxError: nil)
        } catch {
            return ParseResult(nodes: nodes, syntaxError: error)
        }
    }

    private mutating func parseFile(
        bytes: [UInt8], displayName: String, absolutePath: String, into nodes: inout [ConfigNode]
    ) throws(ConfigError) {
        openFiles.append(absolutePath)
        defer { openFiles.removeLast() }
        var lexer = ConfigLexer(bytes: bytes, fileName: displayName)
        try parseBlock(&lexer, into: &nodes, insideBraces: false)
    }

    /// Reads directives until `}` (inside a block) or the end of the file (at the top of a file).
    private mutating func parseBlock(
        _ lexer: inout ConfigLexer, into nodes: inout [ConfigNode], insideBraces: Bool
    ) throws(ConfigError) {
        while true {
            let token = try lexer.next()
            let name: String
            switch token.kind {
            case .endOfFile:
                if insideBraces { throw error(lexer, token.line, "unexpected end of file, expecting \"}\"") }
                return
            case .closeBrace:
                if insideBraces { return }
                throw error(lexer, token.line, "unexpected \"}\"")
            case .semicolon:
                throw error(lexer, token.line, "unexpected \";\"")
            case .openBrace:
                throw error(lexer, token.line, "unexpected \"{\"")
            case .word(let word, _):
                name = word
            }
            var node = ConfigNode(
                name: name, args: [], argLines: [], file: lexer.fileName, line: token.line, block: nil,
                blockLine: token.line)
            argumentLoop: while true {
                let next = try lexer.next()
                switch next.kind {
                case .word(let argument, _):
                    node.args.append(argument)
                    node.argLines.append(next.line)
                case .semicolon:
                    break argumentLoop
                case .openBrace:
                    if name == "include" {
                        throw error(lexer, next.line, "directive \"include\" is not terminated by \";\"")
                    }
                    node.blockLine = next.line
                    if depth >= Self.maxDepth {
                        throw error(lexer, next.line, "blocks nested more than \(Self.maxDepth) deep")
                    }
                    var children: [ConfigNode] = []
                    depth += 1
                    defer { depth -= 1 }
                    do {
                        try parseBlock(&lexer, into: &children, insideBraces: true)
                    } catch {
                        // Keep what was read so the checker can report an earlier error first.
                        node.block = children
                        nodes.append(node)
                        throw error
                    }
                    node.block = children
                    break argumentLoop
                case .closeBrace:
                    // `root /x` then `}`: the `;` is what is missing, on the directive's last line.
                    throw error(lexer, node.argLines.last ?? node.line, "directive \"\(name)\" is not terminated by \";\"")
                case .endOfFile:
                    throw error(lexer, next.line, "directive \"\(name)\" is not terminated by \";\"")
                }
            }
            if name == "include" && node.block == nil {
                try include(node, into: &nodes)
            } else {
                nodes.append(node)
            }
        }
    }

    /// `include FILE;` or, when FILE has `*`, `?` or `[`, every match of the pattern in sorted
    /// order (glob(3)); a pattern that matches nothing includes nothing (nginx).
    private mutating func include(_ node: ConfigNode, into nodes: inout [ConfigNode]) throws(ConfigError) {
        guard node.args.count == 1 else { throw node.error("invalid number of arguments in \"include\" directive") }
        let pattern = node.args[0]
        // Relative to the including file: to its name for messages, to its real place for reading.
        let displayDirectory = ConfigFiles.directory(of: node.file)
        let absolutePattern = ConfigFiles.resolve(pattern, against: ConfigFiles.directory(of: openFiles.last ?? ""))
        guard ConfigFiles.isPattern(pattern) else {
            let displayName = ConfigFiles.resolve(pattern, against: displayDirectory)
            return try includeFile(node, displayName: displayName, absolutePath: absolutePattern, into: &nodes)
        }
        switch ConfigFiles.glob(absolutePattern) {
        case .failure(let failure):
            throw node.error(argument: 0, failure.message(path: absolutePattern))
        case .success(let paths):
            // Each match keeps the directory it was written with: the including file's, joined.
            let joined = absolutePattern.utf8.count - pattern.utf8.count
            for path in paths {
                let written = String(decoding: path.utf8.dropFirst(joined), as: UTF8.self)
                let displayName = ConfigFiles.resolve(written, against: displayDirectory)
                try includeFile(node, displayName: displayName, absolutePath: path, into: &nodes)
            }
        }
    }

    private mutating func includeFile(
        _ node: ConfigNode, displayName: String, absolutePath: String, into nodes: inout [ConfigNode]
    ) throws(ConfigError) {
        if openFiles.contains(absolutePath) {
            throw node.error(argument: 0, "include cycle: \"\(displayName)\" is already being read")
        }
        switch ConfigFiles.readFile(absolutePath: absolutePath) {
        case .failure(let failure):
            throw node.error(argument: 0, failure.message(path: absolutePath))
        case .success(let bytes):
            try parseFile(bytes: bytes, displayName: displayName, absolutePath: absolutePath, into: &nodes)
        }
    }

    private func error(_ lexer: ConfigLexer, _ line: Int, _ message: String) -> ConfigError {
        ConfigError(file: lexer.fileName, line: line, message: message)
    }
}
