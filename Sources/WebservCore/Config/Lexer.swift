/// One lexical token of a configuration file, with the line it starts on.
struct ConfigToken: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        /// A bare or quoted argument; `quoted` keeps `"{"` from being read as a brace.
        case word(String, quoted: Bool)
        case semicolon
        case openBrace
        case closeBrace
        case endOfFile
    }

    var kind: Kind
    var line: Int
}

/// Splits nginx-style configuration text into tokens, tracking line numbers.
///
/// Follows `ngx_conf_read_token`: whitespace separates words, `;` and `{` end a word (but not
/// the `{` of `${name}`), a `}` is a brace only where a token starts (`a}b` and `c}` are words,
/// as nginx reads them), `#` starts a comment only where a token could start, quotes group,
/// and a backslash
/// escapes `"`, `'` and `\` (plus `\n`, `\t`, `\r`).
struct ConfigLexer {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    let fileName: String

    init(bytes: [UInt8], fileName: String) {
        self.bytes = bytes
        self.fileName = fileName
    }

    /// All tokens up to and including `.endOfFile`.
    mutating func tokenize() throws(ConfigError) -> [ConfigToken] {
        var tokens: [ConfigToken] = []
        while true {
            let token = try next()
            tokens.append(token)
            if token.kind == .endOfFile { return tokens }
        }
    }

    mutating func next() throws(ConfigError) -> ConfigToken {
        skipSpaceAndComments()
        guard index < bytes.count else { return ConfigToken(kind: .endOfFile, line: line) }
        let startLine = line
        switch bytes[index] {
        case UInt8(ascii: ";"):
            index += 1
            return ConfigToken(kind: .semicolon, line: startLine)
        case UInt8(ascii: "{"):
            index += 1
            return ConfigToken(kind: .openBrace, line: startLine)
        case UInt8(ascii: "}"):
            index += 1
            return ConfigToken(kind: .closeBrace, line: startLine)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return try quoted(startLine: startLine)
        default:
            return bare(startLine: startLine)
        }
    }

    private mutating func skipSpaceAndComments() {
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                index += 1
            } else if Self.isSpace(byte) {
                index += 1
            } else if byte == UInt8(ascii: "#") {
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            } else {
                return
            }
        }
    }

    private mutating func quoted(startLine: Int) throws(ConfigError) -> ConfigToken {
        let quote = bytes[index]
        index += 1
        var word: [UInt8] = []
        while true {
            guard index < bytes.count else {
                throw ConfigError(
                    file: fileName, line: line,
                    message: "unexpected end of file, expecting closing quote")
            }
            let byte = bytes[index]
            if byte == quote {
                index += 1
                break
            }
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                appendEscape(bytes[index + 1], to: &word)
                index += 2
                continue
            }
            if byte == UInt8(ascii: "\n") { line += 1 }
            word.append(byte)
            index += 1
        }
        // nginx insists that a quoted word is followed by a separator: `"a"b` is an error.
        if index < bytes.count {
            let after = bytes[index]
            let separates =
                Self.isSpace(after) || after == UInt8(ascii: "\n") || after == UInt8(ascii: ";")
                || after == UInt8(ascii: "{") || after == UInt8(ascii: "}")
            if !separates {
                throw ConfigError(
                    file: fileName, line: line,
                    message: "unexpected \"\(String(decoding: [after], as: UTF8.self))\"")
            }
        }
        return ConfigToken(kind: .word(String(decoding: word, as: UTF8.self), quoted: true), line: startLine)
    }

    private mutating func bare(startLine: Int) -> ConfigToken {
        var word: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "{") && word.last == UInt8(ascii: "$") {
                // `${name}`: the brace belongs to the variable.
            } else if Self.isSpace(byte) || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: ";")
                || byte == UInt8(ascii: "{")
            {
                break
            }
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] != UInt8(ascii: "\n") {
                appendEscape(bytes[index + 1], to: &word)
                index += 2
                continue
            }
            word.append(byte)
            index += 1
        }
        return ConfigToken(kind: .word(String(decoding: word, as: UTF8.self), quoted: false), line: startLine)
    }

    /// nginx turns `\"`, `\'`, `\\`, `\n`, `\t`, `\r` into one byte and keeps any other pair as written.
    private func appendEscape(_ byte: UInt8, to word: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "\\"): word.append(byte)
        case UInt8(ascii: "n"): word.append(UInt8(ascii: "\n"))
        case UInt8(ascii: "t"): word.append(UInt8(ascii: "\t"))
        case UInt8(ascii: "r"): word.append(UInt8(ascii: "\r"))
        default: word.append(contentsOf: [UInt8(ascii: "\\"), byte])
        }
    }

    /// Space, tab and CR: a CRLF file counts lines by its LFs only.
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }
}
