/// The built-in extension table and the per-request lookup.
extension MIMETypes {
    /// Used when no `types { }` block applies. Text types that are UTF-8 on the web say so.
    public static let builtIn = MIMETypes(byExtension: [
        "html": "text/html; charset=utf-8",
        "htm": "text/html; charset=utf-8",
        "shtml": "text/html; charset=utf-8",
        "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8",
        "mjs": "text/javascript; charset=utf-8",
        "json": "application/json; charset=utf-8",
        "map": "application/json; charset=utf-8",
        "txt": "text/plain; charset=utf-8",
        "log": "text/plain; charset=utf-8",
        "md": "text/markdown; charset=utf-8",
        "csv": "text/csv; charset=utf-8",
        "xml": "application/xml",
        "rss": "application/rss+xml",
        "atom": "application/atom+xml",
        "svg": "image/svg+xml",
        "svgz": "image/svg+xml",
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "webp": "image/webp",
        "ico": "image/x-icon",
        "avif": "image/avif",
        "bmp": "image/bmp",
        "tif": "image/tiff",
        "tiff": "image/tiff",
        "pdf": "application/pdf",
        "zip": "application/zip",
        "gz": "application/gzip",
        "tgz": "application/gzip",
        "tar": "application/x-tar",
        "bz2": "application/x-bzip2",
        "xz": "application/x-xz",
        "7z": "application/x-7z-compressed",
        "wasm": "application/wasm",
        "bin": "application/octet-stream",
        "mp3": "audio/mpeg",
        "wav": "audio/wav",
        "ogg": "audio/ogg",
        "oga": "audio/ogg",
        "flac": "audio/flac",
        "m4a": "audio/mp4",
        "mp4": "video/mp4",
        "m4v": "video/mp4",
        "webm": "video/webm",
        "ogv": "video/ogg",
        "mov": "video/quicktime",
        "woff": "font/woff",
        "woff2": "font/woff2",
        "ttf": "font/ttf",
        "otf": "font/otf",
        "webmanifest": "application/manifest+json",
    ])

    /// Type for a file name by its last extension (case-insensitive), or nil.
    /// Runs per request: extensions up to 15 bytes become a small (inline, heap-free) String key.
    public func type(forFileName name: ArraySlice<UInt8>) -> String? {
        var start = name.endIndex
        var index = name.endIndex
        while index > name.startIndex {
            name.formIndex(before: &index)
            let byte = name[index]
            if byte == UInt8(ascii: "/") { return nil }
            if byte == UInt8(ascii: ".") {
                start = name.index(after: index)
                break
            }
        }
        guard start < name.endIndex else { return nil }
        let ext = name[start...]
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: ext.count) { buffer in
            for (offset, byte) in ext.enumerated() {
                let isUpper = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
                buffer[offset] = isUpper ? byte | 0x20 : byte
            }
            return byExtension[String(decoding: buffer, as: UTF8.self)]
        }
    }
}
