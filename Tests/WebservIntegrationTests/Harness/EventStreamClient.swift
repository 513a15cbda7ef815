import Foundation

/// A Server-Sent Events subscriber over `RawClient`: sends the GET, reads the head, then
/// undoes the chunked framing and hands out the stream's blocks (events and comments).
final class EventStreamClient {
    let raw: RawClient
    let response: HTTPResponse
    /// Chunked bytes not decoded yet, and decoded bytes not handed out yet.
    private var wire: [UInt8] = []
    private var body: [UInt8] = []
    private(set) var ended = false

    struct Event: Equatable {
        var id: String?
        var data: String
    }

    /// nil when the answer is not a 200.
    init?(port: Int, path: String, headers: String = "", timeout: TimeInterval = 5, receiveBuffer: Int32? = nil) throws {
        raw = try RawClient(port: port, timeout: timeout, receiveBuffer: receiveBuffer)
        raw.send("GET \(path) HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\(headers)\r\n")
        guard let r = raw.readResponse(head: true), r.status == 200 else { return nil }
        response = r
        wire = raw.takeBuffered()
    }

    /// The next block (up to its blank line, without it); nil at the end or on timeout.
    func nextBlock() -> String? {
        while true {
            decode()
            if let end = find([10, 10]) {
                let block = String(decoding: body[0..<end], as: UTF8.self)
                body.removeFirst(end + 2)
                return block
            }
            if ended || !raw.fill() { return nil }
            wire += raw.takeBuffered()
        }
    }

    /// The next event, skipping comments (heartbeats).
    func nextEvent() -> Event? {
        while let block = nextBlock() {
            var event = Event(id: nil, data: "")
            var data: [String] = []
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("id: ") { event.id = String(line.dropFirst(4)) }
                if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            if block.hasPrefix(":") { continue }
            event.data = data.joined(separator: "\n")
            return event
        }
        return nil
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard body.count >= needle.count else { return nil }
        for i in 0...(body.count - needle.count) where body[i] == needle[0] && body[i + 1] == needle[1] { return i }
        return nil
    }

    private func decode() {
        while !ended {
            guard let lineEnd = (0..<max(0, wire.count - 1)).first(where: { wire[$0] == 13 && wire[$0 + 1] == 10 }),
                let size = Int(String(decoding: wire[0..<lineEnd], as: UTF8.self), radix: 16),
                wire.count >= lineEnd + 2 + size + 2
            else { return }
            if size == 0 {
                ended = true
                return
            }
            body += wire[(lineEnd + 2)..<(lineEnd + 2 + size)]
            wire.removeFirst(lineEnd + 2 + size + 2)
        }
    }
}
