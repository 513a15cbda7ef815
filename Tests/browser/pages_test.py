#!/usr/bin/env python3
"""Real-browser walk of the demo as a newcomer meets it: conf/default.conf in headless Chromium.

    python3 Tests/browser/pages_test.py [--webserv .build/debug/webserv] [--reports reports]

Starts the given webserv binary with the repository's conf/default.conf (its ports 8080 and
8081 swapped for two free ones, still on 127.0.0.1) and walks every page reachable by links
from "/" on the three demo sites: the main site, vhost2.localhost on the same port, and the
read-only port. Each page must load with status 200, log no console error and no failed
request; every same-site link must answer below 400; each page gets a screenshot in
reports/pages/. Exit status 0 = every site passed; the last line reads "N passed, M failed".
"""
import argparse
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

from chat_test import ROOT, log, make_driver, wait_js

MAX_PAGES = 40     # per site: the demo has about 15


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DemoServer:
    """webserv on conf/default.conf with its two ports replaced; paths resolve against the repo."""

    def __init__(self, binary, tmpdir):
        self.main_port, self.readonly_port = free_port(), free_port()
        text = open(os.path.join(ROOT, "conf", "default.conf")).read()
        assert "127.0.0.1:8080" in text and "127.0.0.1:8081" in text, "conf/default.conf changed its ports"
        text = text.replace("127.0.0.1:8080", f"127.0.0.1:{self.main_port}")
        text = text.replace("127.0.0.1:8081", f"127.0.0.1:{self.readonly_port}")
        self.conf = os.path.join(tmpdir, "demo.conf")
        with open(self.conf, "w") as f:
            f.write(text)
        self.out_path = os.path.join(tmpdir, "webserv.out")
        self.err_path = os.path.join(tmpdir, "webserv.err")
        self.out = open(self.out_path, "wb")
        self.err = open(self.err_path, "wb")
        self.proc = subprocess.Popen([binary, "-p", ROOT, self.conf], cwd=tmpdir, stdout=self.out,
                                     stderr=self.err, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if len(re.findall(rb"^listening on ", open(self.out_path, "rb").read(), re.M)) >= 2:
                break
            if self.proc.poll() is not None:
                raise RuntimeError(f"webserv exited {self.proc.returncode}: {open(self.err_path).read()}")
            time.sleep(0.05)
        else:
            raise RuntimeError("webserv did not report its two listeners")
        log(f"webserv pid {self.proc.pid} on 127.0.0.1:{self.main_port} and :{self.readonly_port}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()                      # by PID, never by name
            try:
                self.proc.wait(timeout=8)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.out.close()
        self.err.close()
        return self.proc.returncode


def status_of(url):
    """GET url from 127.0.0.1 with its host as the Host header (the resolver may not know
    *.localhost); redirects are not followed: a 3xx is a working link."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection("127.0.0.1", u.port, timeout=5)
    try:
        conn.request("GET", (u.path or "/") + ("?" + u.query if u.query else ""), headers={"Host": u.netloc})
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


PAGE_JS = """
const nav = performance.getEntriesByType('navigation')[0];
return {
  status: nav ? nav.responseStatus : 0,
  failed: performance.getEntriesByType('resource')
      .filter(e => e.responseStatus >= 400).map(e => e.name + ' ' + e.responseStatus),
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  title: document.title,
};"""


def walk(drv, name, base, reports):
    """Visits every page linked from base + "/"; returns a list of problems."""
    problems = []
    queue, seen, checked = ["/"], set(), {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        drv.get(base + path)
        wait_js(drv, "document.readyState === 'complete'", f"{name}{path} loaded")
        time.sleep(0.3)                                # WebSocket pages connect after load
        if not drv.current_url.startswith(base + "/"):
            log(f"  {name}{path} -> {drv.current_url}")   # sent to the other site, walked there
            continue
        page = drv.execute_script(PAGE_JS)
        shot = os.path.join(reports, f"{name}{re.sub(r'[^A-Za-z0-9.]+', '_', path)}.png")
        drv.save_screenshot(shot)
        if page["status"] != 200:
            problems.append(f"{name}{path}: HTTP {page['status']}")
        problems += [f"{name}{path}: failed request {f}" for f in page["failed"]]
        problems += [f"{name}{path}: console {e.get('message')}" for e in drv.get_log("browser")
                     if e.get("level") == "SEVERE"]
        if not page["title"]:
            problems.append(f"{name}{path}: no title")
        for link in page["links"]:
            url = link.split("#", 1)[0]
            if not url.startswith(base + "/"):
                continue
            if url not in checked:
                checked[url] = status_of(url)
                if checked[url] >= 400:
                    problems.append(f"{name}{path}: broken link {url} ({checked[url]})")
            target = url[len(base):]
            if checked[url] < 300 and (target.endswith("/") or target.endswith(".html")):
                queue.append(target)
    log(f"{name}: {len(seen)} pages, {len(checked)} links checked, {len(problems)} problems")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--webserv", default=os.path.join(ROOT, ".build", "debug", "webserv"))
    ap.add_argument("webserv_pos", nargs="?", help="webserv binary (positional form)")
    ap.add_argument("--reports", default=os.path.join(ROOT, "reports"), help="screenshot folder")
    args = ap.parse_args()
    binary = os.path.abspath(args.webserv_pos or args.webserv)
    reports = os.path.join(os.path.abspath(args.reports), "pages")
    os.makedirs(reports, exist_ok=True)

    def on_alarm(*_):
        raise TimeoutError("page walk took longer than 150 s")
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(150)

    passed = failed = 0
    server = drv = None
    with tempfile.TemporaryDirectory(prefix="webserv-pages-") as tmp:
        try:
            server = DemoServer(binary, tmp)
            drv = make_driver()
            sites = [("main", f"http://127.0.0.1:{server.main_port}"),
                     ("vhost2", f"http://vhost2.localhost:{server.main_port}"),
                     ("readonly", f"http://127.0.0.1:{server.readonly_port}")]
            for name, base in sites:
                problems = walk(drv, name, base, reports)
                if problems:
                    failed += 1
                    log(f"FAIL {name}:\n  " + "\n  ".join(problems))
                else:
                    passed += 1
                    log(f"PASS {name} ({base})")
            log(f"screenshots in {reports}")
        except Exception as e:  # noqa: BLE001 - report, then count it
            failed += 1
            log(f"FAIL: {type(e).__name__}: {e}")
            traceback.print_exc()
        finally:
            signal.alarm(0)
            if drv is not None:
                drv.quit()
            if server is not None and server.stop() not in (0, None):
                log(f"webserv exited with status {server.proc.returncode} after SIGTERM (spec: 0)")
                failed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed == 3 else 1


if __name__ == "__main__":
    sys.exit(main())
