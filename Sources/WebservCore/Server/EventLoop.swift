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
public final class EventLoop {
    private var pollfds: [pollfd] = []
    private var handlers: [PollHandler] = []
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

    public func register(_ fd: Int32, events: Int16, handler: PollHandler) {
        let i = Int(fd)
        if i >= slotOfFD.count { slotOfFD.append(contentsOf: repeatElement(-1, count: i + 1 - slotOfFD.count + 64)) }
        if slotOfFD[i] >= 0 {
            pollfds[slotOfFD[i]].events = events
            handlers[slotOfFD[i]] = handler
            return
        }
        slotOfFD[i] = pollfds.count
        pollfds.append(pollfd(fd: fd, events: events, revents: 0))
        handlers.append(handler)
    }

    public func setEvents(_ fd: Int32, _ events: Int16) {
        let i = Int(fd)
        guard i < slotOfFD.count, slotOfFD[i] >= 0 else { return }
        pollfds[slotOfFD[i]].events = events
    }

    public func events(of fd: Int32) -> Int16 {
        let i = Int(fd)
        guard i < slotOfFD.count, slotOfFD[i] >= 0 else { return 0 }
        return pollfds[slotOfFD[i]].events
    }

    public func unregister(_ fd: Int32) {
        let i = Int(fd)
        guard i < slotOfFD.count, slotOfFD[i] >= 0 else { return }
        let slot = slotOfFD[i]
        let last = pollfds.count - 1
        if slot != last {
            pollfds[slot] = pollfds[last]
            handlers[slot] = handlers[last]
            slotOfFD[Int(pollfds[slot].fd)] = slot
        }
        pollfds.removeLast()
        handlers.removeLast()
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
        let n = poll(&pollfds, nfds_t(pollfds.count), Int32(timeout))
        now = Clock.monotonicMilliseconds()
        dates.update(wallSeconds: Clock.wallSeconds())
        if n > 0 {
            ready.removeAll(keepingCapacity: true)
            for k in 0..<pollfds.count where pollfds[k].revents != 0 {
                ready.append((pollfds[k].fd, pollfds[k].revents, ObjectIdentifier(handlers[k])))
                pollfds[k].revents = 0
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
