#if canImport(Glibc)
    import Glibc
#endif

/// What the access log needs to remember about the exchange in flight.
struct AccessLogEntry {
    var requestLine: [UInt8] = []
    var status = 0
    var bodyBytes = 0
    var started = 0

    mutating func begin(now: Int) {
        requestLine.removeAll(keepingCapacity: true)
        status = 0
        bodyBytes = 0
        started = now
    }
}

/// Log destinations opened once at start, one `LogSink` each (shared by every server block
/// that names the same path), so no log write ever blocks the loop.
final class LogFiles {
    private var sinks: [String: LogSink] = [:]

    /// "" means the standard stream `standard`; otherwise a file opened for appending.
    func open(_ path: String, standard: Int32) throws(SystemError) -> LogSink {
        let key = path.isEmpty ? "/dev/fd/\(standard)" : path
        if let sink = sinks[key] { return sink }
        let sink: LogSink
        if path.isEmpty {
            sink = LogSink.forDescriptor(standard)
        } else {
            // O_NONBLOCK: a FIFO named as a log must not stop the server either.
            let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0o644)
            guard fd >= 0 else { throw SystemError("open() \"\(path)\"", errno) }
            sink = LogSink.forDescriptor(fd, owned: true)
        }
        sinks[key] = sink
        return sink
    }

    /// Every sink, to attach to the loop.
    var all: [LogSink] { Array(sinks.values) }

    /// A blocking write of whole lines, for the command line and the start-up lines (before the
    /// loop runs, nobody else waits).
    static func write(_ fd: Int32, _ line: [UInt8]) {
        line.withUnsafeBytes { p in
            var off = 0
            while off < p.count {
                let n = Glibc.write(fd, p.baseAddress! + off, p.count - off)
                if n <= 0 {
                    if n < 0 && errno == EINTR { continue }
                    return  // a full log pipe must not stop the server
                }
                off += n
            }
        }
    }
}

/// nginx's `combined` format.
enum CombinedLogFormat {
    static func line(
        remote: String, time: [UInt8], request: [UInt8], status: Int, bytes: Int,
        referer: ArraySlice<UInt8>?, userAgent: ArraySlice<UInt8>?, authorization: ArraySlice<UInt8>?
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(200)
        Bytes.append(remote, to: &out)
        Bytes.append(" - ", to: &out)
        if let user = basicUser(authorization) { escape(user[...], into: &out) } else { out.append(0x2D) }
        Bytes.append(" [", to: &out)
        out.append(contentsOf: time)
        Bytes.append("] \"", to: &out)
        escape(request[...], into: &out)
        Bytes.append("\" ", to: &out)
        Bytes.appendDecimal(status, to: &out)
        out.append(0x20)
        Bytes.appendDecimal(bytes, to: &out)
        Bytes.append(" \"", to: &out)
        if let r = referer { escape(r, into: &out) } else { out.append(0x2D) }
        Bytes.append("\" \"", to: &out)
        if let u = userAgent { escape(u, into: &out) } else { out.append(0x2D) }
        Bytes.append("\"\n", to: &out)
        return out
    }

    /// `$remote_user`: the user name of `Authorization: Basic base64(user:pass)` (RFC 7617), the
    /// part before the first `:`. nil (logged as `-`) for another scheme, bad base64, no `:` or an
    /// empty name, as nginx's ngx_http_auth_basic_user.
    static func basicUser(_ authorization: ArraySlice<UInt8>?) -> [UInt8]? {
        guard let value = authorization, value.count > 6,
            Bytes.equalsLowercased(value.prefix(5), "basic"), value[value.startIndex + 5] == 0x20
        else { return nil }
        let credentials = value.dropFirst(6).drop { $0 == 0x20 }
        guard let decoded = Base64.decode(credentials), let colon = decoded.firstIndex(of: 0x3A), colon > 0 else {
            return nil
        }
        return Array(decoded[..<colon])
    }

    /// As nginx: `"`, `\` and bytes outside printable ASCII become \xHH.
    static func escape(_ s: ArraySlice<UInt8>, into out: inout [UInt8]) {
        let hex: StaticString = "0123456789ABCDEF"
        for b in s {
            if b < 0x20 || b >= 0x7F || b == 0x22 || b == 0x5C {
                out.append(contentsOf: [0x5C, 0x78, hex.utf8Start[Int(b >> 4)], hex.utf8Start[Int(b & 0xF)]])
            } else {
                out.append(b)
            }
        }
    }
}
