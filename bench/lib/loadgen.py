#!/usr/bin/env python3
"""Load generators for bench/soak, each run as its own process so they do not share a GIL.

  loadgen.py http --port P --seconds S --out FILE [--uploaders N --downloaders N --cgi N
                  --cgi-slow N --chat-pollers N]
      threads: 10 MiB uploads (POST, GET back and compare, DELETE), 10 MiB downloads,
      CGI (a fast script -> 200, a slow one -> 504 from cgi_timeout), HTTP chat polling.
  loadgen.py ws --port P --seconds S --out FILE [--broadcast N --echo N --rooms R]
      asyncio + websockets: N clients in broadcast rooms and N echo clients, each sending a
      message every few seconds and reconnecting after a random lifetime.

Every transaction is timed; the result file is JSON: per kind, count, errors, a few error
samples and the latency percentiles. Every loop ends at the deadline.
"""

import argparse
import hashlib
import http.client
import json
import os
import random
import resource
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import percentile  # noqa: E402

BIG = 10 * 1024 * 1024


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.kinds = {}

    def add(self, kind, ok, latency, err=None):
        with self.lock:
            k = self.kinds.setdefault(kind, {"count": 0, "errors": 0, "lat": [], "samples": {}})
            k["count"] += 1
            if ok:
                k["lat"].append(latency)
            else:
                k["errors"] += 1
                key = str(err)[:120]
                k["samples"][key] = k["samples"].get(key, 0) + 1

    def summary(self):
        out = {}
        with self.lock:
            for kind, k in self.kinds.items():
                lat = k["lat"]
                out[kind] = {"count": k["count"], "errors": k["errors"],
                             "p50": percentile(lat, 50), "p99": percentile(lat, 99),
                             "max": max(lat) if lat else None,
                             "error_samples": dict(sorted(k["samples"].items(), key=lambda x: -x[1])[:8])}
        return out


# ---------------------------------------------------------------- HTTP mix

def conn(port, timeout):
    return http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)


def request(c, method, path, body=None, headers=None):
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    return r, data


def uploader(port, deadline, stats, wid, payload, digest):
    i = 0
    c = None
    while time.monotonic() < deadline:
        i += 1
        name = f"/up/soak-{os.getpid()}-{wid}-{i}.bin"
        step = "upload"
        t = time.monotonic()
        try:
            c = c or conn(port, 60)
            r, _ = request(c, "POST", name, payload, {"Content-Type": "application/octet-stream"})
            if r.status != 201:
                raise RuntimeError(f"POST {r.status}")
            loc = r.getheader("Location") or name
            stats.add("upload 10 MiB", True, time.monotonic() - t)
            step = "download-back"
            t = time.monotonic()
            r, data = request(c, "GET", loc)
            if r.status != 200 or len(data) != BIG or hashlib.sha1(data).hexdigest() != digest:
                raise RuntimeError(f"GET back {r.status} len={len(data)} (content differs)")
            stats.add("get uploaded 10 MiB", True, time.monotonic() - t)
            step = "delete"
            t = time.monotonic()
            r, _ = request(c, "DELETE", loc)
            if r.status != 204:
                raise RuntimeError(f"DELETE {r.status}")
            stats.add("delete", True, time.monotonic() - t)
        except Exception as e:  # noqa: BLE001 - every failure is counted
            kind = {"upload": "upload 10 MiB", "download-back": "get uploaded 10 MiB", "delete": "delete"}[step]
            stats.add(kind, False, 0, f"{type(e).__name__}: {e}")
            if c:
                c.close()
            c = None
            time.sleep(0.5)
    if c:
        c.close()


def downloader(port, deadline, stats, digest):
    c = None
    while time.monotonic() < deadline:
        t = time.monotonic()
        try:
            c = c or conn(port, 60)
            r, data = request(c, "GET", "/big.bin")
            if r.status != 200 or len(data) != BIG or hashlib.sha1(data).hexdigest() != digest:
                raise RuntimeError(f"GET /big.bin {r.status} len={len(data)}")
            stats.add("download 10 MiB", True, time.monotonic() - t)
        except Exception as e:  # noqa: BLE001
            stats.add("download 10 MiB", False, 0, f"{type(e).__name__}: {e}")
            if c:
                c.close()
            c = None
            time.sleep(0.5)
    if c:
        c.close()


def cgi_worker(port, deadline, stats, slow):
    kind = "cgi slow -> 504" if slow else "cgi fast"
    path = "/cgi/slow.sh" if slow else "/cgi/fast.sh?n=1"
    want = 504 if slow else 200
    c = None
    while time.monotonic() < deadline:
        t = time.monotonic()
        try:
            c = c or conn(port, 30)
            r, data = request(c, "GET", path)
            if r.status != want:
                raise RuntimeError(f"{path} status {r.status} (want {want})")
            if not slow and b"fast ok" not in data:
                raise RuntimeError(f"{path} body {data[:60]!r}")
            if r.getheader("Connection", "").lower() == "close":
                c.close()
                c = None
            stats.add(kind, True, time.monotonic() - t)
        except Exception as e:  # noqa: BLE001
            stats.add(kind, False, 0, f"{type(e).__name__}: {e}")
            if c:
                c.close()
            c = None
            time.sleep(0.2)
        time.sleep(0.05 if not slow else 0.2)
    if c:
        c.close()


def cgi_stall_worker(port, deadline, stats):
    """stall.sh sends its head, then outlives cgi_timeout: the response must be cut short
    (chunked body without its last chunk) after about cgi_timeout, never hang."""
    kind = "cgi stall after head -> cut"
    while time.monotonic() < deadline:
        t = time.monotonic()
        c = conn(port, 30)
        try:
            c.request("GET", "/cgi/stall.sh")
            r = c.getresponse()
            try:
                r.read()
                raise RuntimeError(f"status {r.status}, body complete (want it cut short)")
            except http.client.IncompleteRead:
                pass
            if r.status != 200:
                raise RuntimeError(f"status {r.status} (want 200 then cut)")
            stats.add(kind, True, time.monotonic() - t)
        except Exception as e:  # noqa: BLE001
            stats.add(kind, False, 0, f"{type(e).__name__}: {e}")
            time.sleep(0.2)
        finally:
            c.close()
        time.sleep(0.5)


def chat_poller(port, deadline, stats, wid):
    room = f"/chat/poll{wid % 3}"
    since = 0
    c = None
    n = 0
    while time.monotonic() < deadline:
        n += 1
        try:
            c = c or conn(port, 30)
            t = time.monotonic()
            r, _ = request(c, "POST", room, f"poller {wid} says {n}".encode(), {"Content-Type": "text/plain"})
            if r.status != 201:
                raise RuntimeError(f"POST {room} {r.status}")
            stats.add("chat POST", True, time.monotonic() - t)
            t = time.monotonic()
            r, data = request(c, "GET", f"{room}?since={since}")
            if r.status != 200:
                raise RuntimeError(f"GET {room} {r.status}")
            doc = json.loads(data)
            since = doc["next"]
            stats.add("chat GET ?since", True, time.monotonic() - t)
        except Exception as e:  # noqa: BLE001
            stats.add("chat poll", False, 0, f"{type(e).__name__}: {e}")
            if c:
                c.close()
            c = None
        time.sleep(random.uniform(0.5, 1.5))
    if c:
        c.close()


def run_http(a):
    payload = os.urandom(BIG)
    with open(a.big, "rb") as f:
        big_digest = hashlib.sha1(f.read()).hexdigest()
    up_digest = hashlib.sha1(payload).hexdigest()
    stats = Stats()
    deadline = time.monotonic() + a.seconds
    threads = []
    for w in range(a.uploaders):
        threads.append(threading.Thread(target=uploader, args=(a.port, deadline, stats, w, payload, up_digest)))
    for _ in range(a.downloaders):
        threads.append(threading.Thread(target=downloader, args=(a.port, deadline, stats, big_digest)))
    for _ in range(a.cgi):
        threads.append(threading.Thread(target=cgi_worker, args=(a.port, deadline, stats, False)))
    for _ in range(a.cgi_slow):
        threads.append(threading.Thread(target=cgi_worker, args=(a.port, deadline, stats, True)))
    for _ in range(a.cgi_stall):
        threads.append(threading.Thread(target=cgi_stall_worker, args=(a.port, deadline, stats)))
    for w in range(a.chat_pollers):
        threads.append(threading.Thread(target=chat_poller, args=(a.port, deadline, stats, w)))
    for t in threads:
        t.daemon = True
        t.start()
    for t in threads:
        t.join(timeout=max(1.0, deadline - time.monotonic() + 90))
    return stats.summary()


# ---------------------------------------------------------------- WebSocket clients

def run_ws(a):
    import asyncio
    import websockets

    stats = Stats()

    async def client(cid, mode, room):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + a.seconds
        await asyncio.sleep(random.uniform(0, 5))          # spread the connects
        generation = 0
        while loop.time() < deadline - 1:
            generation += 1
            life_end = min(deadline, loop.time() + random.uniform(30, 120))
            url = f"ws://127.0.0.1:{a.port}" + (f"/chat/{room}" if mode == "broadcast" else "/echo")
            t = loop.time()
            try:
                ws = await asyncio.wait_for(websockets.connect(url, max_size=2**20, ping_interval=None,
                                                               open_timeout=20, close_timeout=10), 25)
            except Exception as e:  # noqa: BLE001
                stats.add("ws connect", False, 0, f"{type(e).__name__}: {e}")
                await asyncio.sleep(1)
                continue
            stats.add("ws connect", True, loop.time() - t)
            kind = "ws broadcast (own msg back)" if mode == "broadcast" else "ws echo"
            pending = {}           # token -> send time
            last_seq = {}          # sender -> last seq seen (per-sender order check)
            seq = 0

            async def reader():
                async for msg in ws:
                    if mode == "echo":
                        tok = msg
                    else:
                        # "c<cid>g<gen>#<seq> ..." : check every sender's order
                        head = msg.split(" ", 1)[0]
                        sender, _, s = head.partition("#")
                        if s.isdigit():
                            s = int(s)
                            if s <= last_seq.get(sender, -1):
                                stats.add("ws broadcast order", False, 0, f"out of order from {sender}")
                            last_seq[sender] = s
                        tok = head
                    sent = pending.pop(tok, None)
                    if sent is not None:
                        stats.add(kind, True, loop.time() - sent)

            rtask = asyncio.create_task(reader())
            try:
                while loop.time() < life_end and not rtask.done():
                    seq += 1
                    tok = f"c{cid}g{generation}#{seq}"
                    pending[tok] = loop.time()
                    await asyncio.wait_for(ws.send(tok if mode == "echo" else f"{tok} hello room {room}"), 10)
                    await asyncio.sleep(random.uniform(2, 6))
                    now = loop.time()
                    for k, sent in list(pending.items()):
                        if now - sent > 15:
                            pending.pop(k)
                            stats.add(kind, False, 0, "no reply within 15 s")
                await asyncio.sleep(3)        # let the last replies arrive
                if rtask.done() and rtask.exception():
                    raise rtask.exception()
                tc = loop.time()
                await asyncio.wait_for(ws.close(1000), 10)
                stats.add("ws close handshake", True, loop.time() - tc)
            except Exception as e:  # noqa: BLE001
                stats.add("ws session", False, 0, f"{type(e).__name__}: {e}")
            finally:
                for k in list(pending):
                    stats.add(kind, False, 0, "unanswered at close")
                pending.clear()
                rtask.cancel()
                try:
                    await rtask
                except BaseException:  # noqa: BLE001
                    pass

    async def main():
        tasks = []
        for i in range(a.broadcast):
            tasks.append(client(i, "broadcast", f"room{i % a.rooms}"))
        for i in range(a.echo):
            tasks.append(client(a.broadcast + i, "echo", None))
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), a.seconds + 120)

    asyncio.run(main())
    return stats.summary()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["http", "ws"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--big", help="path of the served 10 MiB file (to compare downloads)")
    p.add_argument("--uploaders", type=int, default=3)
    p.add_argument("--downloaders", type=int, default=3)
    p.add_argument("--cgi", type=int, default=3)
    p.add_argument("--cgi-slow", type=int, default=2)
    p.add_argument("--cgi-stall", type=int, default=1)
    p.add_argument("--chat-pollers", type=int, default=3)
    p.add_argument("--broadcast", type=int, default=150)
    p.add_argument("--echo", type=int, default=50)
    p.add_argument("--rooms", type=int, default=10)
    a = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(65536, hard), hard))
    summary = run_http(a) if a.mode == "http" else run_ws(a)
    with open(a.out, "w") as f:
        json.dump(summary, f, indent=1)


if __name__ == "__main__":
    main()
