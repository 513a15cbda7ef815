#if canImport(Glibc)
    import Glibc
#endif

/// Reading HTTP-date values (If-Modified-Since, If-Unmodified-Since, If-Range).
extension HTTPDate {
    static let longDays: [StaticString] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Parses the three forms RFC 9110 §5.6.7 has recipients accept, case-sensitively:
    ///
    ///     IMF-fixdate   Sun, 06 Nov 1994 08:49:37 GMT
    ///     rfc850-date   Sunday, 06-Nov-94 08:49:37 GMT    (two-digit year: see `fullYear`)
    ///     asctime-date  Sun Nov  6 08:49:37 1994          (day two digits or space and digit)
    ///
    /// Returns seconds since the epoch, or nil for anything else (including impossible dates,
    /// which nginx refuses too). `now` (wall-clock seconds) places a two-digit year.
    public static func parse(_ s: ArraySlice<UInt8>, now: Int) -> Int? {
        var f = Fields(s)
        let name = f.letters()
        let day: Int
        let month: Int
        let year: Int
        if f.take(","), f.take(" ") {
            if days.contains(where: { Bytes.equals(name, $0) }) {
                guard let d = f.digits(2), f.take(" "), let m = f.month(), f.take(" "), let y = f.digits(4) else { return nil }
                (day, month, year) = (d, m, y)
            } else if longDays.contains(where: { Bytes.equals(name, $0) }) {
                guard let d = f.digits(2), f.take("-"), let m = f.month(), f.take("-"), let yy = f.digits(2) else { return nil }
                (day, month, year) = (d, m, fullYear(yy, now: now))
            } else {
                return nil
            }
            guard f.take(" "), let time = f.time(), f.take(" "), f.take("G"), f.take("M"), f.take("T"), f.atEnd else {
                return nil
            }
            return timestamp(year: year, month: month, day: day, time: time)
        }
        guard days.contains(where: { Bytes.equals(name, $0) }), f.take(" "), let m = f.month(), f.take(" ") else { return nil }
        guard let d = f.take(" ") ? f.digits(1) : f.digits(2), f.take(" "), let time = f.time(), f.take(" "),
            let y = f.digits(4), f.atEnd
        else { return nil }
        return timestamp(year: y, month: m, day: d, time: time)
    }

    /// RFC 9110 §5.6.7: a two-digit year that would be more than 50 years in the future is the
    /// most recent past year with those digits. So the year lies within (now - 50, now + 50].
    static func fullYear(_ twoDigits: Int, now: Int) -> Int {
        let current = Int(utc(now).tm_year) + 1900
        let past = current - ((current - twoDigits) % 100 + 100) % 100
        return past + 100 - current <= 50 ? past + 100 : past
    }

    /// Seconds since the epoch for a UTC date and time, or nil when the date does not exist.
    private static func timestamp(year: Int, month: Int, day: Int, time: (hour: Int, minute: Int, second: Int)) -> Int? {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day >= 1, day <= monthDays[month], time.hour <= 23, time.minute <= 59, time.second <= 59 else { return nil }
        var tm = tm()
        tm.tm_year = Int32(year - 1900)
        tm.tm_mon = Int32(month)
        tm.tm_mday = Int32(day)
        tm.tm_hour = Int32(time.hour)
        tm.tm_min = Int32(time.minute)
        tm.tm_sec = Int32(time.second)
        return Int(timegm(&tm))
    }

    /// A cursor over the value's bytes.
    private struct Fields {
        let bytes: ArraySlice<UInt8>
        var i: Int

        init(_ bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            i = bytes.startIndex
        }

        var atEnd: Bool { i == bytes.endIndex }

        mutating func take(_ char: Unicode.Scalar) -> Bool {
            guard i < bytes.endIndex, bytes[i] == UInt8(ascii: char) else { return false }
            i += 1
            return true
        }

        /// The run of ASCII letters here (a day name).
        mutating func letters() -> ArraySlice<UInt8> {
            let start = i
            while i < bytes.endIndex, (bytes[i] | 0x20) >= 0x61, (bytes[i] | 0x20) <= 0x7A { i += 1 }
            return bytes[start..<i]
        }

        /// Exactly `count` digits.
        mutating func digits(_ count: Int) -> Int? {
            guard bytes.endIndex - i >= count else { return nil }
            var value = 0
            for k in i..<(i + count) {
                guard let d = ByteClass.digit(bytes[k]) else { return nil }
                value = value * 10 + d
            }
            i += count
            return value
        }

        /// "Jan" … "Dec" as 0 … 11.
        mutating func month() -> Int? {
            guard bytes.endIndex - i >= 3 else { return nil }
            let name = bytes[i..<(i + 3)]
            guard let m = HTTPDate.months.firstIndex(where: { Bytes.equals(name, $0) }) else { return nil }
            i += 3
            return m
        }

        /// time-of-day = hour ":" minute ":" second, two digits each.
        mutating func time() -> (hour: Int, minute: Int, second: Int)? {
            guard let h = digits(2), take(":"), let m = digits(2), take(":"), let s = digits(2) else { return nil }
            return (h, m, s)
        }
    }
}
