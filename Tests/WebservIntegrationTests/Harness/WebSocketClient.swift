import Foundation

/// A minimal RFC 6455 client over `RawClient`: masked frames out, frames in.
final class WebSocketClient {
    let raw: RawClient
    var pending: [UInt8] = []
    /// The 101 response (its headers: `Sec-WebSocket-Extensions` …).
    private(set) var handshake: HTTPResponse?
    private var chunk = [UInt8](repeating: 0, count: 1 << 20)

    struct Frame {
        var fin: Bool
        var opcode: UInt8
        var payload: [UInt8]
        /// RSV1: permessage-deflate's "Per-Message Compressed" bit.
        var compressed = false
        var text: String { String(decoding: payload, as: UTF8.self) }
        var closeCode: UInt16? { opcode == 8 && payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil }
    }

    static let key = "dGhlIHNhbXBsZSBub25jZQ=="

    /// Connects and performs the handshake; nil when the server did not answer 101.
    init?(port: Int, path: String, extraHeaders: String = "", timeout: TimeInterval = 5, receiveBuffer: Int32? = nil) throws {
        raw = try RawClient(port: port, timeout: timeout)
        if var size = receiveBuffer {
            setsockopt(raw.fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        raw.send(
            "GET \(path) HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: \(Self.key)\r\nSec-WebSocket-Version: 13\r\n\(extraHeaders)\r\n"
        )
        guard let r = raw.readResponse(head: true), r.status == 101 else { return nil }
        handshake = r
        pending = raw.takeBuffered()
    }

    static func frame(opcode: UInt8, payload: [UInt8], fin: Bool = true, masked: Bool = true, rsv: UInt8 = 0) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | rsv << 4 | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 {
            out.append(maskBit | UInt8(payload.count))
        } else if payload.count < 65536 {
            out.append(maskBit | 126)
            out += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            out.append(maskBit | 127)
            for i in (0..<8).reversed() { out.append(UInt8((payload.count >> (8 * i)) & 0xFF)) }
        }
        if masked {
            let mask: [UInt8] = [0x37, 0xfa, 0x21, 0x3d]
            out += mask
            let start = out.count
            out += payload
            // Unsafe pointers: this runs over megabytes in debug builds.
            out.withUnsafeMutableBufferPointer { p in
                for i in 0..<payload.count { p[start + i] ^= mask[i & 3] }
            }
        } else {
            out += payload
        }
        return out
    }

    func send(opcode: UInt8, _ payload: [UInt8], fin: Bool = true, masked: Bool = true, rsv: UInt8 = 0) {
        raw.send(Self.frame(opcode: opcode, payload: payload, fin: fin, masked: masked, rsv: rsv))
    }

    func sendText(_ s: String) { send(opcode: 1, Array(s.utf8)) }

    func sendClose(_ code: UInt16) { send(opcode: 8, [UInt8(code >> 8), UInt8(code & 0xFF)]) }

    /// Reads one frame; nil on EOF or timeout.
    func receive() -> Frame? {
        while true {
            if pending.count >= 2 {
                var length = Int(pending[1] & 0x7F)
                var offset = 2
                if length == 126, pending.count >= 4 {
                    length = Int(pending[2]) << 8 | Int(pending[3])
                    offset = 4
                } else if length == 127, pending.count >= 10 {
                    length = pending[2..<10].reduce(0) { $0 << 8 | Int($1) }
                    offset = 10
                }
                if length < 126 || offset > 2, pending.count >= offset + length {
                    let f = Frame(
                        fin: pending[0] & 0x80 != 0, opcode: pending[0] & 0x0F,
                        payload: Array(pending[offset..<(offset + length)]), compressed: pending[0] & 0x40 != 0)
                    pending.removeSubrange(0..<(offset + length))
                    return f
                }
            }
            let n = chunk.withUnsafeMutableBytes { recv(raw.fd, $0.baseAddress!, $0.count, 0) }
            if n <= 0 { return nil }
            pending.append(contentsOf: chunk[0..<n])
        }
    }

    /// Skips frames until a close frame; returns its code (or nil if the socket ended first).
    func receiveClose() -> UInt16?? {
        while let f = receive() {
            if f.opcode == 8 { return .some(f.closeCode) }
        }
        return nil
    }
}
