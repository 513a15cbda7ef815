/// The query of a room request: `since=N` (the last id the client has), `wait=S` (how long it
/// may be held, in seconds, fractions allowed: `wait=0.5`) and `client=ID` (an id a page picks
/// so that it counts once in `members` whichever ways it uses, up to 64 bytes).
public struct PollQuery: Equatable, Sendable {
    public var since: Int?
    /// Milliseconds.
    public var wait: Int?
    public var client: String?

    public init(since: Int? = nil, wait: Int? = nil, client: String? = nil) {
        self.since = since
        self.wait = wait
        self.client = client
    }

    /// Reads `since` and `wait` from a query string; a malformed value counts as absent.
    public static func parse(_ query: ArraySlice<UInt8>) -> PollQuery {
        var result = PollQuery()
        for pair in query.split(separator: UInt8(ascii: "&")) {
            if pair.starts(with: "since=".utf8) {
                result.since = Bytes.parseDecimal(pair.dropFirst(6))
            } else if pair.starts(with: "wait=".utf8) {
                result.wait = milliseconds(pair.dropFirst(5))
            } else if pair.starts(with: "client=".utf8), pair.count > 7, pair.count <= 71 {
                result.client = String(decoding: pair.dropFirst(7), as: UTF8.self)
            }
        }
        return result
    }

    /// `S` or `S.fff` seconds as milliseconds (digits past the third decimal are ignored).
    static func milliseconds(_ text: ArraySlice<UInt8>) -> Int? {
        let parts = text.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, let seconds = Bytes.parseDecimal(whole), seconds < 1 << 31 else { return nil }
        var millis = seconds * 1000
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            var scale = 100
            for digit in fraction.prefix(3) {
                millis += Int(digit - 0x30) * scale
                scale /= 10
            }
        }
        return millis
    }
}

/// Long polling's one decision: answer now, or hold the request until a message after `since`
/// exists or the deadline passes (SPEC 9).
public enum LongPoll {
    public enum Decision: Equatable, Sendable {
        case answer
        case hold(deadline: Int)
    }

    /// Answers at once when there is something to send, when the client did not ask to wait,
    /// for HEAD (no body to wait for) and while the server stops; otherwise holds for the
    /// asked wait, at most `maxWait` (milliseconds).
    public static func decide(
        since: Int, lastID: Int, wait: Int?, maxWait: Int, now: Int, isHead: Bool = false, stopping: Bool = false
    ) -> Decision {
        guard let wait, wait > 0, lastID <= since, !isHead, !stopping else { return .answer }
        return .hold(deadline: now + min(wait, maxWait))
    }
}
