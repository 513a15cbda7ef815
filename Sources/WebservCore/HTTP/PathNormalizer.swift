/// Percent-decodes a request path and resolves dot segments in one pass, refusing to climb
/// above "/" (nginx's ngx_http_parse_complex_uri). The result is the only form of the path
/// that handlers see, so no encoding trick (`%2e%2e`, `%2f`, `%00`) can reach outside a root.
public enum PathNormalizer {
    public enum Failure: Error, Equatable {
        case badEscape
        case nulByte
        case aboveRoot
        case notAbsolute
    }

    public static func normalize(_ raw: ArraySlice<UInt8>) throws(Failure) -> [UInt8] {
        guard raw.first == 0x2F else { throw .notAbsolute }
        if isNormal(raw) { return Array(raw) }
        return try resolve(raw)
    }

    /// The full pass: decode escapes, drop "." segments, resolve "..", merge "//".
    static func resolve(_ raw: ArraySlice<UInt8>) throws(Failure) -> [UInt8] {
        guard raw.first == 0x2F else { throw .notAbsolute }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var segmentStart = 0  // index in `out` just after the last "/"
        var i = raw.startIndex
        let end = raw.endIndex

        // Called at each separator and at the end: drops "." and resolves ".." segments.
        func closeSegment(_ out: inout [UInt8], _ segmentStart: inout Int) throws(Failure) {
            let length = out.count - segmentStart
            if length == 1 && out[segmentStart] == 0x2E {
                out.removeLast()
            } else if length == 2 && out[segmentStart] == 0x2E && out[segmentStart + 1] == 0x2E {
                out.removeLast(2)
                // out ends with the "/" before ".."; remove the segment before that too,
                // keeping its leading "/". Only "/" left means the path climbs above the root.
                guard out.count >= 2 else { throw .aboveRoot }
                out.removeLast()
                // Back to just after the previous "/" (which stays): "/a/b/.." is "/a/".
                while let last = out.last, last != 0x2F { out.removeLast() }
                segmentStart = out.count
            }
        }

        while i < end {
            var c = raw[i]
            i += 1
            if c == 0x25 {
                guard i + 1 < end, let hi = ByteClass.hexValue(raw[i]), let lo = ByteClass.hexValue(raw[i + 1])
                else { throw .badEscape }
                c = hi << 4 | lo
                i += 2
                if c == 0 { throw .nulByte }
            } else if c == 0 {
                throw .nulByte
            }
            if c == 0x2F {
                try closeSegment(&out, &segmentStart)
                if out.last == 0x2F { continue }  // merge "//"
                out.append(0x2F)
                segmentStart = out.count
            } else {
                out.append(c)
            }
        }
        try closeSegment(&out, &segmentStart)
        if out.isEmpty { out.append(0x2F) }
        return out
    }

    /// True when `raw` is already its own normal form, the usual case: no escapes, no NUL,
    /// and no "/" followed by "." or "/" (so no dot segments and no "//" to merge).
    static func isNormal(_ raw: ArraySlice<UInt8>) -> Bool {
        raw.withUnsafeBufferPointer { p in
            var previous: UInt8 = 0
            for c in p {
                if c == 0x25 || c == 0 { return false }
                if previous == 0x2F && (c == 0x2E || c == 0x2F) { return false }
                previous = c
            }
            return true
        }
    }
}
