#if canImport(Glibc)
    import Glibc
#endif

/// IMF-fixdate (RFC 9110 §5.6.7) formatting and parsing, with the current `Date`
/// header value rebuilt at most once per second.
public enum HTTPDate {
    private static let days: [StaticString] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months: [StaticString] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    /// "Sun, 06 Nov 1994 08:49:37 GMT"
    public static func format(_ seconds: Int) -> [UInt8] {
        let tm = utc(seconds)
        var out: [UInt8] = []
        out.reserveCapacity(29)
        Bytes.append(days[Int(tm.tm_wday)], to: &out)
        out.append(contentsOf: [0x2C, 0x20])
        appendDate(tm, separator: 0x20, into: &out)
        out.append(0x20)
        appendTime(tm, into: &out)
        Bytes.append(" GMT", to: &out)
        return out
    }

    /// nginx's `$time_local`: "24/Nov/2026:21:04:47 +0000" (we log in UTC).
    public static func formatLog(_ seconds: Int) -> [UInt8] {
        let tm = utc(seconds)
        var out: [UInt8] = []
        appendDate(tm, separator: 0x2F, into: &out)
        out.append(0x3A)
        appendTime(tm, into: &out)
        Bytes.append(" +0000", to: &out)
        return out
    }

    private static func utc(_ seconds: Int) -> tm {
        var t = time_t(seconds)
        var tm = tm()
        gmtime_r(&t, &tm)
        return tm
    }

    /// "06 Nov 1994" or "06/Nov/1994".
    private static func appendDate(_ tm: tm, separator: UInt8, into out: inout [UInt8]) {
        two(Int(tm.tm_mday), &out)
        out.append(separator)
        Bytes.append(months[Int(tm.tm_mon)], to: &out)
        out.append(separator)
        Bytes.appendDecimal(Int(tm.tm_year) + 1900, to: &out)
    }

    /// "08:49:37"
    private static func appendTime(_ tm: tm, into out: inout [UInt8]) {
        two(Int(tm.tm_hour), &out)
        out.append(0x3A)
        two(Int(tm.tm_min), &out)
        out.append(0x3A)
        two(Int(tm.tm_sec), &out)
    }

    private static func two(_ v: Int, _ out: inout [UInt8]) {
        out.append(UInt8(v / 10) + 0x30)
        out.append(UInt8(v % 10) + 0x30)
    }

    /// Parses IMF-fixdate (the only form senders may generate); nil for anything else.
    public static func parse(_ s: ArraySlice<UInt8>) -> Int? {
        let b = Array(s)
        guard b.count == 29, b[3] == 0x2C, b[4] == 0x20, b[7] == 0x20, b[11] == 0x20, b[16] == 0x20,
            b[19] == 0x3A, b[22] == 0x3A, b[25] == 0x20, Bytes.equals(b[26..<29], "GMT")
        else { return nil }
        func num(_ r: Range<Int>) -> Int? { Bytes.parseDecimal(b[r]) }
        guard let day = num(5..<7), let year = num(12..<16), let hour = num(17..<19),
            let minute = num(20..<22), let second = num(23..<25),
            let month = months.firstIndex(where: { Bytes.equals(b[8..<11], $0) })
        else { return nil }
        var tm = tm()
        tm.tm_year = Int32(year - 1900)
        tm.tm_mon = Int32(month)
        tm.tm_mday = Int32(day)
        tm.tm_hour = Int32(hour)
        tm.tm_min = Int32(minute)
        tm.tm_sec = Int32(second)
        return Int(timegm(&tm))
    }
}

/// The `Date` header value for the current second, shared by every response.
public struct DateCache {
    private var second = -1
    public private(set) var value: [UInt8] = []
    public private(set) var logValue: [UInt8] = []

    public init() {}

    public mutating func update(wallSeconds: Int) {
        guard wallSeconds != second else { return }
        second = wallSeconds
        value = HTTPDate.format(wallSeconds)
        logValue = HTTPDate.formatLog(wallSeconds)
    }
}
