/// Precompressed files (SPEC 8): `gzip_static` (nginx) and `precompressed br zstd gzip;`
/// (Caddy): `FILE.br`, `FILE.zst` or `FILE.gz` beside FILE, when present and accepted, is
/// sent in FILE's place with FILE's type, its own ETag, length and ranges.
enum Precompressed {
    struct Variant {
        var path: [UInt8]
        var info: FileResolver.Info
        var coding: ContentCoding
    }

    /// The encoded file to send for `path`, best first by the client's quality, ties by the
    /// configured order; nil when none is present or accepted.
    static func find(_ req: RequestHead, path: [UInt8], settings: CompressionSettings) -> Variant? {
        let codings = settings.precompressedCodings
        guard !codings.isEmpty else { return nil }
        let accept = Connection.acceptEncoding(req)
        var ranked: [(coding: ContentCoding, q: Int, order: Int)] = []
        for (order, coding) in codings.enumerated() {
            var q = accept?.quality(coding) ?? 0
            // `gzip_static always`: the .gz whatever the client says (nginx).
            if coding == .gzip && settings.gzipStatic == .always { q = max(q, 1) }
            if q > 0 { ranked.append((coding, q, order)) }
        }
        ranked.sort { ($0.q, -$0.order) > ($1.q, -$1.order) }
        for candidate in ranked {
            let encoded = path + Array(candidate.coding.fileSuffix.utf8)
            if case .found(let info) = FileResolver.fileInfo(encoded), info.isRegular {
                return Variant(path: encoded, info: info, coding: candidate.coding)
            }
        }
        return nil
    }
}
