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

    /// Before: a child ended (SIGTERM) less than its grace period before the server stopped
    /// kept its SIGKILL timer, and the timer the child: a cycle that LeakSanitizer reported at
    /// every such stop (`fuzz/leakcheck`). At exit the pending SIGKILLs are sent at once.
    func testAChildEndedJustBeforeTheStopIsKilledAndFreed() throws {
        let configuration = try ConfigLoader.load(
            text: "server { listen 127.0.0.1:0; }", fileName: "test.conf", prefix: "/nonexistent")
        weak var weakChild: ChildProcess?
        var pid: pid_t = 0
        do {
            let server = Server(configuration: configuration)
            server.loop.addTimed(server)
            let child = try ChildProcess.spawn(
                executable: "/bin/sh", arguments: ["-c", "trap '' TERM; sleep 30"], environment: [],
                workingDirectory: nil, server: server)
            weakChild = child
            pid = child.pid
            usleep(100_000)  // the shell sets its trap
            child.terminate()
            server.loop.running = false
            server.run()
        }
        var status: Int32 = 0
        XCTAssertEqual(waitpid(pid, &status, 0), pid)
        XCTAssertEqual(status & 0x7F, SIGKILL, "ended by the pending SIGKILL, not left running")
        XCTAssertNil(weakChild, "the kill timer still holds the child")
    }
}
