import Foundation
import XCTest

/// SPEC 9's real time over HTTP: SSE streams and long polls on broadcast rooms, beside
/// WebSocket members, with server times and member counts in the polling JSON.
final class RealtimeTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}};
            access_log off;
            send_timeout 2s;
            location /chat/ { websocket broadcast; websocket_max_message 64k; }
            location /beat/ { websocket broadcast; websocket_sse_heartbeat 300ms; }
            location /short/ { websocket broadcast; websocket_poll_max_wait 1s; }
            location /big/ { websocket broadcast; websocket_max_message 8m; websocket_max_output 16m; }
        }
        """

    func post(_ s: TestServer, _ path: String, _ text: String) throws -> HTTPResponse? {
        try httpRequest(
            port: s.port, "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: \(text.utf8.count)\r\n\r\n\(text)")
    }

    func poll(_ s: TestServer, _ target: String, agent: String = "t") throws -> [String: Any] {
        let r = try XCTUnwrap(httpRequest(port: s.port, "GET \(target) HTTP/1.1\r\nHost: x\r\nUser-Agent: \(agent)\r\n\r\n"))
        XCTAssertEqual(r.status, 200)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
    }

    // MARK: SSE

    func testSSEStreamsEventsInTheOrderWebSocketMembersSee() throws {
        let s = try TestServer(config: Self.config)
        let sse = try XCTUnwrap(EventStreamClient(port: s.port, path: "/chat/lobby"))
        XCTAssertEqual(sse.response.header("Content-Type"), "text/event-stream")
        XCTAssertEqual(sse.response.header("Cache-Control"), "no-cache")
        XCTAssertEqual(sse.response.header("Transfer-Encoding"), "chunked")
        let a = try XCTUnwrap(WebSocketClient(port: s.port, path: "/chat/lobby"))
        let b = try XCTUnwrap(WebSocketClient(port: s.port, path: "/chat/lobby"))
        for i in 0..<5 {
            a.sendText("a\(i)")
            b.sendText("b\(i)\nsecond line")
        }
        var seenByWebSocket: [String] = []
        for _ in 0..<10 { seenByWebSocket.append(try XCTUnwrap(a.receive()).text) }
        var seenBySSE: [String] = []
        var ids: [String] = []
        for _ in 0..<10 {
            let e = try XCTUnwrap(sse.nextEvent())
            seenBySSE.append(e.data)
            ids.append(e.id ?? "")
        }
        XCTAssertEqual(seenBySSE, seenByWebSocket, "one order for every kind of member")
        XCTAssertEqual(ids, (1...10).map(String.init))
        XCTAssertTrue(seenBySSE.contains("b0\nsecond line"), "a multi-line message is several data: lines")
    }

    func testSSEWireFormatSplitsLinesAtCRLFAndCRAndLF() throws {
        let s = try TestServer(config: Self.config)
        let sse = try XCTUnwrap(EventStreamClient(port: s.port, path: "/chat/wire"))
        XCTAssertEqual(try post(s, "/chat/wire", "one\r\ntwo\rthree\nfour")?.status, 201)
        XCTAssertEqual(sse.nextBlock(), "id: 1\ndata: one\ndata: two\ndata: three\ndata: four")
    }

    func testSSEResumesAfterLastEventIDOrSinceAndStartsLiveWithout() throws {
        let s = try TestServer(config: Self.config)
        for m in ["m1", "m2", "m3"] { XCTAssertEqual(try post(s, "/chat/resume", m)?.status, 201) }
        let resumed = try XCTUnwrap(EventStreamClient(port: s.port, path: "/chat/resume", headers: "Last-Event-ID: 1\r\n"))
        XCTAssertEqual(resumed.nextEvent(), .init(id: "2", data: "m2"))
        XCTAssertEqual(resumed.nextEvent(), .init(id: "3", data: "m3"))
        let since = try XCTUnwrap(EventStreamClient(port: s.port, path: "/chat/resume?since=2"))
        XCTAssertEqual(since.nextEvent(), .init(id: "3", data: "m3"))
        let live = try XCTUnwrap(EventStreamClient(port: s.port, path: "/chat/resume"))
        // Every stream is subscribed once the poll counts it (SSE members + the poller itself).
        XCTAssertTrue(waitUntil(timeout: 5) { (try? self.poll(s, "/chat/resume?since=3"))?["members"] as? Int == 4 })
        XCTAssertEqual(try post(s, "/chat/resume", "m4")?.status, 201)
        XCTAssertEqual(live.nextEvent(), .init(id: "4", data: "m4"), "no replay without Last-Event-ID or since")
        XCTAssertEqual(resumed.nextEvent(), .init(id: "4", data: "m4"), "history, then live")
        XCTAssertEqual(since.nextEvent(), .init(id: "4", data: "m4"))
    }

    func testSSEHeartbeatIsACommentEveryInterval() throws {
        let s = try TestServer(config: Self.config)
        let sse = try XCTUnwrap(EventStreamClient(port: s.port, path: "/beat/x"))
        let start = Date()
        XCTAssertEqual(sse.nextBlock(), ": heartbeat")
        XCTAssertEqual(sse.nextBlock(), ": heartbeat")
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertGreaterThan(elapsed, 0.4, "two heartbeats 300 ms apart")
        XCTAssertLessThan(elapsed, 3)
        let quiet = try XCTUnwrap(EventStreamClient(port: s.port, path: "/chat/x", timeout: 1))
        XCTAssertNil(quiet.nextBlock(), "the default heartbeat is 15 s: nothing within a second")
    }

    func testSSEOverCurlN() throws {
        let s = try TestServer(config: Self.config)
        let curlProcess = Process()
        curlProcess.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curlProcess.arguments = [
            "-s", "-N", "--max-time", "3", "-H", "Accept: text/event-stream", "http://127.0.0.1:\(s.port)/chat/curl",
        ]
        let pipe = Pipe()
        curlProcess.standardOutput = pipe
        try curlProcess.run()
        XCTAssertTrue(waitUntil(timeout: 5) { (try? self.poll(s, "/chat/curl"))?["members"] as? Int == 2 })
        XCTAssertEqual(try post(s, "/chat/curl", "hello curl")?.status, 201)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        curlProcess.waitUntilExit()
        XCTAssertEqual(output, "id: 1\ndata: hello curl\n\n")
    }

    func testSSESubscriberThatDoesNotReadIsDroppedAndMemoryStaysBounded() throws {
        let s = try TestServer(config: Self.config)
        let stalled = try XCTUnwrap(EventStreamClient(port: s.port, path: "/chat/flood", timeout: 10, receiveBuffer: 4096))
        let sender = try XCTUnwrap(WebSocketClient(port: s.port, path: "/chat/flood", timeout: 10))
        let message = [UInt8](repeating: 0x61, count: 60_000)
        for _ in 0..<200 {
            sender.send(opcode: 1, message)
            XCTAssertNotNil(sender.receive(), "the WebSocket member keeps getting every message")
        }
        XCTAssertLessThan(s.rssKiB, 200_000, "the stalled subscriber's backlog is bounded")
        // Dropped (over the cap, or after send_timeout without progress): only the sender and
        // the asking poller remain members.
        XCTAssertTrue(waitUntil(timeout: 8) { (try? self.poll(s, "/chat/flood?since=200"))?["members"] as? Int == 2 })
        XCTAssertTrue(stalled.raw.isClosedByServer())
    }

    /// Under the backlog cap (16 MiB with 8 MiB messages) and the output bound (16m here), a
    /// subscriber that takes nothing for send_timeout (2 s here) is dropped all the same.
    func testSSESubscriberThatStallsUnderTheCapIsDroppedAfterSendTimeout() throws {
        let s = try TestServer(config: Self.config)
        let stalled = try XCTUnwrap(EventStreamClient(port: s.port, path: "/big/stall", timeout: 10, receiveBuffer: 4096))
        let sender = try XCTUnwrap(WebSocketClient(port: s.port, path: "/big/stall", timeout: 10))
        let message = [UInt8](repeating: 0x62, count: 60_000)
        // Quickly, so the flood is over well within the send timeout; the sender reads its own
        // copy of each message as it goes (a WebSocket that sends without reading is itself
        // paused by websocket_max_output, issue 11).
        for _ in 0..<170 {
            sender.raw.send(WebSocketClient.frame(opcode: 1, payload: message))
            XCTAssertNotNil(sender.receive())
        }
        // Every message was queued without passing the cap (that drop would have come at once);
        // what removes the subscriber later is the time it took nothing.
        XCTAssertEqual(try poll(s, "/big/stall?since=170")["members"] as? Int, 3, "10 MB queued: still under the cap")
        XCTAssertTrue(waitUntil(timeout: 8) { (try? self.poll(s, "/big/stall?since=170"))?["members"] as? Int == 2 })
        XCTAssertTrue(stalled.raw.isClosedByServer())
    }

    func testHeadOfAnEventStreamHasNoBodyAndDoesNotSubscribe() throws {
        let s = try TestServer(config: Self.config)
        let r = try XCTUnwrap(
            httpRequest(port: s.port, "HEAD /chat/h HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n", head: true))
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.header("Content-Type"), "text/event-stream")
        XCTAssertEqual(try poll(s, "/chat/h")["members"] as? Int, 1)
    }

    // MARK: long polling

    func testLongPollIsHeldUntilAMessageArrives() throws {
        let s = try TestServer(config: Self.config)
        let held = try RawClient(port: s.port, timeout: 10)
        held.send("GET /chat/long?since=0&wait=20 HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(waitUntil(timeout: 5) { (try? self.poll(s, "/chat/long", agent: "other"))?["members"] as? Int == 2 })
        XCTAssertEqual(held.pendingCount, 0)
        let start = Date()
        XCTAssertEqual(try post(s, "/chat/long", "wake up")?.status, 201)
        let r = try XCTUnwrap(held.readResponse())
        XCTAssertLessThan(Date().timeIntervalSince(start), 2, "answered when the message came, not at the wait's end")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
        XCTAssertEqual(json["next"] as? Int, 1)
        let messages = try XCTUnwrap(json["messages"] as? [[String: Any]])
        XCTAssertEqual(messages.first?["data"] as? String, "wake up")
        // Keep-alive: the same connection polls again.
        held.send("GET /chat/long?since=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(held.readResponse()?.status, 200)
    }

    func testLongPollAnswersEmptyWhenTheWaitEndsCappedByMaxWait() throws {
        let s = try TestServer(config: Self.config)
        var start = Date()
        let json = try poll(s, "/short/r?since=0&wait=0.5")
        var elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(json["next"] as? Int, 0)
        XCTAssertEqual((json["messages"] as? [Any])?.count, 0)
        XCTAssertGreaterThan(elapsed, 0.45)
        XCTAssertLessThan(elapsed, 3)
        start = Date()
        _ = try poll(s, "/short/r?since=0&wait=60")
        elapsed = Date().timeIntervalSince(start)
        XCTAssertGreaterThan(elapsed, 0.9, "websocket_poll_max_wait 1s")
        XCTAssertLessThan(elapsed, 4)
        XCTAssertEqual(try post(s, "/short/r", "x")?.status, 201)
        start = Date()
        XCTAssertEqual((try poll(s, "/short/r?since=0&wait=60")["messages"] as? [Any])?.count, 1)
        XCTAssertLessThan(Date().timeIntervalSince(start), 1, "something newer: at once")
    }

    func testHeldPollsCostNoCPUAndDelayNoOne() throws {
        let s = try TestServer(config: Self.config)
        var held: [RawClient] = []
        for _ in 0..<50 {
            let c = try RawClient(port: s.port, timeout: 10)
            c.send("GET /chat/idle?since=0&wait=30 HTTP/1.1\r\nHost: x\r\n\r\n")
            held.append(c)
        }
        XCTAssertTrue(waitUntil(timeout: 5) { (try? self.poll(s, "/chat/idle", agent: "probe"))?["members"] as? Int == 2 })
        let ticks = s.cpuTicks
        let start = Date()
        let other = try XCTUnwrap(httpRequest(port: s.port, "GET /chat/else?since=0 HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(other.status, 200)
        XCTAssertLessThan(Date().timeIntervalSince(start), 1, "other requests are answered while polls are held")
        Thread.sleep(forTimeInterval: 1)
        XCTAssertLessThan(s.cpuTicks - ticks, 20, "50 held polls for a second cost (almost) no CPU")
        XCTAssertEqual(try post(s, "/chat/idle", "all")?.status, 201)
        for c in held { XCTAssertEqual(c.readResponse()?.status, 200) }
    }

    func testClientThatLeavesWhileHeldIsCleanedUp() throws {
        let s = try TestServer(config: Self.config)
        let before = s.openFDs
        var held: [RawClient] = []
        for _ in 0..<20 {
            let c = try RawClient(port: s.port, timeout: 10)
            c.send("GET /chat/gone?since=0&wait=30 HTTP/1.1\r\nHost: x\r\n\r\n")
            held.append(c)
        }
        XCTAssertTrue(waitUntil(timeout: 5) { s.openFDs >= before + 20 })
        held.removeAll()
        XCTAssertTrue(
            waitUntil(timeout: 5) { s.openFDs <= before },
            "descriptors of the gone pollers are closed long before their wait ends")
        XCTAssertEqual(try post(s, "/chat/gone", "nobody there")?.status, 201)
    }

    func testShutdownEndsStreamsAndAnswersHeldPolls() throws {
        let s = try TestServer(config: Self.config)
        let sse = try XCTUnwrap(EventStreamClient(port: s.port, path: "/chat/stop"))
        let held = try RawClient(port: s.port, timeout: 10)
        held.send("GET /chat/stop?since=0&wait=30 HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(waitUntil(timeout: 5) { (try? self.poll(s, "/chat/stop", agent: "probe"))?["members"] as? Int == 3 })
        s.signal(SIGTERM)
        XCTAssertEqual(held.readResponse()?.status, 200, "a held poll is answered")
        XCTAssertNil(sse.nextBlock())
        XCTAssertTrue(sse.ended, "the stream ends with its last chunk")
        XCTAssertTrue(waitUntil(timeout: 5) { !s.process.isRunning })
        XCTAssertEqual(s.process.terminationStatus, 0)
    }

    // MARK: time and members

    func testPollingJSONCarriesServerTimeAndMembers() throws {
        let s = try TestServer(config: Self.config)
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/short/m"))
        let sse = try XCTUnwrap(EventStreamClient(port: s.port, path: "/short/m"))
        let before = Int(Date().timeIntervalSince1970 * 1000)
        ws.sendText("timed")
        XCTAssertEqual(sse.nextEvent()?.data, "timed")
        let after = Int(Date().timeIntervalSince1970 * 1000)
        var json = try poll(s, "/short/m?since=0", agent: "one")
        let message = try XCTUnwrap((json["messages"] as? [[String: Any]])?.first)
        let time = try XCTUnwrap(message["time"] as? Int)
        XCTAssertGreaterThanOrEqual(time, before - 5)
        XCTAssertLessThanOrEqual(time, after + 5)
        XCTAssertEqual(message["id"] as? Int, 1)
        XCTAssertEqual(json["members"] as? Int, 3, "WebSocket + SSE + the asking poller")
        json = try poll(s, "/short/m?since=1", agent: "two")
        XCTAssertEqual(json["members"] as? Int, 4, "another User-Agent is another poller")
        json = try poll(s, "/short/m?since=1", agent: "two")
        XCTAssertEqual(json["members"] as? Int, 4, "the same poller again is not counted twice")
        Thread.sleep(forTimeInterval: 1.3)  // past websocket_poll_max_wait (1s) for both pollers
        json = try poll(s, "/short/m?since=1", agent: "two")
        XCTAssertEqual(json["members"] as? Int, 3, "a poller not seen within the max wait no longer counts")
    }

    /// Pollers count in a room nobody has written to yet, held polls and SSE streams that end
    /// included (SPEC 9: members are the pollers seen within websocket_poll_max_wait).
    func testPollersOfARoomWithoutMessagesCountEachOther() throws {
        let s = try TestServer(config: Self.config)
        XCTAssertEqual(try poll(s, "/short/quiet?since=0", agent: "one")["members"] as? Int, 1)
        XCTAssertEqual(try poll(s, "/short/quiet?since=0", agent: "two")["members"] as? Int, 2, "one is still seen")
        XCTAssertEqual(try poll(s, "/short/quiet?since=0&wait=0.2", agent: "three")["members"] as? Int, 3)
        XCTAssertEqual(try poll(s, "/short/quiet?since=0", agent: "one")["members"] as? Int, 3, "the held poll's too")
        Thread.sleep(forTimeInterval: 1.3)  // past websocket_poll_max_wait (1s)
        XCTAssertEqual(try poll(s, "/short/quiet?since=0", agent: "two")["members"] as? Int, 1)
    }

    func testAPageNamingItsClientCountsOnceWhicheverWaysItUses() throws {
        let s = try TestServer(config: Self.config)
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/short/c?client=page1"))
        let sse = try XCTUnwrap(EventStreamClient(port: s.port, path: "/short/c?client=page2"))
        XCTAssertEqual(try poll(s, "/short/c?client=page1")["members"] as? Int, 2, "page1's poll is its WebSocket's")
        XCTAssertEqual(try poll(s, "/short/c?client=page2")["members"] as? Int, 2, "page2's poll is its stream's")
        XCTAssertEqual(try poll(s, "/short/c?client=page3")["members"] as? Int, 3, "page3 is a poller of its own")
        XCTAssertEqual(try poll(s, "/short/c")["members"] as? Int, 4, "and so is one without a client id")
        _ = (ws, sse)
    }

    /// A member drops its request head once it has joined; leaving must not need it (the
    /// server crashed here on every member that left, with or without a client id).
    func testMembersThatLeaveAreNoLongerCountedAndTheRoomGoesOn() throws {
        let s = try TestServer(config: Self.config)
        let named = try XCTUnwrap(WebSocketClient(port: s.port, path: "/chat/leave?client=page1"))
        let plain = try XCTUnwrap(WebSocketClient(port: s.port, path: "/chat/leave"))
        let stays = try XCTUnwrap(WebSocketClient(port: s.port, path: "/chat/leave"))
        XCTAssertEqual(try poll(s, "/chat/leave?client=page1")["members"] as? Int, 3, "page1's poll is its WebSocket's")
        named.sendClose(1000)
        plain.sendClose(1000)
        XCTAssertNotNil(named.receiveClose())
        XCTAssertNotNil(plain.receiveClose())
        XCTAssertTrue(
            waitUntil(timeout: 5) { (try? self.poll(s, "/chat/leave?client=probe"))?["members"] as? Int == 3 },
            "one WebSocket member, page1 (now a poller of its own) and the probe")
        XCTAssertTrue(s.process.isRunning)
        XCTAssertEqual(try post(s, "/chat/leave", "still here")?.status, 201)
        XCTAssertEqual(stays.receive()?.text, "still here")
    }

    func testOldClientsGetTheSameAnswerWithTheNewFields() throws {
        let s = try TestServer(config: Self.config)
        XCTAssertEqual(try post(s, "/chat/old", "legacy")?.status, 201)
        let json = try poll(s, "/chat/old?since=0")
        XCTAssertEqual(json["next"] as? Int, 1)
        let messages = try XCTUnwrap(json["messages"] as? [[String: Any]])
        XCTAssertEqual(messages.count, 1)
        XCTAssertEqual(messages[0]["id"] as? Int, 1)
        XCTAssertEqual(messages[0]["data"] as? String, "legacy")
        XCTAssertNotNil(messages[0]["time"] as? Int)
        XCTAssertEqual(json["members"] as? Int, 1)
    }
}
