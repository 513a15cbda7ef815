#if canImport(Glibc)
    import Glibc
#endif

/// Tells the file cache which entries a change on disk made stale, so a hit needs no stat(2)
/// (SPEC 3: the request after a change gets the new file). One inotify descriptor watches each
/// cached file (its inode: writes through any name or symlink) and its directory (renames,
/// deletes, new files put in its place). The loop reads the events before it serves the
/// requests of the same iteration; a lost queue (IN_Q_OVERFLOW) drops the whole cache.
final class FileWatch: PollHandler {
    let fd: Int32
    /// Watch descriptor → the cache keys it guards.
    private var guarded: [Int32: Set<FileCache.Key>] = [:]
    private var buffer = [UInt8](repeating: 0, count: 16 * 1024)
    /// Called with the keys to drop; nil for all of them.
    var onStale: (Set<FileCache.Key>?) -> Void = { _ in }

    static let fileEvents = UInt32(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)
    static let directoryEvents = UInt32(
        IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF
            | IN_MOVE_SELF)

    /// Nil when inotify is not available: the cache then revalidates with stat(2).
    init?() {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        if fd < 0 { return nil }
    }

    deinit { close(fd) }

    /// Watches `key`'s file and directory; the watch descriptors, or nil when a watch could not
    /// be added (a limit reached): that entry is then revalidated with stat(2).
    func watch(_ key: FileCache.Key) -> [Int32]? {
        let path = key.path
        guard let slash = path.lastIndex(of: 0x2F) else { return nil }
        let directory = slash == 0 ? [0x2F] : Array(path[..<slash])
        let file = FileResolver.cString(path).withUnsafeBufferPointer { inotify_add_watch(fd, $0.baseAddress!, Self.fileEvents) }
        guard file >= 0 else { return nil }
        guarded[file, default: []].insert(key)
        let dir = FileResolver.cString(directory).withUnsafeBufferPointer {
            inotify_add_watch(fd, $0.baseAddress!, Self.directoryEvents)
        }
        guard dir >= 0 else {
            release(key, watches: [file])
            return nil
        }
        guarded[dir, default: []].insert(key)
        return [file, dir]
    }

    /// `key` left the cache: its watches go when nothing else needs them.
    func release(_ key: FileCache.Key, watches: [Int32]) {
        for wd in watches {
            guarded[wd]?.remove(key)
            if guarded[wd]?.isEmpty == true {
                guarded[wd] = nil
                inotify_rm_watch(fd, wd)
            }
        }
    }

    func releaseAll() {
        for wd in guarded.keys { inotify_rm_watch(fd, wd) }
        guarded.removeAll()
    }

    func pollReady(fd: Int32, events: Int16, loop: EventLoop) {
        drain()
    }

    /// Reads every queued event and reports what went stale.
    func drain() {
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { return }
            var stale = Set<FileCache.Key>()
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= n {
                let (wd, mask, length) = buffer.withUnsafeBytes { raw in
                    let e = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (e.wd, e.mask, Int(e.len))
                }
                let nameBytes = buffer[(offset + header)..<(offset + header + length)]
                offset += header + length
                if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    onStale(nil)
                    continue
                }
                guard let keys = guarded[wd] else { continue }
                let name = nameBytes.prefix { $0 != 0 }
                for key in keys where name.isEmpty || Self.names(key, name) { stale.insert(key) }
            }
            if !stale.isEmpty { onStale(stale) }
        }
    }

    /// The key's last path component is `name`, or `name` is that component and a
    /// precompressed suffix: the entry remembers whether `FILE.gz` exists, so a `FILE.gz` made,
    /// changed or deleted beside it makes it stale too.
    static func names(_ key: FileCache.Key, _ name: ArraySlice<UInt8>) -> Bool {
        if isLastComponent(key.path, name) { return true }
        for coding in ContentCoding.allCases {
            let suffix = coding.fileSuffix.utf8
            if name.count > suffix.count, name.reversed().starts(with: suffix.reversed()),
                isLastComponent(key.path, name.dropLast(suffix.count))
            {
                return true
            }
        }
        return false
    }

    private static func isLastComponent(_ path: [UInt8], _ name: ArraySlice<UInt8>) -> Bool {
        guard path.count > name.count, path[path.count - name.count - 1] == 0x2F else { return false }
        return path[(path.count - name.count)...].elementsEqual(name)
    }
}
