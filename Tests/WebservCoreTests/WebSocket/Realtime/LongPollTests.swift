import XCTest

@testable import WebservCore

final class LongPollTests: XCTestCase {
    func testQueryParsing() {
        XCTAssertEqual(PollQuery.parse(Array("since=5&wait=10".utf8)[...]), PollQuery(since: 5, wait: 10_000))
        XCTAssertEqual(PollQuery.parse(Array("wait=0.25&since=0".utf8)[...]), PollQuery(since: 0, wait: 250))
        XCTAssertEqual(PollQuery.parse(Array("wait=1.5".utf8)[...]), PollQuery(since: nil, wait: 1500))
        XCTAssertEqual(PollQuery.parse(Array("since=3".utf8)[...]), PollQuery(since: 3, wait: nil), "old clients: no wait")
        XCTAssertEqual(PollQuery.parse(Array("since=x&wait=-1".utf8)[...]), PollQuery(), "malformed counts as absent")
        XCTAssertEqual(PollQuery.parse(Array("wait=1.&wait2=3".utf8)[...]), PollQuery())
        XCTAssertEqual(PollQuery.parse(Array("wait=99999999999999".utf8)[...]), PollQuery())
        XCTAssertEqual(PollQuery.parse(Array("room=a&since=12&x=y".utf8)[...]), PollQuery(since: 12))
        XCTAssertEqual(PollQuery.parse(Array("client=ab12&since=1".utf8)[...]), PollQuery(since: 1, client: "ab12"))
        XCTAssertEqual(PollQuery.parse(Array("client=&client=\(String(repeating: "x", count: 65))".utf8)[...]), PollQuery())
    }

    func testAnswersAtOnceWhenSomethingIsNewer() {
        XCTAssertEqual(LongPoll.decide(since: 3, lastID: 4, wait: 10_000, maxWait: 30_000, now: 100), .answer)
        XCTAssertEqual(LongPoll.decide(since: 0, lastID: 1, wait: 10_000, maxWait: 30_000, now: 100), .answer)
    }

    func testHoldsWhenNothingIsNewerForTheAskedWaitCappedByMax() {
        XCTAssertEqual(LongPoll.decide(since: 4, lastID: 4, wait: 10_000, maxWait: 30_000, now: 100), .hold(deadline: 10_100))
        XCTAssertEqual(LongPoll.decide(since: 9, lastID: 4, wait: 60_000, maxWait: 30_000, now: 100), .hold(deadline: 30_100))
        XCTAssertEqual(LongPoll.decide(since: 0, lastID: 0, wait: 1, maxWait: 30_000, now: 0), .hold(deadline: 1))
    }

    func testShortPollsHeadAndStoppingAnswerAtOnce() {
        XCTAssertEqual(LongPoll.decide(since: 4, lastID: 4, wait: nil, maxWait: 30_000, now: 0), .answer)
        XCTAssertEqual(LongPoll.decide(since: 4, lastID: 4, wait: 0, maxWait: 30_000, now: 0), .answer)
        XCTAssertEqual(LongPoll.decide(since: 4, lastID: 4, wait: 5000, maxWait: 30_000, now: 0, isHead: true), .answer)
        XCTAssertEqual(LongPoll.decide(since: 4, lastID: 4, wait: 5000, maxWait: 30_000, now: 0, stopping: true), .answer)
    }

    func testPollerPresenceCountsPollersSeenWithinTheWindow() {
        var p = PollerPresence(limit: 100)
        XCTAssertEqual(p.count(now: 0, window: 1000), 0)
        p.seen("a", now: 0)
        p.seen("b", now: 500)
        p.seen("a", now: 600)
        XCTAssertEqual(p.count(now: 600, window: 1000), 2, "a poller seen twice is one")
        XCTAssertEqual(p.count(now: 1500, window: 1000), 2, "seen exactly a window ago still counts")
        XCTAssertEqual(p.count(now: 1501, window: 1000), 1)
        XCTAssertEqual(p.count(now: 1601, window: 1000), 0)
        for t in 0..<1000 { p.seen("k\(t % 10)", now: 2000 + t) }
        XCTAssertEqual(p.count(now: 3000, window: 1000), 10)
        XCTAssertEqual(p.count(now: 5000, window: 1000), 0)
    }

    /// Before: every poll appended a copy of its key (address + User-Agent, up to 32 KiB) to
    /// the sightings for the whole window, so one client polling fast held ~GBs.
    func testPollerPresenceIsBoundedWhateverPollersSend() {
        var p = PollerPresence(limit: 100)
        let agent = String(repeating: "u", count: 30_000)
        for t in 0..<100_000 { p.seen("10.0.0.1 " + agent, now: t / 100) }
        XCTAssertLessThanOrEqual(p.storedSightings, 2 + 64, "one poller seen again and again")
        XCTAssertEqual(p.count(now: 1000, window: 1000), 1)
        XCTAssertTrue(p.contains("10.0.0.1 " + agent))
        for i in 0..<1000 { p.seen("k\(i)", now: 2000 + i) }
        XCTAssertEqual(p.count(now: 3000, window: 5000), 100, "at most `limit` pollers are tracked")
        XCTAssertLessThanOrEqual(p.storedSightings, 2 * 100 + 64)
        XCTAssertEqual(p.count(now: 10_000, window: 1000), 0)
        p.seen("later", now: 10_000)
        XCTAssertEqual(p.count(now: 10_000, window: 1000), 1, "room again once the others expired")
    }
}
