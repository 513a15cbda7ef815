/// The response filter stage between the handlers and the transport (nginx's header and body
/// filters): every response passes through `respond`, which runs the headers step and the
/// compression step here, then frames the body (Content-Length, chunked, or close-delimited).
/// A body no step touches keeps its zero-copy form (cached bytes, sendfile); one that is
/// compressed becomes a stream (`streamData` compresses it, chunk by chunk, then frames it).
extension Connection {
    func filter(_ response: inout Response) {
        addHeaders(&response)
        let location = route ?? server.routes[serverIndex].fallback
        guard location.filtersBodies else { return }
        compress(&response, settings: location.config.compression)
    }

    /// The headers step: the chosen location's `add_header` and `expires` (`ResponseHeaders`).
    /// A response before any request head parsed (400, 408, 414) gets the server's own rules.
    private func addHeaders(_ response: inout Response) {
        guard serverConfig.hasResponseHeaders else { return }
        let status = response.status
        let now = loop.dates.second
        var result: (headers: [(name: String, value: String)], replacesCaching: Bool) = ([], false)
        let routes = server.routes[serverIndex]
        (request.map { routes.location(for: $0.path) } ?? routes.fallback).withConfig { location in
            result = ResponseHeaders.extra(
                rules: location.addHeaders, expires: location.expires, status: status, now: now,
                sent: response.headers, variables: { self.variables() })
            // `charset`: a cached file's prebuilt head has it already (StaticFile.contentType).
            if location.charset != nil, let i = response.headers.firstIndex(where: { $0.name.lowercased() == "content-type" }) {
                response.headers[i].value = Charset.contentType(
                    response.headers[i].value, charset: location.charset, types: location.charsetTypes)
            }
        }
        if result.replacesCaching {
            response.headers.removeAll {
                let name = $0.name.lowercased()
                return name == "expires" || name == "cache-control"
            }
        }
        response.headers += result.headers
    }

    private func compress(_ response: inout Response, settings: CompressionSettings) {
        guard settings.compressesOnTheFly, let req = request else { return }
        let decision = CompressionFilter.decide(
            status: response.status, contentType: response.variants.map { Substring($0.contentType) } ?? contentType(response),
            alreadyEncoded: response.headers.contains { CompressionFilter.isHeader($0.name, "content-encoding") },
            length: response.variants?.length ?? response.contentLength ?? response.bodyLength, settings: settings,
            accept: Self.acceptEncoding(req),
            gzipAllowed: !settings.gzip || CompressionFilter.gzipAllowed(req, settings: settings))
        switch decision {
        case .untouched:
            return
        case .vary:
            CompressionFilter.addVary(&response.headers)
        case .encode(let coding, let level):
            if let cached = response.variants {
                // A cached file's prebuilt head: its compressed copy, or (out of memory) identity.
                guard let variant = cached.encoded(coding, level: level) else {
                    return CompressionFilter.addVary(&response.headers)
                }
                response.body = .bytes(variant.body)
                response.descriptor = nil
                response.rawHeaders = variant.headerLines
                return
            }
            guard encodeBody(&response, coding: coding, level: level, isHead: req.method == .head) else {
                return CompressionFilter.addVary(&response.headers)
            }
            CompressionFilter.rewriteHeaders(&response.headers, coding: coding)
            response.contentLength = nil
        }
    }

    /// Bodies in memory are compressed whole (sent with their new length); files and streams
    /// become streams that `streamData` compresses as they flow. False when no compressor could
    /// be had (out of memory): the response then goes out as it is.
    private func encodeBody(_ response: inout Response, coding: ContentCoding, level: Int, isHead: Bool) -> Bool {
        response.descriptor = nil
        switch response.body {
        case .empty, .bytes:
            var bytes: [UInt8] = []
            if case .bytes(let b) = response.body { bytes = b }
            guard let compressed = BodyEncoder.compress(bytes, coding, level: level) else { return false }
            response.body = .bytes(compressed)
        case .file(let fd, let offset, let length):
            if isHead {
                Sys.close(fd)
            } else {
                guard let encoder = server.encoders.take(coding, level: level, length: length) else { return false }
                streamSource = FileBodySource(fd: fd, offset: offset, length: length, block: server.fileReadBlock)
                bodyEncoder = encoder
            }
            response.body = .stream
        case .stream:
            if !isHead {
                guard let encoder = server.encoders.take(coding, level: level, length: nil) else { return false }
                bodyEncoder = encoder
            }
        }
        return true
    }

    private func contentType(_ response: Response) -> Substring? {
        response.headers.first { CompressionFilter.isHeader($0.name, "content-type") }.map { Substring($0.value) }
    }

    /// Every Accept-Encoding field of the request, as one list (RFC 9110 §5.3); nil when none.
    static func acceptEncoding(_ req: RequestHead) -> AcceptEncoding? {
        var accept: AcceptEncoding?
        for field in req.headers where Bytes.equalsLowercased(req.bytes[field.name], "accept-encoding") {
            if accept == nil { accept = AcceptEncoding() }
            accept!.add(req.bytes[field.value])
        }
        return accept
    }
}
