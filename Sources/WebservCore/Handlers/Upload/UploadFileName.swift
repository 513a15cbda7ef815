/// Turns a client-supplied file name into one safe to create inside upload_store (SPEC §4).
public enum UploadFileName {
    /// Longest name kept, in UTF-8 bytes: below NAME_MAX (255) with room for a "-N" suffix.
    public static let maxBytes = 200

    /// The last path segment of `raw` (`/` and `\` both separate: browsers on Windows send
    /// `C:\dir\a.txt`) without control characters, cut to `maxBytes` keeping the extension.
    /// Nil when nothing usable remains (empty, `.` or `..`): the caller generates a name.
    public static func sanitize(_ raw: String) -> String? {
        var scalars = String.UnicodeScalarView()
        for scalar in raw.unicodeScalars {
            switch scalar.value {
            case 0x2F, 0x5C: scalars.removeAll()  // a separator: keep only what follows it
            case 0x00...0x1F, 0x7F: continue
            default: scalars.append(scalar)
            }
        }
        let name = trimmingSpaces(String(scalars))
        guard !name.isEmpty, name != ".", name != ".." else { return nil }
        return truncated(name)
    }

    /// A name for a body that brings none (a raw POST to a URI ending in `/`, a part whose
    /// file name is unusable): `upload-YYYYMMDD-HHMMSS` in UTC, with an extension for the
    /// common content types so the stored file is served back with the same type.
    public static func generated(contentType: String?, now: Int) -> String {
        let days = now >= 0 ? now / 86400 : (now - 86399) / 86400
        let secs = now - days * 86400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let stamp = "\(year)\(two(month))\(two(day))-\(two(secs / 3600))\(two(secs / 60 % 60))\(two(secs % 60))"
        return "upload-\(stamp)\(fileExtension(forContentType: contentType))"
    }

    /// ".txt" for text/plain and a few more; ".bin" for anything else.
    static func fileExtension(forContentType contentType: String?) -> String {
        let first = contentType?.split(separator: ";", omittingEmptySubsequences: false).first ?? ""
        let type = String(first.filter { $0 != " " && $0 != "\t" }).lowercased()
        switch type {
        case "text/plain": return ".txt"
        case "text/html": return ".html"
        case "text/css": return ".css"
        case "text/csv": return ".csv"
        case "application/json": return ".json"
        case "application/pdf": return ".pdf"
        case "application/zip": return ".zip"
        case "image/png": return ".png"
        case "image/jpeg": return ".jpg"
        case "image/gif": return ".gif"
        case "image/svg+xml": return ".svg"
        case "image/webp": return ".webp"
        default: return ".bin"
        }
    }

    /// `name` if `exists` says it is free, else `stem-1.ext`, `stem-2.ext`, …: nothing is overwritten.
    public static func unique(_ name: String, exists: (String) -> Bool) -> String {
        unique(name, after: 0, exists: exists).name
    }

    /// `name` if free, else `stem-N.ext` for a free N above `known` (a suffix given before, 0
    /// for none): the suffixes after it, in doubling steps until one is free, then halving back
    /// to the first free one after a taken one. With no gaps that is the lowest free suffix,
    /// found in about 2·log2(N) probes instead of N; from a good hint, in two.
    public static func unique(_ name: String, after known: Int, exists: (String) -> Bool) -> (name: String, suffix: Int) {
        guard exists(name) else { return (name, 0) }
        let (stem, ext) = split(name)
        func candidate(_ n: Int) -> String { "\(stem)-\(n)\(ext)" }
        var taken = max(known, 0)
        var free = taken + 1
        var step = 1
        while exists(candidate(free)) {
            taken = free
            step *= 2
            free = taken + step
        }
        while free - taken > 1 {
            let middle = taken + (free - taken) / 2
            if exists(candidate(middle)) { taken = middle } else { free = middle }
        }
        return (candidate(free), free)
    }

    /// Splits at the last dot, which must not be the first character (".profile" has no extension).
    static func split(_ name: String) -> (stem: Substring, ext: Substring) {
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            return (name[..<dot], name[dot...])
        }
        return (name[...], "")
    }

    /// Leading and trailing spaces make names that are hard to see and to type.
    private static func trimmingSpaces(_ s: String) -> String {
        var sub = Substring(s)
        while sub.first == " " { sub.removeFirst() }
        while sub.last == " " { sub.removeLast() }
        return String(sub)
    }

    /// Cuts the stem on a character boundary so the whole name fits in `maxBytes`.
    private static func truncated(_ name: String) -> String {
        guard name.utf8.count > maxBytes else { return name }
        var (stem, ext) = split(name)
        // An "extension" too long to be one is just part of the name.
        if ext.utf8.count > 32 { (stem, ext) = (name[...], "") }
        let budget = maxBytes - ext.utf8.count
        var kept = Substring()
        var used = 0
        for ch in stem {
            let size = ch.utf8.count
            if used + size > budget { break }
            kept.append(ch)
            used += size
        }
        return String(kept) + ext
    }
}
