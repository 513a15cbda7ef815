// WebSocket session: `WebSocketSession.receive` (decoder + assembler + state machine) fed whole,
// byte by byte and at random splits must take the same actions; then the connection's side
// (a message or a server close, the peer's close) and the timers, whose contract is checked:
// nothing happens before `nextDeadline`, something happens at it. Half the inputs negotiated
// permessage-deflate.
@testable import WebservCore

private func run(
    _ input: UnsafeRawBufferPointer, _ split: [Range<Int>], configuration: WebSocketSession.Configuration,
    seed: UInt64, slices: Bool
) -> (actions: [WebSocketSession.Action], state: WebSocketSession.State) {
    var session = WebSocketSession(configuration: configuration, now: 0)
    var actions: [WebSocketSession.Action] = []
    func take(_ new: [WebSocketSession.Action]) {
        for action in new {
            switch action {
            case .send(let frame):
                Fuzz.require(!actions.contains(.closeConnection), "sent after closeConnection")
                Fuzz.require(frame.count >= 2 && frame[1] & 0x80 == 0, "server frame masked or empty")
            case .deliver(let opcode, let payload):
                Fuzz.require(opcode == .text || opcode == .binary, "delivered \(opcode)")
                Fuzz.require(payload.count <= configuration.maxMessageSize, "delivered a message over the limit")
                if opcode == .text { Fuzz.require(UTF8Validator.isValid(payload[...]), "delivered invalid UTF-8") }
            case .closeConnection:
                Fuzz.require(!actions.contains(.closeConnection), "closed twice")
            }
            actions.append(action)
        }
    }
    for piece in split {
        if slices {
            take(session.receive(Array(input[piece])[...], now: 1))
        } else {
            take(session.receive(UnsafeRawBufferPointer(rebasing: input[piece]), now: 1))
        }
    }

    // The connection's side, the same after every split.
    if seed & 2 == 0 {
        let sent = session.send(opcode: .text, payload: Array("from the server".utf8))
        Fuzz.require(sent.isEmpty != session.canSend, "send() and canSend disagree in \(session.state)")
        take(sent)
    } else {
        take(session.close(code: 1001, now: 2))
        if seed & 4 == 0 {
            // The peer answers our close (masked, code 1001).
            take(session.receive([0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xE9 ^ 2][...], now: 3))
        }
    }
    var now = 3
    for _ in 0..<3 {
        guard let deadline = session.nextDeadline else { break }
        Fuzz.require(deadline > now, "deadline \(deadline) not after now \(now) in \(session.state)")
        Fuzz.require(session.tick(now: deadline - 1).isEmpty, "tick acted before the deadline in \(session.state)")
        let due = session.tick(now: deadline)
        Fuzz.require(!due.isEmpty, "tick did nothing at the deadline in \(session.state)")
        take(due)
        now = deadline
    }
    if session.state == .closed { Fuzz.require(session.nextDeadline == nil, "closed session with a deadline") }
    return (actions, session.state)
}

/// A read with more than `pongsPerBatch` pings answers only the last (RFC 6455 §5.5.3), so how
/// many pongs go out depends on how the input was split: compared apart from the other actions,
/// by the last one (the answer to the last ping, which every split sends).
private func withoutPongs(_ actions: [WebSocketSession.Action]) -> [WebSocketSession.Action] {
    actions.filter { !isPong($0) }
}

private func isPong(_ action: WebSocketSession.Action) -> Bool {
    if case .send(let bytes) = action, bytes.first == 0x8A { return true }
    return false
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let seed = Fuzz.hash(input)
    var configuration = WebSocketSession.Configuration(maxMessageSize: seed & 1 == 0 ? 300 : 1 << 20)
    // Half the inputs on a permessage-deflate session: RSV1 frames are inflated, within the limit.
    if seed & 8 == 0 { configuration.deflate = PerMessageDeflateParameters(clientNoContextTakeover: seed & 16 == 0) }
    let splits = Fuzz.splits(count: size, seed: seed)
    let reference = run(input, splits[0], configuration: configuration, seed: seed, slices: false)
    for (k, split) in splits.dropFirst().enumerated() {
        let other = run(input, split, configuration: configuration, seed: seed, slices: k == 0)
        Fuzz.require(other.state == reference.state, "split ends in \(other.state), one read in \(reference.state)")
        Fuzz.require(
            withoutPongs(other.actions) == withoutPongs(reference.actions),
            "split takes \(other.actions), one read \(reference.actions)")
        Fuzz.require(
            other.actions.last(where: isPong) == reference.actions.last(where: isPong),
            "split's last pong differs: \(other.actions), one read \(reference.actions)")
    }
    return 0
}
