#!/usr/bin/env python3
"""1000 concurrent keep-alive clients for bench/slowclients' descriptor-exhaustion phase.

  fdstorm.py --port P --clients 1000 --seconds 20 --out FILE

Each client, until the deadline: connects, sends up to 5 requests for /1k.bin on that
connection (0.2 s apart), closes, and starts again. A request that gets no complete answer
within --timeout s (default 10) counts as failed, and so does a refused or reset connection.
Writes a JSON report: succeeded, failed by reason, status counts, latency percentiles and how
many clients never got a single answer.
"""

import argparse
import asyncio
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import percentile  # noqa: E402

REQ = b"GET /1k.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    if length:
        await reader.readexactly(length)
    close = b"connection: close" in head.lower()
    return status, close


async def client(a, res, deadline, cid):
    loop = asyncio.get_running_loop()
    got_one = False
    while loop.time() < deadline:
        writer = None
        try:
            t = loop.time()
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", a.port), a.timeout)
            for _ in range(5):
                if loop.time() >= deadline:
                    break
                t = loop.time()
                writer.write(REQ)
                status, close = await asyncio.wait_for(read_response(reader), a.timeout)
                res["status"][status] = res["status"].get(status, 0) + 1
                if 200 <= status < 300:
                    res["ok"] += 1
                    res["lat"].append(loop.time() - t)
                    got_one = True
                else:
                    res["failed"][f"status {status}"] = res["failed"].get(f"status {status}", 0) + 1
                if close:
                    break
                await asyncio.sleep(0.2)
        except asyncio.TimeoutError:
            res["failed"]["timeout"] = res["failed"].get("timeout", 0) + 1
        except (ConnectionError, asyncio.IncompleteReadError, OSError) as e:
            key = type(e).__name__
            res["failed"][key] = res["failed"].get(key, 0) + 1
            await asyncio.sleep(0.2)
        finally:
            if writer is not None:
                writer.close()
    if not got_one:
        res["never_answered"] += 1


async def main_async(a):
    res = {"ok": 0, "failed": {}, "status": {}, "lat": [], "never_answered": 0}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + a.seconds
    await asyncio.wait_for(asyncio.gather(*(client(a, res, deadline, i) for i in range(a.clients))),
                           a.seconds + a.timeout + 30)
    lat = res.pop("lat")
    res["p50"] = percentile(lat, 50)
    res["p99"] = percentile(lat, 99)
    res["max"] = max(lat) if lat else None
    res["failed_total"] = sum(res["failed"].values())
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(65536, hard), hard))
    t = time.monotonic()
    res = asyncio.run(main_async(a))
    res["elapsed"] = time.monotonic() - t
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
