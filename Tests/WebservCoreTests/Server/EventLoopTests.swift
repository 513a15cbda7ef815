import XCTest

@testable import WebservCore

#if canImport(Glibc)
    import Glibc
#endif

/// The poll loop's hot/cold split: while the loop is busy, cold descriptors are reached by
/// slices of the cold part well before the next full poll, and registrations survive any
/// order of churn.
final class EventLoopTests: XCTestCase {
    final class Recorder: PollHandler {
        var seen: [Int32: Int] = [:]
        var drain = true
        func pollReady(fd: Int32, events: Int16, loop: EventLoop) {
            seen[fd, default: 0] += 1
            if drain {
                var b = [UInt8](repeating: 0, count: 64)
                _ = read(fd, &b, b.count)
            }
        }
    }

    var pipes: [(read: Int32, write: Int32)] = []

    override func tearDown() {
        for p in pipes {
            close(p.read)
            close(p.write)
        }
        pipes = []
    }

    func makePipes(_ n: Int) throws -> [(read: Int32, write: Int32)] {
        for _ in 0..<n { pipes.append(try Sys.pipe()) }
        return pipes
    }

    /// A loop kept busy by one always-readable pipe, with `quietCount` quiet pipes gone cold.
    func busyLoop(quietCount: Int) throws -> (EventLoop, Recorder, [(read: Int32, write: Int32)]) {
        let loop = EventLoop()
        let quiet = Recorder()
        let busy = Recorder()
        busy.drain = false  // stays readable: every poll returns at once, the loop never idles
        let all = try makePipes(quietCount + 1)
        for p in all.dropFirst() { loop.register(p.read, events: Int16(POLLIN), handler: quiet) }
        // Idle for longer than `coldAfter`: every quiet descriptor goes cold.
        loop.runOnce(timeout: EventLoop.coldAfter + 50)
        loop.runOnce(timeout: 0)
        loop.register(all[0].read, events: Int16(POLLIN), handler: busy)
        var byte: UInt8 = 1
        _ = write(all[0].write, &byte, 1)
        for _ in 0..<5 { loop.runOnce(timeout: 100) }
        // Start right after a full poll, so the next one is `fullPollInterval` ms away.
        let full = loop.fullPolls
        while loop.fullPolls == full { loop.runOnce(timeout: 100) }
        return (loop, quiet, Array(all.dropFirst()))
    }

    func testColdDescriptorIsServedWhileTheLoopIsBusy() throws {
        let (loop, quiet, cold) = try busyLoop(quietCount: 100)
        let target = cold[56]
        var byte: UInt8 = 1
        _ = write(target.write, &byte, 1)
        let fullBefore = loop.fullPolls
        let start = Clock.monotonicMilliseconds()
        while quiet.seen[target.read] == nil && Clock.monotonicMilliseconds() - start < 1000 {
            loop.runOnce(timeout: 100)
        }
        XCTAssertEqual(quiet.seen[target.read], 1)
        XCTAssertEqual(loop.fullPolls, fullBefore, "found by a slice of the cold part, not by a full poll")
        XCTAssertNil(quiet.seen[cold[57].read], "no event for a descriptor that had none")
    }

    func testSlicesCoverEveryColdDescriptorBetweenFullPolls() throws {
        let (loop, quiet, cold) = try busyLoop(quietCount: 300)
        var byte: UInt8 = 1
        for p in cold { _ = write(p.write, &byte, 1) }
        let fullBefore = loop.fullPolls
        let start = Clock.monotonicMilliseconds()
        while quiet.seen.count < cold.count && Clock.monotonicMilliseconds() - start < 1000 {
            loop.runOnce(timeout: 100)
        }
        XCTAssertEqual(quiet.seen.count, cold.count, "every cold descriptor delivered")
        XCTAssertEqual(loop.fullPolls, fullBefore, "all of them by slices of the cold part")
        XCTAssertTrue(quiet.seen.values.allSatisfy { $0 == 1 }, "each exactly once")
    }

    func testEveryRegisteredDescriptorIsDeliveredThroughChurn() throws {
        let loop = EventLoop()
        let r = Recorder()
        let all = try makePipes(60)
        var rng = SystemRandomNumberGenerator()
        var registered = Set<Int32>()
        for round in 0..<40 {
            for p in all where Bool.random(using: &rng) {
                if registered.contains(p.read) {
                    loop.unregister(p.read)
                    registered.remove(p.read)
                } else {
                    loop.register(p.read, events: Int16(POLLIN), handler: r)
                    registered.insert(p.read)
                }
            }
            if round % 10 == 0 { loop.runOnce(timeout: EventLoop.coldAfter + 10) }  // let some go cold
            XCTAssertEqual(loop.registeredCount, registered.count)
            r.seen = [:]
            var byte: UInt8 = 7
            for p in all { _ = write(p.write, &byte, 1) }
            let start = Clock.monotonicMilliseconds()
            while r.seen.count < registered.count && Clock.monotonicMilliseconds() - start < 1000 {
                loop.runOnce(timeout: 50)
            }
            XCTAssertEqual(Set(r.seen.keys), registered, "round \(round)")
            // Drain the unregistered pipes too, so the next round starts clean.
            for p in all where !registered.contains(p.read) {
                var b = [UInt8](repeating: 0, count: 64)
                _ = read(p.read, &b, b.count)
            }
        }
    }

    /// `nextTurn` work runs after the next poll() and the events it reports, one slice per
    /// iteration even when each slice asks for the next; `defer_` from it stays in its iteration.
    func testNextTurnWorkWaitsForThePollAndItsEvents() throws {
        let loop = EventLoop()
        let (r, w) = try makePipes(1)[0]
        let recorder = Recorder()
        recorder.drain = false
        loop.register(r, events: Int16(POLLIN), handler: recorder)
        var log: [String] = []
        var slices = 0
        func slice() {
            slices += 1
            log.append("slice \(slices) after \(recorder.seen[r, default: 0]) events")
            loop.defer_ { log.append("deferred \(slices)") }
            if slices < 3 { loop.nextTurn(slice) }
        }
        loop.nextTurn(slice)
        XCTAssertEqual(write(w, "x", 1), 1)
        for _ in 0..<4 { loop.runOnce(timeout: 0) }
        XCTAssertEqual(
            log,
            [
                "slice 1 after 1 events", "deferred 1", "slice 2 after 2 events", "deferred 2", "slice 3 after 3 events",
                "deferred 3",
            ])
        XCTAssertEqual(recorder.seen[r], 4)
    }
}
