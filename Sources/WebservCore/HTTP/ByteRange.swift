/// `Range: bytes=…` (RFC 9110 §14.2), read as nginx's range filter reads it with one range
/// allowed (`max_ranges 1`): another unit, or a header too short to hold a range, is ignored;
/// a set that breaks the syntax, or whose ranges all start at or past the end, is
/// unsatisfiable (416); a set with more than one satisfiable range gets the whole file. HEAD is
/// ranged like GET (nginx's filter ignores the method), so it gets the headers GET would get.
enum ByteRange {
    enum Result: Equatable {
        case full
        /// First and last position, inclusive.
        case partial(Int, Int)
        case unsatisfiable
    }

    static func evaluate(_ req: RequestHead, size: Int, etag: String, mtime: Int, now: Int) -> Result {
        guard req.method == .get || req.method == .head, let value = req.header("range") else { return .full }
        // An empty file has no byte to select: the whole (empty) file, 200, as nginx sends it.
        guard size > 0 else { return .full }
        if let ifRange = req.header("if-range") {
            let matches = ifRange.elementsEqual(etag.utf8) || HTTPDate.parse(ifRange, now: now) == mtime
            if !matches { return .full }
        }
        return parse(value, size: size)
    }

    static func parse(_ value: ArraySlice<UInt8>, size: Int) -> Result {
        guard value.count > 6, Bytes.equalsLowercased(value.prefix(6), "bytes=") else { return .full }
        let dash = UInt8(ascii: "-")
        let comma = UInt8(ascii: ",")
        let end = value.endIndex
        var i = value.startIndex + 6
        func skipSpaces() { while i < end && value[i] == 0x20 { i += 1 } }
        func take(_ byte: UInt8) -> Bool {
            guard i < end && value[i] == byte else { return false }
            i += 1
            return true
        }
        /// One or more digits; nil for none, or for a value past Int.max.
        func number() -> Int? {
            guard i < end, ByteClass.digit(value[i]) != nil else { return nil }
            var n = 0
            while i < end, let d = ByteClass.digit(value[i]) {
                let (times10, o1) = n.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(d)
                if o1 || o2 { return nil }
                n = sum
                i += 1
            }
            return n
        }

        var chosen: (first: Int, upper: Int)?
        while true {
            // byte-range-spec: first "-" [last], or suffix-range: "-" length. [first, upper) is
            // what it selects of the file: empty when it starts at or past the end.
            skipSpaces()
            var first: Int
            var upper = size
            if take(dash) {
                guard let length = number() else { return .unsatisfiable }
                first = size - min(length, size)
            } else {
                guard let start = number() else { return .unsatisfiable }
                skipSpaces()
                guard take(dash) else { return .unsatisfiable }
                skipSpaces()
                first = start
                if i < end && value[i] != comma {
                    guard let last = number() else { return .unsatisfiable }
                    if last < size { upper = last + 1 }
                }
            }
            if first < upper {
                if chosen != nil { return .full }
                chosen = (first, upper)
            }
            skipSpaces()
            if i == end { break }
            guard take(comma) else { return .unsatisfiable }
        }
        guard let chosen else { return .unsatisfiable }
        return .partial(chosen.first, chosen.upper - 1)
    }
}
