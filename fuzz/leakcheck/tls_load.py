# TLS rounds for the leak check: HTTPS requests (static, a big file in records, CGI), plain HTTP
# on the TLS port (400), garbage and half handshakes, a client gone mid-response, and wss echo
# closed cleanly or dropped. Usage: tls_load.py PORT [ROUNDS]
import socket, ssl, sys, os, time
from common import read_all
port = int(sys.argv[1])
HOST = "127.0.0.2"
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
def tls(data, read=True, close_notify=True):
    s = ctx.wrap_socket(socket.create_connection((HOST, port)), server_hostname="localhost")
    s.sendall(data)
    out = read_all(s, (socket.timeout, ssl.SSLError, ConnectionError)) if read else b""
    if close_notify:
        try: s.unwrap()
        except (ssl.SSLError, OSError): pass
    s.close(); return out
def raw(data, read=True):
    s = socket.create_connection((HOST, port)); s.sendall(data)
    s.settimeout(2)
    try:
        while read and s.recv(65536): pass
    except (socket.timeout, ConnectionError): pass
    s.close()
H = b"Host: localhost\r\n"
for i in range(int(sys.argv[2]) if len(sys.argv) > 2 else 20):
    tls(b"GET / HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n")
    tls(b"GET /big.bin HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n", close_notify=False)
    tls(b"GET /big.bin HTTP/1.1\r\n" + H + b"\r\n", read=False, close_notify=False)  # gone mid-response
    tls(b"GET /cgi/t.sh HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n")
    raw(b"GET / HTTP/1.1\r\n" + H + b"\r\n")  # plain HTTP on the TLS port
    raw(b"\x16\x03\x01\x00\x40" + os.urandom(64))
    raw(b"\x16\x03\x01\x02\x00\x01", read=False)  # half a ClientHello, then gone
    s = ctx.wrap_socket(socket.create_connection((HOST, port)), server_hostname="localhost")
    s.sendall(b"GET /echo HTTP/1.1\r\n" + H + b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
    s.recv(4096)
    m = b"\x00\x00\x00\x00"
    s.sendall(b"\x81\x85" + m + b"hello")
    time.sleep(0.02); s.recv(4096)
    if i % 2: s.sendall(b"\x88\x82" + m + b"\x03\xe8"); time.sleep(0.02)
    s.close()
