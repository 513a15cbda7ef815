import XCTest

@testable import WebservCore

final class ParserTests: XCTestCase {
    private func parse(_ text: String) -> ParseResult {
        var parser = ConfigParser()
        return parser.parse(bytes: Array(text.utf8), displayName: "p.conf", absolutePath: "/srv/p.conf")
    }

    func testBuildsTreeWithArgumentsAndLines() {
        let result = parse("http {\n  server {\n    listen 127.0.0.1:80 default_server;\n    location = /x { }\n  }\n}\n")
        XCTAssertNil(result.syntaxError)
        XCTAssertEqual(result.nodes.count, 1)
        let http = result.nodes[0]
        XCTAssertEqual(http.name, "http")
        XCTAssertEqual(http.args, [])
        let server = http.block![0]
        XCTAssertEqual(server.line, 2)
        let listen = server.block![0]
        XCTAssertEqual(listen.name, "listen")
        XCTAssertEqual(listen.args, ["127.0.0.1:80", "default_server"])
        XCTAssertEqual(listen.line, 3)
        XCTAssertNil(listen.block)
        let location = server.block![1]
        XCTAssertEqual(location.args, ["=", "/x"])
        XCTAssertEqual(location.block?.count, 0)
        XCTAssertEqual(location.file, "p.conf")
    }

    func testArgumentsMaySpanLines() {
        let node = parse("index\n a.html\n b.html;").nodes[0]
        XCTAssertEqual(node.argLines, [2, 3])
    }

    func testSyntaxErrorKeepsEverythingReadBefore() {
        let result = parse("server {\n root /a;\n foo\n")
        XCTAssertEqual(result.syntaxError?.description, "p.conf:4: error: directive \"foo\" is not terminated by \";\"")
        XCTAssertEqual(result.nodes.first?.block?.map(\.name), ["root"])
    }

    func testStrayClosingBrace() {
        XCTAssertEqual(parse("root /a;\n}\n").syntaxError?.description, "p.conf:2: error: unexpected \"}\"")
    }

    func testMissingClosingBrace() {
        XCTAssertEqual(
            parse("server {\n listen 80;\n").syntaxError?.description,
            "p.conf:3: error: unexpected end of file, expecting \"}\"")
    }

    func testStraySemicolon() {
        XCTAssertEqual(parse("server { ; }").syntaxError?.description, "p.conf:1: error: unexpected \";\"")
    }

    func testStrayOpeningBrace() {
        XCTAssertEqual(parse("server {\n {\n }\n}").syntaxError?.description, "p.conf:2: error: unexpected \"{\"")
    }

    func testNestingIsBoundedBeforeTheStackIs() {
        let ok = parse(String(repeating: "a {\n", count: 100) + String(repeating: "}\n", count: 100))
        XCTAssertNil(ok.syntaxError)
        XCTAssertEqual(
            parse(String(repeating: "a {\n", count: 101)).syntaxError?.description,
            "p.conf:101: error: blocks nested more than 100 deep")
        XCTAssertEqual(
            parse(String(repeating: "a { ", count: 1_000_000)).syntaxError?.description,
            "p.conf:1: error: blocks nested more than 100 deep")
    }
}
