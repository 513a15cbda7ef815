#if canImport(Glibc)
    import Glibc
#endif

/// IMF-fixdate (RFC 9110 §5.6.7) formatting (parsing is in HTTPDateParsing.swift), with the
/// current `Date` header value rebuilt at most once per second.
public enum HTTPDate {
    static let days: [StaticString] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months: [StaticString] = [
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

    static func utc(_ seconds: Int) -> tm {
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
}

/// The `Date` header value for the current second, shared by every response.
public struct DateCache {
    /// The wall-clock second `value` stands for (what conditional requests compare against).
    public private(set) var second = -1
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
