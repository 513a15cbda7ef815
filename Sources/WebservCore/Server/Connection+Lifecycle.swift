#if canImport(Glibc)
    import Glibc
#endif

/// Deadlines, closing (graceful and not), upgrades and server shutdown.
extension Connection {
    // MARK: timers and closing

    func checkTimers(now: Int) {
        if closeAfterFlush && now >= deadline {
            close()  // send_timeout while waiting to flush before closing
            return
        }
        if state == .upgraded {
            if now >= deadline && !output.isEmpty {
                close()  // send_timeout: the peer has taken nothing for that long
                return
            }
            upgradedProtocol?.checkTimers(now: now, connection: self)
            if output.isEmpty { transport.releaseIdleMemory() }
            return
        }
        guard now >= deadline else {
            if state == .idle { transport.releaseIdleMemory() }
            return
        }
        switch state {
        case .readingHead:
            keepAlive = false
            state = .exchange
            request = nil
            log.begin(now: now)
            respondError(408)
            closeAfterFlush = true
            deadline = now + 2000
        case .exchange where !output.isEmpty:
            close()  // send_timeout: the client stopped reading
        case .exchange where bodyReader != nil && !responseStarted:
            bodyReader = nil
            bodySink?.abort()
            bodySink = nil
            keepAlive = false
            respondError(408)
            closeAfterFlush = true
            deadline = now + 2000
        case .exchange:
            if streamSource == nil { close() } else { deadline = now + serverConfig.sendTimeout }
        default:
            close()
        }
    }

    /// Shuts down our side and drains the client's leftovers for a moment, so a response is
    /// not destroyed by a TCP reset when unread request bytes remain (nginx's lingering close).
    public func closeGracefully() {
        guard state != .closed else { return }
        if !output.isEmpty {
            closeAfterFlush = true
            keepAlive = false
            deadline = loop.now + serverConfig.sendTimeout
            updateInterest()
            return
        }
        transport.shutdownWrite()
        state = .lingering
        input.clear()
        deadline = loop.now + 2000
        updateInterest()
    }

    public func close() {
        guard state != .closed else { return }
        state = .closed
        if let sink = bodySink {
            bodySink = nil
            sink.abort()
        }
        bodyReader = nil
        if let source = streamSource {
            streamSource = nil
            source.abort()
        }
        if let up = upgradedProtocol {
            upgradedProtocol = nil
            up.closed(connection: self)
        }
        output.discard()
        loop.unregister(fd)
        transport.close()
        server.connectionClosed(self)
    }

    /// Leaves HTTP for another protocol once the 101 is queued.
    public func upgrade(to proto: UpgradedProtocol) {
        upgradedProtocol = proto
        state = .upgraded
        bodyReader = nil
        // send_timeout holds from here while the 101 itself is still unsent.
        deadline = output.isEmpty ? .max : loop.now + serverConfig.sendTimeout
        server.accessLog(self)
        // The protocol keeps what it needs of the request; an idle WebSocket holds no head.
        request = nil
        updateInterest()
        if !input.isEmpty { proto.inputAvailable(connection: self) }
    }

    /// Server shutdown: idle connections close now, busy ones after their response.
    func shutdownRequested() {
        switch state {
        case .idle, .lingering:
            close()
        case .readingHead:
            close()
        case .exchange:
            keepAlive = false
        case .upgraded:
            upgradedProtocol?.serverStopping(connection: self)
        case .closed:
            break
        }
    }
}
