#!/usr/bin/env python3
"""Generates logo.png (the webserv mark) with nothing but the standard library.

Three stacked, rounded bars — teal (TCP), amber (HTTP), violet (WebSocket) — on a
dark rounded tile. Drawn at 4x and box-filtered down for anti-aliasing.
Run:  python3 www/img/make-logo.py www/img/logo.png
"""
import struct
import sys
import zlib

SIZE = 128
SS = 4  # supersampling factor
BIG = SIZE * SS

BG = (20, 26, 38)
LAYERS = [((155, 121, 224), 0.24), ((199, 122, 18), 0.47), ((31, 138, 138), 0.70)]


def inside_round_rect(x, y, x0, y0, x1, y1, r):
    if x < x0 or x > x1 or y < y0 or y > y1:
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def pixel(x, y):
    """Colour (r, g, b, a) of one supersampled pixel, in BIG coordinates."""
    s = BIG
    if not inside_round_rect(x, y, 0, 0, s - 1, s - 1, s * 0.22):
        return (0, 0, 0, 0)
    for i, (colour, top) in enumerate(LAYERS):
        # bars get wider toward the bottom: the stack of protocols
        inset = s * (0.26 - 0.06 * i)
        y0 = s * top
        if inside_round_rect(x, y, inset, y0, s - inset, y0 + s * 0.15, s * 0.05):
            return colour + (255,)
    return BG + (255,)


def render():
    rows = []
    for py in range(SIZE):
        row = bytearray([0])  # filter type: none
        for px in range(SIZE):
            acc = [0, 0, 0, 0]
            for sy in range(SS):
                for sx in range(SS):
                    r, g, b, a = pixel(px * SS + sx, py * SS + sy)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            n = SS * SS
            alpha = acc[3] // n
            if acc[3]:
                row += bytes((acc[0] // acc[3], acc[1] // acc[3], acc[2] // acc[3], alpha))
            else:
                row += bytes((0, 0, 0, 0))
        rows.append(bytes(row))
    return b"".join(rows)


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(raw):
    ihdr = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "logo.png"
    with open(out, "wb") as f:
        f.write(png(render()))
