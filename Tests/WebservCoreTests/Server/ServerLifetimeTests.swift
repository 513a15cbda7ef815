import XCTest

@testable import WebservCore

/// The server and everything it owns are freed once its loop ends, so LeakSanitizer (fuzz/leakcheck)
/// reports only real leaks: per-connection objects, buffers, child bookkeeping.
final class ServerLifetimeTests: XCTestCase {
    func testServerIsFreedWhenItsLoopEnds() throws {
        let configuration = try ConfigLoader.load(
            text: "server { listen 127.0.0.1:0; }", fileName: "test.conf", prefix: "/nonexistent")
        weak var weakServer: Server?
        weak var weakLoop: EventLoop?
        do {
            let server = Server(configuration: configuration)
            weakServer = server
            weakLoop = server.loop
            // What start() does besides binding sockets and installing signal handlers.
            server.loop.addTimed(server)
            server.loop.running = false
            server.run()
        }
        XCTAssertNil(weakServer, "the event loop still holds the server")
        XCTAssertNil(weakLoop)
    }
}
