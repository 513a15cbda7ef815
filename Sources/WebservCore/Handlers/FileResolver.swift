#if canImport(Glibc)
    import Glibc
#endif

/// The only place a request path becomes a file-system path (nginx's ngx_http_map_uri_to_path).
public enum FileResolver {
    /// A request path mapped to disk, with the directory it must stay inside (DELETE checks
    /// the real path against it, through symlinks too).
    public struct Mapping {
        public var path: [UInt8]
        public var base: String
    }

    /// `root` + path, or `alias` replacing the location's prefix. The path is already
    /// normalised; the part after an alias prefix is normalised again on its own so that a
    /// prefix without a trailing slash (`location /img` + `/img../x`) cannot climb out.
    public static func map(_ path: [UInt8], location: LocationConfig) -> [UInt8]? {
        guard let alias = location.alias else { return joined(location.root, path) }
        return replacingPrefix(of: path, location: location, with: alias)
    }

    /// Where GET, HEAD and DELETE find a file (SPEC §4: the `Location` a POST answered must name
    /// it). In a location with `upload_store`, what exists in the store, mapped there as `alias`
    /// maps; else the location's root or alias. A directory in the store yields to one under
    /// the root, so a form page at the location's own URI keeps working.
    public static func resolve(_ path: [UInt8], location: LocationConfig) -> Mapping? {
        resolvedPath(path, location: location).map { Mapping(path: $0.path, base: $0.base ?? location.alias ?? location.root) }
    }

    /// `resolve`'s path alone, and its base only when it is the store: what StaticFile needs on
    /// every request, without building the base of the usual case.
    public static func resolvedPath(_ path: [UInt8], location: LocationConfig) -> (path: [UInt8], base: String?)? {
        guard let store = location.uploadStore else { return map(path, location: location).map { ($0, nil) } }
        let mapped = map(path, location: location)
        guard let inStore = replacingPrefix(of: path, location: location, with: store),
            exists(inStore)
        else { return mapped.map { ($0, nil) } }
        if let mapped, case .found(let info) = fileInfo(inStore), info.isDirectory, exists(mapped) {
            return (mapped, nil)
        }
        return (inStore, store)
    }

    /// `base` + the part of `path` after the location's prefix, normalised on its own; nil when
    /// that part climbs above `base`.
    static func replacingPrefix(of path: [UInt8], location: LocationConfig, with base: String) -> [UInt8]? {
        var rest = Array(path.dropFirst(min(location.path.utf8.count, path.count)))
        if rest.first != 0x2F { rest.insert(0x2F, at: 0) }
        guard let clean = try? PathNormalizer.normalize(rest[...]) else { return nil }
        return joined(base, clean != [0x2F] || path.last == 0x2F ? clean : [])
    }

    /// `base` without a trailing slash, then `path`: one allocation, bytes copied in blocks
    /// (building it from `String.UTF8View` went element by element, on every request).
    static func joined(_ base: String, _ path: [UInt8]) -> [UInt8] {
        var base = base
        return base.withUTF8 { prefix in
            let head = prefix.last == 0x2F ? UnsafeBufferPointer(rebasing: prefix.dropLast()) : prefix
            return [UInt8](unsafeUninitializedCapacity: head.count + path.count) { buffer, count in
                _ = UnsafeMutableBufferPointer(rebasing: buffer[..<head.count]).initialize(from: head)
                _ = UnsafeMutableBufferPointer(rebasing: buffer[head.count...]).initialize(from: path)
                count = head.count + path.count
            }
        }
    }

    /// Something (a dangling symlink too) is at `path`.
    public static func exists(_ path: [UInt8]) -> Bool {
        var st = stat()
        return cString(path).withUnsafeBufferPointer { lstat($0.baseAddress!, &st) } == 0
    }

    /// stat(2) result reduced to what handlers use.
    public struct Info {
        public var isDirectory: Bool
        public var isRegular: Bool
        public var size: Int
        public var mtime: Int
        public var inode: UInt64
        /// What the file cache compares on every hit: a rewrite changes one of them, and the
        /// change time cannot be set back by `touch -d` or `cp -p` as the mtime can.
        public var version = Version()

        public struct Version: Equatable {
            public var device: UInt64 = 0
            public var mtimeNanoseconds = 0
            /// Nanoseconds since the epoch of the last change to the contents or attributes.
            public var ctimeNanoseconds = 0
        }
    }

    public enum StatResult {
        case found(Info)
        case status(Int)
    }

    public static func fileInfo(_ path: [UInt8]) -> StatResult {
        var st = stat()
        let rc = cString(path).withUnsafeBufferPointer { lstatFollowing($0.baseAddress!, &st) }
        if rc != 0 { return .status(statusFor(errno: errno)) }
        let mode = st.st_mode & S_IFMT
        return .found(info(st))
    }

    /// lstat(2) reduced the same way: a symlink's own data (for one that points nowhere).
    public static func linkInfo(_ path: [UInt8]) -> Info? {
        var st = stat()
        return cString(path).withUnsafeBufferPointer { lstat($0.baseAddress!, &st) } == 0 ? info(st) : nil
    }

    /// The same reduction for an fstat(2) of an open file.
    public static func fileInfo(fd: Int32) -> Info? {
        var st = stat()
        return fstat(fd, &st) == 0 ? info(st) : nil
    }

    private static func info(_ st: stat) -> Info {
        let mode = st.st_mode & S_IFMT
        var version = Info.Version()
        version.device = UInt64(st.st_dev)
        version.mtimeNanoseconds = Int(st.st_mtim.tv_nsec)
        version.ctimeNanoseconds = Int(st.st_ctim.tv_sec) &* 1_000_000_000 &+ Int(st.st_ctim.tv_nsec)
        return Info(
            isDirectory: mode == S_IFDIR, isRegular: mode == S_IFREG, size: Int(st.st_size),
            mtime: Int(st.st_mtim.tv_sec), inode: UInt64(st.st_ino), version: version)
    }

    /// One switch from errno to status, as nginx's static module: ENOENT→404, EACCES→403.
    public static func statusFor(errno e: Int32) -> Int {
        switch e {
        case ENOENT, ENOTDIR, ENAMETOOLONG, ELOOP: return 404
        case EACCES, EPERM: return 403
        default: return 500
        }
    }

    /// The path NUL-terminated for a system call: one copy of the bytes (a per-byte `map`
    /// cost ~15 instructions a byte, on every stat and open of every request).
    public static func cString(_ path: [UInt8]) -> [CChar] {
        [CChar](unsafeUninitializedCapacity: path.count + 1) { buffer, count in
            path.withUnsafeBytes { bytes in
                if let from = bytes.baseAddress {
                    UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: from, byteCount: bytes.count)
                }
            }
            buffer[path.count] = 0
            count = path.count + 1
        }
    }
}

/// stat(2) under another name: inside FileResolver `stat` means the struct.
@inline(__always)
private func lstatFollowing(_ path: UnsafePointer<CChar>, _ st: inout stat) -> Int32 {
    stat(path, &st)
}
