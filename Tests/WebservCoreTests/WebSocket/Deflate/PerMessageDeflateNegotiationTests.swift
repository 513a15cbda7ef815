import XCTest

@testable import WebservCore

final class PerMessageDeflateNegotiationTests: XCTestCase {
    private func negotiate(_ header: String, broadcast: Bool = false) -> PerMessageDeflateParameters? {
        PerMessageDeflateNegotiation.negotiate(header: Array(header.utf8), forceServerNoContextTakeover: broadcast)
    }

    func testPlainOfferIsAcceptedWithDefaults() throws {
        let p = try XCTUnwrap(negotiate("permessage-deflate"))
        XCTAssertEqual(p, PerMessageDeflateParameters())
        XCTAssertEqual(p.responseHeader, "permessage-deflate")
        XCTAssertEqual(p.compressorWindowBits, 15)
    }

    func testEveryParameterIsHonouredAndAnswered() throws {
        let p = try XCTUnwrap(
            negotiate(
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits"
            ))
        XCTAssertTrue(p.serverNoContextTakeover)
        XCTAssertTrue(p.clientNoContextTakeover)
        XCTAssertEqual(p.serverMaxWindowBits, 10)
        XCTAssertEqual(
            p.responseHeader,
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10")
        XCTAssertEqual(
            try XCTUnwrap(negotiate("permessage-deflate; client_max_window_bits=9")).responseHeader, "permessage-deflate")
    }

    func testWindowBitsEightIsAnsweredButCompressedWithNine() throws {
        let p = try XCTUnwrap(negotiate("permessage-deflate; server_max_window_bits=8"))
        XCTAssertEqual(p.responseHeader, "permessage-deflate; server_max_window_bits=8")
        XCTAssertEqual(p.compressorWindowBits, 9)
        XCTAssertNotNil(MessageDeflater(windowBits: p.compressorWindowBits, resetsContext: false))
        for bits in 8...15 {
            XCTAssertEqual(negotiate("permessage-deflate; server_max_window_bits=\(bits)")?.serverMaxWindowBits, bits)
        }
    }

    func testBadOffersAreRefused() {
        let bad = [
            "permessage-deflate; unknown", "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; client_max_window_bits; client_max_window_bits=10", "permessage-deflate; server_max_window_bits",
            "permessage-deflate; server_max_window_bits=7", "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_max_window_bits=010", "permessage-deflate; server_max_window_bits=1a",
            "permessage-deflate; client_max_window_bits=0", "permessage-deflate; client_max_window_bits=",
            "permessage-deflate; server_no_context_takeover=1", "permessage-deflate; client_no_context_takeover=\"\"",
            "permessage-deflate;", "permessage-deflate; p=\"unterminated", "deflate-frame", "x-webkit-deflate-frame", "",
        ]
        for header in bad { XCTAssertNil(negotiate(header), header) }
    }

    func testAfterABadOfferTheNextOneIsTried() throws {
        let p = try XCTUnwrap(
            negotiate(
                "permessage-deflate; server_max_window_bits=20, foo, permessage-deflate; client_no_context_takeover, permessage-deflate"
            ))
        XCTAssertEqual(p.responseHeader, "permessage-deflate; client_no_context_takeover")
    }

    func testBroadcastAlwaysTakesNoContextOver() throws {
        XCTAssertEqual(
            try XCTUnwrap(negotiate("permessage-deflate", broadcast: true)).responseHeader,
            "permessage-deflate; server_no_context_takeover")
        XCTAssertNil(negotiate("foo", broadcast: true))
    }

    func testNamesCompareWithoutCase() {
        XCTAssertEqual(negotiate("PerMessage-Deflate; Server_No_Context_Takeover")?.serverNoContextTakeover, true)
    }
}
