#if canImport(Glibc)
    import Glibc
#endif

/// A file body that a filter must see (compression): read in blocks and passed through the
/// connection's stream, paced by the client like CGI output, so a file of any size is
/// compressed in bounded memory. Bodies no filter touches are sent with sendfile instead.
final class FileBodySource: StreamSource {
    private var fd: Int32
    private var offset: Int
    private var remaining: Int
    /// Shared by every file source of the server (`Server.fileReadBlock`): each read is
    /// handed on to the stream before the next, so one block serves them all.
    private let block: UnsafeMutableRawBufferPointer
    /// Inside `outputDrained`: a stream write that drains at once calls back into it.
    private var busy = false
    /// At most this much is read per turn of the loop, so one big file does not hold it.
    static let readsPerTurn = 4

    init(fd: Int32, offset: Int, length: Int, block: UnsafeMutableRawBufferPointer) {
        self.fd = fd
        self.offset = offset
        self.remaining = length
        self.block = block
    }

    func outputDrained(connection c: Connection) {
        guard !busy, fd >= 0 else { return }
        busy = true
        defer { busy = false }
        var reads = 0
        // A slow encoder gets one small piece per turn (it flushes it: the output is not empty).
        let slow = c.bodyEncoder?.isSlow == true
        let readsPerTurn = slow ? 1 : Self.readsPerTurn
        while remaining > 0 && (c.output.isEmpty || (c.canStream && reads < readsPerTurn)) {
            let want = min(remaining, slow ? BodyEncoder.slowInput : block.count)
            let (fd, offset) = (self.fd, self.offset)
            let n = pread(fd, block.baseAddress!, want, off_t(offset))
            guard n > 0 else {
                // Shrunk or unreadable under us: the framing promised more, so only closing is honest.
                abort()
                return c.close()
            }
            self.offset += n
            remaining -= n
            reads += 1
            c.streamData(UnsafeRawBufferPointer(start: block.baseAddress!, count: n), flush: false)
            if self.fd < 0 { return }  // the connection closed meanwhile
        }
        if remaining == 0 {
            abort()
            c.streamEnd()
        }
    }

    func abort() {
        if fd >= 0 { Sys.close(fd) }
        fd = -1
    }
}
