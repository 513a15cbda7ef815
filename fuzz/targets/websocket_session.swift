// WebSocket session: `WebSocketSession.receive` (decoder + assembler + state machine) fed whole,
// byte by byte and at random splits must take the same actions.
@testable import WebservCore

private func run(_ input: UnsafeRawBufferPointer, _ split: [Range<Int>], configuration: WebSocketSession.Configuration) -> (actions: [WebSocketSession.Action], state: WebSocketSession.State) {
    var session = WebSocketSession(configuration: configuration, now: 0)
    var actions: [WebSocketSession.Action] = []
    for piece in split {
        let new = session.receive(UnsafeRawBufferPointer(rebasing: input[piece]), now: 1)
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
        }
        actions += new
    }
    // Timers still work from wherever the input left the machine.
    _ = session.tick(now: 1_000_000)
    return (actions, session.state)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let seed = Fuzz.hash(input)
    let configuration = WebSocketSession.Configuration(maxMessageSize: seed & 1 == 0 ? 300 : 1 << 20)
    let splits = Fuzz.splits(count: size, seed: seed)
    let reference = run(input, splits[0], configuration: configuration)
    for split in splits.dropFirst() {
        let other = run(input, split, configuration: configuration)
        Fuzz.require(other.state == reference.state, "split ends in \(other.state), one read in \(reference.state)")
        Fuzz.require(other.actions == reference.actions, "split takes \(other.actions), one read \(reference.actions)")
    }
    return 0
}
