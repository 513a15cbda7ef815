#if canImport(Glibc)
    import Glibc
#endif

/// Precompressed files (`FILE.gz`, `.br`, `.zst`) kept in the cache beside the file they belong
/// to, so a hit on one costs what a plain hit costs: no stat, open or head built per request.
/// Each is an entry of its own (its own watches, head and ETag); the file's entry remembers it,
/// or that it is absent, for as long as its directory is watched (a `FILE.gz` made there later
/// makes the file's entry stale: `FileWatch.names`).
extension FileCache {
    enum Beside {
        case absent
        case present(Entry)
        /// Not known without a stat: the file's entry is not watched, or the encoded file cannot
        /// be kept (too large, changed too recently). The request takes the uncached way.
        case unknown
    }

    /// What is known of `path` + `coding`'s suffix beside `entry` (the cached file at `path`),
    /// looked up once and then remembered.
    func precompressed(_ coding: ContentCoding, of entry: Entry, path: [UInt8], now: Int) -> Beside {
        if let i = entry.precompressed.firstIndex(where: { $0.coding == coding }) {
            guard let kept = entry.precompressed[i].entry else { return .absent }
            if !kept.removed { return .present(kept) }
            entry.precompressed.remove(at: i)
        }
        guard entry.watches != nil, !entry.removed else { return .unknown }
        let encodedPath = path + Array(coding.fileSuffix.utf8)
        guard case .found(let info) = FileResolver.fileInfo(encodedPath), info.isRegular else {
            entry.precompressed.append((coding, nil))
            return .absent
        }
        // Too large to keep: the request takes the uncached way without opening it first.
        guard info.size <= Self.maxFileSize else { return .unknown }
        var kept = lookup(encodedPath, coding: coding, now: now)
        if kept?.contentType != entry.contentType || kept?.watches == nil {
            let fd = FileResolver.cString(encodedPath).withUnsafeBufferPointer {
                open($0.baseAddress!, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            }
            guard fd >= 0 else { return .unknown }
            kept = insert(encodedPath, coding: coding, fd: fd, info: info, contentType: entry.contentType, now: now)
            Sys.close(fd)
        }
        guard let kept, kept.watches != nil else { return .unknown }
        entry.precompressed.append((coding, kept))
        return .present(kept)
    }
}
