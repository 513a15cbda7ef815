#if canImport(Glibc)
    import Glibc
#endif

/// POST (and PUT) to a location with `upload_store` (SPEC §4): multipart/form-data file parts,
/// or the whole body as one file, streamed to disk and answered 201 once the body is complete
/// (PUT replacing a file: 204).
public enum UploadHandler {
    static func handle(_ c: Connection, location: LocationConfig) {
        guard let req = c.request, let store = location.uploadStore else { return c.respondError(500) }
        let contentType = req.header("content-type")
        let kind: UploadSession.Kind
        switch bodyKind(method: req.method, contentType: contentType, path: req.path) {
        case .failure(let e):
            return c.respondError(e.status)
        case .success(let k):
            kind = k
        }
        if let status = prepareStore(store) {
            c.server.logError("upload_store \"\(store)\" is not a usable directory")
            return c.respondError(status)
        }
        let session: UploadSession
        do throws(HandlerError) {
            // PUT replaces its target (RFC 9110 §9.3.4, as nginx's dav module); POST never overwrites.
            session = try UploadSession(
                directory: store, kind: kind, contentType: contentType.map { String(decoding: $0, as: UTF8.self) },
                now: Clock.wallSeconds(), hints: c.server.uploadNames, replacing: req.method == .put)
        } catch {
            return c.respondError(error.status)
        }
        // Only now is the request accepted: receiveBody sends `100 Continue` if it was asked for.
        c.receiveBody(
            into: UploadSink(
                session: session, prefix: location.path, json: UploadReport.wantsJSON(req.header("accept"))))
    }

    /// multipart/form-data (POST only) is split into its file parts; any other body is one file
    /// named after the last URI segment (none when the URI ends in "/").
    static func bodyKind(
        method: HTTPMethod, contentType: ArraySlice<UInt8>?, path: [UInt8]
    ) -> Result<UploadSession.Kind, HandlerError> {
        if method == .post, let type = contentType, isFormData(type) {
            guard let boundary = MultipartScanner.boundary(fromContentType: type) else {
                return .failure(HandlerError(400))
            }
            return .success(.multipart(boundary: boundary))
        }
        let segment = path.split(separator: 0x2F, omittingEmptySubsequences: false).last ?? []
        return .success(.raw(name: segment.isEmpty ? nil : String(decoding: segment, as: UTF8.self)))
    }

    static func isFormData(_ contentType: ArraySlice<UInt8>) -> Bool {
        let type = contentType.prefix { $0 != UInt8(ascii: ";") }
        return Bytes.equalsLowercased(PartHeaderSyntax.trimmed(type), "multipart/form-data")
    }

    /// The store must be a directory; a missing one (a fresh checkout) is created.
    /// Returns the refusing status, or nil when the store is ready.
    static func prepareStore(_ store: String) -> Int? {
        let path = FileResolver.cString(Array(store.utf8))
        var st = stat()
        if path.withUnsafeBufferPointer({ stat($0.baseAddress!, &st) }) == 0 {
            return st.st_mode & S_IFMT == S_IFDIR ? nil : 500
        }
        guard errno == ENOENT else { return 500 }
        return path.withUnsafeBufferPointer({ mkdir($0.baseAddress!, 0o755) }) == 0 ? nil : 500
    }
}

/// Adapts an `UploadSession` to the connection's body stream.
final class UploadSink: BodySink {
    let session: UploadSession
    let prefix: String
    let json: Bool

    init(session: UploadSession, prefix: String, json: Bool) {
        self.session = session
        self.prefix = prefix
        self.json = json
    }

    func bodyData(_ bytes: UnsafeRawBufferPointer, connection: Connection) throws(HandlerError) {
        try session.feed(bytes)
    }

    func bodyEnd(connection c: Connection) {
        do {
            let files = try session.finish()
            // A replaced file: 204, as nginx's dav module (a created one: 201 with its Location).
            c.respond(session.replaced ? Response(status: 204) : UploadReport.response(files, prefix: prefix, json: json))
        } catch {
            session.abort()
            c.respondError(error.status)
        }
    }

    func abort() {
        session.abort()
    }
}
