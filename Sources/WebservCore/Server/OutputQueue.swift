/// What a connection still has to send, in order: shared chunks, buffered bytes, then part of
/// a file, then the bytes queued behind the file.
///
/// A shared chunk is an immutable `[UInt8]` that many queues reference without copying (Swift
/// arrays are reference-counted): a broadcast frame is encoded once and every member's queue
/// holds the same storage, released as each member sends it. `pendingBytes` counts what this
/// queue still has to send, shared or not; sent bytes are compacted away as sending goes on,
/// not only once everything is out.
public struct OutputQueue {
    public var buffer: [UInt8] = []
    public var sent = 0
    public var file: (fd: Int32, offset: Int, remaining: Int)?
    /// Bytes queued after the file (the next pipelined response, a chunk trailer).
    public var afterFile: [UInt8] = []
    /// Owns `file`'s descriptor when it is shared (`appendFile(fd:offset:length:keptBy:)`).
    private var fileKeeper: AnyObject?
    /// Chunks sent before `buffer`: `chunks[chunkHead...]`, the first one from `chunkSent`.
    private var chunks: [[UInt8]] = []
    private var chunkHead = 0
    private var chunkSent = 0
    /// Unsent bytes in `chunks`.
    public private(set) var chunkBytes = 0

    /// Frames smaller than this are copied into the buffer: one send for many small frames
    /// costs less than sharing them saves.
    public static let shareThreshold = 1024
    /// Sent bytes at the front of `buffer` are removed once they pass this (and half of it).
    static let compactThreshold = 64 * 1024
    /// A drained buffer keeps its storage up to this capacity (a cached file's body fits); a
    /// larger one is freed.
    public static let keptCapacity = 320 * 1024

    public init() {}

    public var isEmpty: Bool { chunkBytes == 0 && sent == buffer.count && file == nil && afterFile.isEmpty }
    public var pendingBytes: Int { chunkBytes + buffer.count - sent + afterFile.count }
    /// How many shared chunks wait (for tests and accounting).
    public var chunkCount: Int { chunks.count - chunkHead }
    /// The waiting chunks, oldest first.
    public var queuedChunks: ArraySlice<[UInt8]> { chunks[chunkHead...] }

    /// Appends bytes behind everything already queued.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        if file != nil { afterFile.append(contentsOf: bytes) } else { buffer.append(contentsOf: bytes) }
    }

    /// Queues `chunk` by reference (no copy) behind everything already queued; small chunks
    /// are copied (`shareThreshold`).
    public mutating func appendShared(_ chunk: [UInt8]) {
        if chunk.isEmpty { return }
        if file != nil || chunk.count < Self.shareThreshold {
            append(chunk)
            return
        }
        if sent < buffer.count {
            // What is buffered goes first: it becomes a chunk of its own.
            chunks.append(Array(buffer[sent...]))
            chunkBytes += buffer.count - sent
        }
        releaseBuffer()
        chunks.append(chunk)
        chunkBytes += chunk.count
    }

    public mutating func appendFile(fd: Int32, offset: Int, length: Int) {
        precondition(file == nil)
        if length == 0 {
            Sys.close(fd)
            return
        }
        file = (fd, offset, length)
    }

    /// Queues `length` bytes of a descriptor that `keeper` owns (a cached file's): the queue
    /// holds `keeper` while it sends and lets go of it after, without closing the descriptor.
    mutating func appendFile(fd: Int32, offset: Int, length: Int, keptBy keeper: AnyObject) {
        precondition(file == nil)
        guard length > 0 else { return }
        file = (fd, offset, length)
        fileKeeper = keeper
    }

    /// The file is sent or dropped: closed, or let go of when it is shared.
    private mutating func releaseFile(_ fd: Int32) {
        if fileKeeper != nil {
            fileKeeper = nil
        } else {
            Sys.close(fd)
        }
        file = nil
    }

    /// Drops everything (the connection is closing); closes a pending file.
    public mutating func discard() {
        if let f = file { releaseFile(f.fd) }
        buffer.removeAll(keepingCapacity: true)
        afterFile.removeAll()
        sent = 0
        chunks = []
        chunkHead = 0
        chunkSent = 0
        chunkBytes = 0
    }

    /// Frees the buffer's storage (an idle connection keeps none).
    public mutating func releaseStorage() {
        guard isEmpty else { return }
        buffer = []
        sent = 0
        afterFile = []
    }

    /// True when only file data that spends the budget is left to send (see `flush`).
    public var onlyFileLeft: Bool { chunkBytes == 0 && sent == buffer.count && file != nil && fileKeeper == nil }

    private mutating func releaseBuffer() {
        if buffer.capacity > Self.keptCapacity { buffer = [] } else { buffer.removeAll(keepingCapacity: true) }
        sent = 0
    }

    /// Sends the chunks in order; true once all are out.
    private mutating func flushChunks(to transport: some Transport) throws(SystemError) -> Bool {
        while chunkHead < chunks.count {
            let start = chunkSent
            let more = chunkHead + 1 < chunks.count || sent < buffer.count || file != nil
            let r = try chunks[chunkHead].withUnsafeBytes { p in
                Result { () throws(SystemError) in try transport.send(p.baseAddress! + start, p.count - start, more: more) }
            }.get()
            guard case .processed(let k) = r else { return false }
            chunkSent += k
            chunkBytes -= k
            guard chunkSent == chunks[chunkHead].count else { return false }
            // Sent: this queue's reference goes (the last queue's frees the chunk).
            chunks[chunkHead] = []
            chunkHead += 1
            chunkSent = 0
            if chunkHead >= 16 && chunkHead * 2 >= chunks.count {
                chunks.removeFirst(chunkHead)
                chunkHead = 0
            }
        }
        chunks = []
        chunkHead = 0
        return true
    }

    /// `flush(to:budget:)` on a plain socket.
    public mutating func flush(to fd: Int32, budget: inout Int) throws(SystemError) -> Bool {
        try flush(to: PlainTransport(fd: fd), budget: &budget)
    }

    /// Sends as much as the transport takes, but at most `budget` bytes of file, which it spends
    /// (fairness: see `EventLoop.fileBudget`). Returns true when everything queued was sent.
    public mutating func flush(to transport: some Transport, budget: inout Int) throws(SystemError) -> Bool {
        while true {
            if chunkBytes > 0 || chunkHead < chunks.count {
                guard try flushChunks(to: transport) else { return false }
            }
            if sent < buffer.count {
                let s = sent
                let n = buffer.count - s
                let more = file != nil
                let r = try buffer.withUnsafeBytes { p in
                    Result { () throws(SystemError) in try transport.send(p.baseAddress! + s, n, more: more) }
                }.get()
                guard case .processed(let k) = r else { return false }
                sent += k
                if sent < buffer.count {
                    // A slow reader: what it has taken is dropped now, not when all is sent.
                    if sent >= Self.compactThreshold && sent * 2 >= buffer.count {
                        buffer.removeFirst(sent)
                        sent = 0
                    }
                    return false
                }
                releaseBuffer()
            }
            if var f = file {
                // A cached file's descriptor (at most FileCache.maxFileSize) goes as its bytes in
                // memory would, outside the budget: that paces downloads, not small hot files.
                let paced = fileKeeper == nil
                while f.remaining > 0 && (budget > 0 || !paced) {
                    let r = try transport.sendFile(f.fd, offset: &f.offset, count: paced ? min(f.remaining, budget) : f.remaining)
                    switch r {
                    case .processed(let k):
                        f.remaining -= k
                        if paced { budget -= k }
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
                releaseFile(f.fd)
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
