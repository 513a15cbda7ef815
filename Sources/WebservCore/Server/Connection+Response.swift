#if canImport(Glibc)
    import Glibc
#endif

/// Responses: queueing a head and body, streamed bodies, errors, and the poll-driven write.
extension Connection {
    // MARK: responses

    /// Queues a complete response (head and body). HEAD requests get the head only.
    /// `consuming`: the response is the caller's to give away (a copy would retain each of
    /// its arrays and strings once more, per request).
    public func respond(_ response: consuming Response) {
        guard state == .exchange, !responseStarted else {
            if case .file(let f, _, _) = response.body { Sys.close(f) }
            return
        }
        if let page = request?.errorPage, !Redirect.isRedirect(response.status) {
            ErrorPages.applyStatus(page, to: &response)
        }
        if response.status != 413, !HTTPStatus.closesConnection(response.status), let failed = discardBufferedBody() {
            // A malformed body to a `return` or a static file: 400, as nginx; an error keeps
            // its status and the connection closes after it.
            if response.status < 400 {
                if case .file(let f, _, _) = response.body { Sys.close(f) }
                return respondError(failed)
            }
        }
        // Binding `request` copies the head (a retain per field): only for the answers judged.
        if NotModifiedFilter.applies(to: response), let req = request, req.errorPage == nil,
            let decided = NotModifiedFilter.status(req)
        {
            if decided == 412 { return respondError(412) }
            response.status = decided
            response.body = .empty
        }
        // The filter stage: headers (add_header, expires), then compression; framing follows
        // below and in `streamData`.
        filter(&response)
        responseStarted = true
        if response.close || HTTPStatus.closesConnection(response.status) { keepAlive = false }
        declineBody(status: response.status)
        let isHead = request?.method == .head || answerHeadOnly
        let minor = request?.minorVersion ?? 1
        let hasNoBody = HTTPStatus.hasNoBody(response.status)
        if hasNoBody {
            // 1xx, 204 and 304 have no content (RFC 9110 §6.4.1), so nothing may describe one,
            // whichever handler, error_page or script produced them.
            response.headers.removeAll { $0.name.utf8.count == 12 && $0.name.lowercased() == "content-type" }
        }
        log.status = response.status
        var streamed = false
        if case .stream = response.body { streamed = true }
        let framing = ResponseFraming.choose(
            status: response.status, streamed: streamed, knownLength: response.contentLength != nil, minorVersion: minor)
        if hasNoBody, streamed { response.body = .empty }
        if streamed && !isHead && !hasNoBody {
            // The stream source sends the body; a known length frames the bytes as they are,
            // and keep-alive stays possible.
            streamChunked = framing == .chunked
            if framing == .close { keepAlive = false }
        } else {
            responseComplete = true
        }
        // SPEC §3: every response carries Content-Length or chunked framing. A HEAD whose GET
        // would be chunked says so, without a body (RFC 9112 §6.1 allows it on HEAD).
        let chunkedHead = isHead && framing == .chunked
        prepareOutput()
        ResponseSerializer.head(
            response, minorVersion: minor, keepAlive: keepAlive, date: loop.dates.value,
            chunked: streamChunked || chunkedHead, keepAliveHeader: serverConfig.keepaliveHeader, into: &output.buffer)
        if !isHead && !hasNoBody {
            switch response.body {
            case .bytes(let b):
                // sendfile from the cached file's descriptor; under TLS (no sendfile) the bytes
                // in memory are copied behind the head instead of read from the file again.
                if let file = response.descriptor, plainTransport != nil {
                    output.appendFile(fd: file.fd, offset: 0, length: b.count, keptBy: file)
                } else {
                    output.buffer.append(contentsOf: b)
                }
                log.bodyBytes = b.count
            case .file(let f, let offset, let length):
                output.appendFile(fd: f, offset: offset, length: length)
                log.bodyBytes = length
            case .empty, .stream:
                break
            }
        } else if case .file(let f, _, _) = response.body {
            Sys.close(f)
        }
        if streamed, let file = streamSource as? FileBodySource {
            // A file to compress: its first bytes join the head in the same send.
            file.outputDrained(connection: self)
        }
        flush()
    }

    /// When nobody wants the request's body: read and drop it (so the next request is not
    /// parsed from its bytes), or close after the response if it is not worth draining.
    func declineBody(status: Int) {
        guard bodyReader != nil && bodySink == nil else { return }
        if case .contentLength(let n) = request?.framing, n > 1 << 20 { keepAlive = false }
        if status == 413 { keepAlive = false }
        // Refused without `100 Continue`: the client may send the body or may not, so its
        // next bytes cannot be told apart from a next request.
        if request?.expectsContinue == true { keepAlive = false }
        if !keepAlive {
            bodyReader = nil
        }
    }

    /// A streamed body's next bytes, through the filter stage: compressed when the response
    /// is (`flush` makes them decodable now: a slow stream's client sees them as they come),
    /// then chunk-framed on HTTP/1.1 when the length is unknown.
    public func streamData(_ bytes: UnsafeRawBufferPointer, flush: Bool = true) {
        guard state != .closed, responseStarted, !responseComplete, bytes.count > 0 else { return }
        if request?.method != .head {
            if let encoder = bodyEncoder {
                encoder.encode(bytes, flush: flush) { frame($0) }
            } else {
                frame(bytes)
            }
        }
        self.flush()
    }

    /// The framing step for streamed bytes: a chunk, or the bytes as they are.
    private func frame(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        if streamChunked {
            output.append(ChunkedFraming.chunkHead(bytes.count))
            output.append(bytes)
            output.append(ChunkedFraming.crlf)
        } else {
            output.append(bytes)
        }
        log.bodyBytes += bytes.count
    }

    /// The streamed body is complete; `closingConnection` closes the connection once it is out.
    public func streamEnd(closingConnection: Bool = false) {
        guard state != .closed, responseStarted, !responseComplete else { return }
        if closingConnection { keepAlive = false }
        streamSource = nil
        if request?.method != .head {
            if let encoder = bodyEncoder {
                encoder.finish { frame($0) }
                server.encoders.give(encoder)
            }
            if streamChunked { output.append(ChunkedFraming.lastChunk) }
        }
        bodyEncoder = nil
        responseComplete = true
        flush()
    }

    /// True while the client keeps up with a streamed body.
    public var canStream: Bool { output.pendingBytes < 256 * 1024 && output.file == nil }

    /// Answers with an error status (through `error_page` when configured), if nothing was
    /// sent yet; otherwise the connection can only be closed.
    public func respondError(_ status: Int, headers: [(name: String, value: String)] = []) {
        guard !responseStarted else {
            close()
            return
        }
        ErrorPages.answer(self, status: status, headers: headers)
    }

    // MARK: writing

    /// Asks for the queued output to be written. Nothing is sent here: SPEC §6 allows a
    /// socket to be written only after `poll()` reported it ready, so this only turns POLLOUT
    /// on, and `writable()` sends. With nothing queued, what follows a drained output runs now.
    public func flush() {
        guard state != .closed else { return }
        if output.isEmpty {
            outputDrained(fromHandler: true)
        } else {
            if state != .upgraded {
                deadline = loop.now + serverConfig.sendTimeout
            } else if deadline == .max {
                // send_timeout runs from the first byte that waits until the next that goes.
                deadline = loop.now + serverConfig.sendTimeout
            }
            updateInterest()
        }
    }

    /// The most file data one connection sends per loop iteration.
    static let fileChunk = 256 << 10

    /// `poll()` reported POLLOUT: send as much as the socket takes.
    func writable() {
        guard state != .closed else { return }
        // This iteration's file budget is spent: poll() reports the socket again next turn.
        if output.onlyFileLeft && loop.fileBudget <= 0 { return }
        var budget = min(Self.fileChunk, loop.fileBudget)
        let before = budget
        defer { loop.fileBudget -= before - budget }
        do {
            let sent: Bool
            if let plain = plainTransport {
                sent = try output.flush(to: plain, budget: &budget)
            } else {
                sent = try output.flush(to: transport, budget: &budget)
            }
            if sent {
                outputDrained(fromHandler: false)
            } else {
                deadline = loop.now + serverConfig.sendTimeout
            }
            updateInterest()
        } catch {
            close()
        }
    }

    /// Everything queued was sent: close if asked to, let a stream source or an upgraded
    /// protocol produce more, or finish the exchange and take the next request.
    func outputDrained(fromHandler: Bool) {
        if closeAfterFlush {
            closeGracefully()
            return
        }
        if state == .upgraded {
            deadline = .max
            releaseIdleBuffers()
            updateInterest()
            upgradedProtocol?.outputDrained(connection: self)
            return
        }
        if let source = streamSource, !responseComplete {
            source.outputDrained(connection: self)
        }
        if state == .exchange && exchangeFinished() && !processing {
            // From inside a handler (a stream that ended without output), continue after it
            // returns; from a poll event, right away. Inside process() its loop continues.
            if fromHandler {
                loop.defer_ { [self] in  // strong: no side table for a weak reference
                    guard self.state == .exchange else { return }
                    self.process()
                }
            } else {
                process()
            }
        }
    }
}
