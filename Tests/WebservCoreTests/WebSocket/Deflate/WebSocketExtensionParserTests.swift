import XCTest

@testable import WebservCore

final class WebSocketExtensionParserTests: XCTestCase {
    typealias Offer = WebSocketExtensionParser.Offer
    typealias Parameter = WebSocketExtensionParser.Parameter

    private func offer(_ name: String, _ parameters: [(String, String?)] = [], malformed: Bool = false) -> Offer {
        Offer(
            name: Array(name.utf8),
            parameters: parameters.map { Parameter(name: Array($0.0.utf8), value: $0.1.map { Array($0.utf8) }) },
            malformed: malformed)
    }

    private func parse(_ text: String) -> [Offer] { WebSocketExtensionParser.parse(Array(text.utf8)) }

    func testParsesNamesParametersAndValues() {
        XCTAssertEqual(
            parse("permessage-deflate; client_max_window_bits, permessage-deflate;server_max_window_bits=10"),
            [
                offer("permessage-deflate", [("client_max_window_bits", nil)]),
                offer("permessage-deflate", [("server_max_window_bits", "10")]),
            ])
        XCTAssertEqual(parse("foo"), [offer("foo")])
        XCTAssertEqual(parse(""), [])
    }

    func testUnquotesQuotedValuesAndToleratesWhitespace() {
        XCTAssertEqual(
            parse(" \tpermessage-deflate ;  server_max_window_bits = \"1\\0\" ; client_no_context_takeover \t"),
            [offer("permessage-deflate", [("server_max_window_bits", "10"), ("client_no_context_takeover", nil)])])
    }

    func testEmptyListElementsAreSkipped() {
        XCTAssertEqual(parse(", ,a,, b ,"), [offer("a"), offer("b")])
    }

    func testBadSyntaxMarksOnlyItsElementMalformed() {
        let offers = parse("a; =1, b; p=\"x,y\" q, c;, d;p=\"open, e")
        XCTAssertEqual(offers.map(\.malformed), [true, true, true, true])
        XCTAssertEqual(parse("x@y, ok").last, offer("ok"))
        XCTAssertEqual(parse("a; p=\"x,y\" junk, ok").last, offer("ok"), "a comma inside quotes does not end the element")
        XCTAssertEqual(parse("a b, ok").map(\.malformed), [true, false])
    }

    func testSameOffersWholeByteByByteAndAtRandomSplits() {
        let inputs = [
            "permessage-deflate; client_max_window_bits; server_max_window_bits=\"12\", permessage-deflate",
            "x-webkit-deflate-frame, permessage-deflate; server_no_context_takeover ; client_no_context_takeover",
            "a; p=\"q\\\"uoted, still\" ; r = 5, ,b;;c, \"bad\", ok",
        ]
        for text in inputs {
            let bytes = Array(text.utf8)
            let reference = WebSocketExtensionParser.parse(bytes)
            for pieces in FeedSplits.all(bytes) {
                var parser = WebSocketExtensionParser()
                for piece in pieces { parser.feed(piece) }
                XCTAssertEqual(parser.finish(), reference, text)
            }
        }
    }
}
