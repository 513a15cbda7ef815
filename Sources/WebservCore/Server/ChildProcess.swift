#if canImport(Glibc)
    import Glibc
#endif

/// A program the server started (a CGI script, a WebSocket `exec` command), with its stdin,
/// stdout and stderr as non-blocking pipes for the poll loop. Always reaped: the server's
/// SIGCHLD self-pipe calls `waitpid(-1, WNOHANG)` and then `onExit`.
///
/// The owner registers `stdoutFD` (and `stdinFD` when it writes) in the loop itself and
/// closes them with `closeStdout`/`closeStdin`, which unregister before closing.
public final class ChildProcess {
    public let pid: pid_t
    /// Our ends of the pipes; -1 once closed.
    public private(set) var stdinFD: Int32
    public private(set) var stdoutFD: Int32
    public private(set) var stderrFD: Int32
    /// The wait status once reaped; nil while it runs.
    public private(set) var exitStatus: Int32?
    /// `terminate` was called: an exit by SIGTERM/SIGKILL is ours, not the program's fault.
    public private(set) var terminateRequested = false
    /// Called once, from the loop, after the child was reaped (with its wait status).
    public var onExit: ((Int32) -> Void)?

    private unowned let server: Server
    private var stderrLog: StderrForwarder?
    private var killDeadline: KillTimer?

    /// How long `terminate` waits after SIGTERM before SIGKILL.
    public static let killGrace = 2000

    private init(pid: pid_t, stdin: Int32, stdout: Int32, stderr: Int32, server: Server) {
        self.pid = pid
        self.stdinFD = stdin
        self.stdoutFD = stdout
        self.stderrFD = stderr
        self.server = server
    }

    /// Starts `executable` with stdin/stdout/stderr pipes (our ends non-blocking and
    /// close-on-exec), `workingDirectory` as cwd and exactly `environment` (`NAME=value`).
    ///
    /// A bare `executable` name is looked up in the PATH of `environment` (else the server's).
    /// argv and envp are built before the child exists; `ForkExec` makes it (why fork, and
    /// what the child does before execve, is told there). A program that does not exist or
    /// may not be executed throws (ENOENT, EACCES) without a child; an execve that fails
    /// later (ENOEXEC, a bad `#!` line) ends the child with status 127.
    public static func spawn(
        executable: String, arguments: [String], environment: [String], workingDirectory: String?,
        server: Server
    ) throws(SystemError) -> ChildProcess {
        guard let path = resolve(executable, environment: environment) else { throw SystemError("execve", ENOENT) }
        let argv = CStringArray([path] + arguments)
        let envp = CStringArray(environment)
        let cwd = workingDirectory.map { strdup($0)! }
        let launch = CloneExec.Launch(
            plan: CloneExec.Plan(
                path: UnsafePointer(argv.pointer[0]!), argv: argv.pointer, envp: envp.pointer,
                directory: UnsafePointer(cwd), stdio: (-1, -1, -1))
        ) {
            argv.free()
            envp.free()
            free(cwd)
        }

        var opened: [Int32] = []
        func closeAll() { for fd in opened { Sys.close(fd) } }
        let input: (read: Int32, write: Int32)
        let output: (read: Int32, write: Int32)
        let errors: (read: Int32, write: Int32)
        do {
            input = try Sys.pipe(nonBlocking: false)
            opened += [input.read, input.write]
            output = try Sys.pipe(nonBlocking: false)
            opened += [output.read, output.write]
            errors = try Sys.pipe(nonBlocking: false)
            opened += [errors.read, errors.write]
        } catch {
            closeAll()
            throw error
        }
        // Our ends are non-blocking; the child's stay ordinary blocking descriptors (scripts
        // do not expect EAGAIN).
        for fd in [input.write, output.read, errors.read] { Sys.setNonBlocking(fd) }
        // What execve would refuse with ENOENT or EACCES fails here, before there is a child.
        guard access(path, X_OK) == 0 else {
            let e = errno
            closeAll()
            throw SystemError("execve", e)
        }

        let pid: pid_t
        launch.plan.pointee.stdio = (input.read, output.write, errors.write)
        do {
            pid = try CloneExec.start(launch)
        } catch {
            closeAll()
            throw error
        }
        Sys.close(input.read)
        Sys.close(output.write)
        Sys.close(errors.write)
        let child = ChildProcess(pid: pid, stdin: input.write, stdout: output.read, stderr: errors.read, server: server)
        // The child reads `launch` until its execve; once it is reaped, that is long over.
        server.watchChild(pid) { status in
            withExtendedLifetime(launch) {}
            child.reaped(status)
        }
        return child
    }

    // MARK: pipes

    /// Unregisters and closes our end of the child's stdin: the child reads EOF.
    public func closeStdin() {
        close(&stdinFD)
    }

    public func closeStdout() {
        close(&stdoutFD)
    }

    public func closeStderr() {
        stderrLog = nil
        close(&stderrFD)
    }

    private func close(_ fd: inout Int32) {
        guard fd >= 0 else { return }
        server.loop.unregister(fd)
        Sys.close(fd)
        fd = -1
    }

    /// Copies what the child writes to stderr into the error log, line by line, prefixed with
    /// `label` (nginx logs a FastCGI's stderr the same way). Closes stderr at EOF.
    public func forwardStderrToErrorLog(label: String) {
        guard stderrFD >= 0 else { return }
        let forwarder = StderrForwarder(child: self, label: label)
        stderrLog = forwarder
        server.loop.register(stderrFD, events: Int16(POLLIN), handler: forwarder)
    }

    fileprivate func stderrLine(_ line: String) {
        server.logError(line)
    }

    // MARK: ending

    /// The wait status of a child that has ended but is not reaped yet (waitid with WNOWAIT
    /// leaves it for the SIGCHLD handler); nil while it runs.
    public func peekExitStatus() -> Int32? {
        guard isRunning else { return exitStatus }
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return nil }
        let reported = info._sifields._sigchld.si_pid
        guard reported == pid else { return nil }
        let value = info._sifields._sigchld.si_status
        switch info.si_code {
        case Int32(CLD_EXITED): return (value & 0xFF) << 8
        case Int32(CLD_KILLED): return value & 0x7F
        case Int32(CLD_DUMPED): return (value & 0x7F) | 0x80
        default: return nil
        }
    }

    /// True until the child was reaped.
    public var isRunning: Bool { exitStatus == nil }

    /// SIGTERM to the child's process group now, SIGKILL to the group after `killGrace` ms
    /// (whether or not the child itself has gone: a grandchild may ignore SIGTERM). Closes our
    /// pipe ends. The child is reaped either way (`onExit` runs).
    public func terminate() {
        closeStdin()
        closeStdout()
        closeStderr()
        guard isRunning, !terminateRequested else { return }
        terminateRequested = true
        kill(-pid, SIGTERM)
        scheduleKill()
    }

    /// SIGKILL to the process group: the child if it still runs, and whatever it started that
    /// is still there.
    fileprivate func killNow() {
        if let timer = killDeadline {
            server.loop.removeTimed(timer)
            killDeadline = nil
        }
        server.groupsToEnd.remove(pid)
        // Once the child is reaped its pid could be reused; not while the group it leads still
        // has members, and a new child of ours with that pid has its own watch.
        guard isRunning || server.children[pid] == nil else { return }
        kill(-pid, SIGKILL)
    }

    private func reaped(_ status: Int32) {
        exitStatus = status
        if !terminateRequested {
            // The script is done; what it left behind (a background job holding stdout, a
            // daemon) is ended with it: SIGTERM now, SIGKILL after the grace period.
            if kill(-pid, SIGTERM) == 0 { scheduleKill() }
        }
        // After `terminate` the timer stays: a member ignoring SIGTERM gets SIGKILL.
        let callback = onExit
        onExit = nil
        callback?(status)
    }

    private func scheduleKill() {
        guard killDeadline == nil else { return }
        let timer = KillTimer(child: self, deadline: server.loop.now + Self.killGrace)
        killDeadline = timer
        server.loop.addTimed(timer)
        server.groupsToEnd.insert(pid)
    }

    // MARK: helpers

    /// `name` if it contains a slash, else the first executable `DIR/name` on PATH.
    static func resolve(_ name: String, environment: [String]) -> String? {
        if name.contains("/") { return name }
        let search: String
        if let entry = environment.first(where: { $0.hasPrefix("PATH=") }) {
            search = String(entry.dropFirst(5))
        } else if let p = getenv("PATH") {
            search = String(cString: p)
        } else {
            search = "/usr/local/bin:/usr/bin:/bin"
        }
        for dir in search.split(separator: ":") where !dir.isEmpty {
            let candidate = dir + "/" + name
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Whether the wait status says the child was ended by a signal or exited non-zero.
    public static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        if signal == 0 { return "exited with status \((status >> 8) & 0xFF)" }
        return "killed by signal \(signal)"
    }
}

/// A NULL-terminated `char *[]` for execve, built (and freed) by the parent.
private struct CStringArray {
    let pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>

    init(_ strings: [String]) {
        pointer = .allocate(capacity: strings.count + 1)
        for (i, s) in strings.enumerated() { pointer[i] = strdup(s) }
        pointer[strings.count] = nil
    }

    func free() {
        var i = 0
        while let p = pointer[i] {
            Glibc.free(p)
            i += 1
        }
        pointer.deallocate()
    }
}

/// Reads a child's stderr into the error log. Holds the child until stderr closes (the
/// child may be reaped and its owner gone before the last bytes are read).
private final class StderrForwarder: PollHandler {
    let child: ChildProcess
    let label: String
    var pending: [UInt8] = []

    init(child: ChildProcess, label: String) {
        self.child = child
        self.label = label
    }

    func pollReady(fd: Int32, events: Int16, loop: EventLoop) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let result = try? buffer.withUnsafeMutableBytes { (p) throws(SystemError) in try Sys.read(fd, p.baseAddress!, p.count) }
        switch result {
        case .processed(let n)?:
            pending.append(contentsOf: buffer[0..<n])
            while let nl = pending.firstIndex(of: 10) {
                emit(pending[..<nl])
                pending.removeSubrange(...nl)
            }
            // A runaway line is logged in pieces rather than held.
            if pending.count > 2048 {
                emit(pending[...])
                pending.removeAll()
            }
        case .wouldBlock?:
            return
        case .eof?, nil:
            if !pending.isEmpty { emit(pending[...]) }
            child.closeStderr()
        }
    }

    private func emit(_ line: ArraySlice<UInt8>) {
        var text = line
        if text.last == 13 { text.removeLast() }
        child.stderrLine("\(label): \(String(decoding: text, as: UTF8.self))")
    }
}

/// Escalates `terminate` to SIGKILL when the grace period ends.
extension Server {
    /// At exit: the SIGKILLs still waiting for their grace period are sent now, and their
    /// timers (each holds its child, which holds it) let go.
    func killPendingGroups() {
        for case let timer as KillTimer in loop.timedHandlers { timer.child.killNow() }
    }
}

private final class KillTimer: TimedHandler {
    let child: ChildProcess
    let deadline: Int

    init(child: ChildProcess, deadline: Int) {
        self.child = child
        self.deadline = deadline
    }

    func checkTimers(now: Int, loop: EventLoop) {
        if now >= deadline { child.killNow() }
    }
}
