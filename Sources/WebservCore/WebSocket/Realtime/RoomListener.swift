/// Something in a room that is told of every message as it is published, after the room's
/// WebSocket members and in the same order: an SSE stream or a held long poll.
protocol RoomListener: AnyObject {
    /// Whether it counts in the room's `members` (an SSE stream does; a held poll counts as a
    /// poller instead).
    var isMember: Bool { get }
    /// The member's poller key when its request named a `client` (see `BroadcastRoom.members`).
    var clientKey: String? { get }
    /// A message was published; `event` is its SSE encoding, made once for every listener.
    func published(_ message: BroadcastHistory.Message, event: [UInt8])
}
