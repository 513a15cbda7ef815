/// Bodies in memory whose compressed forms are kept (a cached file): the compression step
/// takes a ready variant instead of compressing again.
protocol EncodedVariants: AnyObject {
    /// The Content-Type the prebuilt head carries.
    var contentType: String { get }
    var length: Int { get }
    /// The body compressed with `coding` at `level`, with its complete header lines.
    func encoded(_ coding: ContentCoding, level: Int) -> (body: [UInt8], headerLines: [UInt8])?
}

/// The compression step of the response filter stage (SPEC 8; nginx's gzip header filter):
/// whether a response is compressed, and the headers a compressed one carries. Pure.
public enum CompressionFilter {
    public enum Decision: Equatable {
        /// Not a compressible response: sent as it is.
        case untouched
        /// Compressible, but the client accepts no coding we offer: identity, with `Vary`.
        case vary
        case encode(ContentCoding, level: Int)
    }

    /// nginx compresses 200, 403 and 404 answers only; a 206 is cut from the identity bytes.
    static func compressibleStatus(_ status: Int) -> Bool {
        status == 200 || status == 403 || status == 404
    }

    /// The decision for a response of `status`, `contentType`, length (nil when unknown),
    /// already carrying a Content-Encoding or not, to a client whose Accept-Encoding is `accept`.
    /// `gzipAllowed`: false when `gzip_http_version` or `gzip_disable` refuse this client gzip;
    /// the answer still varies with Accept-Encoding then (nginx sets its Vary before asking).
    public static func decide(
        status: Int, contentType: Substring?, alreadyEncoded: Bool, length: Int?, settings: CompressionSettings,
        accept: AcceptEncoding?, gzipAllowed: Bool = true
    ) -> Decision {
        guard settings.compressesOnTheFly, compressibleStatus(status), !alreadyEncoded, let type = contentType else {
            return .untouched
        }
        func short(_ minimum: Int) -> Bool { length.map { $0 < minimum } ?? false }
        let brotli =
            settings.brotli && !short(settings.brotliMinLength ?? settings.gzipMinLength)
            && typeMatches(type, settings.brotliTypes)
        let gzip = settings.gzip && !short(settings.gzipMinLength) && typeMatches(type, settings.gzipTypes)
        if !brotli && !gzip { return .untouched }
        // br first: it wins when the client gives both the same quality.
        let brQ = brotli ? accept?.quality(.br) ?? 0 : 0
        let gzipQ = gzip && gzipAllowed ? accept?.quality(.gzip) ?? 0 : 0
        if brQ > 0 && brQ >= gzipQ { return .encode(.br, level: settings.brotliLevel) }
        if gzipQ > 0 { return .encode(.gzip, level: settings.gzipLevel) }
        return .vary
    }

    /// Whether gzip may go to this client at all (nginx's `ngx_http_gzip_ok`, which the gzip
    /// filter and `gzip_static on` both ask): not to an HTTP version below `gzip_http_version`,
    /// nor to an old Internet Explorer under `gzip_disable msie6`.
    public static func gzipAllowed(_ req: RequestHead, settings: CompressionSettings) -> Bool {
        req.minorVersion >= settings.gzipHTTPMinor
            && !(settings.gzipDisableMSIE6 && isOldMSIE(req.header("user-agent")))
    }

    /// nginx's `msie6` mask: "MSIE 4.", "MSIE 5." or "MSIE 6." (but not 6.0 with "SV1", which
    /// handles gzip) in a User-Agent that is not Opera's.
    public static func isOldMSIE(_ userAgent: ArraySlice<UInt8>?) -> Bool {
        guard let ua = userAgent, !Bytes.contains(ua, "Opera"), let at = Bytes.firstIndex(of: "MSIE ", in: ua) else {
            return false
        }
        let version = ua[(at + 5)...]
        guard version.count >= 3, version[version.startIndex + 1] == UInt8(ascii: ".") else { return false }
        switch version.first {
        case UInt8(ascii: "4"), UInt8(ascii: "5"): return true
        case UInt8(ascii: "6"): return !Bytes.contains(version.dropFirst(3), "SV1")
        default: return false
        }
    }

    /// The media type (before any `;` parameter) is in `types` (lower-case), or `types` has `*`.
    /// Compared byte by byte, ignoring ASCII case, without making a lower-cased copy.
    public static func typeMatches(_ contentType: Substring, _ types: [String]) -> Bool {
        var media = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }
        while let last = media.last, last == 0x20 || last == 0x09 { media = media.dropLast() }
        return types.contains { type in
            type == "*"
                || (type.utf8.count == media.count
                    && zip(type.utf8, media).allSatisfy { $0 == (($1 >= 0x41 && $1 <= 0x5A) ? $1 | 0x20 : $1) })
        }
    }

    /// A compressed response's headers: Content-Encoding, Vary, a weak ETag (the bytes differ
    /// from the identity ones, as nginx), no Content-Length (the filter stage sets the new one
    /// or streams) and no Accept-Ranges (ranges are served from the identity bytes only).
    public static func rewriteHeaders(_ headers: inout [(name: String, value: String)], coding: ContentCoding) {
        headers.removeAll {
            isHeader($0.name, "content-length") || isHeader($0.name, "accept-ranges")
        }
        if let i = headers.firstIndex(where: { isHeader($0.name, "etag") }) {
            headers[i].value = weakened(headers[i].value)
        }
        headers.append(("Content-Encoding", coding.token))
        addVary(&headers)
    }

    /// `Vary: Accept-Encoding`, merged into a Vary the response already has.
    public static func addVary(_ headers: inout [(name: String, value: String)]) {
        if let i = headers.firstIndex(where: { isHeader($0.name, "vary") }) {
            let value = headers[i].value
            if value == "*" || value.lowercased().contains("accept-encoding") { return }
            headers[i].value = value.isEmpty ? "Accept-Encoding" : value + ", Accept-Encoding"
        } else {
            headers.append(("Vary", "Accept-Encoding"))
        }
    }

    /// `"abc"` → `W/"abc"`; an already weak tag stays.
    public static func weakened(_ etag: String) -> String {
        etag.hasPrefix("W/") ? etag : "W/" + etag
    }

    static func isHeader(_ name: String, _ lower: String) -> Bool {
        name.utf8.count == lower.utf8.count && name.lowercased() == lower
    }
}
