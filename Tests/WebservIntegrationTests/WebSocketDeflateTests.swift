import Foundation
import XCTest

/// permessage-deflate (RFC 7692) over real sockets: raw frames for the RSV1 rules, Python
/// `websockets` (compression on and off) for every mode.
final class WebSocketDeflateTests: XCTestCase {
    static let config = """
        server {
            listen 127.0.0.1:0;
            root {{ROOT}};
            access_log off;
            location /echo { websocket echo; websocket_max_message 64k; }
            location /chat/ { websocket broadcast; }
            location /upper { websocket exec {{REPO}}/cgi-bin/upper.py; }
            location /off { websocket echo; websocket_deflate off; }
        }
        """
    static let offer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    /// RFC 7692 §7.2.3.1: "Hello" compressed.
    static let hello: [UInt8] = [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]

    func testNegotiatedAndCompressedEchoWithControlFramesUncompressed() throws {
        let s = try TestServer(config: Self.config)
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/echo", extraHeaders: Self.offer))
        XCTAssertEqual(ws.handshake?.header("Sec-WebSocket-Extensions"), "permessage-deflate")
        ws.send(opcode: 1, Self.hello, rsv: 4)
        let echo = try XCTUnwrap(ws.receive())
        XCTAssertTrue(echo.compressed)
        XCTAssertEqual(echo.opcode, 1)
        XCTAssertEqual(echo.payload, Self.hello, "zlib compresses \"Hello\" as the RFC shows")
        // An uncompressed message is fine too, and its echo is compressed.
        ws.sendText("plain")
        XCTAssertEqual(try XCTUnwrap(ws.receive()).compressed, true)
        ws.send(opcode: 9, Array("ping".utf8))
        let pong = try XCTUnwrap(ws.receive())
        XCTAssertEqual(pong.opcode, 10)
        XCTAssertFalse(pong.compressed)
        XCTAssertEqual(pong.text, "ping")
        ws.sendClose(1000)
        let close = try XCTUnwrap(ws.receive())
        XCTAssertEqual(close.closeCode, 1000)
        XCTAssertFalse(close.compressed)
    }

    func testBroadcastMembersGetServerNoContextTakeover() throws {
        let s = try TestServer(config: Self.config)
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/chat/room", extraHeaders: Self.offer))
        XCTAssertEqual(ws.handshake?.header("Sec-WebSocket-Extensions"), "permessage-deflate; server_no_context_takeover")
        let plain = try XCTUnwrap(WebSocketClient(port: s.port, path: "/chat/room"))
        XCTAssertNil(plain.handshake?.header("Sec-WebSocket-Extensions"))
        ws.send(opcode: 1, Self.hello, rsv: 4)
        let mine = try XCTUnwrap(ws.receive())
        XCTAssertEqual(mine.payload, Self.hello)
        XCTAssertTrue(mine.compressed)
        let theirs = try XCTUnwrap(plain.receive())
        XCTAssertEqual(theirs.text, "Hello")
        XCTAssertFalse(theirs.compressed)
    }

    func testRSV1WithoutNegotiationIsAProtocolError() throws {
        let s = try TestServer(config: Self.config)
        for (path, offer) in [("/echo", ""), ("/off", Self.offer)] {
            let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: path, extraHeaders: offer))
            XCTAssertNil(ws.handshake?.header("Sec-WebSocket-Extensions"), path)
            ws.send(opcode: 1, Self.hello, rsv: 4)
            XCTAssertEqual(ws.receiveClose(), .some(1002), path)
        }
    }

    func testRSV1OnAContinuationOrControlFrameIsAProtocolError() throws {
        let s = try TestServer(config: Self.config)
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/echo", extraHeaders: Self.offer))
        ws.send(opcode: 1, Array(Self.hello.prefix(3)), fin: false, rsv: 4)
        ws.send(opcode: 0, Array(Self.hello.dropFirst(3)), rsv: 4)
        XCTAssertEqual(ws.receiveClose(), .some(1002))
        let ping = try XCTUnwrap(WebSocketClient(port: s.port, path: "/echo", extraHeaders: Self.offer))
        ping.send(opcode: 9, [], rsv: 4)
        XCTAssertEqual(ping.receiveClose(), .some(1002))
    }

    /// 64 MiB of zeros deflate to ~64 KiB; the limit (64k) applies to the inflated size.
    func testDeflateBombIsRefusedWith1009() throws {
        let s = try TestServer(config: Self.config)
        let script =
            "import sys, zlib; c = zlib.compressobj(9, zlib.DEFLATED, -15); "
            + "sys.stdout.buffer.write(c.compress(bytes(64 << 20)) + c.flush(zlib.Z_SYNC_FLUSH)[:-4])"
        let bomb = [UInt8](try WebservIntegrationTests.run("/usr/bin/env", ["python3", "-c", script]).out)
        XCTAssertLessThan(bomb.count, 64 << 10, "the compressed frame itself is within the limit")
        let ws = try XCTUnwrap(WebSocketClient(port: s.port, path: "/echo", extraHeaders: Self.offer))
        ws.send(opcode: 2, bomb, rsv: 4)
        XCTAssertEqual(ws.receiveClose(), .some(1009))
        XCTAssertTrue(waitUntil(timeout: 5) { ws.raw.isClosedByServer() })
    }

    /// Python `websockets` with its default (compression on) and with compression off, in every mode.
    func testPythonWebsocketsWithAndWithoutCompression() throws {
        let s = try TestServer(config: Self.config)
        let script = """
            import asyncio, sys, websockets
            from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
            port = int(sys.argv[1])
            async def main():
                for compression in ["deflate", None]:
                    url = f"ws://127.0.0.1:{port}"
                    async with websockets.connect(url + "/echo", compression=compression) as ws:
                        print("echo", ws.response.headers.get("Sec-WebSocket-Extensions"))
                        for m in ["hello", "hello", "x" * 60000, bytes(range(256)) * 40, "", "é" * 1000]:
                            await ws.send(m)
                            assert await ws.recv() == m, "echo"
                    async with websockets.connect(url + "/upper", compression=compression) as ws:
                        print("exec", ws.response.headers.get("Sec-WebSocket-Extensions"))
                        for m in ["one", "two two two two two"]:
                            await ws.send(m)
                            assert await ws.recv() == m.upper(), "exec"
                    async with websockets.connect(url + "/chat/py", compression=compression) as a, websockets.connect(url + "/chat/py") as b:
                        print("broadcast", a.response.headers.get("Sec-WebSocket-Extensions"))
                        for i in range(20):
                            await a.send(f"message {i} " * i)
                        for i in range(20):
                            assert await a.recv() == f"message {i} " * i, "broadcast a"
                            assert await b.recv() == f"message {i} " * i, "broadcast b"
                # A 256-byte window promised (compressed with zlib's 512-byte one, which never
                # reaches further back than 250): Python inflates with an 8-bit window.
                factory = ClientPerMessageDeflateFactory(server_max_window_bits=8, client_no_context_takeover=True)
                async with websockets.connect(url + "/echo", extensions=[factory], compression=None) as ws:
                    print("echo", ws.response.headers.get("Sec-WebSocket-Extensions"))
                    block = bytes(range(40, 120)) * 4
                    for n in range(1, 40):
                        m = (block[: n * 7] + block) * 12
                        await ws.send(m)
                        assert await ws.recv() == m, "window 8"
                print("done")
            asyncio.run(asyncio.wait_for(main(), 30))
            """
        let r = try WebservIntegrationTests.run("/usr/bin/env", ["python3", "-c", script, String(s.port)], timeout: 40)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(
            String(decoding: r.out, as: UTF8.self).split(separator: "\n"),
            [
                "echo permessage-deflate", "exec permessage-deflate", "broadcast permessage-deflate; server_no_context_takeover",
                "echo None", "exec None", "broadcast None",
                "echo permessage-deflate; client_no_context_takeover; server_max_window_bits=8", "done",
            ])
    }
}
