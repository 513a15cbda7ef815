/// `websocket exec`: placeholder until the child-process layer lands.
final class ExecBridge {
    static func start(command: [String], session: WebSocketConnection, connection: Connection) -> ExecBridge? { nil }
    func toProgram(_ payload: [UInt8]) {}
    func outputDrained() {}
    func end() {}
}
