#if canImport(Glibc)
    import Glibc
#endif

/// Small hot files kept in memory with their response headers prebuilt. An entry is dropped
/// when inotify reports a change to its file or directory (`FileWatch`), which the loop reads
/// before it serves the requests of the same iteration; where inotify is not available (or
/// its limits are reached), a hit is revalidated with one stat(2) (size, inode, mtime and
/// ctime to the nanosecond). Either way the request after a change gets the new file (SPEC 3).
///
/// File times come from a coarse clock: a rewrite right after a read may keep the same
/// times ("racy git"). So a file changed within `racyWindow` of being read is not kept;
/// any later change then gets a change time that differs from the one kept.
public final class FileCache {
    public final class Entry {
        let contents: [UInt8]
        let info: FileResolver.Info
        let etag: String
        let lastModified: String
        /// The type it was cached with: the same file may be served by locations with other types.
        let contentType: String
        /// Set when it is the precompressed form of another file (its head says so).
        let precompressedForm: ContentCoding?
        /// "Content-Type … Content-Length … Last-Modified … ETag … Accept-Ranges" lines.
        let headerLines: [UInt8]
        var checkedAt: Int
        /// The route (`ServerRoutes.Location`) last found to give it `contentType`.
        var typedFor: ObjectIdentifier?
        /// The inotify watches that guard it; nil when every hit must stat(2) the file.
        var watches: [Int32]?
        // compress
        /// Compressed copies with their heads, made on first demand (`FileCache+Encoded`);
        /// they go with the entry when the file changes.
        var encodedVariants: [EncodedKey: (body: [UInt8], headerLines: [UInt8])] = [:]
        /// The precompressed files beside this one (`FILE.gz`, ...) as far as they were looked
        /// for: their entries, or nil when known absent (`FileCache+Precompressed`).
        var precompressed: [(coding: ContentCoding, entry: Entry?)] = []
        /// Set when the entry leaves the cache: a file holding it as its precompressed form
        /// then looks again.
        var removed = false
        /// The descriptor it was read from, kept for sendfile when the file is large enough that
        /// copying it per response costs more than the system call (`FileCache.sendfileMinimum`).
        let descriptor: CachedDescriptor?

        /// `coding`: the entry is the precompressed form of a file whose type it takes, and its
        /// head says so (Content-Encoding, Vary).
        init(
            contents: [UInt8], info: FileResolver.Info, contentType: String, coding: ContentCoding? = nil,
            descriptor: CachedDescriptor? = nil, checkedAt: Int
        ) {
            self.contents = contents
            self.info = info
            self.etag = StaticFile.etag(info)
            self.lastModified = String(decoding: HTTPDate.format(info.mtime), as: UTF8.self)
            self.contentType = contentType
            self.precompressedForm = coding
            var h: [UInt8] = []
            Bytes.append("Content-Type: \(contentType)\r\nContent-Length: \(contents.count)\r\n", to: &h)
            Bytes.append("Last-Modified: \(lastModified)\r\nETag: \(etag)\r\nAccept-Ranges: bytes\r\n", to: &h)
            if let coding { Bytes.append("Content-Encoding: \(coding.token)\r\nVary: Accept-Encoding\r\n", to: &h) }
            self.headerLines = h
            self.descriptor = descriptor
            self.checkedAt = checkedAt
        }
    }

    /// An open descriptor shared by a cache entry and the responses that send from it: closed
    /// when the last of them lets go, so an entry dropped mid-send cannot close it under one.
    final class CachedDescriptor {
        let fd: Int32
        init(_ fd: Int32) { self.fd = fd }
        deinit { Sys.close(fd) }
    }

    public static let maxFileSize = 256 * 1024
    /// Files from this size on keep their descriptor and are sent with sendfile(2) (as nginx's
    /// open_file_cache does): no copy of the bytes per response. Smaller ones are copied behind
    /// the head, one send for both.
    static let sendfileMinimum = 16 * 1024
    /// At most this many descriptors stay open for sendfile; entries beyond are sent from
    /// memory. An eighth of the process's open-file limit at most, so that the cache never
    /// takes the descriptors connections need (1,024, a common default, leaves it 128).
    let maxDescriptors = FileCache.descriptorBudget(openFileLimit: Sys.openFileLimit())
    static func descriptorBudget(openFileLimit: Int) -> Int { min(256, openFileLimit / 8) }
    fileprivate var descriptors = 0
    static let racyWindow = 1_000_000_000
    static let maxTotal = 64 << 20
    fileprivate var entries: [Key: Entry] = [:]
    fileprivate var total = 0
    /// Nil until `startWatching`, or when inotify is not available.
    private(set) var watcher: FileWatch?

    public init() {}

    /// Makes hits stat-free; the descriptor to poll (before any connection), or nil when
    /// inotify is not available and hits keep revalidating with stat(2).
    func startWatching() -> FileWatch? {
        guard let w = FileWatch() else { return nil }
        w.onStale = { [unowned self] keys in
            guard let keys else { return self.removeAll() }
            for key in keys { self.remove(key) }
        }
        watcher = w
        return w
    }

    /// A path as dictionary key, hashed as one block of bytes: `[UInt8]`'s own hashing
    /// feeds the hasher byte by byte, which cost more than the rest of the lookup. `coding`
    /// marks a precompressed file kept as the encoded form of another (its head differs from
    /// the one the same file gets when asked for by its own name).
    struct Key: Hashable {
        let path: [UInt8]
        let coding: ContentCoding?
        init(_ path: [UInt8], coding: ContentCoding? = nil) {
            self.path = path
            self.coding = coding
        }

        func hash(into hasher: inout Hasher) {
            path.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    /// A fresh entry for `path`, or nil when the file changed, vanished or is not cached.
    func lookup(_ path: [UInt8], coding: ContentCoding? = nil, now: Int) -> Entry? {
        let key = Key(path, coding: coding)
        guard let e = entries[key] else { return nil }
        if e.watches != nil { return e }
        if case .found(let info) = FileResolver.fileInfo(path), info.isRegular, Self.same(info, e.info) {
            e.checkedAt = now
            return e
        }
        remove(key)
        return nil
    }

    /// Reads a small regular file whole (from an fd already opened) and keeps it; `coding`
    /// when it is the precompressed form of a file of type `contentType`. The entry may keep
    /// `fd` (a duplicate of it) for sendfile; the caller still closes its own.
    func insert(
        _ path: [UInt8], coding: ContentCoding? = nil, fd: Int32, info: FileResolver.Info, contentType: String,
        now: Int
    ) -> Entry? {
        // Changed too recently to tell the next change apart: not kept (and not read twice).
        guard info.size <= Self.maxFileSize,
            Clock.wallNanoseconds() - info.version.ctimeNanoseconds >= Self.racyWindow
        else { return nil }
        let key = Key(path, coding: coding)
        remove(key)
        // Watched before it is read: a change from here on is reported.
        let watches = watcher?.watch(key)
        var contents = [UInt8](repeating: 0, count: info.size)
        var got = 0
        while got < info.size {
            let n = contents.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, info.size - got, off_t(got)) }
            if n <= 0 { break }
            got += n
        }
        // Changed since it was looked at (a write after the check above gets a later ctime).
        guard got == info.size, let after = FileResolver.fileInfo(fd: fd), Self.same(after, info) else {
            if let watches { watcher?.release(key, watches: watches) }
            return nil
        }
        if total + info.size > Self.maxTotal { removeAll() }
        // Only a watched entry sends from its descriptor: inotify drops it on a change, where a
        // stat per hit would let a rewrite in place through between the check and the send.
        var descriptor: CachedDescriptor?
        if watches != nil, info.size >= Self.sendfileMinimum, descriptors < maxDescriptors {
            let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
            if copy >= 0 {
                descriptor = CachedDescriptor(copy)
                descriptors += 1
            }
        }
        let e = Entry(
            contents: contents, info: info, contentType: contentType, coding: coding, descriptor: descriptor,
            checkedAt: now)
        e.watches = watches
        entries[key] = e
        total += info.size
        return e
    }
}

extension FileCache {
    static func same(_ a: FileResolver.Info, _ b: FileResolver.Info) -> Bool {
        a.size == b.size && a.inode == b.inode && a.mtime == b.mtime && a.version == b.version
    }

    /// Drops an entry (after DELETE or an upload replaced the file) before inotify tells. A
    /// precompressed form (`FILE.gz`) is kept under its coding: dropping it also makes FILE's
    /// entry ask the disk again (it sees the form `removed`).
    public func forget(_ path: [UInt8]) {
        remove(Key(path))
        for coding in ContentCoding.allCases where path.count > coding.fileSuffix.utf8.count {
            if path.reversed().starts(with: coding.fileSuffix.utf8.reversed()) { remove(Key(path, coding: coding)) }
        }
    }

    func remove(_ key: Key) {
        guard let e = entries.removeValue(forKey: key) else { return }
        total -= e.contents.count
        e.removed = true
        if e.descriptor != nil { descriptors -= 1 }
        if let watches = e.watches { watcher?.release(key, watches: watches) }
    }

    func removeAll() {
        for e in entries.values { e.removed = true }
        entries.removeAll()
        total = 0
        descriptors = 0
        watcher?.releaseAll()
    }
}
