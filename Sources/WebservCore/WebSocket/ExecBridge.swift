#if canImport(Glibc)
    import Glibc
#endif

/// `websocket exec COMMAND`, as websocketd does it: one program per connection; each
/// message from the client becomes a line on its stdin, each line it prints becomes a text
/// message; its exit closes the socket with 1000, and the client leaving ends it.
final class ExecBridge: PollHandler {
    private let child: ChildProcess
    private unowned let session: WebSocketConnection
    private unowned let loop: EventLoop
    /// Bytes waiting for the program's stdin (it may read slowly).
    private var toStdin: [UInt8] = []
    private var stdinSent = 0
    /// A line the program has started but not finished.
    private var partialLine: [UInt8] = []
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var stdoutOpen = true
    private var exited = false
    private let maxLine: Int
    /// `websocket_exec_binary on`: stdout bytes go out as binary messages as they come, binary
    /// messages go to stdin as they are.
    private let binary: Bool
    /// The `websocket_exec_max` slot this program holds until it is reaped.
    private let limitKey: String
    private unowned let limit: ExecLimit

    /// Above this, the client's socket is not read until the program catches up.
    static let stdinHighWater = 1 << 20
    /// While the client's output holds this much, the program's stdout is not read.
    static let outputHighWater = 1 << 20
    /// After the program exits, the client's close is awaited this long (ms); with the loop's
    /// 250 ms tick the TCP connection is closed within 1 s (SPEC 5; websocketd closes at once).
    static let closeWait = 500

    private init(
        child: ChildProcess, session: WebSocketConnection, loop: EventLoop, maxLine: Int, binary: Bool,
        limit: ExecLimit, limitKey: String
    ) {
        self.child = child
        self.session = session
        self.loop = loop
        self.maxLine = maxLine
        self.binary = binary
        self.limit = limit
        self.limitKey = limitKey
    }

    /// Starts the program in the `websocket_exec_max` slot the endpoint took for it (given
    /// back here if the program cannot start).
    static func start(command: [String], session: WebSocketConnection, connection c: Connection) -> ExecBridge? {
        let limit = c.server.execLimit
        let limitKey = ExecLimit.key(server: c.serverIndex, location: session.location)
        guard let program = command.first else {
            limit.release(limitKey)
            return nil
        }
        let req = session.request
        var info =
            CGIRequestInfo(
                method: req.methodString, requestURI: req.requestURI, scriptName: session.location.path,
                scriptFilename: program, pathInfo: pathInfo(req.pathString, location: session.location.path),
                queryString: req.query, serverName: c.serverConfig.serverNames.first(where: { !$0.isEmpty }) ?? c.local.host,
                serverPort: c.localPort, remoteAddr: c.peerAddress, remotePort: c.peerPort,
                headers: req.headerPairs, documentRoot: session.location.root)
        info.https = c.isTLS
        var environment = CGIEnvironment.build(info)
        if let name = session.subprotocol { environment.append("SEC_WEBSOCKET_PROTOCOL=\(name)") }
        let directory = program.contains("/") ? String(program[..<program.lastIndex(of: "/")!]) : nil
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                executable: program, arguments: Array(command.dropFirst()), environment: environment,
                workingDirectory: directory.map { $0.isEmpty ? "/" : $0 }, server: c.server)
        } catch {
            c.server.logError("websocket exec \"\(program)\" failed: \(error)")
            limit.release(limitKey)
            return nil
        }
        let bridge = ExecBridge(
            child: child, session: session, loop: c.loop,
            maxLine: session.location.websocketMaxMessage > 0 ? session.location.websocketMaxMessage : 1 << 20,
            binary: session.location.realtime.execBinary, limit: limit, limitKey: limitKey)
        // Each stderr line names the connection it belongs to.
        child.forwardStderrToErrorLog(label: "\(program) (client \(c.peerAddress):\(c.peerPort))")
        // A strong capture (a weak one would put the bridge's reference counts in a side table,
        // slow on every poll event): the cycle ends when the child is reaped or `end` runs.
        child.onExit = { _ in bridge.programExited() }
        c.loop.register(child.stdoutFD, events: Int16(POLLIN), handler: bridge)
        return bridge
    }

    /// The part of the path after the location's prefix, as PATH_INFO.
    static func pathInfo(_ path: String, location: String) -> String {
        guard path.hasPrefix(location), path.count > location.count else { return "" }
        let rest = String(path.dropFirst(location.count))
        return rest.hasPrefix("/") ? rest : "/" + rest
    }

    // MARK: client → program

    /// Queues a message for the program as a line (a binary message in binary mode as it is);
    /// it is written when poll reports its stdin writable.
    func toProgram(_ payload: [UInt8], opcode: WebSocketOpcode = .text) {
        guard child.stdinFD >= 0 else { return }
        toStdin.append(contentsOf: payload)
        if !(binary && opcode == .binary) { toStdin.append(0x0A) }
        loop.register(child.stdinFD, events: Int16(POLLOUT), handler: self)
        if toStdin.count - stdinSent >= Self.stdinHighWater { session.connection?.upgradedWantsInput = false }
    }

    private func writeStdin() {
        let fd = child.stdinFD
        guard fd >= 0 else { return }
        while stdinSent < toStdin.count {
            let start = stdinSent
            let r = try? toStdin.withUnsafeBytes { p in
                Result { () throws(SystemError) in try Sys.write(fd, p.baseAddress! + start, p.count - start) }
            }.get()
            switch r {
            case .processed(let n):
                stdinSent += n
            case .wouldBlock:
                session.connection?.upgradedWantsInput = toStdin.count - stdinSent < Self.stdinHighWater
                return
            default:
                // The program closed its stdin (or died): drop what it will never read.
                toStdin.removeAll()
                stdinSent = 0
                child.closeStdin()
                return
            }
        }
        toStdin.removeAll(keepingCapacity: true)
        stdinSent = 0
        loop.unregister(fd)
        session.connection?.upgradedWantsInput = true
    }

    // MARK: program → client

    func pollReady(fd: Int32, events: Int16, loop: EventLoop) {
        if fd == child.stdinFD {
            writeStdin()
            return
        }
        guard fd == child.stdoutFD else { return }
        readStdout()
    }

    private func readStdout() {
        let fd = child.stdoutFD
        guard fd >= 0 else { return }
        // Bounded per turn; stop while the client is not keeping up.
        for _ in 0..<16 {
            if let c = session.connection, c.output.pendingBytes > Swift.min(Self.outputHighWater, c.upgradedOutputLimit) {
                loop.setEvents(fd, 0)
                return
            }
            let r = try? readBuffer.withUnsafeMutableBytes { p in
                Result { () throws(SystemError) in try Sys.read(fd, p.baseAddress!, p.count) }
            }.get()
            switch r {
            case .processed(let n) where binary:
                sendBinary(n)
                if n < readBuffer.count { return }
            case .processed(let n):
                splitLines(n)
                // A short read emptied the pipe: poll reports the next line; asking again now
                // would be one more system call per message that only says EAGAIN.
                if n < readBuffer.count { return }
            case .wouldBlock:
                return
            default:
                stdoutEnded()
                return
            }
        }
    }

    /// Binary mode: what one read brought, as binary messages of at most a message's size.
    private func sendBinary(_ n: Int) {
        var start = 0
        while start < n {
            let end = min(n, start + maxLine)
            session.send(.binary, readBuffer[start..<end])
            start = end
        }
    }

    private func splitLines(_ n: Int) {
        var start = 0
        for i in 0..<n where readBuffer[i] == 0x0A {
            partialLine.append(contentsOf: readBuffer[start..<i])
            emitLine()
            start = i + 1
        }
        partialLine.append(contentsOf: readBuffer[start..<n])
        // A line longer than a message may be is sent in pieces rather than held without bound,
        // cut between characters (an unfinished one starts the next piece).
        if partialLine.count >= maxLine {
            let cut = Self.characterBoundary(partialLine)
            let rest = Array(partialLine[cut...])
            partialLine.removeSubrange(cut...)
            emitLine()
            partialLine.append(contentsOf: rest)
        }
    }

    private func emitLine() {
        if partialLine.last == 0x0D { partialLine.removeLast() }
        // A text message must be UTF-8 (RFC 6455 §5.6): a program printing other bytes gets
        // them replaced by U+FFFD rather than a frame the client has to reject with 1007.
        if UTF8Validator.isValid(partialLine) {
            session.sendText(partialLine[...])
        } else {
            session.sendText(UTF8Validator.repaired(partialLine)[...])
        }
        partialLine.removeAll(keepingCapacity: true)
    }

    /// The length of `bytes` without a character its end leaves unfinished (all of it when it
    /// ends on a boundary, or when what ends it is not UTF-8 anyway).
    static func characterBoundary(_ bytes: [UInt8]) -> Int {
        var i = bytes.count
        var continuations = 0
        while i > 0, continuations < 3, bytes[i - 1] & 0xC0 == 0x80 {
            i -= 1
            continuations += 1
        }
        guard i > 0 else { return bytes.count }
        let lead = bytes[i - 1]
        let needed = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0
        return needed > continuations && i > 1 ? i - 1 : bytes.count
    }

    /// The client caught up: poll the program's stdout again.
    func outputDrained() {
        if child.stdoutFD >= 0 && loop.events(of: child.stdoutFD) == 0 {
            loop.setEvents(child.stdoutFD, Int16(POLLIN))
        }
    }

    private func stdoutEnded() {
        guard stdoutOpen else { return }
        stdoutOpen = false
        if !partialLine.isEmpty { emitLine() }
        child.closeStdout()
        // As websocketd: stdout is the program's side of the session; once it is closed the
        // session closes, and the program is ended (`end`) if it runs on without it.
        session.closeSession(code: 1000, wait: Self.closeWait)
    }

    /// Reaped: close with 1000 once everything it printed was read (poll still reports
    /// what is left in the pipe, then its EOF).
    private func programExited() {
        limit.release(limitKey)
        exited = true
        if !stdoutOpen { session.closeSession(code: 1000, wait: Self.closeWait) }
    }

    /// The client left or the session closed: stdin gets EOF and the program is ended.
    func end() {
        // The slot is given back when the program is reaped, not before (it still runs).
        if exited {
            child.onExit = nil
        } else {
            let limit = self.limit
            let key = limitKey
            child.onExit = { _ in limit.release(key) }
        }
        child.terminate()
    }
}
