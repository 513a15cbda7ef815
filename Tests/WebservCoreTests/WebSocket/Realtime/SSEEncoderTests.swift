import XCTest

@testable import WebservCore

/// The SSE encoder against an event-stream parser written from the WHATWG algorithm, fed the
/// encoded stream whole, byte by byte and at random splits.
final class SSEEncoderTests: XCTestCase {
    func testOneLineMessage() {
        XCTAssertEqual(
            String(decoding: SSEEncoder.event(id: 7, data: Array("hello".utf8)), as: UTF8.self), "id: 7\ndata: hello\n\n")
    }

    func testCRLFAndCRAndLFEachStartADataLine() {
        let encoded = SSEEncoder.event(id: 1, data: Array("a\nb\r\nc\rd\n\ne".utf8))
        XCTAssertEqual(String(decoding: encoded, as: UTF8.self), "id: 1\ndata: a\ndata: b\ndata: c\ndata: d\ndata: \ndata: e\n\n")
    }

    func testEmptyMessageAndTrailingNewline() {
        XCTAssertEqual(String(decoding: SSEEncoder.event(id: 2, data: []), as: UTF8.self), "id: 2\ndata: \n\n")
        XCTAssertEqual(
            String(decoding: SSEEncoder.event(id: 3, data: Array("x\r\n".utf8)), as: UTF8.self), "id: 3\ndata: x\ndata: \n\n")
    }

    func testBinaryBytesAreReplacedSoTheStreamStaysUTF8() {
        let encoded = SSEEncoder.event(id: 4, data: [0x61, 0xFF, 0x62])
        XCTAssertTrue(UTF8Validator.isValid(encoded))
        XCTAssertEqual(String(decoding: encoded, as: UTF8.self), "id: 4\ndata: a\u{FFFD}b\n\n")
    }

    func testCommentIsIgnoredByParsers() {
        XCTAssertEqual(String(decoding: SSEEncoder.comment("heartbeat"), as: UTF8.self), ": heartbeat\n\n")
        var parser = EventStreamParser()
        parser.feed(SSEEncoder.comment("heartbeat")[...])
        XCTAssertTrue(parser.events.isEmpty)
    }

    func testRoundTripWholeByteByByteAndRandomSplits() {
        let messages = [
            "hello", "two\nlines", "crlf\r\nand\rcr", " leading space", "colon: inside", "ünïcödé 😀", "x\n", "a\n\nb",
        ]
        var stream: [UInt8] = SSEEncoder.comment("heartbeat")
        for (i, m) in messages.enumerated() {
            stream += SSEEncoder.event(id: i + 1, data: Array(m.utf8))
            if i % 3 == 0 { stream += SSEEncoder.comment("heartbeat") }
        }
        // A parser sees every line end as one: CRLF and CR come out as LF.
        let expected = messages.enumerated().map { (String($0.offset + 1), normalised($0.element)) }
        var generator = SystemRandomNumberGenerator()
        for splitting in ["whole", "bytes", "random", "random", "random"] {
            var parser = EventStreamParser()
            var i = 0
            while i < stream.count {
                let n =
                    switch splitting {
                    case "whole": stream.count
                    case "bytes": 1
                    default: Int.random(in: 1...17, using: &generator)
                    }
                parser.feed(stream[i..<min(stream.count, i + n)])
                i += n
            }
            XCTAssertEqual(parser.events.map(\.id), expected.map(\.0), splitting)
            XCTAssertEqual(parser.events.map(\.data), expected.map(\.1), splitting)
        }
    }

    private func normalised(_ s: String) -> String {
        s.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }
}

/// The event-stream interpretation of the WHATWG HTML standard, resumable at any byte.
struct EventStreamParser {
    var events: [(id: String, data: String)] = []
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var data: String?
    private var lastID = ""

    mutating func feed(_ bytes: ArraySlice<UInt8>) {
        for b in bytes {
            if b == 0x0A && lastWasCR {
                lastWasCR = false
                continue
            }
            lastWasCR = b == 0x0D
            if b == 0x0A || b == 0x0D {
                processLine()
                line = []
            } else {
                line.append(b)
            }
        }
    }

    private mutating func processLine() {
        if line.isEmpty {
            if var d = data {
                if d.hasSuffix("\n") { d.removeLast() }
                events.append((lastID, d))
            }
            data = nil
            return
        }
        if line.first == UInt8(ascii: ":") { return }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.count
        let field = String(decoding: line[..<colon], as: UTF8.self)
        var value = colon < line.count ? Array(line[(colon + 1)...]) : []
        if value.first == 0x20 { value.removeFirst() }
        let text = String(decoding: value, as: UTF8.self)
        switch field {
        case "data": data = (data ?? "") + text + "\n"
        case "id": lastID = text
        default: break
        }
    }
}
