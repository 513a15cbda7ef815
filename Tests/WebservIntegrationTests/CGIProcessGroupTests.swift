import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// A CGI script (or WebSocket exec program) runs in its own process group, and the whole group
/// ends with it: what it started in the background cannot hold a response open or outlive it,
/// even ignoring SIGTERM.
final class CGIProcessGroupTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}}/www;
            error_log {{ROOT}}/error.log;
            location /cgi-bin/ {
                root {{ROOT}};
                cgi .sh /bin/sh;
                cgi_timeout 30s;
            }
            location /execbg { websocket exec /bin/sh {{ROOT}}/cgi-bin/execbg.sh; }
            location /quick/ {
                alias {{ROOT}}/cgi-bin/;
                cgi .sh /bin/sh;
                cgi_timeout 1s;
            }
        }
        """

    static let scripts: [String: String] = [
        // A background sleep that inherits stdout: the body never reaches EOF while it lives.
        "cgi-bin/background.sh": """
        sleep 30 &
        echo $! > {{ROOT}}/sleep.pid
        printf 'Content-Type: text/plain\\r\\n\\r\\ndone\\n'
        exit 0

        """,
        // A WebSocket exec program that leaves a job behind and exits.
        "cgi-bin/execbg.sh": """
        sleep 30 &
        echo $! > {{ROOT}}/exec-sleep.pid
        echo hello

        """,
        // A grandchild that ignores SIGTERM, then a script that runs past cgi_timeout.
        "cgi-bin/stubborn.sh": """
        sh -c 'trap "" TERM; echo $$ > {{ROOT}}/stubborn.pid; exec sleep 30' &
        while [ ! -s {{ROOT}}/stubborn.pid ]; do sleep 0.05; done
        sleep 30

        """,
        // The same grandchild, holding stdout, behind a script that finishes at once.
        "cgi-bin/stubborn-exit.sh": """
        sh -c 'trap "" TERM; echo $$ > {{ROOT}}/stubborn-exit.pid; exec sleep 30' &
        while [ ! -s {{ROOT}}/stubborn-exit.pid ]; do sleep 0.05; done
        printf 'Content-Type: text/plain\\r\\n\\r\\nbye\\n'

        """,
    ]

    func testExecProgramsBackgroundJobEndsWithIt() throws {
        let s = try makeServer()
        let started = Date()
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/execbg", timeout: 10))
        XCTAssertEqual(ws.receive()?.text, "hello")
        // The program exited; the sleep it left holding stdout must not keep the socket open.
        XCTAssertEqual(ws.receiveClose(), .some(1000))
        XCTAssertLessThan(Date().timeIntervalSince(started), 4)
        let sleeper = try XCTUnwrap(pid(in: s, "exec-sleep.pid"))
        XCTAssertTrue(waitUntil(timeout: 5) { self.isGone(sleeper) }, "background sleep \(sleeper) still runs")
    }

    func makeServer() throws -> TestServer {
        let s = try TestServer(config: Self.config)
        for (path, text) in Self.scripts { try s.write(path, s.expand(text)) }
        return s
    }

    /// The pid a script wrote to `file`, once it is there.
    func pid(in s: TestServer, _ file: String) -> Int32? {
        var pid: Int32?
        waitUntil(timeout: 5) {
            pid = (try? String(contentsOfFile: s.path(file), encoding: .utf8)).flatMap {
                Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            return pid != nil
        }
        return pid
    }

    /// Gone, or a zombie waiting for whoever adopted it.
    func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    func testResponseEndsWhenTheScriptExitsAndTheBackgroundJobIsKilled() throws {
        let s = try makeServer()
        let started = Date()
        let r = try XCTUnwrap(
            RawClient(port: s.port, timeout: 10).request("GET /cgi-bin/background.sh HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "done\n")
        XCTAssertLessThan(Date().timeIntervalSince(started), 4, "the response waited for the background sleep")
        let sleeper = try XCTUnwrap(pid(in: s, "sleep.pid"))
        XCTAssertTrue(waitUntil(timeout: 5) { self.isGone(sleeper) }, "background sleep \(sleeper) still runs")
    }

    func testGrandchildIgnoringSIGTERMIsKilledAfterATimeout() throws {
        let s = try makeServer()
        let r = try XCTUnwrap(RawClient(port: s.port, timeout: 10).request("GET /quick/stubborn.sh HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(r.status, 504)
        let stubborn = try XCTUnwrap(pid(in: s, "stubborn.pid"))
        XCTAssertTrue(waitUntil(timeout: 6) { self.isGone(stubborn) }, "grandchild \(stubborn) survived")
        XCTAssertTrue(waitUntil(timeout: 5) { s.children.isEmpty }, "children left: \(s.children)")
    }

    func testGrandchildIgnoringSIGTERMCannotHoldTheResponseOpen() throws {
        let s = try makeServer()
        let started = Date()
        let r = try XCTUnwrap(
            RawClient(port: s.port, timeout: 10).request("GET /cgi-bin/stubborn-exit.sh HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "bye\n")
        // SIGTERM is ignored, so the body ends with the SIGKILL after the grace period (2 s).
        XCTAssertLessThan(Date().timeIntervalSince(started), 6)
        let stubborn = try XCTUnwrap(pid(in: s, "stubborn-exit.pid"))
        XCTAssertTrue(waitUntil(timeout: 5) { self.isGone(stubborn) }, "grandchild \(stubborn) survived")
    }
}
