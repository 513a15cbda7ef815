#if canImport(Glibc)
    import Glibc
#endif

/// Responses: queueing a head and body, streamed bodies, errors, and the poll-driven write.
extension Connection {
    // MARK: responses

    /// Queues a complete response (head and body). HEAD requests get the head only.
    public func respond(_ response: Response) {
        guard state == .exchange, !responseStarted else {
            if case .file(let f, _, _) = response.body { Sys.close(f) }
            return
        }
        var response = response
        if let page = request?.errorPage, !Redirect.isRedirect(response.status) {
            ErrorPages.applyStatus(page, to: &response)
        }
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
        if case .stream = response.body {
            if isHead || hasNoBody {
                // No body follows. HEAD keeps the stream's framing: its Content-Length if known,
                // else chunked on HTTP/1.1 (RFC 9110 §9.3.2: the head GET would start with);
                // 1xx/204/304 none.
                if hasNoBody { response.body = .empty }
                responseComplete = true
            } else if response.contentLength == nil {
                // Unknown length: chunked on HTTP/1.1, delimited by the close on HTTP/1.0. A
                // known one frames the bytes as they are, and keep-alive stays possible.
                if minor >= 1 { streamChunked = true } else { keepAlive = false }
            }
        } else {
            responseComplete = true
        }
        // SPEC §3: every response carries Content-Length or chunked framing. A HEAD whose GET
        // would be chunked says so, without a body (RFC 9112 §6.1 allows it on HEAD).
        var chunkedHead = false
        if isHead, !hasNoBody, minor >= 1, case .stream = response.body, response.contentLength == nil {
            chunkedHead = true
        }
        ResponseSerializer.head(
            response, minorVersion: minor, keepAlive: keepAlive, date: loop.dates.value,
            chunked: streamChunked || chunkedHead, into: &output.buffer)
        if !isHead && !hasNoBody {
            switch response.body {
            case .bytes(let b):
                output.buffer.append(contentsOf: b)
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

    /// A streamed body's next bytes (chunk-framed on HTTP/1.1 when the length is unknown).
    public func streamData(_ bytes: UnsafeRawBufferPointer) {
        guard state != .closed, responseStarted, !responseComplete, bytes.count > 0 else { return }
        if request?.method != .head {
            if streamChunked {
                var sizeLine: [UInt8] = []
                Bytes.appendHex(bytes.count, to: &sizeLine)
                sizeLine.append(contentsOf: [0x0D, 0x0A])
                output.append(sizeLine)
                output.append(bytes)
                output.append([0x0D, 0x0A])
            } else {
                output.append(bytes)
            }
            log.bodyBytes += bytes.count
        }
        flush()
    }

    /// The streamed body is complete; `closingConnection` closes the connection once it is out.
    public func streamEnd(closingConnection: Bool = false) {
        guard state != .closed, responseStarted, !responseComplete else { return }
        if closingConnection { keepAlive = false }
        streamSource = nil
        if streamChunked && request?.method != .head { output.append(Array("0\r\n\r\n".utf8)) }
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
            if state != .upgraded { deadline = loop.now + serverConfig.sendTimeout }
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
