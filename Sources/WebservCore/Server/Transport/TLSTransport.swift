import COpenSSL

#if canImport(Glibc)
    import Glibc
#endif

/// TLS over a non-blocking socket with OpenSSL: the handshake runs inside the first reads, and
/// `SSL_ERROR_WANT_READ`/`WANT_WRITE` become the poll events asked for next (a read may need
/// the socket writable, a write readable), as in nginx's `ngx_ssl_recv`/`ngx_ssl_write`.
/// A first byte that is not a TLS handshake record (0x16) makes the connection plain, so
/// that a plain HTTP request can get its 400.
final class TLSTransport: Transport {
    let fd: Int32
    private unowned(unsafe) let servers: TLSServers
    private let group: Int
    private var ssl: OpaquePointer?

    private enum Phase {
        /// Waiting for the first byte: a TLS record, or plain HTTP.
        case sniffing
        case handshaking
        case open
        /// The client spoke plain HTTP; bytes pass in the clear until the 400 is out.
        case plain
        /// A fatal TLS error or the peer's close: no close_notify, nothing more to read.
        case failed
    }

    private var phase = Phase.sniffing
    /// What the unfinished handshake waits for.
    private var handshakeEvents: Int32 = POLLIN
    private var readWantsWrite = false
    private var writeWantsRead = false
    /// The length of an SSL_write that would block: OpenSSL wants at least as much again.
    private var pendingWrite = 0
    private var closeNotifySent = false
    private var sawEOF = false
    /// The server the SNI name chose; nil without SNI.
    private(set) var serverNameChoice: Int?
    /// OpenSSL keeps its record buffers (about 34 KiB) between reads and writes: set by
    /// traffic, cleared by `releaseIdleMemory`. Otherwise `SSL_MODE_RELEASE_BUFFERS` (the
    /// context's default) frees and reallocates them around every record, which costs a busy
    /// keep-alive connection four malloc/free pairs per request.
    private var keepsBuffers = false

    init(fd: Int32, servers: TLSServers, group: Int) {
        self.fd = fd
        self.servers = servers
        self.group = group
    }

    var isTLS: Bool { phase != .plain }
    var sentPlainHTTP: Bool { phase == .plain }
    var sniServer: Int? { serverNameChoice }

    // MARK: reading

    func read(into buffer: inout ByteBuffer, want: Int) throws(SystemError) -> IOResult {
        switch phase {
        case .sniffing:
            var first: UInt8 = 0
            let n = recv(fd, &first, 1, Int32(MSG_PEEK))
            if n == 0 { return .eof }
            if n < 0 {
                let e = errno
                if e == EAGAIN || e == EWOULDBLOCK || e == EINTR { return .wouldBlock }
                throw SystemError("recv", e)
            }
            if first != 0x16 {
                phase = .plain
                return try buffer.read(from: fd, want: want)
            }
            try startHandshake()
            return try read(into: &buffer, want: want)
        case .handshaking:
            guard try handshake() else { return .wouldBlock }
            return try read(into: &buffer, want: want)
        case .open:
            return try readRecords(into: &buffer, want: want)
        case .plain:
            return try buffer.read(from: fd, want: want)
        case .failed:
            return .eof
        }
    }

    private func startHandshake() throws(SystemError) {
        let context = servers.choose(group: group, name: nil)
        guard let context, let s = SSL_new(context.context.ctx) else {
            phase = .failed
            throw SystemError("SSL_new", ENOMEM)
        }
        ssl = s
        SSL_set_fd(s, fd)
        SSL_set_accept_state(s)
        _ = webserv_SSL_set_app_data(s, Unmanaged.passUnretained(self).toOpaque())
        phase = .handshaking
    }

    /// Advances the handshake; true once it is complete.
    private func handshake() throws(SystemError) -> Bool {
        // SSL_get_error reads the thread's error queue: start each call with it empty (nginx).
        ERR_clear_error()
        let r = SSL_do_handshake(ssl)
        if r == 1 {
            phase = .open
            return true
        }
        switch SSL_get_error(ssl, r) {
        case SSL_ERROR_WANT_READ:
            handshakeEvents = POLLIN
            return false
        case SSL_ERROR_WANT_WRITE:
            handshakeEvents = POLLOUT
            return false
        default:
            // Garbage, an old protocol, no shared cipher, the peer gone: drop the connection.
            fail()
            throw SystemError("SSL_do_handshake", EPROTO)
        }
    }

    /// Reads plaintext until `want` bytes arrived or OpenSSL holds nothing more. With read-ahead
    /// (`TLSContext`) one `read()` brings every record the socket has, so a request costs one
    /// system call, not three (record header, record, EAGAIN). What OpenSSL still holds is
    /// taken whatever `want` says: poll() cannot report it, and a connection that stops reading
    /// (a pending response) would never be woken for it.
    private func readRecords(into buffer: inout ByteBuffer, want: Int) throws(SystemError) -> IOResult {
        if sawEOF { return .eof }
        readWantsWrite = false
        var total = 0
        while true {
            let buffered = SSL_has_pending(ssl) == 1
            if total > 0 && !buffered { break }
            let room = total < want ? want - total : max(Int(SSL_pending(ssl)), TLSServers.record)
            var outcome = IOResult.wouldBlock
            try buffer.fill(want: room) { (p, count) throws(SystemError) in
                outcome = try self.sslRead(p, min(count, Int(Int32.max)))
                if case .processed(let n) = outcome { return n }
                return 0
            }
            switch outcome {
            case .processed(let n):
                total += n
                if !keepsBuffers { keepBuffers() }
            case .wouldBlock: return total > 0 ? .processed(total) : .wouldBlock
            case .eof:
                sawEOF = true
                return total > 0 ? .processed(total) : .eof
            }
        }
        return .processed(total)
    }

    private func sslRead(_ p: UnsafeMutableRawPointer, _ count: Int) throws(SystemError) -> IOResult {
        let r = SSL_read(ssl, p, Int32(count))
        if r > 0 { return .processed(Int(r)) }
        let (error, e) = failure(r)
        switch error {
        case SSL_ERROR_WANT_READ:
            return .wouldBlock
        case SSL_ERROR_WANT_WRITE:
            readWantsWrite = true
            return .wouldBlock
        case SSL_ERROR_ZERO_RETURN:
            return .eof
        default:
            fail()
            throw SystemError("SSL_read", e == 0 ? EPROTO : e)
        }
    }

    /// What a failed `SSL_read`/`SSL_write` means, and errno as it left it. The error queue is
    /// emptied here, after the failure, rather than before every call as nginx does: a success
    /// queues nothing, so the queue stays empty for the next call's `SSL_get_error` and the
    /// hot path skips a clear that costs more than the rest of a small read.
    private func failure(_ r: Int32) -> (Int32, Int32) {
        let error = SSL_get_error(ssl, r)
        let e = errno
        ERR_clear_error()
        return (error, e)
    }

    // MARK: writing

    func send(_ bytes: UnsafeRawPointer, _ count: Int, more: Bool) throws(SystemError) -> IOResult {
        switch phase {
        case .plain: return try Sys.send(fd, bytes, count, more: more)
        case .open: return try sslWrite(bytes, count)
        case .failed: throw SystemError("SSL_write", EPIPE)
        case .sniffing, .handshaking: return .wouldBlock
        }
    }

    /// No sendfile under user-space TLS: up to `fileChunk` of the file is read and encrypted
    /// record by record. A write that would block is retried later from where the socket
    /// stopped, so OpenSSL sees the same bytes again (what was read past that is read again).
    func sendFile(_ file: Int32, offset: inout Int, count: Int) throws(SystemError) -> IOResult {
        if phase == .plain { return try Sys.sendfile(fd, file, offset: &offset, count: count) }
        let length = max(min(count, TLSServers.fileChunk), pendingWrite)
        let n = pread(file, servers.scratch, length, off_t(offset))
        if n < 0 { throw SystemError("pread", errno) }
        if n == 0 { return .eof }
        let r = try send(servers.scratch, n, more: false)
        if case .processed(let k) = r { offset += k }
        return r
    }

    /// Writes record after record (partial writes return one at a time) until all is sent or
    /// the socket is full.
    private func sslWrite(_ bytes: UnsafeRawPointer, _ count: Int) throws(SystemError) -> IOResult {
        var total = 0
        while total < count {
            let r = try sslWriteOnce(bytes + total, count - total)
            guard case .processed(let n) = r else { return total > 0 ? .processed(total) : r }
            total += n
        }
        return .processed(total)
    }

    private func sslWriteOnce(_ bytes: UnsafeRawPointer, _ count: Int) throws(SystemError) -> IOResult {
        writeWantsRead = false
        let length = min(count, Int(Int32.max))
        let r = SSL_write(ssl, bytes, Int32(length))
        if r > 0 {
            pendingWrite = 0
            return .processed(Int(r))
        }
        let (error, e) = failure(r)
        switch error {
        case SSL_ERROR_WANT_WRITE:
            pendingWrite = max(pendingWrite, length)
            return .wouldBlock
        case SSL_ERROR_WANT_READ:
            pendingWrite = max(pendingWrite, length)
            writeWantsRead = true
            return .wouldBlock
        default:
            fail()
            throw SystemError("SSL_write", e == 0 ? EPIPE : e)
        }
    }

    // MARK: buffers

    private func keepBuffers() {
        keepsBuffers = true
        _ = webserv_SSL_clear_mode(ssl, Int(SSL_MODE_RELEASE_BUFFERS))
    }

    /// An idle connection holds no record buffers (nginx's `SSL_MODE_RELEASE_BUFFERS`); a
    /// buffer that still holds bytes stays until they are used.
    func releaseIdleMemory() {
        guard keepsBuffers, phase == .open, let s = ssl else { return }
        keepsBuffers = false
        _ = webserv_SSL_set_mode(s, Int(SSL_MODE_RELEASE_BUFFERS))
        _ = SSL_free_buffers(s)
    }

    // MARK: closing

    func shutdownWrite() {
        sendCloseNotify()
        _ = shutdown(fd, Int32(SHUT_WR))
    }

    func close() {
        sendCloseNotify()
        if let s = ssl {
            _ = webserv_SSL_set_app_data(s, nil)
            SSL_free(s)
            ssl = nil
        }
        Sys.close(fd)
    }

    /// close_notify on an orderly close (RFC 8446 §6.1); best effort, never waits for the peer's.
    private func sendCloseNotify() {
        guard phase == .open, !closeNotifySent, let s = ssl else { return }
        closeNotifySent = true
        _ = SSL_shutdown(s)
        ERR_clear_error()
    }

    /// After a fatal error OpenSSL must not be asked for a close_notify.
    private func fail() {
        phase = .failed
        ERR_clear_error()
    }

    // MARK: poll

    func events(_ wanted: Int32) -> Int32 {
        switch phase {
        case .sniffing: return wanted | POLLIN
        case .handshaking: return (wanted & ~(POLLIN | POLLOUT)) | handshakeEvents
        case .plain, .failed: return wanted
        case .open:
            var e = wanted
            if readWantsWrite && wanted & POLLIN != 0 { e = (e & ~POLLIN) | POLLOUT }
            if writeWantsRead && wanted & POLLOUT != 0 { e = (e & ~POLLOUT) | POLLIN }
            return e
        }
    }

    func ready(_ revents: Int16) -> (read: Bool, write: Bool) {
        let input = revents & Int16(POLLIN | POLLHUP | POLLERR) != 0
        let output = revents & Int16(POLLOUT) != 0
        switch phase {
        case .sniffing, .handshaking: return (input || output, false)
        case .plain, .failed: return (input, output)
        case .open:
            return (readWantsWrite ? output || input : input, writeWantsRead ? input || output : output)
        }
    }

    // MARK: SNI

    /// The servername callback: switch to the named server's context (its certificate).
    fileprivate func serverNameReceived() {
        guard let s = ssl, let raw = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name) else { return }
        let length = strlen(raw)
        let name = UnsafeRawBufferPointer(start: raw, count: length)
        guard let choice = servers.choose(group: group, name: Array(name)[...]) else { return }
        serverNameChoice = choice.server
        _ = SSL_set_SSL_CTX(s, choice.context.ctx)
        // The named server's options (tickets, cipher preference) apply from here, as in nginx.
        let options = SSL_CTX_get_options(choice.context.ctx)
        _ = SSL_clear_options(s, SSL_get_options(s) & ~options)
        _ = SSL_set_options(s, options)
    }

    /// The C callback OpenSSL calls with the ClientHello's server name.
    static let serverNameCallback:
        @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32 = {
            ssl, _, _ in
            guard let ssl, let raw = webserv_SSL_get_app_data(ssl) else { return SSL_TLSEXT_ERR_OK }
            Unmanaged<TLSTransport>.fromOpaque(raw).takeUnretainedValue().serverNameReceived()
            return SSL_TLSEXT_ERR_OK
        }
}
