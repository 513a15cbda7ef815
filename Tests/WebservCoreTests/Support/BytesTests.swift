import XCTest

@testable import WebservCore

final class BytesTests: XCTestCase {
    private func s(_ t: String) -> ArraySlice<UInt8> { Array(t.utf8)[...] }

    func testParseDecimalAcceptsOnlyDigitsWithoutOverflow() {
        XCTAssertEqual(Bytes.parseDecimal(s("0")), 0)
        XCTAssertEqual(Bytes.parseDecimal(s("007")), 7)
        XCTAssertEqual(Bytes.parseDecimal(s("123456789012345678")), 123_456_789_012_345_678)
        for bad in ["", "+1", "-1", " 1", "1 ", "1a", "0x1", "1234567890123456789", "99999999999999999999999"] {
            XCTAssertNil(Bytes.parseDecimal(s(bad)), bad)
        }
    }

    func testEqualsLowercasedIgnoresCaseOfInputOnly() {
        XCTAssertTrue(Bytes.equalsLowercased(s("Content-Length"), "content-length"))
        XCTAssertTrue(Bytes.equalsLowercased(s("HOST"), "host"))
        XCTAssertFalse(Bytes.equalsLowercased(s("hosts"), "host"))
        XCTAssertFalse(Bytes.equalsLowercased(s("hos"), "host"))
        XCTAssertFalse(Bytes.equalsLowercased(s("h\u{10}st"), "h0st"), "only A-Z are folded")
        XCTAssertTrue(Bytes.equals(s("GMT"), "GMT"))
        XCTAssertFalse(Bytes.equals(s("gmt"), "GMT"))
    }

    func testForEachTokenSplitsOnCommasAndTrims() {
        var tokens: [String] = []
        Bytes.forEachToken(s(" a ,\tb,,c , ")) { tokens.append(String(decoding: $0, as: UTF8.self)) }
        XCTAssertEqual(tokens, ["a", "b", "c"])
        XCTAssertTrue(Bytes.containsToken(s("keep-alive, Upgrade"), "upgrade"))
        XCTAssertFalse(Bytes.containsToken(s("keep-alive, Upgrades"), "upgrade"))
    }

    func testAppendDecimalAndHex() {
        for v in [0, 9, 10, 99, 100, 65535, 1 << 40, Int.max] {
            var out: [UInt8] = []
            Bytes.appendDecimal(v, to: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), String(v))
        }
        for v in [0, 1, 15, 16, 255, 4096, 0xABCDEF, Int.max] {
            var out: [UInt8] = []
            Bytes.appendHex(v, to: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), String(v, radix: 16))
        }
    }

    func testByteClasses() {
        XCTAssertTrue("!#$%&'*+-.^_`|~09azAZ".utf8.allSatisfy(ByteClass.isToken))
        XCTAssertFalse(" \t:;\"(),/<=>?@[\\]{}\u{7F}\u{0}".utf8.contains(where: ByteClass.isToken))
        XCTAssertTrue(ByteClass.isFieldValue(0x09))
        XCTAssertTrue(ByteClass.isFieldValue(0x80), "obs-text")
        XCTAssertFalse(ByteClass.isFieldValue(0x00))
        XCTAssertFalse(ByteClass.isFieldValue(0x0D))
        XCTAssertFalse(ByteClass.isFieldValue(0x7F))
        XCTAssertEqual(ByteClass.hexValue(UInt8(ascii: "f")), 15)
        XCTAssertEqual(ByteClass.hexValue(UInt8(ascii: "A")), 10)
        XCTAssertNil(ByteClass.hexValue(UInt8(ascii: "g")))
    }

    func testHTMLEscapingAndURLSegments() {
        XCTAssertEqual(HTML.escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        XCTAssertEqual(HTML.percentEncodePathSegment("a b/c?é".utf8), "a%20b%2Fc%3F%C3%A9")
        XCTAssertEqual(HTML.percentEncodePathSegment("A-z_0.9~".utf8), "A-z_0.9~")
    }
}

extension BytesTests {
    func testPercentEncodePathKeepsSlashesAndUnreserved() {
        XCTAssertEqual(HTML.percentEncodePath(Array("/a b/c?d#e%f/".utf8)), "/a%20b/c%3Fd%23e%25f/")
        XCTAssertEqual(HTML.percentEncodePath([0x2F, 0xC3, 0xA9, 0x0D, 0x0A]), "/%C3%A9%0D%0A")
        XCTAssertEqual(HTML.percentEncodePath(Array("/A-z_0.9~/".utf8)), "/A-z_0.9~/")
    }
}
