import XCTest

@testable import WebservCore

final class CharsetTests: XCTestCase {
    func type(_ t: String, _ charset: String? = "utf-8", _ types: [String] = Charset.defaultTypes) -> String {
        Charset.contentType(t, charset: charset, types: types)
    }

    func testAddsTheCharsetToItsTypesOnly() {
        XCTAssertEqual(type("text/html"), "text/html; charset=utf-8")
        XCTAssertEqual(type("text/plain"), "text/plain; charset=utf-8")
        XCTAssertEqual(type("application/javascript"), "application/javascript; charset=utf-8")
        XCTAssertEqual(type("TEXT/HTML"), "TEXT/HTML; charset=utf-8", "media types compare without case")
        XCTAssertEqual(type("text/css"), "text/css", "not among nginx's default charset_types")
        XCTAssertEqual(type("image/png"), "image/png")
        XCTAssertEqual(type("text/css", "utf-8", ["text/css"]), "text/css; charset=utf-8", "charset_types")
        XCTAssertEqual(type("image/png", "utf-8", ["*"]), "image/png; charset=utf-8", "charset_types *")
        XCTAssertEqual(type("text/html", "utf-8", ["text/css"]), "text/html; charset=utf-8", "text/html always (nginx)")
        XCTAssertEqual(type("text/plain", "utf-8", ["text/css"]), "text/plain")
    }

    func testLeavesAnOwnCharsetAndOffAlone() {
        XCTAssertEqual(type("text/html; charset=iso-8859-1"), "text/html; charset=iso-8859-1")
        XCTAssertEqual(type("text/html;Charset=UTF-8"), "text/html;Charset=UTF-8")
        XCTAssertEqual(type("text/html", nil), "text/html", "charset off")
        XCTAssertEqual(type("text/html; level=1"), "text/html; level=1; charset=utf-8", "other parameters kept")
    }
}
