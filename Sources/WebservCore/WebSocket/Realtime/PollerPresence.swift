/// Who polls a room: each poller (a client address with its User-Agent) counts as a member
/// while it was seen within the last window (`websocket_poll_max_wait`). Sightings are kept in
/// time order, so expiring them costs O(1) amortised per sighting.
public struct PollerPresence: Sendable {
    private var lastSeen: [String: Int] = [:]
    private var sightings: [(key: String, time: Int)] = []
    private var head = 0

    public init() {}

    /// `key` polled at `now` (monotonic milliseconds, never decreasing).
    public mutating func seen(_ key: String, now: Int) {
        lastSeen[key] = now
        sightings.append((key, now))
    }

    /// Whether `key` is among the pollers the last `count` left.
    public func contains(_ key: String) -> Bool { lastSeen[key] != nil }

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
}
