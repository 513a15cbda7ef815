#if canImport(Glibc)
    import Glibc
#endif

/// One autoindex listing under way. A directory anyone can fill (an upload store) may hold
/// 100,000 names, and reading them with a `stat` each, then building the page, held the loop
/// for 0.5-0.65 s in one call (release build); here each turn of the loop does a bounded slice
/// (`workPerTurn` entries read or rows built, 2-3 ms) and asks for the next turn
/// (`EventLoop.nextTurn`), so every other ready client is served in between (SPEC 6). The sort
/// stays one step (100,000 names: about 16 ms). A small directory is done in the first call.
///
/// While it works the listing is the connection's stream source: that keeps the exchange
/// open past the request's deadline and closes it when the client leaves (POLLRDHUP);
/// `abort` closes the directory stream. A body up to `streamAbove` bytes is answered whole,
/// as before; a larger one goes out in pieces as the client takes them (with its
/// Content-Length, or compressed and chunked), so neither copying nor compressing it holds
/// the loop either.
final class AutoindexListing: StreamSource {
    /// Directory entries read (readdir + stat) or rows built per turn of the loop.
    static let workPerTurn = 1000
    static let streamAbove = 256 << 10
    /// What one `streamData` call hands on, and how many per turn.
    static let piece = 64 << 10
    static let piecesPerTurn = 4

    /// Strong: the connection holds this only as its stream source, and lets go of it (or
    /// calls `abort`) before it goes, which breaks the cycle.
    private let connection: Connection
    private let request: RequestHead
    private let path: [UInt8]
    private let location: LocationConfig
    private let options: Autoindex.Options
    private var directory: OpaquePointer?
    private var items: [Autoindex.Item] = []
    /// Items already turned into rows of `body`.
    private var built = 0
    private var body: [UInt8] = []
    /// Bytes of `body` already streamed; -1 until the response with a streamed body is queued.
    private var sent = -1
    private var aborted = false
    /// Inside `outputDrained`: a stream write that drains at once calls back into it.
    private var busy = false

    init(_ c: Connection, request: RequestHead, path: [UInt8], location: LocationConfig, directory: OpaquePointer) {
        self.connection = c
        self.request = request
        self.path = path
        self.location = location
        self.options = Autoindex.options(request, location: location)
        self.directory = directory
    }

    deinit { closeDirectory() }

    /// Does one turn's slice; answers when the listing is complete, else asks for another turn.
    func step() {
        guard !aborted else { return }
        // Answered meanwhile (a 408 for a request body that stopped coming): nothing to add.
        guard connection.state == .exchange, !connection.responseStarted else { return abort() }
        var budget = Self.workPerTurn
        if let dir = directory {
            while budget > 0, let entry = readdir(dir) {
                budget -= 1
                if let item = Autoindex.item(entry, in: path) { items.append(item) }
            }
            if budget > 0 {
                closeDirectory()
                Autoindex.sort(&items, options)
                let start = options.json ? Autoindex.jsonStart : Autoindex.pageStart(title: request.pathString, options: options)
                body.append(contentsOf: start.utf8)
                // A large sort is a turn's work of its own.
                if items.count > Self.workPerTurn { budget = 0 }
            }
        }
        if directory == nil {
            while budget > 0 && built < items.count {
                if options.json {
                    if built > 0 { body.append(contentsOf: Autoindex.jsonSeparator.utf8) }
                    body.append(contentsOf: Autoindex.jsonRow(items[built]).utf8)
                } else {
                    body.append(contentsOf: Autoindex.pageRow(items[built], options: options).utf8)
                }
                // Freed as it goes: 100,000 names let go at once would take a turn of their own.
                items[built].raw = []
                items[built].name = ""
                built += 1
                budget -= 1
            }
            if built == items.count { return answer() }
        }
        if connection.streamSource !== self {
            connection.streamSource = self
            connection.updateInterest()
        }
        connection.loop.nextTurn { [self] in  // strong: `aborted` tells a closed connection
            self.step()
        }
    }

    private func answer() {
        body.append(contentsOf: (options.json ? Autoindex.jsonEnd(empty: items.isEmpty) : Autoindex.pageEnd).utf8)
        items = []
        let streamed = body.count > Self.streamAbove && request.method != .head
        var r = Response(status: 200, body: streamed ? .stream : .bytes(body))
        if streamed { r.contentLength = body.count } else { body = [] }
        r.headers.append(("Content-Type", options.json ? "application/json" : "text/html"))
        // With `autoindex_format html` the Accept field picks the format: caches must know.
        if location.autoindexFormat != .json { r.headers.append(("Vary", "Accept")) }
        // Only a response that did start streaming keeps this as its source (`respond` may
        // answer otherwise, for a malformed request body).
        if connection.streamSource === self { connection.streamSource = nil }
        connection.respond(r)
        let c = connection
        if streamed && c.state == .exchange && c.responseStarted && !c.responseComplete {
            sent = 0
            c.streamSource = self
        }
    }

    /// The client took what was queued: the next pieces of a large body.
    func outputDrained(connection c: Connection) {
        guard !busy, !aborted, sent >= 0, sent < body.count else { return }
        busy = true
        defer { busy = false }
        // A slow encoder gets one small piece per turn (as `FileBodySource`).
        let slow = c.bodyEncoder?.isSlow == true
        var pieces = 0
        while sent < body.count && c.canStream && pieces < (slow ? 1 : Self.piecesPerTurn) {
            let n = min(body.count - sent, slow ? BodyEncoder.slowInput : Self.piece)
            let start = sent
            sent += n
            pieces += 1
            body.withUnsafeBytes { c.streamData(UnsafeRawBufferPointer(rebasing: $0[start..<(start + n)]), flush: false) }
            if aborted { return }  // the connection closed meanwhile
        }
        if sent == body.count {
            body = []
            c.streamEnd()
        } else if c.output.isEmpty {
            // A compressor that keeps all it was given so far: no write will call back, so the
            // next turn does (rather than feeding it the whole body now).
            c.loop.nextTurn { [self] in self.outputDrained(connection: c) }
        }
    }

    /// The connection closed (client gone, timeout, server stopping): stop and close the directory.
    func abort() {
        aborted = true
        closeDirectory()
        items = []
        body = []
    }

    private func closeDirectory() {
        if let dir = directory { closedir(dir) }
        directory = nil
    }
}
