/// Who polls a room: each poller (a client address with its User-Agent) counts as a member
/// while it was seen within the last window (`websocket_poll_max_wait`). Sightings are kept in
/// time order, so expiring them costs O(1) amortised per sighting.
///
/// Bounded whatever pollers send: a key is kept as its hash (a User-Agent may be 32 KiB), the
/// sightings of pollers seen again are compacted (at most twice the pollers, plus a little), and
/// at most `limit` pollers are tracked at once (more are answered but not counted).
public struct PollerPresence: Sendable {
    private var lastSeen: [Int: Int] = [:]
    private var sightings: [(key: Int, time: Int)] = []
    private var head = 0
    public let limit: Int

    public init(limit: Int = 4096) { self.limit = limit }

    /// `key` polled at `now` (monotonic milliseconds, never decreasing).
    public mutating func seen(_ key: String, now: Int) {
        let k = Self.hash(key)
        guard lastSeen[k] != nil || lastSeen.count < limit else { return }
        lastSeen[k] = now
        sightings.append((k, now))
        if sightings.count - head > 2 * lastSeen.count + 64 {
            sightings = lastSeen.map { (key: $0.key, time: $0.value) }.sorted { $0.time < $1.time }
            head = 0
        }
    }

    /// Whether `key` is among the pollers the last `count` left.
    public func contains(_ key: String) -> Bool { lastSeen[Self.hash(key)] != nil }

    /// Pollers seen within the last `window` milliseconds.
    public mutating func count(now: Int, window: Int) -> Int {
        while head < sightings.count && now - sightings[head].time > window {
            let (key, time) = sightings[head]
            if lastSeen[key] == time { lastSeen[key] = nil }
            head += 1
        }
        if head > 64 && head * 2 > sightings.count {
            sightings.removeFirst(head)
            head = 0
        }
        return lastSeen.count
    }

    /// Sightings held (for tests of the bound).
    var storedSightings: Int { sightings.count - head }

    /// The key's hash (the process's random seed: not forgeable from outside).
    static func hash(_ key: String) -> Int {
        var h = Hasher()
        h.combine(key)
        return h.finalize()
    }
}
