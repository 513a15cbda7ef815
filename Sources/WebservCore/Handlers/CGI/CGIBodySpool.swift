#if canImport(Glibc)
    import Glibc
#endif

/// Collects a chunked request body in an unlinked temporary file, so a CGI can be told its
/// CONTENT_LENGTH without the body being held in memory; starts the script at the end.
final class CGIBodySpool: BodySink {
    private var fd: Int32
    private var length = 0
    private var start: ((Connection, Int, Int32) -> Void)?

    init?(connection: Connection, start: @escaping (Connection, Int, Int32) -> Void) {
        var template = Array("/tmp/webserv-cgi-body-XXXXXX".utf8CString)
        fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            connection.server.logError("cgi: cannot create a body spool file (\(errno))")
            return nil
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        Sys.setCloseOnExec(fd)
        self.start = start
    }

    func bodyData(_ bytes: UnsafeRawBufferPointer, connection: Connection) throws(HandlerError) {
        var offset = 0
        while offset < bytes.count {
            // A regular file: write(2) completes (or fails) without waiting on a peer.
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                connection.server.logError("cgi: writing the body spool file failed (\(errno))")
                throw HandlerError(500)
            }
            offset += n
        }
        length += bytes.count
    }

    func bodyEnd(connection: Connection) {
        guard let start else { return }
        self.start = nil
        _ = lseek(fd, 0, SEEK_SET)
        let file = fd
        fd = -1
        start(connection, length, file)
    }

    func abort() {
        start = nil
        if fd >= 0 {
            Sys.close(fd)
            fd = -1
        }
    }
}
