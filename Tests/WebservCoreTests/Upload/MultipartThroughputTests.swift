import Foundation
import XCTest

@testable import WebservCore

/// Hand-run throughput check, not a timed unit test:
/// `WEBSERV_BENCH=1 swift test -c release --filter MultipartThroughputTests`
final class MultipartThroughputTests: XCTestCase {
    func testPrintsScannerThroughput() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["WEBSERV_BENCH"] != nil, "set WEBSERV_BENCH=1 to run")
        var rng = FeedSplits.SeededRNG(seed: 7)
        let payload = (0..<(64 << 20)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let body = Array("--b0undary\r\n\r\n".utf8) + payload + Array("\r\n--b0undary--\r\n".utf8)
        var scanner = MultipartScanner(boundary: Array("b0undary".utf8))
        var seen = 0
        let start = Date()
        try body.withUnsafeBytes { all in
            for i in stride(from: 0, to: all.count, by: 65536) {
                let piece = UnsafeRawBufferPointer(rebasing: all[i..<min(i + 65536, all.count)])
                try scanner.feed(piece) { if case .partData(let d) = $0 { seen += d.count } }
            }
        }
        let seconds = Date().timeIntervalSince(start)
        XCTAssertEqual(seen, payload.count)
        XCTAssertTrue(scanner.isFinished)
        print("MultipartScanner: \(Int(Double(payload.count) / seconds / 1e6)) MB/s")
    }
}
