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
            storage.append(contentsOf: repeatElement(0, count: max(n - (storage.count - writeIndex), storage.count)))
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

    /// Gives back memory after a big request so idle keep-alive connections stay small.
    public mutating func shrink(to capacity: Int) {
        if storage.count > capacity && readableCount == 0 {
            storage = [UInt8](repeating: 0, count: capacity)
            clear()
        }
    }
}

/// What a connection still has to send, in order: buffered bytes, then part of a file.
public struct OutputQueue {
    public var buffer: [UInt8] = []
    public var sent = 0
    public var file: (fd: Int32, offset: Int, remaining: Int)?
    /// Bytes queued after the file (the next pipelined response, a chunk trailer).
    public var afterFile: [UInt8] = []

    public init() { buffer.reserveCapacity(4096) }

    public var isEmpty: Bool { sent == buffer.count && file == nil && afterFile.isEmpty }
    public var pendingBytes: Int { buffer.count - sent + afterFile.count }

    /// Appends bytes behind everything already queued.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        if file != nil { afterFile.append(contentsOf: bytes) } else { buffer.append(contentsOf: bytes) }
    }

    public mutating func appendFile(fd: Int32, offset: Int, length: Int) {
        precondition(file == nil)
        if length == 0 {
            Sys.close(fd)
            return
        }
        file = (fd, offset, length)
    }

    /// Drops everything (the connection is closing); closes a pending file.
    public mutating func discard() {
        if let f = file { Sys.close(f.fd) }
        file = nil
        buffer.removeAll(keepingCapacity: true)
        afterFile.removeAll()
        sent = 0
    }

    /// True when only file data is left to send (what `flush` spends its budget on).
    public var onlyFileLeft: Bool { sent == buffer.count && file != nil }

    /// `flush(to:budget:)` on a plain socket.
    public mutating func flush(to fd: Int32, budget: inout Int) throws(SystemError) -> Bool {
        try flush(to: PlainTransport(fd: fd), budget: &budget)
    }

    /// Sends as much as the transport takes, but at most `budget` bytes of file, which it spends
    /// (fairness: see `EventLoop.fileBudget`). Returns true when everything queued was sent.
    public mutating func flush(to transport: some Transport, budget: inout Int) throws(SystemError) -> Bool {
        while true {
            if sent < buffer.count {
                let s = sent
                let n = buffer.count - s
                let more = file != nil
                let r = try buffer.withUnsafeBytes { p in
                    Result { () throws(SystemError) in try transport.send(p.baseAddress! + s, n, more: more) }
                }.get()
                guard case .processed(let k) = r else { return false }
                sent += k
                if sent < buffer.count { return false }
                buffer.removeAll(keepingCapacity: true)
                sent = 0
            }
            if var f = file {
                while f.remaining > 0 && budget > 0 {
                    let r = try transport.sendFile(f.fd, offset: &f.offset, count: min(f.remaining, budget))
                    switch r {
                    case .processed(let k):
                        f.remaining -= k
                        budget -= k
                    case .wouldBlock:
                        file = f
                        return false
                    case .eof:
                        // The file shrank under us: we cannot honour Content-Length any more.
                        throw SystemError("sendfile", EIO)
                    }
                }
                if f.remaining > 0 {
                    file = f
                    return false
                }
                Sys.close(f.fd)
                file = nil
                if !afterFile.isEmpty {
                    swap(&buffer, &afterFile)
                    afterFile.removeAll(keepingCapacity: true)
                    continue
                }
            }
            return true
        }
    }
}
