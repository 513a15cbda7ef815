# Shared by the leak check's load scripts.
import socket


def read_all(s, errors=(socket.timeout,), timeout=2):
    """What the server sends until it closes, or until `timeout` seconds pass quietly."""
    out = b""
    s.settimeout(timeout)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except errors:
        pass
    return out
