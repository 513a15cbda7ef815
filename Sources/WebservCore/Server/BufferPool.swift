/// Byte buffers lent to connections while they have bytes to parse or send, and given back when
/// they go idle, so an idle connection holds no buffer at all. At most `limit` are kept; more
/// are freed, and so is a buffer that grew (an input buffer past `size`, an output buffer past
/// `keptCapacity`).
public final class BufferPool {
    /// Input buffers are handed out with this many (zeroed) bytes; output buffers empty with
    /// this capacity reserved.
    public let size: Int
    public let limit: Int
    public let keptCapacity: Int
    /// Whether buffers are storage to read into (count `size`) or to append to (empty).
    public let filled: Bool
    private var free: [[UInt8]] = []

    public init(size: Int, limit: Int, keptCapacity: Int, filled: Bool) {
        self.size = size
        self.limit = limit
        self.keptCapacity = keptCapacity
        self.filled = filled
    }

    public var available: Int { free.count }

    /// A pooled buffer, or a new one.
    public func take() -> [UInt8] {
        if let b = free.popLast() { return b }
        if filled { return [UInt8](repeating: 0, count: size) }
        var b: [UInt8] = []
        b.reserveCapacity(size)
        return b
    }

    /// Takes `buffer` back (leaving it empty, without storage).
    public func give(_ buffer: inout [UInt8]) {
        var b: [UInt8] = []
        swap(&b, &buffer)
        guard b.capacity > 0, free.count < limit else { return }
        if filled {
            // Input buffers grow by appending zeros: one that grew is not kept.
            guard b.count == size else { return }
        } else {
            guard b.capacity <= keptCapacity else { return }
            b.removeAll(keepingCapacity: true)
        }
        free.append(b)
    }

    /// Frees every pooled buffer (after a burst).
    public func drain() { free = [] }
}
