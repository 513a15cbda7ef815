/// The one backpressure rule for output the server writes to a client unasked — a room's
/// messages to a WebSocket member or to an SSE stream (issue 11): nothing is queued past a hard
/// cap, and a reader whose unsent output stays over `limit` (`websocket_max_output`) for
/// `timeout` (`send_timeout`) is dropped. Pure: the caller passes the unsent byte count and time.
struct OutputBound {
    /// Unsent bytes past which the reader is behind (and a WebSocket's frames are not read).
    let limit: Int
    /// Unsent bytes never exceeded: twice the largest message, at least 4 MiB, at most 128 MiB.
    let hardCap: Int
    /// How long a reader may stay over `limit`, in ms.
    let timeout: Int
    /// Since when the unsent output has been over `limit`.
    private var overSince: Int?

    init(limit: Int, maxMessage: Int, timeout: Int) {
        self.limit = limit > 0 ? limit : Int.max
        hardCap = Swift.max(4 << 20, Swift.min(maxMessage, 64 << 20) * 2)
        self.timeout = timeout
    }

    /// The bound of a location's WebSocket members and SSE streams.
    init(location: LocationConfig, sendTimeout: Int) {
        let max = location.websocketMaxMessage > 0 ? location.websocketMaxMessage : Int.max / 4
        self.init(limit: location.websocketBounds.maxOutput, maxMessage: max, timeout: sendTimeout)
    }

    /// Whether `adding` more bytes may be queued behind `pending` unsent ones.
    func admits(pending: Int, adding: Int) -> Bool {
        pending + adding <= hardCap
    }

    /// True once `pending` has stayed over `limit` for `timeout`; back under it starts afresh.
    mutating func isOverTooLong(pending: Int, now: Int) -> Bool {
        guard pending > limit else {
            overSince = nil
            return false
        }
        guard let since = overSince else {
            overSince = now
            return false
        }
        return now - since >= timeout
    }
}
