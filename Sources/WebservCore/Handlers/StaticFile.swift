#if canImport(Glibc)
    import Glibc
#endif

/// GET/HEAD of files and directories: conditional requests, single ranges, index files,
/// autoindex, and the 301 that adds a directory's trailing slash.
public enum StaticFile {
    public static func handle(_ c: Connection, _ req: RequestHead, location: LocationConfig) {
        guard let path = FileResolver.resolvedPath(req.path, location: location)?.path else { return c.respondError(403) }
        let settings = location.compression
        // Looked up at most once per request, by whichever step needs it first.
        var stat: FileResolver.StatResult?
        // Fast path: a cached small file (or its precompressed form) answered with prebuilt headers.
        if mayUseCache(req), let entry = cachedEntry(c, path, location, stat: &stat),
            typeMatches(entry, route: c.route, path: path, location: location)
        {
            if !settings.servesPrecompressed { return respondCached(c, entry) }
            if let answer = cachedPrecompressed(c, req: req, entry: entry, path: path, settings: settings) {
                return respondCached(c, answer.entry, vary: answer.vary)
            }
            // The cache cannot tell which encoded forms exist (not watched, or one too big or
            // too new to keep): the disk says, and the entry still answers for the file itself.
            let precompressed = Precompressed.find(req, path: path, settings: settings)
            guard let variant = precompressed.variant else {
                return respondCached(c, entry, vary: precompressed.vary)
            }
            return serveFile(c, req: req, path: variant.path, info: variant.info, location: location, encoded: variant, of: path)
        }

        // compress
        let precompressed = Precompressed.find(req, path: path, settings: settings)
        if let variant = precompressed.variant {
            return serveFile(c, req: req, path: variant.path, info: variant.info, location: location, encoded: variant, of: path)
        }

        switch stat ?? FileResolver.fileInfo(path) {
        case .status(let s):
            return c.respondError(s)
        case .found(let info) where info.isDirectory:
            return directory(c, req: req, path: path, location: location)
        case .found(let info) where !info.isRegular:
            // A FIFO, socket or device: not a file to serve; nginx answers 404 ("is not a
            // regular file") and never opens it.
            return c.respondError(404)
        case .found(let info):
            serveFile(c, req: req, path: path, info: info, location: location, vary: precompressed.vary)
        }
    }

    /// The file's cache entry: a hit, or where precompressed files are served a new entry (its
    /// entry is where they are kept, so the file is cached even when only they are asked for).
    /// The stat this takes is left in `stat` for the caller.
    static func cachedEntry(
        _ c: Connection, _ path: [UInt8], _ location: LocationConfig, stat: inout FileResolver.StatResult?
    ) -> FileCache.Entry? {
        if let hit = c.server.files.lookup(path, now: c.loop.now) { return hit }
        guard location.compression.servesPrecompressed else { return nil }
        let result = FileResolver.fileInfo(path)
        stat = result
        guard case .found(let info) = result, info.isRegular, info.size <= FileCache.maxFileSize else { return nil }
        let fd = FileResolver.cString(path).withUnsafeBufferPointer { open($0.baseAddress!, O_RDONLY | O_NONBLOCK | O_CLOEXEC) }
        guard fd >= 0 else { return nil }
        defer { Sys.close(fd) }
        return cache(c, path, fd: fd, info: info, location: location)
    }

    /// Puts the file open at `fd` in the cache (which copies what it keeps), typed for the
    /// route that asked; nil when it is not cacheable.
    static func cache(
        _ c: Connection, _ path: [UInt8], fd: Int32, info: FileResolver.Info, location: LocationConfig,
        type: String? = nil
    ) -> FileCache.Entry? {
        let type = type ?? contentType(for: path, location: location)
        guard let entry = c.server.files.insert(path, fd: fd, info: info, contentType: type, now: c.loop.now) else { return nil }
        entry.typedFor = c.route.map(ObjectIdentifier.init)
        return entry
    }

    /// A cached entry's 200: its prebuilt head, its bytes (sent from its descriptor when it
    /// keeps one); a file's own entry offers its compressed copies to the compression step, an
    /// encoded one (whose head has Content-Encoding, and no Content-Type the step could read)
    /// goes as it is.
    /// Built in the call: a Response returned from a function was copied into place, then the
    /// original destroyed (a retain and a release per field, per request).
    static func respondCached(_ c: Connection, _ entry: FileCache.Entry, vary: Bool = false) {
        c.respond(
            Response(
                status: 200, headers: vary ? [("Vary", "Accept-Encoding")] : [], bytes: entry.contents,
                rawHeaders: entry.headerLines, descriptor: entry.descriptor,
                variants: entry.precompressedForm == nil ? entry : nil))
    }

    /// `Precompressed.find` from the cache: the entry to send (the encoded file's, or the
    /// file's own) and whether the answer varies; nil when the cache cannot tell without a stat.
    static func cachedPrecompressed(
        _ c: Connection, req: RequestHead, entry: FileCache.Entry, path: [UInt8], settings: CompressionSettings
    ) -> (entry: FileCache.Entry, vary: Bool)? {
        for candidate in Precompressed.ranked(req, settings: settings) {
            switch c.server.files.precompressed(candidate.coding, of: entry, path: path, now: c.loop.now) {
            case .unknown:
                return nil
            case .absent:
                continue
            case .present(let encoded):
                return candidate.q > 0 ? (encoded, false) : (entry, true)
            }
        }
        return (entry, false)
    }

    /// The cache's prebuilt heads suit a plain 200: not conditional requests, and not an error
    /// page, whose status and headers are rewritten as it is queued.
    static func mayUseCache(_ req: RequestHead) -> Bool {
        req.errorPage == nil && !hasConditions(req)
    }

    static func hasConditions(_ req: RequestHead) -> Bool {
        req.headers.contains { isConditional(req.bytes[$0.name]) }
    }

    /// Range and the validators: the headers that make an answer depend on the request.
    static func isConditional(_ name: ArraySlice<UInt8>) -> Bool {
        Bytes.equalsLowercased(name, "range") || Bytes.equalsLowercased(name, "if-range")
            || Bytes.equalsLowercased(name, "if-none-match") || Bytes.equalsLowercased(name, "if-modified-since")
            || Bytes.equalsLowercased(name, "if-unmodified-since") || Bytes.equalsLowercased(name, "if-match")
    }

    /// The entry was cached with the type `location` gives its path. Remembered for the last
    /// location that asked (routes live as long as the server), so a hit does no MIME lookup.
    static func typeMatches(
        _ entry: FileCache.Entry, route: ServerRoutes.Location?, path: [UInt8], location: LocationConfig
    ) -> Bool {
        let id = route.map(ObjectIdentifier.init)
        if id != nil, entry.typedFor == id { return true }
        guard entry.contentType == contentType(for: path, location: location) else { return false }
        entry.typedFor = id
        return true
    }

    static func contentType(for path: [UInt8], location: LocationConfig) -> String {
        let name = path[(path.lastIndex(of: 0x2F).map { $0 + 1 } ?? 0)...]
        let type = location.types.type(forFileName: name) ?? location.defaultType
        return Charset.contentType(type, charset: location.charset, types: location.charsetTypes)
    }

    /// nginx's strong validator: hex mtime and size.
    static func etag(_ info: FileResolver.Info) -> String {
        "\"\(String(info.mtime, radix: 16))-\(String(info.size, radix: 16))\""
    }

    /// Sends the file at `path`; `encoded` when it is the precompressed form of `original`,
    /// whose type it takes; `vary` when an encoded form exists that this client does not get.
    static func serveFile(
        _ c: Connection, req: RequestHead, path: [UInt8], info: FileResolver.Info, location: LocationConfig,
        encoded: Precompressed.Variant? = nil, of original: [UInt8]? = nil, vary: Bool = false
    ) {
        let fd = FileResolver.cString(path).withUnsafeBufferPointer { open($0.baseAddress!, O_RDONLY | O_NONBLOCK | O_CLOEXEC) }
        guard fd >= 0 else { return c.respondError(FileResolver.statusFor(errno: errno)) }
        let type = contentType(for: original ?? path, location: location)
        if encoded == nil, mayUseCache(req), let entry = cache(c, path, fd: fd, info: info, location: location, type: type) {
            Sys.close(fd)
            return respondCached(c, entry, vary: vary)
        }
        let tag = etag(info)
        let lastModified = String(decoding: HTTPDate.format(info.mtime), as: UTF8.self)
        let validators: [(name: String, value: String)] = [("Last-Modified", lastModified), ("ETag", tag)]
        let varies = encoded != nil || vary

        let wallSeconds = c.loop.dates.second
        if modifiedSince(req, mtime: info.mtime, now: wallSeconds) || !matches(req, etag: tag) {
            Sys.close(fd)
            return c.respondError(412)
        }
        if notModified(req, etag: tag, mtime: info.mtime, now: wallSeconds) {
            Sys.close(fd)
            // A 304 carries the Vary its 200 would (RFC 9110 §15.4.5), as nginx's gzip_static.
            return c.respond(Response(status: 304, headers: validators + (varies ? [("Vary", "Accept-Encoding")] : [])))
        }

        var headers = validators
        headers.insert(("Content-Type", type), at: 0)
        if let encoded { headers.append(("Content-Encoding", encoded.coding.token)) }
        if varies { headers.append(("Vary", "Accept-Encoding")) }
        switch ByteRange.evaluate(req, size: info.size, etag: tag, mtime: info.mtime, now: wallSeconds) {
        case .full:
            headers.append(("Accept-Ranges", "bytes"))
            c.respond(Response(status: 200, headers: headers, body: .file(fd: fd, offset: 0, length: info.size)))
        case .partial(let first, let last):
            // As nginx's range filter: Accept-Ranges only on the whole file, not on its parts.
            headers.append(("Content-Range", "bytes \(first)-\(last)/\(info.size)"))
            c.respond(Response(status: 206, headers: headers, body: .file(fd: fd, offset: first, length: last - first + 1)))
        case .unsatisfiable:
            Sys.close(fd)
            c.respondError(416, headers: [("Content-Range", "bytes */\(info.size)")])
        }
    }

    /// RFC 9110 §13.1.4: If-Unmodified-Since with a valid date older than the file fails (412);
    /// a value that is not a date is ignored.
    static func modifiedSince(_ req: RequestHead, mtime: Int, now: Int) -> Bool {
        guard let value = req.header("if-unmodified-since"), let since = HTTPDate.parse(value, now: now) else { return false }
        return mtime > since
    }

    /// RFC 9110 §13.1.1: If-Match holds when it is `*` or lists our (strong) ETag; a W/ tag
    /// never matches (strong comparison). Without the header it holds. As nginx: else 412.
    static func matches(_ req: RequestHead, etag: String) -> Bool {
        guard let value = req.header("if-match") else { return true }
        if isStar(value) { return true }
        var match = false
        let ours = Array(etag.utf8)
        Bytes.forEachToken(value) { token in
            if token.elementsEqual(ours) { match = true }
        }
        return match
    }

    /// The value is `*` alone (with spaces around it, or empty list elements, at most).
    static func isStar(_ value: ArraySlice<UInt8>) -> Bool {
        var tokens = 0
        var star = false
        Bytes.forEachToken(value) { token in
            tokens += 1
            star = token.elementsEqual([0x2A])
        }
        return tokens == 1 && star
    }

    /// RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since.
    static func notModified(_ req: RequestHead, etag: String, mtime: Int, now: Int) -> Bool {
        guard req.method == .get || req.method == .head else { return false }
        if let inm = req.header("if-none-match") {
            // `*` is the whole value or nothing (RFC 9110 §13.1.2); nginx reads it the same way.
            if isStar(inm) { return true }
            var match = false
            let ours = Array(etag.utf8)
            Bytes.forEachToken(inm) { token in
                var t = token
                if t.starts(with: [0x57, 0x2F]) { t = t.dropFirst(2) }  // weak comparison: W/
                if t.elementsEqual(ours) { match = true }
            }
            return match
        }
        // A date later than our clock is invalid (RFC 2616 §14.25; nginx answers 200 too): a
        // client with a fast clock must not be kept on a stale copy.
        if let ims = req.header("if-modified-since"), let since = HTTPDate.parse(ims, now: now), since <= now {
            return mtime <= since
        }
        return false
    }

    static func directory(_ c: Connection, req: RequestHead, path: [UInt8], location: LocationConfig) {
        if req.path.last != 0x2F {
            // req.path is decoded: escape it again, or "/a%3Fb" would redirect to "/a?b/".
            var target = HTML.percentEncodePath(req.path) + "/"
            // An empty query ("/dir?") is dropped, as nginx drops it.
            if req.queryRange != nil && !req.query.isEmpty { target += "?" + req.query }
            return c.respond(Redirect.response(301, location: target))
        }
        for name in location.index {
            // nginx: a name with an absolute path is the internal request's URI as it is, not
            // looked for on disk (so it is the list's last useful element).
            if name.hasPrefix("/") { return InternalRedirect.toIndex(c, req, name: name) }
            var candidate = path
            if candidate.last != 0x2F { candidate.append(0x2F) }
            candidate.append(contentsOf: name.utf8)
            if case .found(let info) = FileResolver.fileInfo(candidate), info.isRegular {
                return InternalRedirect.toIndex(c, req, name: name)
            }
        }
        if location.autoindex {
            return Autoindex.respond(c, req: req, path: path, location: location)
        }
        c.respondError(403)
    }
}
