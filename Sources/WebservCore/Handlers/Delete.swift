#if canImport(Glibc)
    import Glibc
#endif

/// DELETE of a file: 204, 404 when missing, 409 for a directory, 403 outside the root, alias
/// or upload_store it was found under (including through a symlinked directory).
public enum Delete {
    static func handle(_ c: Connection, location: LocationConfig) {
        guard let req = c.request, let mapping = FileResolver.resolve(req.path, location: location) else {
            return c.respondError(403)
        }
        let path = mapping.path
        guard within(path, base: mapping.base) else { return c.respondError(403) }
        var st = stat()
        let rc = FileResolver.cString(path).withUnsafeBufferPointer { lstat($0.baseAddress!, &st) }
        guard rc == 0 else { return c.respondError(FileResolver.statusFor(errno: errno)) }
        if st.st_mode & S_IFMT == S_IFDIR { return c.respondError(409) }
        // A symlink is unlinked itself (its target is never touched), unless it names a
        // directory: that is a directory to the client, as it is to GET.
        if st.st_mode & S_IFMT == S_IFLNK, case .found(let info) = FileResolver.fileInfo(path), info.isDirectory {
            return c.respondError(409)
        }
        let ok = FileResolver.cString(path).withUnsafeBufferPointer { unlink($0.baseAddress!) }
        guard ok == 0 else { return c.respondError(FileResolver.statusFor(errno: errno)) }
        c.server.files.forget(path)
        c.respond(Response(status: 204))
    }

    /// The real directory holding `path` lies inside the real `base`.
    static func within(_ path: [UInt8], base: String) -> Bool {
        guard let slash = path.lastIndex(of: 0x2F) else { return false }
        let parent = Array(path[..<max(slash, 1)])
        guard let realParent = realPath(parent), let realBase = realPath(Array(base.utf8)) else { return true }
        return realParent == realBase || realParent.starts(with: realBase + [0x2F]) || realBase == [0x2F]
    }

    static func realPath(_ p: [UInt8]) -> [UInt8]? {
        guard let r = FileResolver.cString(p).withUnsafeBufferPointer({ realpath($0.baseAddress!, nil) }) else { return nil }
        defer { free(r) }
        return Array(String(cString: r).utf8)
    }
}
