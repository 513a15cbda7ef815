#if canImport(Glibc)
    import Glibc
#endif

/// Request bodies: handing decoded bytes to a sink, 100-continue, backpressure.
extension Connection {
    // MARK: bodies

    /// Registers who consumes the body; without one the body is read and discarded.
    public func receiveBody(into sink: BodySink) {
        bodySink = sink
        if let req = request, req.expectsContinue, req.minorVersion >= 1, !responseStarted {
            output.append(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
            flush()
        }
        if bodyReader == nil {
            bodySink = nil
            sink.bodyEnd(connection: self)
        }
    }

    /// Stops reading the body until `resumeBody` (the sink's consumer is slow).
    public func pauseBody() {
        bodyPaused = true
        updateInterest()
    }

    public func resumeBody() {
        guard bodyPaused else { return }
        bodyPaused = false
        loop.defer_ { [self] in  // strong: no side table for a weak reference
            guard self.state == .exchange else { return }
            self.process()
        }
    }

    func feedBody() {
        do {
            try readBody()
        } catch {
            bodyReader = nil
            let sink = bodySink
            bodySink = nil
            sink?.abort()
            keepAlive = false
            if !responseStarted {
                respondError(error.status)
            } else if sink != nil || !responseComplete {
                close()
            }
            // Else a declined body failed after its answer was queued: the answer goes out,
            // is logged, and the connection closes after it.
        }
    }

    /// nginx discards a declined body before answering: the bytes already received are read
    /// now, so a malformed one (a bad chunk size, data without its CRLF) is known before the
    /// handler's answer is queued. The status of that failure, or nil.
    func discardBufferedBody() -> Int? {
        guard bodyReader != nil, bodySink == nil, !input.isEmpty else { return nil }
        do {
            try readBody()
        } catch {
            bodyReader = nil
            keepAlive = false
            return error.status
        }
        return nil
    }

    /// Feeds the buffered input to the body reader and its sink.
    private func readBody() throws(HandlerError) {
        guard var reader = bodyReader else { return }
        do {
            let done = try input.withReadable { (p) throws(HandlerError) -> (Int, Bool) in
                try reader.feed(p) { (chunk) throws(HandlerError) in
                    if let sink = self.bodySink { try sink.bodyData(chunk, connection: self) }
                }
            }
            input.consume(done.0)
            deadline = loop.now + serverConfig.clientBodyTimeout
            if done.1 {
                bodyReader = nil
                let sink = bodySink
                bodySink = nil
                sink?.bodyEnd(connection: self)
            } else {
                bodyReader = reader
            }
        }
    }
}
