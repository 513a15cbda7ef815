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

    /// `name` if `exists` says it is free, else `stem-1.ext`, `stem-2.ext`, …: nothing is overwritten.
    public static func unique(_ name: String, exists: (String) -> Bool) -> String {
        guard exists(name) else { return name }
        let (stem, ext) = split(name)
        var n = 1
        while true {
            let candidate = "\(stem)-\(n)\(ext)"
            if !exists(candidate) { return candidate }
            n += 1
        }
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
