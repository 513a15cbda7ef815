/// Precompressed files (SPEC 8): `gzip_static` (nginx) and `precompressed br zstd gzip;`
/// (Caddy): `FILE.br`, `FILE.zst` or `FILE.gz` beside FILE, when present and accepted, is
/// sent in FILE's place with FILE's type, its own ETag, length and ranges.
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
        let codings = settings.precompressedCodings
        guard !codings.isEmpty else { return (nil, false) }
        let accept = Connection.acceptEncoding(req)
        var ranked: [(coding: ContentCoding, q: Int, order: Int)] = []
        for (order, coding) in codings.enumerated() {
            var q = accept?.quality(coding) ?? 0
            // `gzip_static always`: the .gz whatever the client says (nginx).
            if coding == .gzip && settings.gzipStatic == .always { q = max(q, 1) }
            ranked.append((coding, q, order))
        }
        ranked.sort { ($0.q, -$0.order) > ($1.q, -$1.order) }
        var vary = false
        for candidate in ranked {
            let encoded = path + Array(candidate.coding.fileSuffix.utf8)
            guard case .found(let info) = FileResolver.fileInfo(encoded), info.isRegular else { continue }
            if candidate.q > 0 { return (Variant(path: encoded, info: info, coding: candidate.coding), true) }
            vary = true
            break
        }
        return (nil, vary)
    }
}
