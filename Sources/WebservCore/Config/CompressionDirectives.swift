/// The compression directives' table rows, setters and inheritance (SPEC 8): nginx's gzip and
/// gzip_static, ngx_brotli's brotli, Caddy's precompressed.
enum CompressionDirectives {
    static let rows: [DirectiveRow] = [
        DirectiveRow("gzip", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in s.gzip = try Setters.flag(n) },
        // The type lists are repeatable: the lines of one block add up, as nginx's types slot.
        DirectiveRow("gzip_types", .anyHTTP, arguments: 1...DirectiveTable.many, repeatable: true) {
            s, n, _ throws(ConfigError) in
            s.gzipTypes = (s.gzipTypes ?? []) + n.args.map { $0.lowercased() }
        },
        DirectiveRow("gzip_min_length", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
            s.gzipMinLength = try Setters.size(n)
        },
        DirectiveRow("gzip_comp_level", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
            s.gzipCompLevel = try level(n, 1...9)
        },
        DirectiveRow("brotli", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
            s.brotli = try Setters.flag(n)
        },
        DirectiveRow("brotli_types", .anyHTTP, arguments: 1...DirectiveTable.many, repeatable: true) {
            s, n, _ throws(ConfigError) in
            s.brotliTypes = (s.brotliTypes ?? []) + n.args.map { $0.lowercased() }
        },
        DirectiveRow("brotli_comp_level", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
            s.brotliCompLevel = try level(n, 0...11)
        },
        DirectiveRow("gzip_static", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
            s.gzipStatic = try staticMode(n)
        },
        // ngx_brotli's names: FILE.br served as gzip_static serves FILE.gz; brotli's own minimum.
        DirectiveRow("brotli_static", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
            s.brotliStatic = try staticMode(n)
        },
        DirectiveRow("brotli_min_length", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
            s.brotliMinLength = try Setters.size(n)
        },
        DirectiveRow("precompressed", .anyHTTP, arguments: 1...3, set: precompressed),
        DirectiveRow("gzip_http_version", .anyHTTP, arguments: 1...1) { s, n, _ throws(ConfigError) in
            switch n.args[0] {
            case "1.0": s.gzipHTTPMinor = 0
            case "1.1": s.gzipHTTPMinor = 1
            default: throw Setters.invalidValue(n)
            }
        },
        // `gzip_disable "msie6";` is what nginx configs carry; webserv has no regular expressions.
        DirectiveRow("gzip_disable", .anyHTTP, arguments: 1...DirectiveTable.many, repeatable: true) {
            s, n, _ throws(ConfigError) in
            for (i, mask) in n.args.enumerated() where mask != "msie6" {
                throw n.error(
                    argument: i, "\"\(mask)\": only \"msie6\" is supported in \"gzip_disable\" (no regular expressions)")
            }
            s.gzipDisableMSIE6 = true
        },
        // nginx directives a moved site carries that change nothing here: Vary is always sent
        // (SPEC 8), compression is the same behind a proxy, and buffers are webserv's own.
        // Their values are still checked.
        DirectiveRow("gzip_vary", .anyHTTP, arguments: 1...1) { _, n, _ throws(ConfigError) in _ = try Setters.flag(n) },
        DirectiveRow("gzip_proxied", .anyHTTP, arguments: 1...DirectiveTable.many, repeatable: true) {
            _, n, _ throws(ConfigError) in
            let known: Set<String> = [
                "off", "expired", "no-cache", "no-store", "private", "no_last_modified", "no_etag", "auth", "any",
            ]
            if let bad = n.args.firstIndex(where: { !known.contains($0) }) { throw Setters.invalidValue(n, bad) }
        },
        DirectiveRow("gzip_buffers", .anyHTTP, arguments: 2...2) { _, n, _ throws(ConfigError) in
            guard let count = Int(n.args[0]), count > 0 else { throw Setters.invalidValue(n, 0) }
            guard ConfigValues.size(n.args[1]) != nil else { throw Setters.invalidValue(n, 1) }
        },
    ]

    /// `on|off|always` of gzip_static and brotli_static.
    static func staticMode(_ n: ConfigNode) throws(ConfigError) -> GzipStatic {
        switch n.args[0].lowercased() {
        case "on": return .on
        case "off": return .off
        case "always": return .always
        default: throw Setters.invalidValue(n)
        }
    }

    static func level(_ n: ConfigNode, _ range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let value = Int(n.args[0]), range.contains(value) else {
            throw n.error(argument: 0, "\"\(n.name)\" must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    /// `precompressed br zstd gzip;`: each coding once, in the order of preference written.
    static func precompressed(_ s: inout BlockSettings, _ n: ConfigNode, _: inout CheckState) throws(ConfigError) {
        var codings: [ContentCoding] = []
        for (i, arg) in n.args.enumerated() {
            guard let coding = ContentCoding.allCases.first(where: { $0.token == arg.lowercased() }) else {
                throw n.error(argument: i, "invalid value \"\(arg)\" in \"precompressed\" directive (br, zstd or gzip)")
            }
            guard !codings.contains(coding) else { throw n.error(argument: i, "duplicate value \"\(arg)\"") }
            codings.append(coding)
        }
        s.precompressed = codings
    }

    /// Location, else server, else http, else nginx's defaults.
    static func resolve(own: BlockSettings, server: BlockSettings, http: BlockSettings) -> CompressionSettings {
        func inherit<T>(_ field: KeyPath<BlockSettings, T?>) -> T? {
            own[keyPath: field] ?? server[keyPath: field] ?? http[keyPath: field]
        }
        var c = CompressionSettings()
        c.gzip = inherit(\.gzip) ?? c.gzip
        c.gzipTypes = withHTML(inherit(\.gzipTypes) ?? c.gzipTypes)
        c.gzipMinLength = inherit(\.gzipMinLength) ?? c.gzipMinLength
        c.gzipLevel = inherit(\.gzipCompLevel) ?? c.gzipLevel
        c.brotli = inherit(\.brotli) ?? c.brotli
        c.brotliTypes = withHTML(inherit(\.brotliTypes) ?? c.brotliTypes)
        c.brotliLevel = inherit(\.brotliCompLevel) ?? c.brotliLevel
        c.gzipStatic = inherit(\.gzipStatic) ?? c.gzipStatic
        c.precompressed = inherit(\.precompressed) ?? c.precompressed
        c.gzipHTTPMinor = inherit(\.gzipHTTPMinor) ?? c.gzipHTTPMinor
        c.gzipDisableMSIE6 = inherit(\.gzipDisableMSIE6) ?? false
        c.brotliStatic = inherit(\.brotliStatic) ?? c.brotliStatic
        c.brotliMinLength = inherit(\.brotliMinLength)
        return c
    }

    /// `text/html` is always among the compressed types, whatever the list says (nginx).
    static func withHTML(_ types: [String]) -> [String] {
        types.contains("text/html") ? types : ["text/html"] + types
    }
}
