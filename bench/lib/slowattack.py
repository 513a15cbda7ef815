#!/usr/bin/env python3
"""Slow and hostile clients for bench/slowclients, in one single-threaded process.

  slowattack.py --port P --slowloris 1000 --nonreaders 200 --out FILE [--drip 1.0]
                [--max-seconds 300] [--settle 40]

* slowloris: connects and sends its request head one byte every --drip seconds, never
  finishing it. When the server cuts one (408, EOF or reset) while the attack is on, a new
  one replaces it, so the pressure stays at N connections.
* non-readers: send `GET /big.bin` with a small receive buffer and never read; every
  ~8 s while the attack is on they are recycled (closed by us, reopened), so N requests
  are always stuck in the server's send path.

SIGUSR1 ends the attack: nothing is reopened or recycled any more; the last generation is
left to the server's timeouts. The process then watches (at most --settle s) until every
slowloris is cut, drains every non-reader (a cut one ends in EOF before the full response)
and writes a JSON report: counts, how each was cut, how long the last ones lived.
It prints "connected N" lines on stdout while opening, "ready" once all are open.
"""

import argparse
import errno
import json
import os
import resource
import selectors
import signal
import socket
import sys
import time

HEAD = b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slowloris\r\nX-Slow: "
RCVBUF = 16 * 1024


class Conn:
    __slots__ = ("kind", "sock", "start", "pos", "next_drip", "cut", "how", "got", "final", "status")

    def __init__(self, kind, sock, now, final=False):
        self.kind, self.sock, self.start = kind, sock, now
        self.pos = 0
        self.next_drip = now
        self.cut = None
        self.how = None
        self.got = 0
        self.final = final
        self.status = None


def open_conn(port, kind, now, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    c = Conn(kind, s, now)
    if kind == "nonreader":
        s.send(b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: nonreader\r\n\r\n")
    return c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--slowloris", type=int, default=1000)
    ap.add_argument("--nonreaders", type=int, default=200)
    ap.add_argument("--drip", type=float, default=1.0)
    ap.add_argument("--recycle", type=float, default=8.0, help="non-reader recycle period during the attack")
    ap.add_argument("--max-seconds", type=float, default=300)
    ap.add_argument("--settle", type=float, default=40)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(65536, hard), hard))

    attacking = [True]
    stop_at = [None]

    def on_usr1(_s, _f):
        attacking[0] = False
    signal.signal(signal.SIGUSR1, on_usr1)

    sel = selectors.DefaultSelector()
    live = {}            # fd -> Conn (slowloris and non-readers)
    stats = {"slowloris_opened": 0, "nonreaders_opened": 0, "connect_errors": 0,
             "slowloris_cut_during_attack": 0, "nonreaders_recycled": 0}
    finals = []
    t0 = time.monotonic()

    def add(kind):
        now = time.monotonic()
        try:
            c = open_conn(a.port, kind, now, RCVBUF if kind == "nonreader" else None)
        except OSError:
            stats["connect_errors"] += 1
            return None
        live[c.sock.fileno()] = c
        if kind == "slowloris":
            sel.register(c.sock, selectors.EVENT_READ, c)
            stats["slowloris_opened"] += 1
        else:
            stats["nonreaders_opened"] += 1
        return c

    def cut(c, how, now):
        if c.cut is not None:
            return
        if not attacking[0] and not c.final:
            # SIGUSR1 arrived during this pass: the connection belongs to the last generation
            c.final = True
            finals.append(c)
        c.cut = now
        c.how = how
        if c.kind == "slowloris":
            try:
                sel.unregister(c.sock)
            except (KeyError, ValueError):
                pass
        live.pop(c.sock.fileno(), None)
        c.sock.close()
        if not c.final and c.kind == "slowloris":
            stats["slowloris_cut_during_attack"] += 1
            if attacking[0]:
                add("slowloris")

    # open everything, interleaved, reporting progress
    for i in range(max(a.slowloris, a.nonreaders)):
        if i < a.slowloris:
            add("slowloris")
        if i < a.nonreaders:
            add("nonreader")
        if i % 100 == 99:
            print(f"connected {len(live)}", flush=True)
    print(f"ready {len(live)}", flush=True)

    last_recycle = time.monotonic()
    while True:
        now = time.monotonic()
        if now - t0 > a.max_seconds:
            attacking[0] = False
        if not attacking[0] and stop_at[0] is None:
            stop_at[0] = now
            for c in list(live.values()):
                c.final = True
                finals.append(c)
            print(f"stopped with {len(finals)} open", flush=True)
        if stop_at[0] is not None:
            pending = [c for c in finals if c.kind == "slowloris" and c.cut is None]
            if not pending or now - stop_at[0] > a.settle:
                break
        # the server's answers (408) or closes
        for key, _ev in sel.select(timeout=0.05):
            c = key.data
            try:
                data = c.sock.recv(65536)
            except OSError as e:
                cut(c, "reset" if e.errno == errno.ECONNRESET else f"error {e.errno}", now)
                continue
            if not data:
                cut(c, "eof" if c.status is None else f"{c.status}+eof", now)
            else:
                if c.status is None and data.startswith(b"HTTP/1."):
                    c.status = data[9:12].decode("ascii", "replace")
                c.got += len(data)
        # one byte per connection per --drip seconds
        now = time.monotonic()
        for c in list(live.values()):
            if c.kind != "slowloris" or c.cut is not None or now < c.next_drip:
                continue
            c.next_drip = now + a.drip
            b = HEAD[c.pos:c.pos + 1] if c.pos < len(HEAD) else b"a"
            try:
                c.sock.send(b)
                c.pos += 1
            except BlockingIOError:
                pass
            except OSError as e:
                cut(c, "reset" if e.errno in (errno.ECONNRESET, errno.EPIPE) else f"error {e.errno}", now)
        # recycle non-readers while attacking
        if attacking[0] and now - last_recycle >= a.recycle:
            last_recycle = now
            for c in [c for c in live.values() if c.kind == "nonreader"]:
                live.pop(c.sock.fileno(), None)
                c.sock.close()
                stats["nonreaders_recycled"] += 1
                add("nonreader")

    # drain the last non-readers: a server that cut them gives EOF before the full response
    end = time.monotonic() + 30
    nr = [c for c in finals if c.kind == "nonreader"]
    for c in nr:
        c.sock.setblocking(True)
        c.sock.settimeout(max(0.1, end - time.monotonic()))
        try:
            while True:
                d = c.sock.recv(1 << 20)
                if not d:
                    c.how = "eof"
                    break
                c.got += len(d)
        except socket.timeout:
            c.how = "still open (no EOF)"
        except OSError as e:
            c.how = "reset" if e.errno == errno.ECONNRESET else f"error {e.errno}"
        c.cut = c.cut or time.monotonic()
        c.sock.close()
    for c in live.values():
        try:
            c.sock.close()
        except OSError:
            pass

    sl = [c for c in finals if c.kind == "slowloris"]
    hows = {}
    for c in sl:
        hows[c.how or "never cut"] = hows.get(c.how or "never cut", 0) + 1
    life = sorted(c.cut - c.start for c in sl if c.cut is not None)
    nr_hows = {}
    for c in nr:
        nr_hows[c.how] = nr_hows.get(c.how, 0) + 1
    report = dict(stats)
    report.update({
        "final_slowloris": len(sl),
        "final_slowloris_cut": sum(1 for c in sl if c.cut is not None),
        "final_slowloris_how": hows,
        "final_slowloris_lifetime_min": life[0] if life else None,
        "final_slowloris_lifetime_median": life[len(life) // 2] if life else None,
        "final_slowloris_lifetime_max": life[-1] if life else None,
        "final_nonreaders": len(nr),
        "final_nonreaders_how": nr_hows,
        "final_nonreaders_bytes_max": max((c.got for c in nr), default=0),
        "final_nonreaders_bytes_min": min((c.got for c in nr), default=0),
        "seconds_from_stop_to_last_slowloris_cut": (max((c.cut for c in sl if c.cut), default=stop_at[0] or 0)
                                                    - (stop_at[0] or 0)),
    })
    with open(a.out, "w") as f:
        json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
