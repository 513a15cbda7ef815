import CSystem

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
/// poll() costs the kernel a walk over every descriptor it is given (about half a microsecond
/// each for sockets), so a thousand idle or stalled clients (slowloris, readers that never
/// read) would tax every request. The array is therefore kept in two parts: hot descriptors
/// first (an event in the last `coldAfter` ms, pinned ones, anything whose interest just
/// changed), cold ones after. While the loop is busy, each iteration's one poll() covers the
/// hot part plus a slice of the cold part, taken in turn and sized by the time since the last
/// iteration so that every cold descriptor is looked at about every `sliceCycle` ms: the cost
/// of the idle crowd is spread evenly instead of landing on one iteration (and on the requests
/// that wait for it). Every `fullPollInterval` ms, and whenever the previous poll found
/// nothing, one poll() covers everything (and that one may sleep).
public final class EventLoop {
    private var pollfds: [pollfd] = []
    private var handlers: [PollHandler] = []
    /// Per slot: when it last had an event or a change of interest, and whether it stays hot.
    private var lastActive: [Int] = []
    private var pinned: [Bool] = []
    /// Slots `0..<hotCount` are hot.
    private var hotCount = 0
    private var nextFullPoll = 0
    private var nextDemote = 0
    private var lastPollIdle = true
    /// The hot part and this iteration's cold slice, copied (poll() takes one array).
    private var batch: [pollfd] = []
    private var coldCursor = 0
    /// Where `pollWindow` starts next.
    private var windowCursor = 0
    /// Descriptor-microseconds owed to the cold part since the last slice (see `coldSlice`).
    private var coldCredit = 0
    private var lastSliceTime = 0
    /// poll() calls that covered every descriptor (tests watch it).
    public private(set) var fullPolls = 0
    static let coldAfter = 100
    static let sliceCycle = 10
    static let fullPollInterval = 100
    /// fd → slot in `pollfds`, -1 when not registered.
    private var slotOfFD: [Int] = []
    private var ready: [(fd: Int32, events: Int16, handler: ObjectIdentifier)] = []
    private var timed: [ObjectIdentifier: TimedHandler] = [:]
    private var deferred: [() -> Void] = []
    /// Whether descriptors had events since the heap was last trimmed (`trimWhenIdle`).
    private var busySinceTrim = false
    private var nextTrim = 0
    /// At most this often (ms), an idle loop hands freed heap pages back (malloc_trim): after a
    /// burst (a thousand connections, then none), free() returns only the heap's top, and one
    /// block still in use above the freed ones keeps megabytes resident for good.
    static let trimInterval = 5_000
    /// Descriptors unregistered since the last trim. When a burst ends (a thousand or more
    /// gone and few left), the heap is trimmed at the end of that turn, not at an idle moment
    /// up to `trimInterval` later: RSS is back where it was as soon as the burst is over.
    private var closedSinceTrim = 0
    private var lastTrim = 0
    static let burstCloses = 1_000
    /// `nextTurn` work, run after the next poll() and its events.
    private var later: [() -> Void] = []

    /// Bytes of file data all connections together may send in this iteration. Two hundred
    /// clients that start large downloads at once (or never read them) would otherwise fill
    /// their socket buffers within one iteration — hundreds of megabytes — while every other
    /// client waits; with a budget, the copying spreads over iterations and the others are
    /// served in between. Ready descriptors are dispatched from a rotating start, so the same
    /// ones do not always spend it first.
    public var fileBudget = 0
    /// Dispatched before every other ready descriptor of its iteration (the file cache's
    /// inotify descriptor: a change must reach the cache before the requests that follow it).
    public var firstFD: Int32 = -1
    static let filePerIteration = 1 << 20
    private var rotation = 0

    /// How many cold descriptors this iteration polls: the time since the last slice, as a
    /// share of `sliceCycle`, of the cold part (the remainder carries over).
    private func coldSlice(_ cold: Int) -> Int {
        let t = Clock.monotonicMicroseconds()
        coldCredit += cold * max(0, t - lastSliceTime)
        lastSliceTime = t
        let cycle = Self.sliceCycle * 1000
        let s = coldCredit / cycle
        if s >= cold {
            coldCredit = 0
            return cold
        }
        coldCredit -= s * cycle
        return s
    }

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
        closedSinceTrim += 1
        lastActive.removeLast()
        pinned.removeLast()
        slotOfFD[i] = -1
    }

    public func addTimed(_ h: TimedHandler) { timed[ObjectIdentifier(h)] = h }
    public func removeTimed(_ h: TimedHandler) { timed[ObjectIdentifier(h)] = nil }
    /// Every timed handler (the server's exit looks for pending kill timers).
    var timedHandlers: [TimedHandler] { Array(timed.values) }

    /// Runs `body` after the current batch of events (used to continue work without recursion).
    /// Work deferred from deferred work runs in the same iteration, before the next poll().
    public func defer_(_ body: @escaping () -> Void) { deferred.append(body) }

    /// Runs `body` in the next iteration, after its poll() (which then does not sleep) and the
    /// events it reports: long work done in slices (a large directory listing) lets every
    /// other ready descriptor be served between two slices.
    public func nextTurn(_ body: @escaping () -> Void) { later.append(body) }

    /// Polls as many descriptors as RLIMIT_NOFILE allows, from where the last window ended.
    private func pollWindow(timeout: Int) -> Int32 {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        let size = max(1, min(pollfds.count, Int(min(limit.rlim_cur, UInt(Int32.max)))))
        batch.removeAll(keepingCapacity: true)
        if windowCursor >= pollfds.count { windowCursor = 0 }
        for j in 0..<size { batch.append(pollfds[(windowCursor + j) % pollfds.count]) }
        windowCursor = (windowCursor + size) % pollfds.count
        return poll(&batch, nfds_t(batch.count), Int32(min(timeout, Self.sliceCycle)))
    }

    public func run() {
        while running {
            runOnce(timeout: deferred.isEmpty && later.isEmpty ? tick : 0)
        }
    }

    /// The loop found nothing to do after some work: free heap pages go back to the kernel.
    /// Costs about a millisecond for a heap of tens of MiB, paid only while idle.
    private func trimWhenIdle() {
        busySinceTrim = false
        closedSinceTrim = 0
        lastTrim = now
        nextTrim = now + Self.trimInterval
        _ = webserv_malloc_trim()
    }

    public func runOnce(timeout: Int) {
        // Only what was asked for before this poll(): a slice that asks for another waits a turn.
        var due: [() -> Void] = []
        if !later.isEmpty { swap(&due, &later) }
        let cold = pollfds.count - hotCount
        var sliced = !lastPollIdle && cold > 0 && now < nextFullPoll
        var n: Int32
        if sliced {
            let s = coldSlice(cold)
            batch.removeAll(keepingCapacity: true)
            batch.append(contentsOf: pollfds[0..<hotCount])
            if coldCursor >= cold { coldCursor = 0 }
            for j in 0..<s { batch.append(pollfds[hotCount + (coldCursor + j) % cold]) }
            coldCursor = (coldCursor + s) % cold
            n = poll(&batch, nfds_t(batch.count), Int32(min(timeout, Self.sliceCycle)))
        } else {
            n = poll(&pollfds, nfds_t(pollfds.count), Int32(timeout))
        }
        if n < 0 && errno == EINVAL {
            // More descriptors than RLIMIT_NOFILE now allows (lowered while they were open):
            // poll() takes no more than the limit, so a turning window of them, until enough
            // have closed.
            n = pollWindow(timeout: timeout)
            sliced = true
        }
        let pollErrno = errno
        let micros = Clock.monotonicMicroseconds()
        now = micros / 1000
        dates.update(wallSeconds: Clock.wallSeconds())
        lastPollIdle = n == 0
        if n > 0 {
            busySinceTrim = true
        } else if n == 0 && busySinceTrim && now >= nextTrim {
            trimWhenIdle()
        }
        if !sliced {
            fullPolls += 1
            nextFullPoll = now + Self.fullPollInterval
            lastSliceTime = micros
            coldCredit = 0
        }
        if n > 0 {
            ready.removeAll(keepingCapacity: true)
            if sliced {
                for k in 0..<batch.count where batch[k].revents != 0 {
                    let fd = batch[k].fd
                    ready.append((fd, batch[k].revents, ObjectIdentifier(handlers[slotOfFD[Int(fd)]])))
                }
            } else {
                for k in 0..<pollfds.count where pollfds[k].revents != 0 {
                    ready.append((pollfds[k].fd, pollfds[k].revents, ObjectIdentifier(handlers[k])))
                    pollfds[k].revents = 0
                }
            }
        }
        if now >= nextDemote {
            nextDemote = now + Self.sliceCycle
            demoteIdle()
        }
        if n > 0 {
            for entry in ready {
                let i = Int(entry.fd)
                if slotOfFD[i] >= 0 { touch(slotOfFD[i]) }
            }
            fileBudget = Self.filePerIteration
            rotation = rotation &+ 1
            if firstFD >= 0, let k = ready.firstIndex(where: { $0.fd == firstFD }) {
                let (fd, events, _) = ready.remove(at: k)
                handlers[slotOfFD[Int(fd)]].pollReady(fd: fd, events: events, loop: self)
            }
            let start = rotation % max(1, ready.count)
            for k in 0..<ready.count {
                let (fd, events, id) = ready[(start + k) % ready.count]
                // A handler may have closed this fd (or another, reused) during the batch.
                let i = Int(fd)
                guard i < slotOfFD.count, slotOfFD[i] >= 0 else { continue }
                let handler = handlers[slotOfFD[i]]
                guard ObjectIdentifier(handler) == id else { continue }
                handler.pollReady(fd: fd, events: events, loop: self)
            }
        } else if n < 0 && pollErrno != EINTR {
            // ENOMEM, or a limit of 0: nothing can be polled now. Wait as the loop always waits,
            // in poll() (with no descriptor: a timeout, not a sleep outside the loop's one
            // wait), then try again; never spin.
            _ = poll(nil, 0, 10)
        }
        if !due.isEmpty { deferred.insert(contentsOf: due, at: 0) }
        while !deferred.isEmpty {
            let work = deferred
            deferred.removeAll()
            for w in work { w() }
        }
        if now >= nextTimerCheck {
            nextTimerCheck = now + 100
            for h in Array(timed.values) { h.checkTimers(now: now, loop: self) }
        }
        // At most once a second, so a steady stream of short connections is not trimmed for.
        if closedSinceTrim >= Self.burstCloses && pollfds.count < Self.burstCloses / 10 && now >= lastTrim + 1_000 {
            trimWhenIdle()
        }
    }
}
