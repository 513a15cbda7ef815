/// Precompressed files (SPEC 8): `gzip_static` (nginx) and `precompressed br zstd gzip;`
/// (Caddy): `FILE.br`, `FILE.zst` or `FILE.gz` beside FILE, when present and accepted, is
/// sent in FILE's place with FILE's type, its own ETag and length. A Range request gets FILE
/// itself (SPEC 8: ranges are answered from the identity representation, 206 without
/// Content-Encoding), unless FILE is missing and only its encoded form exists.
enum Precompressed {
    struct Variant {
        var path: [UInt8]
        var info: FileResolver.Info
        var coding: ContentCoding
    }

    /// What to send for `path`: the encoded file of best quality to the client (ties by the
    /// configured order), else the identity file, with `vary` when an encoded form exists that
    /// another client would get (nginx's gzip_static with gzip_vary).
    static func find(_ req: RequestHead, path: [UInt8], settings: CompressionSettings) -> (variant: Variant?, vary: Bool) {
        var vary = false
        for candidate in ranked(req, settings: settings) {
            let encoded = path + Array(candidate.coding.fileSuffix.utf8)
            guard case .found(let info) = FileResolver.fileInfo(encoded), info.isRegular else { continue }
            if candidate.q > 0 && !(req.header("range") != nil && identityExists(path)) {
                return (Variant(path: encoded, info: info, coding: candidate.coding), true)
            }
            vary = true
            break
        }
        return (nil, vary)
    }

    private static func identityExists(_ path: [UInt8]) -> Bool {
        if case .found(let info) = FileResolver.fileInfo(path), info.isRegular { return true }
        return false
    }

    /// The configured codings, best first for this client: its quality (0 when it does not
    /// accept one), ties by the configured order. `find` and the file cache
    /// (`StaticFile.cachedPrecompressed`) walk them the same way: the first that exists is
    /// sent if accepted, else only makes the answer vary.
    static func ranked(_ req: RequestHead, settings: CompressionSettings) -> [(coding: ContentCoding, q: Int)] {
        let codings = settings.precompressedCodings
        guard !codings.isEmpty else { return [] }
        let accept = Connection.acceptEncoding(req)
        let gzipAllowed = CompressionFilter.gzipAllowed(req, settings: settings)
        var ranked: [(coding: ContentCoding, q: Int, order: Int)] = []
        for (order, coding) in codings.enumerated() {
            var q = accept?.quality(coding) ?? 0
            // `gzip_static on` asks what the gzip filter asks (gzip_http_version, gzip_disable).
            if coding == .gzip && !gzipAllowed { q = 0 }
            // `gzip_static always` / `brotli_static always`: that file whatever the client says.
            if coding == .gzip && settings.gzipStatic == .always { q = max(q, 1) }
            if coding == .br && settings.brotliStatic == .always { q = max(q, 1) }
            ranked.append((coding, q, order))
        }
        ranked.sort { ($0.q, -$0.order) > ($1.q, -$1.order) }
        return ranked.map { ($0.coding, $0.q) }
    }
}
