/// A content coding webserv can send: on the fly (gzip, br) or from a precompressed file
/// (gzip, br, zstd).
public enum ContentCoding: UInt8, Hashable, Sendable, CaseIterable {
    case gzip
    case br
    case zstd

    /// The `Content-Encoding` / `Accept-Encoding` token.
    public var token: String {
        switch self {
        case .gzip: return "gzip"
        case .br: return "br"
        case .zstd: return "zstd"
        }
    }

    /// The suffix of a precompressed file (`FILE.gz`).
    public var fileSuffix: String {
        switch self {
        case .gzip: return ".gz"
        case .br: return ".br"
        case .zstd: return ".zst"
        }
    }
}

/// `gzip_static on|off|always;` (nginx).
public enum GzipStatic: Hashable, Sendable {
    case off
    case on
    /// Serve `FILE.gz` whatever the client accepts.
    case always
}

/// A location's compression directives, resolved (SPEC 8): on-the-fly gzip and brotli, and
/// precompressed files.
public struct CompressionSettings: Hashable, Sendable {
    public var gzip = false
    /// Lower-cased MIME types; `*` is any. `text/html` is always compressed (nginx).
    public var gzipTypes: [String] = ["text/html"]
    /// Bodies of known length below it stay identity (nginx's gzip_min_length; brotli too).
    public var gzipMinLength = 20
    public var gzipLevel = 1
    public var brotli = false
    public var brotliTypes: [String] = ["text/html"]
    public var brotliLevel = 6
    /// ngx_brotli's `brotli_min_length`; nil: `gzip_min_length` applies to brotli too.
    public var brotliMinLength: Int?
    public var gzipStatic = GzipStatic.off
    /// ngx_brotli's `brotli_static on|off|always`: `FILE.br`, as `gzip_static` serves `FILE.gz`.
    public var brotliStatic = GzipStatic.off
    /// `precompressed br zstd gzip;`: the codings whose files are looked for, in preference order.
    public var precompressed: [ContentCoding] = []
    /// `gzip_http_version 1.0|1.1`: the oldest HTTP/1.x minor version gzip answers. nginx's
    /// default is 1.1; webserv's is 1.0: an HTTP/1.0 client gets a close-delimited compressed
    /// body rather than none (its caches' missing Vary support was nginx's reason).
    public var gzipHTTPMinor = 0
    /// `gzip_disable msie6;`: no gzip for Internet Explorer 4–6 (nginx's one built-in mask).
    public var gzipDisableMSIE6 = false

    public init() {}

    public var compressesOnTheFly: Bool { gzip || brotli }

    /// Some precompressed coding is looked for (`precompressedCodings` is not empty), without
    /// building the list: asked on every static hit.
    public var servesPrecompressed: Bool { gzipStatic != .off || brotliStatic != .off || !precompressed.isEmpty }

    /// The precompressed codings to look for, in preference order (`brotli_static` adds br
    /// first, `gzip_static` gzip last).
    public var precompressedCodings: [ContentCoding] {
        var codings = precompressed
        if brotliStatic != .off && !codings.contains(.br) { codings.insert(.br, at: 0) }
        if gzipStatic != .off && !codings.contains(.gzip) { codings.append(.gzip) }
        return codings
    }
}
