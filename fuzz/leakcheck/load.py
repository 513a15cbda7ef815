# One round = static, 404, pipelined, chunked upload, a multipart upload cut short, an
# overflowing chunk size (413), CGI, garbage, half a head, DELETE, WebSocket echo and broadcast
# (closed cleanly or dropped), broadcast polling, SSE streams and long polls, gzip/brotli
# answers (cached, streamed, CGI, error page, and a stream the client leaves), and the site
# directives (headers, try_files, listing, auth_basic, limit_except). Usage: load.py PORT [ROUNDS]
import socket, sys, os, base64, time
from common import read_all
port = int(sys.argv[1])
def raw(data, read=True):
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(data)
    out = read_all(s) if read else b""
    s.close(); return out
H = b"Host: h\r\n"
for i in range(int(sys.argv[2]) if len(sys.argv) > 2 else 20):
    raw(b"GET / HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n")
    raw(b"GET /missing HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n")
    raw(b"GET /index.html HTTP/1.1\r\n" + H + b"\r\nGET /up HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n")
    raw(b"POST /up/f%d.txt HTTP/1.1\r\n" % i + H + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
    raw(b"POST /up/ HTTP/1.1\r\n" + H + b"Content-Type: multipart/form-data; boundary=XX\r\nContent-Length: 200\r\n\r\n--XX\r\nContent-Disposition: form-data; name=\"a\"; filename=\"cut.txt\"\r\n\r\npartial", read=False)  # cut short
    raw(b"POST /up/ HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n7fffffffffffffff\r\n")
    raw(b"GET /cgi/t.sh HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n")
    raw(b"GARBAGE\r\n\r\n")
    raw(b"GET / HTTP/1.1\r\n" + H, read=False)  # half a head, then gone
    raw(b"DELETE /up/f%d.txt HTTP/1.1\r\n" % i + H + b"Connection: close\r\n\r\n")
    key = base64.b64encode(os.urandom(16))
    for path in (b"/echo", b"/chat/lobby"):
        s = socket.create_connection(("127.0.0.1", port))
        # Every other round offers permessage-deflate (zlib streams to free); the other rounds'
        # compressed frame is a protocol error (1002).
        ext = b"Sec-WebSocket-Extensions: permessage-deflate\r\n" if i % 2 == 0 else b""
        s.sendall(b"GET " + path + b" HTTP/1.1\r\n" + H + b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + b"\r\n" + ext + b"\r\n")
        s.recv(4096)
        m = b"\x00\x00\x00\x00"
        s.sendall(b"\x81\x85" + m + b"hello" + b"\x89\x80" + m)
        s.sendall(b"\xc1\x87" + m + bytes([0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]))
        time.sleep(0.02); s.recv(4096)
        if i % 2: s.sendall(b"\x88\x82" + m + b"\x03\xe8"); time.sleep(0.02)
        s.close()
    for coding in (b"gzip", b"br"):
        for path in (b"/page.html", b"/big.html", b"/cgi/t.sh", b"/missing"):
            raw(b"GET " + path + b" HTTP/1.1\r\n" + H + b"Accept-Encoding: " + coding + b"\r\nConnection: close\r\n\r\n")
        s = socket.create_connection(("127.0.0.1", port))  # a compressed stream the client leaves
        s.sendall(b"GET /big.html HTTP/1.1\r\n" + H + b"Accept-Encoding: " + coding + b"\r\n\r\n")
        s.recv(1000); s.close()
    raw(b"POST /chat/lobby HTTP/1.1\r\n" + H + b"Content-Length: 2\r\nConnection: close\r\n\r\nhi")
    raw(b"GET /chat/lobby?since=0 HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n")
    # SSE streams and long polls (SPEC 9): a stream left by its client, one that gets a message
    # first, two held polls the clients leave, and a long poll that runs out.
    held = []
    for target in (b"/chat/lobby?client=c%d" % i, b"/chat/lobby?since=999999&wait=30"):
        for _ in range(2):
            s = socket.create_connection(("127.0.0.1", port))
            accept = b"Accept: text/event-stream\r\n" if b"wait" not in target else b""
            s.sendall(b"GET " + target + b" HTTP/1.1\r\n" + H + accept + b"\r\n")
            held.append(s)
    time.sleep(0.05)
    held.pop(0).close(); held.pop(1).close()
    raw(b"POST /chat/lobby HTTP/1.1\r\n" + H + b"Content-Length: 2\r\nConnection: close\r\n\r\nyo")
    for s in held: s.close()
    raw(b"GET /chat/other?since=0&wait=0.1 HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n")
    # Site directives: add_header, try_files fallback, JSON listing, auth_basic (crypt, {SHA},
    # apr1, wrong), limit_except.
    raw(b"GET /site/no/such/page HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n")
    raw(b"GET /site/up/ HTTP/1.1\r\n" + H + b"Accept: application/json\r\nConnection: close\r\n\r\n")
    for user in (b"a:secret", b"b:secret", b"c:secret", b"a:wrong", b"nobody:x"):
        raw(b"GET /priv/ HTTP/1.1\r\n" + H + b"Authorization: Basic " + base64.b64encode(user) + b"\r\nConnection: close\r\n\r\n")
    raw(b"DELETE /priv/x HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n")
print("done")
