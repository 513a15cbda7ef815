/// A connection's input buffer: bytes land at `writeIndex`, parsers consume from `readIndex`.
/// Storage is reused across requests; consumed bytes are compacted away before growing.
public struct ByteBuffer {
    public private(set) var storage: [UInt8]
    public private(set) var readIndex = 0
    public private(set) var writeIndex = 0

    public init(capacity: Int) { storage = [UInt8](repeating: 0, count: capacity) }

    public var readableCount: Int { writeIndex - readIndex }
    public var isEmpty: Bool { readIndex == writeIndex }

    public mutating func consume(_ n: Int) {
        readIndex += n
        if readIndex == writeIndex {
            readIndex = 0
            writeIndex = 0
        }
    }

    public mutating func clear() {
        readIndex = 0
        writeIndex = 0
    }

    /// Makes room for at least `n` more bytes, compacting first, growing if still short.
    public mutating func reserveWritable(_ n: Int) {
        if storage.count - writeIndex >= n { return }
        if readIndex > 0 {
            let count = readableCount
            storage.withUnsafeMutableBytes { p in
                _ = memmove(p.baseAddress!, p.baseAddress! + readIndex, count)
            }
            readIndex = 0
            writeIndex = count
        }
        if storage.count - writeIndex < n {
            // A new zeroed array and one copy (memset and memcpy), not an element-wise append.
            var grown = [UInt8](repeating: 0, count: storage.count + max(n - (storage.count - writeIndex), storage.count))
            let count = writeIndex
            if count > 0 {
                grown.withUnsafeMutableBytes { dst in
                    storage.withUnsafeBytes { src in _ = memcpy(dst.baseAddress!, src.baseAddress!, count) }
                }
            }
            storage = grown
        }
    }

    /// One non-blocking read into the free space, first making room for `want` bytes.
    public mutating func read(from fd: Int32, want: Int) throws(SystemError) -> IOResult {
        reserveWritable(want)
        let room = storage.count - writeIndex
        let w = writeIndex
        let result = try storage.withUnsafeMutableBytes { p in
            Result { () throws(SystemError) in try Sys.read(fd, p.baseAddress! + w, room) }
        }.get()
        if case .processed(let n) = result { writeIndex += n }
        return result
    }

    /// Lets `body` write into the free space (at least `want` bytes of it); it returns how
    /// many bytes it wrote.
    public mutating func fill(
        want: Int, _ body: (UnsafeMutableRawPointer, Int) throws(SystemError) -> Int
    ) throws(SystemError) {
        reserveWritable(want)
        let room = storage.count - writeIndex
        let w = writeIndex
        let n = try storage.withUnsafeMutableBytes { p in
            Result { () throws(SystemError) in try body(p.baseAddress! + w, room) }
        }.get()
        writeIndex += n
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        reserveWritable(bytes.count)
        let w = writeIndex
        storage.withUnsafeMutableBytes { p in
            _ = memcpy(p.baseAddress! + w, bytes.baseAddress!, bytes.count)
        }
        writeIndex += bytes.count
    }

    /// Runs `body` over the readable bytes.
    @inline(__always)
    public func withReadable<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try storage.withUnsafeBytes { p in
            Result { () throws(E) in try body(UnsafeRawBufferPointer(rebasing: p[readIndex..<writeIndex])) }
        }.get()
    }

    public func readableBytes(_ count: Int) -> [UInt8] { Array(storage[readIndex..<(readIndex + count)]) }

    /// The storage's size; 0 while the buffer holds none (an idle connection).
    public var capacity: Int { storage.count }

    /// Takes `buffer` as storage; only while this one has none.
    public mutating func adopt(_ buffer: [UInt8]) {
        precondition(storage.isEmpty)
        storage = buffer
        clear()
    }

    /// Hands the storage out (to a pool) when nothing is left to parse; the buffer then holds
    /// none until it is given storage again (reading grows it when needed).
    public mutating func takeStorage() -> [UInt8]? {
        guard readableCount == 0, !storage.isEmpty else { return nil }
        clear()
        var out: [UInt8] = []
        swap(&out, &storage)
        return out
    }

}
