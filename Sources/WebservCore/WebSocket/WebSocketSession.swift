/// The pure state machine of one WebSocket connection (RFC 6455 §5-7): the connection feeds it
/// bytes and the time, and executes the actions it returns.
public struct WebSocketSession: Sendable {
    /// Limits and timers, times in milliseconds.
    public struct Configuration: Sendable {
        public var maxMessageSize: Int
        /// Ping a peer that has sent nothing for this long; 0 disables idle pings.
        public var idlePingInterval: Int
        /// Close the connection when a ping has had no answer for this long.
        public var pongTimeout: Int
        /// After our close frame, wait this long for the peer's before closing the socket.
        public var closeTimeout: Int
        /// permessage-deflate as negotiated in the handshake (RFC 7692); nil: none.
        public var deflate: PerMessageDeflateParameters?

        public init(
            maxMessageSize: Int = 1 << 20, idlePingInterval: Int = 30_000, pongTimeout: Int = 10_000,
            closeTimeout: Int = 5_000
        ) {
            self.maxMessageSize = maxMessageSize
            self.idlePingInterval = idlePingInterval
            self.pongTimeout = pongTimeout
            self.closeTimeout = closeTimeout
        }
    }

    /// What the connection must do, in order.
    public enum Action: Equatable, Sendable {
        /// Write these frame bytes.
        case send([UInt8])
        /// Hand a complete text or binary message to the application (echo, broadcast, exec).
        case deliver(opcode: WebSocketOpcode, payload: [UInt8])
        /// Flush what was sent, then close the TCP connection; nothing more will be sent. (Best done
        /// as shutdown(SHUT_WR) then a short drain, so unread input cannot turn it into an RST that
        /// destroys our close frame.)
        case closeConnection
    }

    /// §7: open, then closing once we sent a close frame, then closed.
    public enum State: Equatable, Sendable {
        case open
        /// We sent a close frame and wait for the peer's until `deadline`.
        case closing(deadline: Int)
        case closed
    }

    public let configuration: Configuration
    public private(set) var state: State = .open
    /// The status code of the peer's close frame, once received.
    public private(set) var peerCloseCode: UInt16?

    private var decoder: WebSocketFrameDecoder
    private var assembler: WebSocketMessageAssembler
    private var lastReceived: Int
    private var pingSentAt: Int?
    /// permessage-deflate state, created with the first compressed message each way.
    private var inflater: MessageInflater?
    private var deflater: MessageDeflater?
    /// The message being received has RSV1 on its first frame.
    private var receivingCompressed = false

    public init(configuration: Configuration = Configuration(), now: Int) {
        self.configuration = configuration
        self.decoder = WebSocketFrameDecoder(maxPayloadLength: configuration.maxMessageSize)
        self.assembler = WebSocketMessageAssembler(maxMessageSize: configuration.maxMessageSize)
        self.lastReceived = now
        self.decoder.allowsCompressedFrames = configuration.deflate != nil
    }

    /// Frees the decoder's buffer when it holds nothing (an idle connection keeps none).
    public mutating func releaseIdleStorage() { decoder.releaseIdleStorage() }

    /// True while application messages may be sent.
    public var canSend: Bool { state == .open }

    /// The next time `tick` has something to do, for the event loop's poll timeout.
    public var nextDeadline: Int? {
        switch state {
        case .open:
            guard configuration.idlePingInterval > 0 else { return nil }
            if let pingSentAt { return pingSentAt + configuration.pongTimeout }
            return lastReceived + configuration.idlePingInterval
        case .closing(let deadline):
            return deadline
        case .closed:
            return nil
        }
    }

    public mutating func receive(_ bytes: ArraySlice<UInt8>, now: Int) -> [Action] {
        bytes.withUnsafeBytes { receive($0, now: now) }
    }

    /// Decodes `bytes` into frames and messages and reacts to each. A malformed frame header
    /// leaves the stream unreadable, so it is answered with a close frame and `.closeConnection`
    /// at once; a bad message (UTF-8, close code, size of an open message) goes through `fail`.
    public mutating func receive(_ bytes: UnsafeRawBufferPointer, now: Int) -> [Action] {
        guard state != .closed else { return [] }
        lastReceived = now
        pingSentAt = nil
        decoder.append(bytes)
        var actions: [Action] = []
        while state != .closed {
            let frame: WebSocketFrame?
            do {
                // A frame may not make the open message exceed its limit (checked before buffering).
                decoder.maxPayloadLength = state == .open ? assembler.remainingMessageBudget : configuration.maxMessageSize
                frame = try decoder.nextFrame()
            } catch {
                // The byte stream is no longer frame-aligned: nothing more can be read from it.
                if state == .open { actions.append(.send(WebSocketFrameEncoder.encodeClose(code: error.closeCode))) }
                actions.append(.closeConnection)
                state = .closed
                break
            }
            guard let frame else {
                if state == .open, !receivingCompressed, !decoder.partialFrameIsCompressed, let partial = decoder.partialFrame {
                    do {
                        try assembler.inspectPartial(opcode: partial.opcode, payload: partial.payload)
                    } catch {
                        actions += fail(error, now: now)
                    }
                }
                break
            }
            guard state == .open else {
                // After our close only the peer's close matters; its content no longer does.
                if frame.opcode == .close {
                    let event = (try? WebSocketMessageAssembler.parseClose(frame.payload)) ?? .close(code: nil, reason: [])
                    handle(event, now: now, into: &actions)
                }
                continue
            }
            do {
                if let event = try assembler.push(try inflated(frame)) { handle(event, now: now, into: &actions) }
            } catch {
                actions += fail(error, now: now)
                // A bad close frame (code 1005, 999, a 1-byte payload …) is still the peer's
                // close: both have now been sent, so the TCP connection closes now (§7.1.1),
                // without waiting for a second close that will not come.
                if frame.opcode == .close, case .closing = state {
                    state = .closed
                    actions.append(.closeConnection)
                }
            }
        }
        Self.coalescePongs(&actions)
        return actions
    }

    /// A data frame of a compressed message with its payload inflated (RFC 7692 §7.2.2), counted
    /// against the message's remaining budget as it grows; other frames as they are.
    private mutating func inflated(_ frame: WebSocketFrame) throws(WebSocketError) -> WebSocketFrame {
        guard let deflate = configuration.deflate, !frame.opcode.isControl else { return frame }
        // The decoder already refused RSV1 on continuation and control frames.
        if frame.opcode != .continuation, !assembler.isAssembling { receivingCompressed = frame.reservedBits & 0b100 != 0 }
        guard receivingCompressed else { return frame }
        if inflater == nil { inflater = MessageInflater() }
        guard let inflater else { throw .internalError }
        var payload: [UInt8] = []
        try inflater.inflate(frame.payload, final: frame.fin, into: &payload, limit: assembler.remainingMessageBudget)
        if frame.fin {
            receivingCompressed = false
            inflater.endMessage(resetContext: deflate.clientNoContextTakeover)
        }
        return WebSocketFrame(fin: frame.fin, opcode: frame.opcode, payload: payload)
    }

    /// Appends one application message as a frame, compressed (RSV1 set) when permessage-deflate
    /// was negotiated; control frames never go through here (§6.1).
    public mutating func encodeMessage(opcode: WebSocketOpcode, payload: some Collection<UInt8>, into buffer: inout [UInt8]) {
        guard let deflate = configuration.deflate else {
            return WebSocketFrameEncoder.encode(opcode: opcode, payload: payload, into: &buffer)
        }
        if deflater == nil {
            deflater = MessageDeflater.forConnection(deflate)
        }
        guard let deflater else { return WebSocketFrameEncoder.encode(opcode: opcode, payload: payload, into: &buffer) }
        PerMessageDeflate.appendCompressedFrame(opcode: opcode, compressed: deflater.compress(payload), into: &buffer)
    }

    /// A batch with more pongs than this keeps only its last pong.
    public static let pongsPerBatch = 16

    /// Keeps only the last pong of a batch of many: "If an endpoint receives a Ping frame and has
    /// not yet sent Pong frame(s) in response to previous Ping frame(s), the endpoint MAY elect to
    /// send a Pong frame for only the most recently processed Ping frame" (§5.5.3). A flood of
    /// pings then costs one pong per read, not one per ping; a few pings in one read (Autobahn
    /// 2.10 sends ten at once and checks every pong) are each answered.
    static func coalescePongs(_ actions: inout [Action]) {
        func isPong(_ a: Action) -> Bool {
            if case .send(let bytes) = a, bytes.first == 0x8A { return true }
            return false
        }
        guard actions.count > pongsPerBatch, let last = actions.lastIndex(where: isPong) else { return }
        guard actions.lazy.filter(isPong).count > pongsPerBatch else { return }
        var kept: [Action] = []
        kept.reserveCapacity(actions.count)
        for (index, action) in actions.enumerated() where index >= last || !isPong(action) { kept.append(action) }
        actions = kept
    }

    /// Reacts to one assembled event.
    public mutating func handle(_ event: WebSocketEvent, now: Int) -> [Action] {
        var actions: [Action] = []
        handle(event, now: now, into: &actions)
        return actions
    }

    private mutating func handle(_ event: WebSocketEvent, now: Int, into actions: inout [Action]) {
        switch (state, event) {
        case (.open, .message(let opcode, let payload)):
            actions.append(.deliver(opcode: opcode, payload: payload))
        case (.open, .ping(let payload)):
            // "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response ...
            // the Pong frame MUST have identical Application data" (§5.5.2, §5.5.3)
            actions.append(.send(WebSocketFrameEncoder.encode(opcode: .pong, payload: payload)))
        case (.open, .close(let code, _)):
            // "it SHOULD use the same status code as the close frame it received" (§5.5.1); a
            // close without a code gets one without a code.
            peerCloseCode = code
            actions.append(.send(WebSocketFrameEncoder.encodeClose(code: code)))
            actions.append(.closeConnection)
            state = .closed
        case (.closing, .close(let code, _)):
            // Handshake complete; "the server ... SHOULD close the underlying TCP connection" first (§7.1.1).
            peerCloseCode = code
            actions.append(.closeConnection)
            state = .closed
        case (.open, .pong), (.closing, _), (.closed, _):
            // "After sending a Close frame ... the endpoint ... MAY ignore" further data (§1.4, §5.5.1).
            break
        }
    }

    /// Fails the connection (§7.1.7): sends a close frame with the error's code and waits for the
    /// peer's close (or the timeout) before closing the socket.
    public mutating func fail(_ error: WebSocketError, now: Int) -> [Action] {
        switch state {
        case .open:
            state = .closing(deadline: now + configuration.closeTimeout)
            return [.send(WebSocketFrameEncoder.encodeClose(code: error.closeCode))]
        case .closing:
            // The peer keeps misbehaving after our close: stop waiting for it.
            state = .closed
            return [.closeConnection]
        case .closed:
            return []
        }
    }

    /// Starts a server-side close, e.g. 1001 on shutdown or 1000 when an exec child exits;
    /// the peer's close is awaited for `wait` milliseconds (default: `closeTimeout`).
    public mutating func close(code: UInt16, reason: [UInt8] = [], now: Int, wait: Int? = nil) -> [Action] {
        guard state == .open else { return [] }
        state = .closing(deadline: now + min(wait ?? configuration.closeTimeout, configuration.closeTimeout))
        return [.send(WebSocketFrameEncoder.encodeClose(code: code, reason: reason))]
    }

    /// Frames an application message, if the session is still open.
    /// (Never compressed: a session with permessage-deflate sends messages with `encodeMessage`.)
    public func send(opcode: WebSocketOpcode, payload: some Collection<UInt8>) -> [Action] {
        guard state == .open else { return [] }
        return [.send(WebSocketFrameEncoder.encode(opcode: opcode, payload: payload))]
    }

    /// Runs the timers: idle ping, pong timeout, close timeout.
    public mutating func tick(now: Int) -> [Action] {
        switch state {
        case .open:
            guard configuration.idlePingInterval > 0 else { return [] }
            if let pingSentAt {
                guard now - pingSentAt >= configuration.pongTimeout else { return [] }
                state = .closed
                return [.closeConnection]
            }
            guard now - lastReceived >= configuration.idlePingInterval else { return [] }
            pingSentAt = now
            return [.send(WebSocketFrameEncoder.encode(opcode: .ping, payload: EmptyCollection()))]
        case .closing(let deadline):
            guard now >= deadline else { return [] }
            state = .closed
            return [.closeConnection]
        case .closed:
            return []
        }
    }
}
