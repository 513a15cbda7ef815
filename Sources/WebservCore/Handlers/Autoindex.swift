#if canImport(Glibc)
    import Glibc
#endif

/// The HTML listing of a directory without an index file: names (escaped), sizes, dates.
public enum Autoindex {
    struct Item {
        var name: String
        var isDirectory: Bool
        var size: Int
        var mtime: Int
    }

    static func respond(_ c: Connection, req: RequestHead, path: [UInt8]) {
        guard let dir = FileResolver.cString(path).withUnsafeBufferPointer({ opendir($0.baseAddress!) }) else {
            return c.respondError(FileResolver.statusFor(errno: errno))
        }
        var items: [Item] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            var full = path
            if full.last != 0x2F { full.append(0x2F) }
            full.append(contentsOf: name.utf8)
            guard case .found(let info) = FileResolver.fileInfo(full) else { continue }
            items.append(Item(name: name, isDirectory: info.isDirectory, size: info.size, mtime: info.mtime))
        }
        closedir(dir)
        items.sort { ($0.isDirectory ? 0 : 1, $0.name) < ($1.isDirectory ? 0 : 1, $1.name) }
        c.respond(.html(200, page(title: req.pathString, items: items)))
    }

    static func page(title: String, items: [Item]) -> String {
        let t = HTML.escape(title)
        var s = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of \(t)</title>\n"
        s += "<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
        s += "td,th{padding:.2em 1.2em .2em 0;text-align:left}td.s{text-align:right;font-variant-numeric:tabular-nums}</style>\n"
        s += "</head><body><h1>Index of \(t)</h1><hr>\n<table>\n<tr><th>Name</th><th>Last modified</th><th>Size</th></tr>\n"
        if title != "/" { s += "<tr><td><a href=\"../\">../</a></td><td></td><td class=\"s\">-</td></tr>\n" }
        for item in items {
            let display = item.name + (item.isDirectory ? "/" : "")
            let href = HTML.percentEncodePathSegment(item.name) + (item.isDirectory ? "/" : "")
            let date = String(decoding: HTTPDate.format(item.mtime), as: UTF8.self)
            let size = item.isDirectory ? "-" : "\(item.size)"
            s +=
                "<tr><td><a href=\"\(HTML.escape(href))\">\(HTML.escape(display))</a></td><td>\(date)</td><td class=\"s\">\(size)</td></tr>\n"
        }
        s += "</table><hr></body></html>\n"
        return s
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
    public static func percentEncodePathSegment(_ s: String) -> String {
        percentEncode(s.utf8, keeping: nil)
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
