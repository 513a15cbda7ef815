import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A parsed HTTP response as a test sees it.
struct HTTPResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    var head: String

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking TCP client with a receive timeout on every call (nginx-tests wraps every
/// socket call in an alarm for the same reason: a test must never hang).
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    /// `receiveBuffer` shrinks SO_RCVBUF before connecting (a client that reads slowly).
    init(port: Int, timeout: TimeInterval = 5, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - floor(timeout)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 {
            let e = errno
            close(fd)
            throw TestError.connect(e)
        }
    }

    deinit { close(fd) }

    func send(_ s: String) { send(Array(s.utf8)) }

    func send(_ bytes: [UInt8]) {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            off += n
        }
    }

    /// Bytes already received past the last parsed response (e.g. frames after a 101).
    func takeBuffered() -> [UInt8] {
        defer { buffer.removeAll() }
        return buffer
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Bytes received but not yet consumed by `readResponse`.
    var pendingCount: Int { buffer.count }

    /// Makes the close in `deinit` send a TCP reset (SO_LINGER 0) instead of a FIN: an aborted
    /// client. Drop the last reference to reset the connection.
    func resetOnClose() {
        var l = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
    }

    /// Reads more bytes into the buffer; false on EOF, error or timeout.
    @discardableResult
    func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &chunk, chunk.count, 0)
        if n <= 0 { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    /// Everything until the server closes (or the timeout).
    func readToEnd() -> [UInt8] {
        while fill() {}
        defer { buffer.removeAll() }
        return buffer
    }

    /// True when the server has closed the connection (EOF within the timeout).
    func isClosedByServer() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// Reads one response; `head` true for a HEAD request (no body follows).
    func readResponse(head: Bool = false) -> HTTPResponse? {
        var end: Int?
        while end == nil {
            if let r = find([13, 10, 13, 10]) { end = r } else if !fill() { return nil }
        }
        let headBytes = Array(buffer[0..<end!])
        buffer.removeFirst(end! + 4)
        let headText = String(decoding: headBytes, as: UTF8.self)
        let lines = headText.components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let c = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<c]), line[line.index(after: c)...].trimmingCharacters(in: .whitespaces)))
        }
        var r = HTTPResponse(status: status, headers: headers, body: [], head: headText)
        if head || status == 204 || status == 304 || status < 200 { return r }
        if let te = r.header("Transfer-Encoding"), te.lowercased() == "chunked" {
            while true {
                guard let lineEnd = waitFor([13, 10]) else { return nil }
                let sizeText = String(decoding: buffer[0..<lineEnd], as: UTF8.self)
                buffer.removeFirst(lineEnd + 2)
                guard let size = Int(sizeText.split(separator: ";")[0], radix: 16) else { return nil }
                if size == 0 {
                    guard let e = waitFor([13, 10]) else { return nil }
                    buffer.removeFirst(e + 2)
                    return r
                }
                while buffer.count < size + 2 { if !fill() { return nil } }
                r.body.append(contentsOf: buffer[0..<size])
                buffer.removeFirst(size + 2)
            }
        }
        if let cl = r.header("Content-Length"), let n = Int(cl) {
            while buffer.count < n { if !fill() { return nil } }
            r.body = Array(buffer[0..<n])
            buffer.removeFirst(n)
            return r
        }
        r.body = readToEnd()
        return r
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where buffer[i] == needle[0] {
            if Array(buffer[i..<(i + needle.count)]) == needle { return i }
        }
        return nil
    }

    private func waitFor(_ needle: [UInt8]) -> Int? {
        while true {
            if let i = find(needle) { return i }
            if !fill() { return nil }
        }
    }

    /// Sends a request and reads its response.
    func request(_ raw: String, head: Bool = false) -> HTTPResponse? {
        send(raw)
        return readResponse(head: head)
    }
}

/// One request on a fresh connection.
func httpRequest(port: Int, _ raw: String, head: Bool = false) throws -> HTTPResponse? {
    try RawClient(port: port).request(raw, head: head)
}
