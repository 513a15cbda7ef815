import XCTest

@testable import WebservCore

#if canImport(Glibc)
    import Glibc
#endif

/// The poll loop's hot/cold split: a cold descriptor is still served while the loop is busy,
/// within a few full-poll intervals, and registrations survive any order of churn.
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

    func testColdDescriptorIsServedWhileTheLoopIsBusy() throws {
        let loop = EventLoop()
        let quiet = Recorder()
        let busy = Recorder()
        busy.drain = false  // stays readable: every poll returns at once, the loop never idles
        let all = try makePipes(101)
        for p in all.dropFirst() { loop.register(p.read, events: Int16(POLLIN), handler: quiet) }
        // Idle for longer than `coldAfter`: every quiet descriptor goes cold.
        loop.runOnce(timeout: EventLoop.coldAfter + 50)
        loop.runOnce(timeout: 0)
        loop.register(all[0].read, events: Int16(POLLIN), handler: busy)
        var byte: UInt8 = 1
        _ = write(all[0].write, &byte, 1)
        for _ in 0..<5 { loop.runOnce(timeout: 100) }
        let target = all[57]
        _ = write(target.write, &byte, 1)
        let start = Clock.monotonicMilliseconds()
        while quiet.seen[target.read] == nil && Clock.monotonicMilliseconds() - start < 1000 {
            loop.runOnce(timeout: 100)
        }
        let waited = Clock.monotonicMilliseconds() - start
        XCTAssertEqual(quiet.seen[target.read], 1)
        XCTAssertLessThan(
            waited, 5 * EventLoop.fullPollInterval + 50, "a cold descriptor waits at most about one full-poll interval")
        XCTAssertNil(quiet.seen[all[58].read], "no event for a descriptor that had none")
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
}
