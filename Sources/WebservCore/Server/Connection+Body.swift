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
        } catch {
            bodyReader = nil
            let sink = bodySink
            bodySink = nil
            sink?.abort()
            keepAlive = false
            if responseStarted { close() } else { respondError(error.status) }
        }
    }
}
