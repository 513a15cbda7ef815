/// The pure part of a broadcast room: numbered messages, the last `capacity` of them kept
/// within `maxBytes`, and the JSON answer to an HTTP poll.
public struct BroadcastHistory: Sendable {
    /// One published message.
    public struct Message: Equatable, Sendable {
        public let id: Int
        public let data: [UInt8]
        /// Server time at publish, milliseconds since the epoch.
        public var time = 0
    }

    public let capacity: Int
    /// The most bytes of message data kept (`websocket_room_history COUNT SIZE`).
    public let maxBytes: Int
    /// The kept messages, oldest first: at most `capacity`, at most `maxBytes` together.
    private var entries: [Message] = []
    /// Bytes of data in `entries`.
    public private(set) var bytes = 0
    /// Id of the newest message, 0 before the first.
    public private(set) var lastID = 0

    public init(capacity: Int = 100, maxBytes: Int = 1 << 20) {
        precondition(capacity >= 0 && maxBytes >= 0)
        self.capacity = capacity
        self.maxBytes = maxBytes
    }

    /// True when no message is kept.
    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    /// Stores a message published at `time` (ms since the epoch) and returns its id (1, 2, 3 …);
    /// the oldest go while the count or the bytes are over their bound (a message larger than
    /// `maxBytes` is not kept at all).
    @discardableResult
    public mutating func append(_ data: [UInt8], time: Int = 0) -> Int {
        lastID += 1
        entries.append(Message(id: lastID, data: data, time: time))
        bytes += data.count
        var drop = 0
        while drop < entries.count && (entries.count - drop > capacity || bytes > maxBytes) {
            bytes -= entries[drop].data.count
            drop += 1
        }
        if drop > 0 { entries.removeFirst(drop) }
        return lastID
    }

    /// The kept messages with an id greater than `since`, oldest first.
    public func messages(after since: Int) -> ArraySlice<Message> {
        let visible = entries[...]
        guard let first = visible.first else { return visible }
        let skip = min(max(since - first.id + 1, 0), visible.count)
        return visible.dropFirst(skip)
    }

    /// `{"next": M, "messages": [{"id": I, "time": MS, "data": "..."}, ...], "members": N}`
    /// where `next` is the id to poll with next time: the newest id, or `since` itself while the
    /// room is empty; `members` only when given (SPEC 9).
    public func pollJSON(since: Int, members: Int? = nil) -> [UInt8] {
        let next = lastID > 0 ? lastID : max(since, 0)
        var out = Array("{\"next\": \(next), \"messages\": [".utf8)
        for (index, message) in messages(after: since).enumerated() {
            if index > 0 { out.append(contentsOf: ", ".utf8) }
            out.append(contentsOf: "{\"id\": \(message.id), \"time\": \(message.time), \"data\": ".utf8)
            JSON.appendString(message.data, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        if let members { out.append(contentsOf: ", \"members\": \(members)".utf8) }
        out.append(UInt8(ascii: "}"))
        return out
    }

}
