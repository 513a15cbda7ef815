#if canImport(Glibc)
    import Glibc
#endif

/// The listing of a directory without an index file: HTML (names escaped, sortable by
/// `?sort=name|size|mtime&order=asc|desc` without JavaScript) or nginx's JSON layout, chosen by
/// `autoindex_format` or by `Accept: application/json`.
public enum Autoindex {
    struct Item {
        /// The name's bytes as the directory holds them (not always UTF-8): what the link encodes.
        var raw: [UInt8]
        /// The name as shown (invalid UTF-8 replaced).
        var name: String
        var isDirectory: Bool
        var size: Int
        var mtime: Int

        init(name: String, raw: [UInt8]? = nil, isDirectory: Bool, size: Int, mtime: Int) {
            self.raw = raw ?? Array(name.utf8)
            self.name = name
            self.isDirectory = isDirectory
            self.size = size
            self.mtime = mtime
        }
    }

    enum SortKey: String {
        case name, size, mtime
    }

    /// The listing's options: what the location says and what the request asks.
    struct Options {
        var json = false
        var exactSize = true
        var localTime = false
        var sort = SortKey.name
        var descending = false
    }

    /// An entry's name, read in place: glibc sizes each entry to its name (`d_reclen`), so
    /// copying `d_name` whole (256 bytes) read past the end of the directory buffer when the
    /// last entry in it had a short name (AddressSanitizer: heap-buffer-overflow).
    static func name(of entry: UnsafeMutablePointer<dirent>) -> [UInt8] {
        let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        let name = UnsafeRawPointer(entry).advanced(by: offset).assumingMemoryBound(to: CChar.self)
        return Array(UnsafeRawBufferPointer(start: name, count: strlen(name)))
    }

    /// Lists the directory at `path`: in slices over turns of the loop when it is large
    /// (`AutoindexListing`), in this call when it is small.
    static func respond(_ c: Connection, req: RequestHead, path: [UInt8], location: LocationConfig) {
        guard let dir = FileResolver.cString(path).withUnsafeBufferPointer({ opendir($0.baseAddress!) }) else {
            return c.respondError(FileResolver.statusFor(errno: errno))
        }
        AutoindexListing(c, request: req, path: path, location: location, directory: dir).step()
    }

    /// The listing's item for a directory entry; nil for a hidden name, or one gone meanwhile.
    static func item(_ entry: UnsafeMutablePointer<dirent>, in path: [UInt8]) -> Item? {
        let raw = name(of: entry)
        if raw.first == UInt8(ascii: ".") { return nil }
        var full = path
        if full.last != 0x2F { full.append(0x2F) }
        full.append(contentsOf: raw)
        let info: FileResolver.Info
        switch FileResolver.fileInfo(full) {
        case .found(let found): info = found
        case .status:
            // A dangling symlink is listed with its own data, as nginx does.
            guard let link = FileResolver.linkInfo(full) else { return nil }
            info = link
        }
        return Item(
            name: String(decoding: raw, as: UTF8.self), raw: raw, isDirectory: info.isDirectory, size: info.size,
            mtime: info.mtime)
    }

    static func options(_ req: RequestHead, location: LocationConfig) -> Options {
        var o = Options(exactSize: location.autoindexExactSize, localTime: location.autoindexLocaltime)
        o.json = location.autoindexFormat == .json || UploadReport.wantsJSON(req.header("accept"))
        for pair in req.query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            if kv[0] == "sort", let key = SortKey(rawValue: String(kv[1])) { o.sort = key }
            if kv[0] == "order" { o.descending = kv[1] == "desc" }
        }
        return o
    }

    /// Directories first, then by the key (names break ties), ascending or descending.
    static func sort(_ items: inout [Item], _ o: Options) {
        func ascending(_ a: Item, _ b: Item) -> Bool {
            switch o.sort {
            case .name: return a.name < b.name
            case .size: return a.size != b.size ? a.size < b.size : a.name < b.name
            case .mtime: return a.mtime != b.mtime ? a.mtime < b.mtime : a.name < b.name
            }
        }
        items.sort { a, b in
            if a.isDirectory != b.isDirectory { return a.isDirectory }
            return o.descending ? ascending(b, a) : ascending(a, b)
        }
    }

    /// nginx's `autoindex_format json` layout: `jsonStart`, rows separated by `jsonSeparator`,
    /// `jsonEnd`.
    static func json(_ items: [Item]) -> String {
        jsonStart + items.map(jsonRow).joined(separator: jsonSeparator) + jsonEnd(empty: items.isEmpty)
    }

    static let jsonStart = "[\n"
    static let jsonSeparator = ",\n"
    static func jsonEnd(empty: Bool) -> String { empty ? "]\n" : "\n]\n" }

    static func jsonRow(_ item: Item) -> String {
        var row = "{ \"name\":\(JSON.string(item.name)), \"type\":\"\(item.isDirectory ? "directory" : "file")\", "
        row += "\"mtime\":\"\(String(decoding: HTTPDate.format(item.mtime), as: UTF8.self))\""
        if !item.isDirectory { row += ", \"size\":\(item.size)" }
        return row + " }"
    }

    /// `autoindex_exact_size off`: nginx's rounding to K, M or G (1024-based).
    static func humanSize(_ size: Int) -> String {
        let units: [(Int, String)] = [(1 << 30, "G"), (1 << 20, "M")]
        for (scale, unit) in units where size > scale - 1 {
            return "\(size / scale + (size % scale > scale / 2 - 1 ? 1 : 0))\(unit)"
        }
        if size > 9999 { return "\(size / 1024 + (size % 1024 > 511 ? 1 : 0))K" }
        return "\(size)"
    }

    static func date(_ seconds: Int, local: Bool) -> String {
        guard local else { return String(decoding: HTTPDate.format(seconds), as: UTF8.self) }
        var t = time_t(seconds)
        var parts = tm()
        localtime_r(&t, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S %Z", &parts)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The HTML listing: `pageStart`, a `pageRow` per item, `pageEnd`.
    static func page(title: String, items: [Item], options o: Options) -> String {
        pageStart(title: title, options: o) + items.map { pageRow($0, options: o) }.joined() + pageEnd
    }

    static func pageStart(title: String, options o: Options) -> String {
        let t = HTML.escape(title)
        var s = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of \(t)</title>\n"
        s += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
        // No favicon request (and no 404 in the browser's console) for a listing.
        s += "<link rel=\"icon\" href=\"data:,\">\n<style>"
        s += "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#222}"
        s += "h1{font-size:1.4em;font-weight:600}table{border-collapse:collapse;width:100%}"
        s += "th{border-bottom:2px solid #ccc}th a{color:inherit}tr:nth-child(even) td{background:#f6f6f6}"
        s +=
            "td,th{padding:.3em 1.2em .3em .4em;text-align:left}a{color:#0645ad;text-decoration:none}a:hover{text-decoration:underline}"
        s += "td.s,th.s{text-align:right;font-variant-numeric:tabular-nums}</style>\n"
        s += "</head><body><h1>Index of \(t)</h1>\n<table>\n<tr>"
        s += header("Name", .name, o) + header("Last modified", .mtime, o) + header("Size", .size, o, css: " class=\"s\"")
        s += "</tr>\n"
        if title != "/" { s += "<tr><td><a href=\"../\">../</a></td><td></td><td class=\"s\">-</td></tr>\n" }
        return s
    }

    static func pageRow(_ item: Item, options o: Options) -> String {
        let display = item.name + (item.isDirectory ? "/" : "")
        let href = HTML.percentEncodePathSegment(item.raw) + (item.isDirectory ? "/" : "")
        let size = item.isDirectory ? "-" : (o.exactSize ? "\(item.size)" : humanSize(item.size))
        return "<tr><td><a href=\"\(HTML.escape(href))\">\(HTML.escape(display))</a></td>"
            + "<td>\(date(item.mtime, local: o.localTime))</td><td class=\"s\">\(size)</td></tr>\n"
    }

    static let pageEnd = "</table></body></html>\n"

    /// A column heading that sorts by its key; the current one links to the other order.
    private static func header(_ label: String, _ key: SortKey, _ o: Options, css: String = "") -> String {
        let current = o.sort == key
        let order = current && !o.descending ? "desc" : "asc"
        let arrow = current ? (o.descending ? " \u{25BE}" : " \u{25B4}") : ""
        return "<th\(css)><a href=\"?sort=\(key.rawValue)&amp;order=\(order)\">\(label)\(arrow)</a></th>"
    }
}

/// Escaping for text put into HTML and URLs.
public enum HTML {
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A decoded path back to URI form: unreserved characters and "/" stay, everything else
    /// (space, "?", "#", "%", non-ASCII bytes …) is %XX.
    public static func percentEncodePath(_ path: [UInt8]) -> String {
        percentEncode(path, keeping: UInt8(ascii: "/"))
    }

    /// RFC 3986 unreserved characters stay; everything else (including "/") is %XX.
    public static func percentEncodePathSegment(_ bytes: some Sequence<UInt8>) -> String {
        percentEncode(bytes, keeping: nil)
    }

    private static func percentEncode(_ bytes: some Sequence<UInt8>, keeping extra: UInt8?) -> String {
        let hex: [Character] = Array("0123456789ABCDEF")
        var out = ""
        for b in bytes {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), extra:
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                out.append("%")
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
        return out
    }
}
