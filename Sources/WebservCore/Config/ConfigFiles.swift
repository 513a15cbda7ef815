#if canImport(Glibc)
    import Glibc
#endif

/// Reading configuration files and joining their paths, with Glibc only.
enum ConfigFiles {
    /// The largest configuration file read: `/dev/zero` or a runaway file is an error, not a hang.
    static let maxFileSize = 64 << 20

    /// The whole file, or the `strerror` text of the failing call (`EFBIG` past `maxFileSize`).
    static func readFile(absolutePath: String, limit: Int = maxFileSize) -> Result<[UInt8], ReadFailure> {
        let fd = open(absolutePath, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return .failure(ReadFailure(call: "open", errno: errno)) }
        defer { close(fd) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(ReadFailure(call: "read", errno: errno))
            }
            if count == 0 { return .success(contents) }
            if contents.count + count > limit { return .failure(ReadFailure(call: "read", errno: EFBIG)) }
            contents.append(contentsOf: chunk[0..<count])
        }
    }

    /// A failed system call, worded like nginx: `open() "PATH" failed (No such file or directory)`.
    struct ReadFailure: Error {
        var call: String
        var errno: Int32
        func message(path: String) -> String {
            "\(call)() \"\(path)\" failed (\(String(cString: strerror(errno))))"
        }

        /// No file there (rather than one that cannot be read).
        var isMissing: Bool { errno == ENOENT || errno == ENOTDIR }
    }

    /// Where the configuration file named on the command line is looked for, with the name
    /// its messages use: a relative `path` in the working directory `cwd` (as any command-line
    /// path), then, when `-p` gave a `prefix`, under it (as nginx's `-c`).
    static func commandLineCandidates(_ path: String, cwd: String, prefix: String?) -> [(name: String, path: String)] {
        if isAbsolute(path) { return [(path, path)] }
        var candidates = [(name: path, path: resolve(path, against: cwd))]
        if let prefix, prefix != cwd {
            let underPrefix = resolve(path, against: prefix)
            candidates.append((underPrefix, underPrefix))
        }
        return candidates
    }

    static func isAbsolute(_ path: String) -> Bool { path.utf8.first == UInt8(ascii: "/") }

    /// A name with glob(3) wildcards, as nginx's `include` tells them: `*`, `?` or `[`.
    static func isPattern(_ path: String) -> Bool {
        path.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }
    }

    /// The paths matching `pattern`, sorted (glob(3)'s order); no match is an empty list.
    static func glob(_ pattern: String) -> Result<[String], ReadFailure> {
        var matches = glob_t()
        defer { globfree(&matches) }
        switch Glibc.glob(pattern, 0, nil, &matches) {
        case 0:
            return .success((0..<Int(matches.gl_pathc)).compactMap { matches.gl_pathv[$0].map { String(cString: $0) } })
        case GLOB_NOMATCH:
            return .success([])
        default:
            // Without GLOB_ERR unreadable directories are skipped: what is left is running out of memory.
            return .failure(ReadFailure(call: "glob", errno: ENOMEM))
        }
    }

    /// `path` unchanged when absolute, else appended to `base`.
    static func resolve(_ path: String, against base: String) -> String {
        if isAbsolute(path) || base.isEmpty { return path }
        if path.isEmpty { return base }
        return base.utf8.last == UInt8(ascii: "/") ? base + path : base + "/" + path
    }

    /// Everything before the last "/", "" when there is none, "/" for a file at the root.
    static func directory(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        if slash == path.utf8.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// Trailing slashes removed, but "/" itself kept.
    static func trimTrailingSlashes(_ path: String) -> String {
        var result = Substring(path)
        while result.count > 1, result.last == "/" { result.removeLast() }
        return String(result)
    }
}
