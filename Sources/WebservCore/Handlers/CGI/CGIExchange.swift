#if canImport(Glibc)
    import Glibc
#endif

/// One running CGI script, driven by the poll loop: the request body goes to its stdin, its
/// stdout is parsed (RFC 3875 §6) and streamed to the client, with backpressure both ways.
/// Ends on stdout EOF, a fault (502), `cgi_timeout` (504) or the client leaving; the child is
/// always ended and reaped, every pipe closed.
final class CGIExchange: PollHandler, BodySink, StreamSource, TimedHandler {
    /// Where the script's stdin comes from.
    enum Input {
        /// No body: stdin is closed at once (the script reads EOF).
        case none
        /// The connection's body, as it arrives.
        case connection
        /// A spooled (de-chunked) body file, which we own.
        case file(Int32)
    }

    /// Body bytes held for the stdin pipe before the client is paused.
    static let stdinHighWater = 64 * 1024
    /// Output already waiting when the headers end that may be sent with a Content-Length.
    static let bufferedResponseLimit = 64 * 1024

    private var connection: Connection?
    /// The connection while it still feeds us its body (also after the response ended).
    private var bodyConnection: Connection?
    private let child: ChildProcess
    private let server: Server
    private let label: String
    private var input: Input
    private var deadline: Int
    private var parser = CGIResponseParser()
    private var headersDone = false
    private var timedOut = false
    /// stdout reached EOF or we stopped reading it.
    private var outputDone = false
    private var scratch = [UInt8](repeating: 0, count: 32 * 1024)
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var bodyComplete = false
    private var bodyPaused = false
    /// The script's own Content-Length, and the body bytes it has sent so far: a body that
    /// ends short of it was cut (the script died), and must not look complete to the client;
    /// bytes past it are never sent.
    private var declaredLength: Int?
    private var streamedLength = 0

    init(connection: Connection, child: ChildProcess, input: Input, timeout: Int, label: String) {
        self.connection = connection
        self.child = child
        self.server = connection.server
        self.input = input
        self.label = label
        self.deadline = connection.loop.now + timeout
    }

    private var loop: EventLoop { server.loop }

    func start() {
        guard let c = connection else { return }
        child.onExit = { [self] status in childExited(status) }
        child.forwardStderrToErrorLog(label: label)
        loop.register(child.stdoutFD, events: Int16(POLLIN), handler: self)
        loop.addTimed(self)
        c.streamSource = self
        switch input {
        case .none:
            child.closeStdin()
        case .connection:
            loop.register(child.stdinFD, events: 0, handler: self)
            bodyConnection = c
            c.receiveBody(into: self)
        case .file:
            loop.register(child.stdinFD, events: Int16(POLLOUT), handler: self)
        }
    }

    // MARK: poll

    func pollReady(fd: Int32, events: Int16, loop: EventLoop) {
        if fd == child.stdinFD {
            if events & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 {
                stdinBroken()
            } else {
                writeStdin()
            }
        } else if fd == child.stdoutFD {
            readStdout()
        }
    }

    // MARK: request body → stdin

    func bodyData(_ bytes: UnsafeRawBufferPointer, connection: Connection) throws(HandlerError) {
        // After the script closed its stdin (or exited) the rest of the body is dropped.
        guard child.stdinFD >= 0 else { return }
        if pendingStart == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingStart = 0
        }
        pending.append(contentsOf: bytes)
        // Written when poll reports the script's stdin writable.
        loop.setEvents(child.stdinFD, Int16(POLLOUT))
        if child.stdinFD >= 0 && pending.count - pendingStart >= Self.stdinHighWater && !bodyPaused {
            bodyPaused = true
            connection.pauseBody()
        }
    }

    func bodyEnd(connection: Connection) {
        bodyComplete = true
        bodyConnection = nil
        bodyPaused = false
        if pendingStart == pending.count { child.closeStdin() }
    }

    /// Writes what is pending (refilling from a spool file); closes stdin at the body's end.
    private func writeStdin() {
        let fd = child.stdinFD
        guard fd >= 0 else { return }
        while true {
            if pendingStart == pending.count, case .file(let file) = input {
                if !refill(from: file) { return }
            }
            let count = pending.count - pendingStart
            if count == 0 { break }
            let result: IOResult
            do {
                result = try pending.withUnsafeBytes { (p) throws(SystemError) in
                    try Sys.write(fd, p.baseAddress! + pendingStart, count)
                }
            } catch {
                return stdinBroken()
            }
            guard case .processed(let n) = result else {
                loop.setEvents(fd, Int16(POLLOUT))
                return
            }
            pendingStart += n
        }
        pending.removeAll(keepingCapacity: true)
        pendingStart = 0
        if bodyComplete {
            child.closeStdin()
            return
        }
        loop.setEvents(fd, 0)
        if bodyPaused, let c = bodyConnection {
            bodyPaused = false
            c.resumeBody()
        }
    }

    /// Loads the next block of a spooled body; false when the file is done (stdin closed).
    private func refill(from file: Int32) -> Bool {
        pending.removeAll(keepingCapacity: true)
        pendingStart = 0
        pending.append(contentsOf: repeatElement(0, count: 64 * 1024))
        let n = pending.withUnsafeMutableBytes { read(file, $0.baseAddress!, $0.count) }
        if n <= 0 {
            pending.removeAll(keepingCapacity: true)
            closeSpool()
            child.closeStdin()
            return false
        }
        pending.removeLast(pending.count - n)
        return true
    }

    /// The script closed its stdin or exited: drop what is left, keep draining the client.
    private func stdinBroken() {
        child.closeStdin()
        closeSpool()
        pending = []
        pendingStart = 0
        if bodyPaused, let c = bodyConnection {
            bodyPaused = false
            c.resumeBody()
        }
    }

    private func closeSpool() {
        if case .file(let file) = input {
            Sys.close(file)
            input = .none
        }
    }

    // MARK: stdout → response

    private func readStdout() {
        let fd = child.stdoutFD
        guard fd >= 0 else { return }
        let result: IOResult
        do {
            result = try scratch.withUnsafeMutableBytes { (p) throws(SystemError) in try Sys.read(fd, p.baseAddress!, p.count) }
        } catch {
            return outputEnded()
        }
        switch result {
        case .wouldBlock:
            return
        case .eof:
            outputEnded()
        case .processed(let n):
            scratch.withUnsafeBytes { all in output(UnsafeRawBufferPointer(rebasing: all[0..<n])) }
        }
    }

    private func output(_ bytes: UnsafeRawBufferPointer) {
        guard let c = connection else { return }
        if headersDone { return stream(bytes, to: c) }
        do {
            switch try parser.feed(bytes) {
            case .needMore:
                return
            case .complete(let head, let offset):
                headersDone = true
                respond(head, connection: c, body: Array(bytes[offset...]))
            }
        } catch {
            fail(502, "\(label) sent an invalid header section (\(error))")
        }
    }

    /// Passes body bytes on. Past the script's Content-Length only the declared bytes go out and
    /// the connection closes after them: what follows cannot be framed (nginx: "upstream sent
    /// more data than specified in Content-Length header").
    private func stream(_ bytes: UnsafeRawBufferPointer, to c: Connection) {
        let room = declaredLength.map { $0 - streamedLength } ?? Int.max
        if bytes.count <= room {
            streamedLength += bytes.count
            c.streamData(bytes)
            return pauseIfClientSlow()
        }
        streamedLength += room
        c.streamData(UnsafeRawBufferPointer(rebasing: bytes[..<room]))
        server.logError("\(label) sent more than the \(streamedLength) bytes it announced")
        detach()
        child.terminate()
        outputDone = true
        c.streamEnd(closingConnection: true)
        finishIfDone()
    }

    private func pauseIfClientSlow() {
        guard let c = connection, child.stdoutFD >= 0 else { return }
        if !c.canStream { loop.setEvents(child.stdoutFD, 0) }
    }

    /// The client caught up: read the script again.
    func outputDrained(connection: Connection) {
        if child.stdoutFD >= 0, !outputDone { loop.setEvents(child.stdoutFD, Int16(POLLIN)) }
    }

    /// Starts the response once the header section is parsed; `body` is what followed it.
    /// The script's Content-Length, when it gives one, frames the response (no chunked coding,
    /// and HTTP/1.0 keep-alive stays possible); otherwise the length is what the script prints.
    private func respond(_ head: CGIResponseHead, connection c: Connection, body: [UInt8]) {
        if head.isLocalRedirect, let target = head.location {
            detach()
            child.terminate()
            outputDone = true
            return InternalRedirect.perform(c, to: target)
        }
        var response = Response(status: head.status, headers: headers(for: head, connection: c))
        response.reason = head.reason
        response.contentLength = head.contentLength
        if HTTPStatus.hasNoBody(head.status) || c.request?.method == .head {
            // No body will be sent: answer now and end the script. HEAD gets the head GET would
            // start with: the script's Content-Length, else no length at all.
            if !HTTPStatus.hasNoBody(head.status) { response.body = .stream }
            detach()
            child.terminate()
            outputDone = true
            c.respond(response)
            return
        }
        // A script that has already finished (most do, by now) gets one write with a
        // Content-Length, as lighttpd does; one still printing is streamed as it goes.
        var first = body
        while first.count < Self.bufferedResponseLimit, child.stdoutFD >= 0 {
            let fd = child.stdoutFD
            let result = try? scratch.withUnsafeMutableBytes { (p) throws(SystemError) in
                try Sys.read(fd, p.baseAddress!, p.count)
            }
            guard case .processed(let n) = result else {
                if case .eof? = result { return respondWhole(response, body: first, connection: c) }
                break
            }
            first.append(contentsOf: scratch[0..<n])
        }
        declaredLength = head.contentLength
        response.body = .stream
        c.respond(response)
        if !first.isEmpty, connection != nil {
            first.withUnsafeBytes { stream($0, to: c) }
        }
    }

    /// The script finished before its head went out: one response with the whole body, cut to
    /// the script's Content-Length (closing the connection after) or 502 when short of it.
    private func respondWhole(_ response: Response, body: [UInt8], connection c: Connection) {
        var response = response
        var body = body
        if let declared = response.contentLength, body.count != declared {
            if body.count < declared {
                return fail(502, "\(label) sent \(body.count) of the \(declared) bytes it announced")
            }
            server.logError("\(label) sent more than the \(declared) bytes it announced")
            body.removeLast(body.count - declared)
            response.close = true
        }
        outputDone = true
        child.closeStdout()
        detach()
        response.body = .bytes(body)
        c.respond(response)
        finishIfDone()
    }

    /// The script's headers with the Content-Type every body needs (the location's default).
    private func headers(for head: CGIResponseHead, connection c: Connection) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        if let type = head.contentType {
            headers.append(("Content-Type", type))
        } else if !HTTPStatus.hasNoBody(head.status) && head.location == nil {
            headers.append(("Content-Type", Dispatcher.location(for: c.request?.path ?? [0x2F], in: c.serverConfig).defaultType))
        }
        if let location = head.location { headers.append(("Location", location)) }
        headers.append(contentsOf: head.headers)
        return headers
    }

    /// stdout closed: the response is complete (or never started: 502).
    private func outputEnded() {
        outputDone = true
        child.closeStdout()
        guard let c = connection else { return }
        if !headersDone {
            let detail: String
            if let status = child.exitStatus { detail = ", " + ChildProcess.describe(status) } else { detail = "" }
            return fail(502, "\(label) ended without a complete header section\(detail)")
        }
        if let declared = declaredLength, streamedLength < declared {
            detach()
            // As nginx does when an upstream closes early: no last chunk, the connection closes.
            server.logError("\(label) sent \(streamedLength) of the \(declared) bytes it announced")
            c.close()
            return finishIfDone()
        }
        endStream()
    }

    /// Ends the body: with the last chunk, unless a signal killed the script (a crash, the OOM
    /// killer): then the body may be cut anywhere, and the connection closes without it.
    private func endStream() {
        guard let c = connection else { return finishIfDone() }
        detach()
        // stdout ends when the script dies, a moment before it can be reaped: look without
        // reaping. A script that closed stdout and still runs has ended its body normally.
        if let status = child.exitStatus ?? child.peekExitStatus(), status & 0x7F != 0, !child.terminateRequested {
            c.close()
        } else {
            c.streamEnd()
        }
        finishIfDone()
    }

    // MARK: faults and ending

    /// Answers `status` if nothing was sent yet (else the connection closes) and ends the script.
    private func fail(_ status: Int, _ message: String) {
        server.logError(message)
        let c = connection
        detach()
        child.terminate()
        outputDone = true
        c?.respondError(status)
        finishIfDone()
    }

    func checkTimers(now: Int, loop: EventLoop) {
        guard now >= deadline, !timedOut else { return }
        timedOut = true
        if connection != nil {
            fail(504, "\(label) timed out")
        } else {
            // The response is out but the script still runs.
            child.terminate()
        }
    }

    /// The connection closed or its body failed: end the script.
    func abort() {
        detach()
        bodyConnection = nil
        bodyPaused = false
        child.terminate()
        outputDone = true
        closeSpool()
        finishIfDone()
    }

    /// Stops talking to the connection; a body still arriving keeps being drained into us.
    private func detach() {
        if let c = connection, c.streamSource === self { c.streamSource = nil }
        connection = nil
    }

    private func childExited(_ status: Int32) {
        if status != 0 && !child.terminateRequested { server.logError("\(label) \(ChildProcess.describe(status))") }
        // Its stdin has no reader any more; stdout is read on until EOF (a grandchild may hold it).
        if child.stdinFD >= 0 { stdinBroken() }
        finishIfDone()
    }

    private func finishIfDone() {
        if outputDone && !child.isRunning {
            closeSpool()
            loop.removeTimed(self)
        }
    }
}
