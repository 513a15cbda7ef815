#if canImport(Glibc)
    import Glibc
#endif

/// Starts a program for `ChildProcess` without stopping the server while it starts.
///
/// glibc's posix_spawn is clone(CLONE_VM | CLONE_VFORK): the child borrows our memory, and we
/// are suspended until it reaches execve. When the cores are busy running earlier CGI children,
/// the new child first waits for a CPU, and the whole server waits with it: under `bench/cgi`
/// the loop spent about a third of its time there, with CPU left idle. fork() instead copies
/// our page tables and then takes copy-on-write faults: slower still, measured.
/// So: clone(CLONE_VM) without CLONE_VFORK. The child runs on a stack of its own in our
/// memory, does what posix_spawn's child does, and execs; we go on at once. What it reads —
/// its stack, argv, envp, the plan — must outlive it: `Launch` owns them, and the server drops
/// it when the child is reaped (by then it has exec'd or exited).
enum CloneExec {
    /// What the child needs, all plain values and pointers (it must not touch Swift objects).
    struct Plan {
        var path: UnsafePointer<CChar>
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
        var envp: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
        var directory: UnsafePointer<CChar>?
        var stdio: (Int32, Int32, Int32)
        var unblocked = sigset_t()
    }

    /// Memory the child reads until its execve; freed when the child has been reaped.
    final class Launch {
        let plan: UnsafeMutablePointer<Plan>
        let stack: UnsafeMutableRawPointer
        private let release: () -> Void

        init(plan: Plan, release: @escaping () -> Void) {
            self.plan = .allocate(capacity: 1)
            self.plan.initialize(to: plan)
            stack = .allocate(byteCount: CloneExec.stackSize, alignment: 64)
            self.release = release
        }

        deinit {
            plan.deallocate()
            stack.deallocate()
            release()
        }
    }

    static let stackSize = 64 * 1024
    /// linux/sched.h, which the Glibc module does not carry.
    static let cloneVM: Int32 = 0x0000_0100

    /// Clones the child; returns its pid. A failed execve ends the child with status 127.
    static func start(_ launch: Launch) throws(SystemError) -> pid_t {
        sigemptyset(&launch.plan.pointee.unblocked)
        // Nothing may run the server's signal handlers in the child: block everything across
        // the clone; the child resets the handlers before it unblocks.
        var all = sigset_t()
        sigfillset(&all)
        var saved = sigset_t()
        pthread_sigmask(SIG_SETMASK, &all, &saved)
        let top = launch.stack + stackSize
        let pid = clone(childMain, top, cloneVM | SIGCHLD, UnsafeMutableRawPointer(launch.plan))
        let e = errno
        pthread_sigmask(SIG_SETMASK, &saved, nil)
        guard pid > 0 else { throw SystemError("clone", e) }
        return pid
    }

    /// The child, until execve: system calls only. It shares our memory (and our errno,
    /// which it only writes when a call fails, just before it exits).
    private static let childMain: Entry = { raw in
        let plan = raw!.assumingMemoryBound(to: Plan.self)
        // Caught signals revert at execve anyway; ignored ones would stay ignored, and a
        // script writing to a closed pipe should die of SIGPIPE as usual.
        signal(SIGPIPE, SIG_DFL)
        signal(SIGXFSZ, SIG_DFL)
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        signal(SIGCHLD, SIG_DFL)
        signal(SIGHUP, SIG_DFL)
        signal(SIGUSR1, SIG_DFL)
        signal(SIGUSR2, SIG_DFL)
        sigprocmask(SIG_SETMASK, &plan.pointee.unblocked, nil)
        // Its own process group, so `terminate` reaches whatever it starts too.
        setpgid(0, 0)
        // dup2 clears close-on-exec on the copies; every other descriptor closes at execve.
        let stdio = plan.pointee.stdio
        if dup2(stdio.0, 0) < 0 || dup2(stdio.1, 1) < 0 || dup2(stdio.2, 2) < 0 { _exit(127) }
        if let directory = plan.pointee.directory, chdir(directory) != 0 { _exit(127) }
        execve(plan.pointee.path, plan.pointee.argv, plan.pointee.envp)
        _exit(127)
    }

    typealias Entry = @convention(c) (UnsafeMutableRawPointer?) -> Int32
    typealias CloneFunction = @convention(c) (Entry, UnsafeMutableRawPointer, Int32, UnsafeMutableRawPointer?) -> Int32

    /// glibc's clone(fn, stack, flags, arg, ...), which Swift cannot call directly (variadic).
    private static let clone: CloneFunction = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "clone") else { fatalError("glibc without clone") }
        return unsafeBitCast(symbol, to: CloneFunction.self)
    }()
}
