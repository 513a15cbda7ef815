#if canImport(Glibc)
    import Glibc
#endif

/// Something the loop calls when `poll()` reports its descriptor ready.
public protocol PollHandler: AnyObject {
    func pollReady(fd: Int32, events: Int16, loop: EventLoop)
}

/// Something with a deadline the loop checks about four times a second.
public protocol TimedHandler: AnyObject {
    func checkTimers(now: Int, loop: EventLoop)
}

/// The single `poll()` loop. The `pollfd` array stays dense and is updated in place; a freed
/// slot takes the last entry (nginx's poll module), so registering is O(1).
///
/// poll() costs the kernel a walk over every descriptor it is given, so a thousand idle or
/// stalled clients (slowloris, readers that never read) would tax every request. The array is
/// therefore kept in two parts: hot descriptors first (an event in the last `coldAfter` ms,
/// pinned ones, anything whose interest just changed), cold ones after. While the loop is busy,
/// each iteration's one poll() covers the hot part and the whole array every
/// `fullPollInterval` ms; when the previous poll found nothing, it covers everything and sleeps.
public final class EventLoop {
    private var pollfds: [pollfd] = []
    private var handlers: [PollHandler] = []
    /// Per slot: when it last had an event or a change of interest, and whether it stays hot.
    private var lastActive: [Int] = []
    private var pinned: [Bool] = []
    /// Slots `0..<hotCount` are hot.
    private var hotCount = 0
    private var nextFullPoll = 0
    private var lastPollIdle = true
    static let coldAfter = 100
    static let fullPollInterval = 10
    /// fd → slot in `pollfds`, -1 when not registered.
    private var slotOfFD: [Int] = []
    private var ready: [(fd: Int32, events: Int16, handler: ObjectIdentifier)] = []
    private var timed: [ObjectIdentifier: TimedHandler] = [:]
    private var deferred: [() -> Void] = []

    public private(set) var now = Clock.monotonicMilliseconds()
    public var dates = DateCache()
    public var running = true
    /// The longest `poll()` may sleep, so deadlines are checked often enough.
    public var tick = 250
    private var nextTimerCheck = 0

    public init() {
        dates.update(wallSeconds: Clock.wallSeconds())
    }

    public var registeredCount: Int { pollfds.count }

    /// `pinned` descriptors (listeners, the signal pipe) are polled on every iteration.
    public func register(_ fd: Int32, events: Int16, handler: PollHandler, pinned pin: Bool = false) {
        let i = Int(fd)
        if i >= slotOfFD.count { slotOfFD.append(contentsOf: repeatElement(-1, count: i + 1 - slotOfFD.count + 64)) }
        if slotOfFD[i] >= 0 {
            pollfds[slotOfFD[i]].events = events
            handlers[slotOfFD[i]] = handler
            pinned[slotOfFD[i]] = pin
            touch(slotOfFD[i])
            return
        }
        slotOfFD[i] = pollfds.count
        pollfds.append(pollfd(fd: fd, events: events, revents: 0))
        handlers.append(handler)
        lastActive.append(now)
        pinned.append(pin)
        touch(pollfds.count - 1)
    }

    public func setEvents(_ fd: Int32, _ events: Int16) {
        let i = Int(fd)
        guard i < slotOfFD.count, slotOfFD[i] >= 0 else { return }
        pollfds[slotOfFD[i]].events = events
        touch(slotOfFD[i])
    }

    /// Marks a slot active and moves it into the hot part.
    private func touch(_ slot: Int) {
        lastActive[slot] = now
        if slot >= hotCount {
            swapSlots(slot, hotCount)
            hotCount += 1
        }
    }

    private func swapSlots(_ a: Int, _ b: Int) {
        guard a != b else { return }
        pollfds.swapAt(a, b)
        handlers.swapAt(a, b)
        lastActive.swapAt(a, b)
        pinned.swapAt(a, b)
        slotOfFD[Int(pollfds[a].fd)] = a
        slotOfFD[Int(pollfds[b].fd)] = b
    }

    /// Hot slots idle for `coldAfter` ms move behind the hot part.
    private func demoteIdle() {
        var k = hotCount - 1
        while k >= 0 {
            if !pinned[k] && now - lastActive[k] >= Self.coldAfter {
                swapSlots(k, hotCount - 1)
                hotCount -= 1
            }
            k -= 1
        }
    }

    public func events(of fd: Int32) -> Int16 {
        let i = Int(fd)
        guard i < slotOfFD.count, slotOfFD[i] >= 0 else { return 0 }
        return pollfds[slotOfFD[i]].events
    }

    public func unregister(_ fd: Int32) {
        let i = Int(fd)
        guard i < slotOfFD.count, slotOfFD[i] >= 0 else { return }
        var slot = slotOfFD[i]
        if slot < hotCount {
            // Keep the hot part contiguous: its last entry takes this place.
            swapSlots(slot, hotCount - 1)
            hotCount -= 1
            slot = hotCount
        }
        swapSlots(slot, pollfds.count - 1)
        pollfds.removeLast()
        handlers.removeLast()
        lastActive.removeLast()
        pinned.removeLast()
        slotOfFD[i] = -1
    }

    public func addTimed(_ h: TimedHandler) { timed[ObjectIdentifier(h)] = h }
    public func removeTimed(_ h: TimedHandler) { timed[ObjectIdentifier(h)] = nil }

    /// Runs `body` after the current batch of events (used to continue work without recursion).
    public func defer_(_ body: @escaping () -> Void) { deferred.append(body) }

    public func run() {
        while running {
            runOnce(timeout: deferred.isEmpty ? tick : 0)
        }
    }

    public func runOnce(timeout: Int) {
        let full = lastPollIdle || hotCount == pollfds.count || now >= nextFullPoll
        let count = full ? pollfds.count : hotCount
        let wait = full ? timeout : max(0, min(timeout, nextFullPoll - now))
        let n = poll(&pollfds, nfds_t(count), Int32(wait))
        now = Clock.monotonicMilliseconds()
        dates.update(wallSeconds: Clock.wallSeconds())
        lastPollIdle = n == 0
        if full {
            nextFullPoll = now + Self.fullPollInterval
            demoteIdle()  // slots keep their revents: the scan below reads them by position
        }
        if n > 0 {
            ready.removeAll(keepingCapacity: true)
            for k in 0..<count where pollfds[k].revents != 0 {
                ready.append((pollfds[k].fd, pollfds[k].revents, ObjectIdentifier(handlers[k])))
                pollfds[k].revents = 0
            }
            for entry in ready {
                let i = Int(entry.fd)
                if slotOfFD[i] >= 0 { touch(slotOfFD[i]) }
            }
            for (fd, events, id) in ready {
                // A handler may have closed this fd (or another, reused) during the batch.
                let i = Int(fd)
                guard i < slotOfFD.count, slotOfFD[i] >= 0 else { continue }
                let handler = handlers[slotOfFD[i]]
                guard ObjectIdentifier(handler) == id else { continue }
                handler.pollReady(fd: fd, events: events, loop: self)
            }
        } else if n < 0 && errno != EINTR {
            fatalError("poll() failed: \(errno)")
        }
        while !deferred.isEmpty {
            let work = deferred
            deferred.removeAll()
            for w in work { w() }
        }
        if now >= nextTimerCheck {
            nextTimerCheck = now + 100
            for h in Array(timed.values) { h.checkTimers(now: now, loop: self) }
        }
    }
}
