#if canImport(Glibc)
    import Glibc
#endif

/// The write end of the self-pipe. A C signal handler may only touch a plain global, and
/// only with async-signal-safe calls (`write`), so this one is nonisolated(unsafe) on purpose.
nonisolated(unsafe) private var signalPipeWrite: Int32 = -1

/// Turns SIGINT, SIGTERM, SIGCHLD, SIGHUP, SIGUSR1 and SIGUSR2 into bytes on a pipe the poll
/// loop reads; ignores SIGPIPE and SIGXFSZ so a dead peer or a file size limit is an errno,
/// not a death. SIGHUP (nginx's reload), SIGUSR1 (reopen the logs, which logrotate sends) and
/// SIGUSR2 (binary upgrade) are caught so that they cannot kill the server; none is acted on yet.
final class SignalPipe: PollHandler {
    let readFD: Int32
    var onStop: () -> Void = {}
    var onChild: () -> Void = {}
    var onHangUp: () -> Void = {}
    /// SIGUSR1 or SIGUSR2.
    var onUser: (Int32) -> Void = { _ in }

    init() throws(SystemError) {
        let p = try Sys.pipe()
        readFD = p.read
        signalPipeWrite = p.write
        signal(SIGPIPE, SIG_IGN)
        // Over RLIMIT_FSIZE the kernel sends SIGXFSZ, which kills by default; ignored, the
        // write fails with EFBIG instead and the upload is refused with 507.
        signal(SIGXFSZ, SIG_IGN)
        let handler: @convention(c) (Int32) -> Void = { sig in
            let saved = errno
            var byte = UInt8(truncatingIfNeeded: sig)
            _ = write(signalPipeWrite, &byte, 1)
            errno = saved
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGCHLD, &action, nil)
        sigaction(SIGHUP, &action, nil)
        sigaction(SIGUSR1, &action, nil)
        sigaction(SIGUSR2, &action, nil)
    }

    func pollReady(fd: Int32, events: Int16, loop: EventLoop) {
        var bytes = [UInt8](repeating: 0, count: 64)
        while true {
            let n = read(readFD, &bytes, bytes.count)
            guard n > 0 else { return }
            for b in bytes[0..<n] {
                switch Int32(b) {
                case SIGCHLD: onChild()
                case SIGHUP: onHangUp()
                case SIGUSR1, SIGUSR2: onUser(Int32(b))
                default: onStop()
                }
            }
        }
    }
}
