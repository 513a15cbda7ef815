#!/usr/bin/env python3
"""Writes the committed seed corpus fuzz/corpus/TARGET/ (small, meaningful inputs) and the
dictionaries fuzz/dict/TARGET.dict. Rerun after editing; the files are committed."""
import os, shutil, struct, zlib

ROOT = os.path.dirname(os.path.abspath(__file__))

def frame(opcode, payload=b"", fin=True, mask=b"\x37\xfa\x21\x3d", rsv=0, masked=True):
    """A client frame (masked unless told), RFC 6455 section 5.2."""
    b0 = (0x80 if fin else 0) | rsv | opcode
    n = len(payload)
    mbit = 0x80 if masked else 0
    if n <= 125:
        head = bytes([b0, mbit | n])
    elif n <= 0xFFFF:
        head = bytes([b0, mbit | 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, mbit | 127]) + struct.pack(">Q", n)
    if not masked:
        return head + payload
    return head + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(payload))

def deflated(data):
    """A permessage-deflate payload (RFC 7692 7.2.1): raw deflate, sync flush, tail removed."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)[:-4]

# RFC 7692 7.2.3.1: "Hello" compressed; 7.2.3.2: the same again with the context taken over.
HELLO = bytes([0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00])
HELLO_AGAIN = bytes([0xF2, 0x00, 0x11, 0x00, 0x00])
TEXT = deflated(("héllo wörld " * 60).encode())

def close(code=None, reason=b""):
    return frame(8, b"" if code is None else struct.pack(">H", code) + reason)

CRLF = "\r\n"

def req(lines, body=""):
    return (CRLF.join(lines) + CRLF + CRLF + body).encode()

SEEDS = {
    "request_head": {
        "get": req(["GET / HTTP/1.1", "Host: localhost"]),
        "get-full": req(["GET /files/index.html?x=1&y=%20 HTTP/1.1", "Host: example.com:8080",
                         "User-Agent: curl/8.5.0", "Accept: */*", "If-None-Match: \"abc\"",
                         "Range: bytes=0-99", "Connection: keep-alive"]),
        "post-length": req(["POST /uploads/a.txt HTTP/1.1", "Host: h", "Content-Length: 5",
                            "Content-Type: text/plain"], "hello"),
        "post-chunked": req(["POST /cgi-bin/echo.py HTTP/1.1", "Host: h", "Transfer-Encoding: chunked",
                             "Expect: 100-continue"], "5\r\nhello\r\n0\r\n\r\n"),
        "http10-keepalive": req(["GET /a/./b/../c HTTP/1.0", "Connection: keep-alive"]),
        "absolute-form": req(["GET http://example.com:81/p%2e%2e/x#frag HTTP/1.1", "Host: ignored"]),
        "options-star": req(["OPTIONS * HTTP/1.1", "Host: h"]),
        "leading-empty-lines": b"\r\n\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
        "lf-only": b"GET /%7euser/ HTTP/1.1\nHost: h\nX-Tab:\tv \t\n\n",
        "pipelined": req(["GET /1 HTTP/1.1", "Host: h"]) + req(["HEAD /2 HTTP/1.1", "Host: h", "Connection: close"]),
        "websocket-upgrade": req(["GET /chat/lobby HTTP/1.1", "Host: h", "Upgrade: websocket", "Connection: Upgrade",
                                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
                                  "Origin: http://h"]),
        "bad-obs-fold": req(["GET / HTTP/1.1", "Host: h", "X: a", " folded"]),
        "bad-bare-cr": b"GET / HTTP/1.1\rHost: h\r\n\r\n",
        "bad-smuggling": req(["POST / HTTP/1.1", "Host: h", "Content-Length: 3", "Transfer-Encoding: chunked"]),
        "bad-duplicate-length": req(["POST / HTTP/1.1", "Host: h", "Content-Length: 3", "Content-Length: +3"]),
        "bad-version": req(["GET / HTTP/2.0", "Host: h"]),
        "bad-traversal": req(["GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1", "Host: h"]),
        "bad-nul": req(["DELETE /a%00b HTTP/1.1", "Host: h"]),
    },
    "chunked": {
        "wiki": b"4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n",
        "extensions": b"5;ext=1;q=\"a;b\\\"c\"\r\nhello\r\n0;last\r\n\r\n",
        "trailers": b"3\r\nabc\r\n0\r\nExpires: never\r\nX-Checksum: 1\r\n\r\n",
        "lf-only": b"a\nhelloworld\n0\n\n",
        "upper-hex-space": b"1A \t\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n",
        "pipelined-after": b"1\r\nx\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
        "bad-overflow": b"ffffffffffffffffff\r\n",
        "bad-missing-crlf": b"3\r\nabcX\r\n0\r\n\r\n",
        "bad-empty-size": b"\r\n0\r\n\r\n",
        # Trapped in announcedPayload before 1210fa7 (Int.max announced after payload).
        "regression-announced-overflow": b"1\r\nx\r\n7fffffffffffffff\r\n",
    },
    "multipart": {
        "two-parts": b"XyZ\n--XyZ\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n"
                     b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
                     b"Content-Type: text/plain\r\n\r\nfile\r\ncontent\r\n--XyZ--\r\n",
        "preamble-epilogue": b"----WebKitFormBoundary7MA4YWxkTrZu0gW\npreamble\r\n"
                             b"------WebKitFormBoundary7MA4YWxkTrZu0gW  \t\r\n"
                             b"content-disposition: form-data; name=x; filename*=UTF-8''%E2%82%AC.txt\r\n\r\n"
                             b"\r\n--\r\n-----WebKitFormBoundary7MA4YWxk\r\n"
                             b"------WebKitFormBoundary7MA4YWxkTrZu0gW--epilogue\r\n",
        "lf-only": b"b\n--b\nContent-Disposition: form-data; name=\"a\"\n\nx\r\n--b--",
        "empty-part": b"bb\n--bb\r\n\r\n\r\n--bb--",
        "bad-boundary-line": b"b\n--b\r\n\r\nx\r\n--bX\r\n",
        "bad-header": b"b\n--b\r\nno colon here\r\n\r\nx\r\n--b--\r\n",
        "truncated": b"b\n--b\r\nContent-Type: a/b\r\n\r\nxyz\r\n--",
    },
    "websocket_frame": {
        "rfc-hello": frame(1, b"Hello"),
        "fragmented": frame(1, b"Hel", fin=False) + frame(9, b"p") + frame(0, b"lo"),
        "binary-126": frame(2, bytes(range(200))),
        "binary-127": frame(2, b"x" * 70000)[:14] + b"\x00" * 16,
        "close-reason": close(1000, b"bye"),
        "pong-empty": frame(10),
        "bad-unmasked": frame(1, b"hi", masked=False),
        "bad-rsv": frame(1, b"hi", rsv=0x40),
        "bad-control-fragmented": frame(9, b"p", fin=False),
        "bad-reserved-opcode": frame(3, b"x"),
        "bad-length-msb": bytes([0x82, 0xFF]) + b"\x80" + b"\x00" * 7 + b"abcd",
    },
    "websocket_session": {
        "echo-then-close": frame(1, b"Hello") + frame(2, b"\x00\x01\x02") + close(1000),
        "fragmented-with-ping": frame(1, "€uro".encode()[:2], fin=False) + frame(9, b"ping")
                                + frame(0, "€uro".encode()[2:], fin=True) + close(1001, b"going"),
        "split-utf8": frame(1, b"\xe2\x82", fin=False) + frame(0, b"\xac") + close(),
        "bad-utf8": frame(1, b"\xc3\x28 invalid") + close(1007),
        "bad-close-code": close(1005),
        "bad-continuation": frame(0, b"x") + frame(1, b"y"),
        "bad-interleaved": frame(1, b"a", fin=False) + frame(2, b"b") + close(1002),
        "too-big": frame(2, b"z" * 400) + close(1009),
        "close-one-byte": frame(8, b"\x03"),
        # permessage-deflate (RSV1); the target negotiates it for half the inputs.
        "deflate-hello": frame(1, HELLO, rsv=0x40),
        "deflate-hello-twice": frame(1, HELLO, rsv=0x40) + frame(1, HELLO_AGAIN, rsv=0x40),
        "deflate-fragmented-with-ping": frame(1, TEXT[:20], fin=False, rsv=0x40) + frame(9, b"p") + frame(0, TEXT[20:]),
        "deflate-bfinal": frame(2, bytes([0xF3, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x00]), rsv=0x40) + close(1000),
    },
    "websocket_extensions": {
        "offer-default": b"permessage-deflate; client_max_window_bits",
        "offer-every-parameter": b"permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                                 b"server_max_window_bits=10; client_max_window_bits=9",
        "offer-bad-then-good": b"permessage-deflate; server_max_window_bits=20, x-webkit-deflate-frame, "
                               b"permessage-deflate; server_max_window_bits=\"8\"",
        "syntax-mixed": b'a; p="q\\"uoted, still" ; r = 5, ,b;;c, "bad", ok',
        "offer-duplicate": b"permessage-deflate; server_no_context_takeover; server_no_context_takeover",
    },
    # An Accept-Encoding value (its bytes are also tried as a Content-Type).
    "accept_encoding": {
        "browser": b"gzip, deflate, br, zstd",
        "qualities": b"br;q=0.5, gzip;q=0.9, *;q=0.1",
        "refusals": b"gzip;q=0, identity;q=0, *",
        "odd-syntax": b"  X-GZIP ; Q=1.000 ,br;level=3;q=0.001,,",
        "bad-q": b"gzip;q=1.5, br;q=0.1234, zstd;q=",
        "type": b"text/html; charset=utf-8",
    },
    # First byte: which file size (see fuzz/targets/conditional.swift); then a header value.
    "conditional": {
        "range": b"\x02bytes=0-4",
        "suffix": b"\x04bytes=-3",
        "reversed-in-set": b"\x05bytes=5-3,0-1",
        "imf-fixdate": b"\x03Sun, 06 Nov 1994 08:49:37 GMT",
        "rfc850": b"\x03Sunday, 06-Nov-94 08:49:37 GMT",
        "asctime": b"\x03Sun Nov  6 08:49:37 1994",
    },
    # An htpasswd file (also read as the user:password of a Basic Authorization header).
    "htpasswd": {
        "every-scheme": b"a:$6$saltsalt$TVLlQcbp\nb:$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0\nc:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n"
                        b"d:{SSHA}gVK8WC9YyFT1gMsQHTGCgT3sSv5zYWx0\ne:{PLAIN}secret:comment\r\n",
        "comments-blank": b"# users\n\n  \nnocolon\n:nouser\nu:\n",
        "credentials": b"user:pass:with:colons",
        "apr1-empty-salt": b"x:$apr1$$abc",
    },
    "path_normalizer": {
        "root": b"/",
        "dots": b"/a/./b/../c/",
        "encoded-dots": b"/a/%2e%2E/b/%2e",
        "encoded-slash": b"/a%2fb//c",
        "above-root": b"/a/../../etc/passwd",
        "nul": b"/a%00.html",
        "bad-escape": b"/a%g0",
        "utf8": b"/%E2%82%AC/caf\xc3\xa9",
        "relative": b"a/b",
    },
    "config": {
        "minimal": b"server { listen 8080; root www; }\n",
        "include": b"http {\n    include mime.types;\n    include nested.conf;\n    default_type text/plain;\n}\n",
        "include-cycle": b"include cycle.conf;\n",
        "include-broken": b"include broken.conf;\n",
        "quotes-escapes": b"server {\n  listen 127.0.0.1:0 default_server;\n  server_name \"a b\" '*.example.com';\n"
                          b"  location = /x { return 200 \"te\\\"xt\\n\"; }\n  location /y { return 302 http://e/; }\n}\n",
        "locations": b"server {\n listen [::1]:8080;\n error_page 404 =200 /e.html;\n client_max_body_size 10m;\n"
                     b" location /up/ { allow_methods GET POST DELETE; upload_store up; }\n"
                     b" location /cgi/ { cgi .py python3; cgi_timeout 500ms; }\n"
                     b" location /ws { websocket exec cat -n; websocket_max_message 64k; websocket_origin http://a; }\n"
                     b" location /chat/ { websocket broadcast; }\n location /al/ { alias files; autoindex on; index a b; }\n}\n",
        "timeouts-logs": b"http { keepalive_timeout 1h; send_timeout 0; access_log off; error_log err.log;\n"
                         b"server { client_header_timeout 5s; client_body_timeout 1m; } }\n",
        "bad-unknown": b"server { lisen 80; }\n",
        "bad-unterminated": b"server {\n listen 80\n}\n",
        "bad-context": b"listen 80;\n",
        "bad-size": b"server { client_max_body_size 12q; }\n",
        "comment-crlf": b"# comment\r\nserver {\r\n  listen 8081; # trailing\r\n}\r\n",
        # Accepted before 3ac0435, then the first connection's deadline overflowed.
        "regression-huge-timeout": b"server {\n keepalive_timeout 2562047788015h;\n}\n",
    },
    "cgi_response": {
        "content-type": b"Content-Type: text/html\n\n<p>hi</p>",
        "status-crlf": b"Status: 404 Not Found\r\nContent-Type: text/plain\r\nX-Extra: 1\r\n\r\nmissing",
        "local-redirect": b"Location: /other?x=1\n\n",
        "client-redirect": b"Location: http://example.com/\nStatus: 302 Found\n\n",
        "hop-by-hop": b"Content-Type: a/b\nConnection: close\nTransfer-Encoding: chunked\nContent-Length: 3\n\nabc",
        "bad-no-colon": b"hello world\n\n",
        "bad-status": b"Status: 20x\n\n",
        "bad-duplicate": b"Content-Type: a/b\nContent-Type: c/d\n\n",
        "bad-splitting": b"Content-Type: a/b\nX: a\rSet-Cookie: evil\n\n",
        "bad-none": b"X-Only: 1\n\n",
    },
}

DICTS = {
    "accept_encoding": ["gzip", "x-gzip", "br", "zstd", "identity", "*", ";q=", "q=0", "q=1", "0.", "1.000",
                        ",", ";", " ", "text/html", "*/*", "charset="],
    "request_head": ["HTTP/1.1", "HTTP/1.0", "\r\n", "\r\n\r\n", "Host: ", "Content-Length: ",
                     "Transfer-Encoding: ", "chunked", "Connection: ", "close", "keep-alive", "Expect: ",
                     "100-continue", "%2e", "%2f", "%00", "/../", "/./", "http://", "https://", "GET ",
                     "POST ", "HEAD ", "DELETE ", "OPTIONS ", "?", "#"],
    "chunked": ["\r\n", "0\r\n\r\n", ";", "=", "\"", "ffffffff", "7fffffffffffffff", "\r\n0\r\n"],
    "multipart": ["\r\n--", "--", "Content-Disposition: form-data; name=", "; filename=",
                  "; filename*=UTF-8''", "Content-Type: ", "\r\n\r\n"],
    "config": ["server", "http", "location", "types", "listen", "server_name", "root", "alias", "index",
               "autoindex", "error_page", "client_max_body_size", "allow_methods", "return", "upload_store",
               "cgi", "cgi_timeout", "websocket", "websocket_max_message", "websocket_origin",
               "keepalive_timeout", "client_header_timeout", "client_body_timeout", "send_timeout",
               "default_type", "access_log", "error_log", "include", "default_server", "echo", "broadcast",
               "exec", "on", "off", "{", "}", ";", "=", "~", "\"", "'", "#", "\\", "127.0.0.1:",
               "[::1]:", "8080", "10k", "1m", "2g", "500ms", "30s", "5m", "1h", "9223372036854775807", "301", "404", "mime.types"],
    "websocket_extensions": ["permessage-deflate", "server_no_context_takeover", "client_no_context_takeover",
                             "server_max_window_bits", "client_max_window_bits", "=", ";", ",", "\"", "\\", "8", "15"],
    "cgi_response": ["Status: ", "Location: ", "Content-Type: ", "Content-Length: ", "\r\n", "\n\n",
                     "Connection: ", "Transfer-Encoding: "],
}

def main():
    corpus = os.path.join(ROOT, "corpus")
    shutil.rmtree(corpus, ignore_errors=True)
    for target, seeds in SEEDS.items():
        os.makedirs(os.path.join(corpus, target))
        for name, data in seeds.items():
            with open(os.path.join(corpus, target, name), "wb") as f:
                f.write(data)
    with open(os.path.join(ROOT, "..", "conf", "default.conf"), "rb") as f:
        with open(os.path.join(corpus, "config", "default-conf"), "wb") as out:
            out.write(f.read())
    os.makedirs(os.path.join(ROOT, "dict"), exist_ok=True)
    for target, words in DICTS.items():
        with open(os.path.join(ROOT, "dict", target + ".dict"), "w") as f:
            for w in words:
                # libFuzzer's dictionary syntax knows only \\, \" and \xNN escapes.
                text = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "\\x%02X" % ord(c) for c in w)
                f.write('"%s"\n' % text)

main()
