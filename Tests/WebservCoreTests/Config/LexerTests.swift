import XCTest

@testable import WebservCore

final class LexerTests: XCTestCase {
    private func tokens(_ text: String) throws -> [ConfigToken] {
        var lexer = ConfigLexer(bytes: Array(text.utf8), fileName: "t.conf")
        return try lexer.tokenize()
    }

    private func word(_ text: String, quoted: Bool = false, line: Int) -> ConfigToken {
        ConfigToken(kind: .word(text, quoted: quoted), line: line)
    }

    func testSplitsWordsAndPunctuationWithLineNumbers() throws {
        let result = try tokens("server {\n  listen 80;\n}\n")
        XCTAssertEqual(
            result,
            [
                word("server", line: 1), ConfigToken(kind: .openBrace, line: 1),
                word("listen", line: 2), word("80", line: 2), ConfigToken(kind: .semicolon, line: 2),
                ConfigToken(kind: .closeBrace, line: 3), ConfigToken(kind: .endOfFile, line: 4),
            ])
    }

    func testPunctuationEndsAWordWithoutSpaces() throws {
        let result = try tokens("a{b;}")
        XCTAssertEqual(
            result.map(\.kind),
            [.word("a", quoted: false), .openBrace, .word("b", quoted: false), .semicolon, .closeBrace, .endOfFile])
    }

    /// A `}` is a brace only where a token starts: inside a word it is a character, as
    /// ngx_conf_read_token reads it (`nginx -t` takes `index a}b;` as the file `a}b`).
    func testCloseBraceInsideAWordIsACharacter() throws {
        XCTAssertEqual(
            try tokens("index a}b;c}").map(\.kind),
            [.word("index", quoted: false), .word("a}b", quoted: false), .semicolon, .word("c}", quoted: false), .endOfFile])
        XCTAssertEqual(
            configError("server {\n location / {\n  index a}\n }\n}"),
            "test.conf:3: error: directive \"index\" is not terminated by \";\"", "the `}` of `a}` is not a brace")
    }

    /// `${name}` is one word with its braces, as nginx reads it (found by Tests/differential/config:
    /// `add_header X ${host}x;` was "not terminated by ;").
    func testVariableBracesStayInTheWord() throws {
        XCTAssertEqual(
            try tokens("add_header X a${host}b;").map(\.kind),
            [
                .word("add_header", quoted: false), .word("X", quoted: false), .word("a${host}b", quoted: false),
                .semicolon, .endOfFile,
            ])
        XCTAssertEqual(
            try tokens("x $a{b}").map(\.kind),
            [
                .word("x", quoted: false), .word("$a", quoted: false), .openBrace, .word("b}", quoted: false),
                .endOfFile,
            ])
    }

    func testCommentsRunToEndOfLine() throws {
        let result = try tokens("# top\nroot /x; # trailing { ; }\n#last")
        XCTAssertEqual(
            result,
            [
                word("root", line: 2), word("/x", line: 2), ConfigToken(kind: .semicolon, line: 2),
                ConfigToken(kind: .endOfFile, line: 3),
            ])
    }

    func testHashInsideAWordIsLiteral() throws {
        XCTAssertEqual(try tokens("a#b;").first, word("a#b", line: 1))
    }

    func testQuotedArgumentsKeepSpacesAndPunctuation() throws {
        let result = try tokens(#"return 200 "a b; {c}"; x 'single "q"';"#)
        XCTAssertEqual(result[2], word("a b; {c}", quoted: true, line: 1))
        XCTAssertEqual(result[5], word(#"single "q""#, quoted: true, line: 1))
    }

    func testEscapesInQuotes() throws {
        let result = try tokens(#"x "a\"b\\c\'d\ne\q";"#)
        XCTAssertEqual(result[1], word("a\"b\\c'd\ne\\q", quoted: true, line: 1))
    }

    func testEscapeInBareWord() throws {
        XCTAssertEqual(try tokens(#"x a\"b\;c;"#)[1], word("a\"b\\;c", line: 1), "escaped ; stays in the word, as nginx keeps it")
    }

    func testQuotedBraceIsAWord() throws {
        XCTAssertEqual(try tokens(#"x "{";"#)[1].kind, .word("{", quoted: true))
    }

    func testEmptyQuotedArgument() throws {
        XCTAssertEqual(try tokens(#"server_name "";"#)[1], word("", quoted: true, line: 1))
    }

    func testQuotedStringSpanningLinesCountsLines() throws {
        let result = try tokens("x \"a\nb\";\ny;")
        XCTAssertEqual(result[1], word("a\nb", quoted: true, line: 1))
        XCTAssertEqual(result[3], word("y", line: 3))
    }

    func testCRLFLineEndingsCountLinesOnce() throws {
        let result = try tokens("a 1;\r\n\r\nb 2;\r\n# c\r\nc \"3\";\r\n")
        XCTAssertEqual(
            result.filter { if case .word = $0.kind { return true } else { return false } },
            [
                word("a", line: 1), word("1", line: 1), word("b", line: 3), word("2", line: 3),
                word("c", line: 5), word("3", quoted: true, line: 5),
            ])
        XCTAssertEqual(result.last, ConfigToken(kind: .endOfFile, line: 6))
    }

    func testUnterminatedQuoteIsAnError() {
        XCTAssertThrowsError(try tokens("x \"abc\n")) { error in
            XCTAssertEqual(
                (error as? ConfigError)?.description, "t.conf:2: error: unexpected end of file, expecting closing quote")
        }
    }

    func testTextRightAfterAQuoteIsAnError() {
        XCTAssertThrowsError(try tokens("x \"a\"b;")) { error in
            XCTAssertEqual((error as? ConfigError)?.description, "t.conf:1: error: unexpected \"b\"")
        }
    }

    func testWholeFileAtOnceMatchesTokenByToken() throws {
        let text = "http {\n server { listen 8080; location / { root 'w w'; } }\n}\n"
        var lexer = ConfigLexer(bytes: Array(text.utf8), fileName: "t.conf")
        var oneByOne: [ConfigToken] = []
        while true {
            let token = try lexer.next()
            oneByOne.append(token)
            if token.kind == .endOfFile { break }
        }
        XCTAssertEqual(oneByOne, try tokens(text))
        XCTAssertEqual(oneByOne.count, 17)
    }
}
