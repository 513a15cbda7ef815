/// A file an upload stored: its final name in the store and its size.
public struct StoredUpload: Equatable, Sendable {
    public var name: String
    public var size: Int
}

/// Turns one request body into files in the store, as it streams: either the whole body as one
/// file (raw) or each file part of a multipart/form-data body. All or nothing: when the body
/// fails or is cut short, every file this request wrote is removed again.
///
/// Knows nothing of connections, so it is tested on its own with a temp directory.
final class UploadSession {
    enum Kind {
        /// The whole body is one file with this (unsanitised) name, or a generated one.
        case raw(name: String?)
        case multipart(boundary: [UInt8])
    }

    let directory: String
    /// Used for generated names (`upload-<time>.txt`).
    let contentType: String?
    let now: Int
    /// Where the search for a free name starts (shared by the server's uploads).
    let hints: UploadNameHints?
    /// PUT: the raw body replaces the file of that name instead of taking a new name.
    let replacing: Bool
    /// After `finish`: true when a PUT replaced an existing file.
    private(set) var replaced = false
    private var scanner: MultipartScanner?
    private var current: UploadFile?
    private var currentName: String?
    private var currentRawName = ""
    private(set) var stored: [StoredUpload] = []
    private var finished = false

    init(
        directory: String, kind: Kind, contentType: String?, now: Int, hints: UploadNameHints? = nil,
        replacing: Bool = false
    ) throws(HandlerError) {
        self.directory = directory
        self.contentType = contentType
        self.now = now
        self.hints = hints
        self.replacing = replacing
        switch kind {
        case .raw(let name):
            current = try UploadFile(in: directory)
            currentName = name.flatMap(UploadFileName.sanitize)
        case .multipart(let boundary):
            scanner = MultipartScanner(boundary: boundary)
        }
    }

    deinit { abort() }

    /// Body bytes as they arrive; throws the status that refuses the request.
    func feed(_ bytes: UnsafeRawBufferPointer) throws(HandlerError) {
        guard scanner != nil else {
            try current?.write(bytes)
            return
        }
        do {
            try scanner!.feed(bytes) { event in try self.handle(event) }
        } catch let e as HandlerError {
            throw e
        } catch {
            throw HandlerError(400)  // MultipartError: malformed body
        }
    }

    /// The body is complete: commits what is still open and returns every stored file.
    /// A multipart body without its close delimiter, or with no file in it, is a 400.
    func finish() throws(HandlerError) -> [StoredUpload] {
        if let scanner {
            guard scanner.isFinished else { throw HandlerError(400) }
            guard !stored.isEmpty else { throw HandlerError(400) }
        } else if let file = current {
            current = nil
            if replacing, let name = currentName {
                replaced = try file.replace(name)
                stored.append(StoredUpload(name: name, size: file.size))
            } else {
                let name = currentName ?? UploadFileName.generated(contentType: contentType, now: now)
                stored.append(StoredUpload(name: try file.commit(as: name, hints: hints), size: file.size))
            }
        }
        finished = true
        return stored
    }

    /// The request failed or the client went away: no temp file and no stored file stays.
    func abort() {
        guard !finished else { return }
        finished = true
        current?.discard()
        current = nil
        for file in stored { UploadFile.remove(file.name, in: directory) }
        stored.removeAll()
    }

    private func handle(_ event: MultipartScanner.Event) throws(HandlerError) {
        switch event {
        case .partBegin(let headers):
            // Parts without a filename are ordinary form fields: nothing to store.
            guard let raw = headers.fileName else { return }
            current = try UploadFile(in: directory)
            currentRawName = raw
            currentName = UploadFileName.sanitize(raw)
        case .partData(let bytes):
            try current?.write(bytes)
        case .partEnd:
            guard let file = current else { return }
            current = nil
            // A browser sends `filename=""` and no bytes for a file input left empty.
            if currentRawName.isEmpty && file.size == 0 {
                file.discard()
                return
            }
            let name = currentName ?? UploadFileName.generated(contentType: nil, now: now)
            stored.append(StoredUpload(name: try file.commit(as: name, hints: hints), size: file.size))
        case .end:
            break
        }
    }
}
