import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

extension TestServer {
    /// User + system CPU time of the server in clock ticks (/proc/PID/stat fields 14 and 15).
    var cpuTicks: Int {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = s.lastIndex(of: ")")
        else { return -1 }
        // Fields after "(comm)" start at field 3.
        let fields = s[s.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let utime = Int(fields[11]), let stime = Int(fields[12]) else { return -1 }
        return utime + stime
    }

    /// True while the process has not exited.
    var isRunning: Bool { process.isRunning }
}

/// A port on 127.0.0.1 that was free a moment ago (for configs that need two distinct ports:
/// servers that all say `listen 127.0.0.1:0` share one listener).
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
    _ = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// Asserts the things every response carries (SPEC §3): `Date` in IMF-fixdate, exactly
/// `Server: webserv`, `Content-Length` or chunked framing, `Content-Type` with a body.
func assertRequiredHeaders(_ r: HTTPResponse, hasBody: Bool? = nil, file: StaticString = #filePath, line: UInt = #line) {
    let date = r.header("Date") ?? ""
    XCTAssertNotNil(
        date.range(
            of:
                #"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$"#,
            options: .regularExpression), "Date: \(date)\n\(r.head)", file: file, line: line)
    XCTAssertEqual(r.headers.filter { $0.0.lowercased() == "server" }.map(\.1), ["webserv"], r.head, file: file, line: line)
    XCTAssertEqual(r.headers.filter { $0.0.lowercased() == "date" }.count, 1, r.head, file: file, line: line)
    let framed = r.header("Content-Length") != nil || r.header("Transfer-Encoding")?.lowercased() == "chunked"
    if r.status >= 200 && r.status != 204 && r.status != 304 {
        XCTAssertTrue(framed, "no framing:\n\(r.head)", file: file, line: line)
    }
    if hasBody ?? !r.body.isEmpty {
        XCTAssertNotNil(r.header("Content-Type"), "body without Content-Type:\n\(r.head)", file: file, line: line)
    }
}

extension TestServer {
    /// Peak resident set size in KiB (VmHWM): catches a file read whole into memory even
    /// if it was freed before we looked.
    var peakRSSKiB: Int {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return -1 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }
}
