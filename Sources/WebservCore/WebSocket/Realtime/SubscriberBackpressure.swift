/// When a subscriber the server writes to unasked (an SSE stream) must be dropped: its unsent
/// bytes would pass `limit`, or it took none of them for `stallTimeout` ms (send_timeout). One
/// place for the rule, so a general output bound can replace it later.
public struct SubscriberBackpressure: Sendable {
    public let limit: Int
    public let stallTimeout: Int
    private var pendingAtCheck = 0
    private var queuedSinceCheck = 0
    private var lastProgress: Int

    public init(limit: Int, stallTimeout: Int, now: Int) {
        self.limit = limit
        self.stallTimeout = stallTimeout
        lastProgress = now
    }

    /// Whether `adding` more bytes may be queued behind `pending` unsent ones (and counts them).
    public mutating func accepts(pending: Int, adding: Int) -> Bool {
        guard pending + adding <= limit else { return false }
        queuedSinceCheck += adding
        return true
    }

    /// Called periodically with the unsent byte count: true when nothing was sent for
    /// `stallTimeout` while bytes waited.
    public mutating func stalled(pending: Int, now: Int) -> Bool {
        // Progress: something was sent since the last check, or the waiting only began since.
        if pending == 0 || pendingAtCheck == 0 || pending < pendingAtCheck + queuedSinceCheck { lastProgress = now }
        pendingAtCheck = pending
        queuedSinceCheck = 0
        return pending > 0 && now - lastProgress >= stallTimeout
    }
}
