#if canImport(Glibc)
    import Glibc
#endif

/// One file being uploaded: written to a hidden temp name inside the store directory and
/// linked to its final name only once complete, so a body cut short never shows up as a file.
final class UploadFile {
    let directory: String
    let tempPath: [UInt8]
    private var fd: Int32
    private(set) var size = 0

    /// Creates `.upload-XXXXXXXXXXXXXXXX.part` with O_EXCL (never reusing a name) and
    /// O_CLOEXEC (a CGI child forked meanwhile must not inherit it).
    init(in directory: String) throws(HandlerError) {
        self.directory = directory
        var generator = SystemRandomNumberGenerator()
        while true {
            let tag = String(generator.next() as UInt64, radix: 16)
            let path = UploadFile.join(directory, ".upload-\(tag).part")
            let fd = FileResolver.cString(path).withUnsafeBufferPointer {
                open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            }
            if fd >= 0 {
                self.fd = fd
                self.tempPath = path
                return
            }
            if errno != EEXIST { throw UploadFile.error(errno) }
        }
    }

    deinit { discard() }

    /// Appends bytes. The write blocks on a regular file, which is fast and bounded.
    func write(_ bytes: UnsafeRawBufferPointer) throws(HandlerError) {
        guard fd >= 0 else { throw HandlerError(500) }
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw UploadFile.error(errno)
            }
            offset += n
        }
        size += bytes.count
    }

    /// Closes the file and gives it a free name derived from `name` (`a.txt`, `a-1.txt`, …),
    /// searching from the suffix `hints` last gave that name. `link` fails instead of replacing,
    /// so a name taken by a concurrent upload is skipped and nothing is ever overwritten.
    /// Returns the name used.
    func commit(as name: String, hints: UploadNameHints? = nil) throws(HandlerError) -> String {
        try close()
        let temp = FileResolver.cString(tempPath)
        let key = UploadFile.join(directory, name)
        while true {
            let (chosen, suffix) = UploadFileName.unique(name, after: hints?.suffix(for: key) ?? 0) {
                FileResolver.exists(UploadFile.join(directory, $0))
            }
            let target = FileResolver.cString(UploadFile.join(directory, chosen))
            if link(temp, target) == 0 {
                removeTemp()
                hints?.remember(suffix, for: key)
                return chosen
            }
            let e = errno
            if e == EEXIST { continue }  // lost a race for that name: take the next
            if e == EPERM || e == EXDEV || e == EMLINK || e == ENOTSUP || e == ENOSYS {
                // A file system without hard links: fall back to the checked rename.
                if rename(temp, target) == 0 { return chosen }
            }
            removeTemp()
            throw UploadFile.error(e)
        }
    }

    /// PUT (RFC 9110 §9.3.4): closes the file and puts it at `name`, replacing any file there
    /// in one step (rename(2)), so readers see the old file or the new one, never a part.
    /// Returns true when a file was replaced, false when `name` was created.
    func replace(_ name: String) throws(HandlerError) -> Bool {
        try close()
        let temp = FileResolver.cString(tempPath)
        let target = FileResolver.cString(UploadFile.join(directory, name))
        if link(temp, target) == 0 {
            removeTemp()
            return false
        }
        let existed = errno == EEXIST || FileResolver.exists(UploadFile.join(directory, name))
        guard rename(temp, target) == 0 else {
            let e = errno
            removeTemp()
            throw UploadFile.error(e)
        }
        return existed
    }

    /// Closes the written file; a failed close (a delayed write error) drops it.
    private func close() throws(HandlerError) {
        guard fd >= 0 else { throw HandlerError(500) }
        let rc = Glibc.close(fd)
        fd = -1
        if rc != 0 {
            let e = errno
            removeTemp()
            throw UploadFile.error(e)
        }
    }

    /// Drops an unfinished file: closed and unlinked (idempotent).
    func discard() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
        removeTemp()
    }

    private func removeTemp() {
        _ = FileResolver.cString(tempPath).withUnsafeBufferPointer { unlink($0.baseAddress!) }
    }

    /// Removes a committed file (a later part of the same request failed).
    static func remove(_ name: String, in directory: String) {
        _ = FileResolver.cString(join(directory, name)).withUnsafeBufferPointer { unlink($0.baseAddress!) }
    }

    static func join(_ directory: String, _ name: String) -> [UInt8] {
        var path = Array(directory.utf8)
        if path.last != 0x2F { path.append(0x2F) }
        path.append(contentsOf: name.utf8)
        return path
    }

    /// The one place an errno of the store becomes a status (as nginx's dav module does).
    /// EFBIG: the file passed RLIMIT_FSIZE (or the file system's maximum file size).
    static func error(_ e: Int32) -> HandlerError {
        switch e {
        case ENOSPC, EDQUOT, EFBIG: return HandlerError(507)
        case EACCES, EPERM, EROFS: return HandlerError(403)
        case EISDIR, ENOTEMPTY: return HandlerError(409)  // PUT onto a directory
        default: return HandlerError(500)
        }
    }
}
