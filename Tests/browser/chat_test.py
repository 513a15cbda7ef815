#!/usr/bin/env python3
"""Real-browser test of webserv's chat page (www/chat.html) in headless Chromium.

    python3 Tests/browser/chat_test.py [--webserv .build/debug/webserv] [--reports reports] [--tls]

--tls serves the page over https:// (a throwaway self-signed certificate the browsers are told to
accept), so the chat's WebSocket is wss://.

Builds nothing: it starts the given webserv binary on an ephemeral port (a temp config serving the
repo's www/ with `location /chat/ { websocket broadcast; }`), opens the chat page in two browsers
in the same room, one in WebSocket mode and one in HTTP-polling mode, and checks:
  1. ws_and_poll_see_each_other: each page shows its own message and the other's, with the badge
     of how it arrived ("WebSocket" / "HTTP poll"); the polling page's request counter grew and
     the WebSocket page opened exactly one connection; screenshots in reports/.
  2. mode_switch_no_duplicates: a page switched WebSocket -> polling -> WebSocket shows every
     message exactly once, with the badge of the transport live at the time; a plain-text POST
     (what curl would send) displays as sent.
  3. site_loads_compressed: the demo's home page and its stylesheet arrive compressed (gzip/brotli
     on, as conf/default.conf has them): fewer bytes on the wire than decoded, and the page renders.
  4. name_kept_across_reloads: the chat keeps its guest name across reloads; /favicon.ico exists.
  5. four_ways_one_order: four pages join one room four ways (WebSocket, SSE, long polling, short
     polling; two tabs in each browser); every message, sent from each page and by POST, reaches
     every page exactly once, by the page's own way, in one order for all; each page shows the
     room's member count (4) and the polling pages show the server's publish times.
Needs: chromium + chromium-driver (apt), selenium (pip). Tests/browser/run installs them.
Exit status 0 = every test passed; the last line reads "N passed, M failed".
"""
import argparse
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
T0 = time.monotonic()
WAIT = 15          # seconds, every WebDriverWait (brief: <= 20 s)


def log(msg):
    print(f"[{time.monotonic() - T0:6.2f}s] {msg}", flush=True)


# --------------------------------------------------------------------------- server
class Webserv:
    def __init__(self, binary, tmpdir, tls=False):
        self.tmpdir = tmpdir
        self.tls = tls
        www = os.path.join(ROOT, "www")
        self.conf = os.path.join(tmpdir, "chat-test.conf")
        listen = "listen 127.0.0.1:0;"
        if tls:
            # HTTPS and wss:// with a throwaway self-signed certificate (the browser is told to
            # accept it: --ignore-certificate-errors).
            cert, key = os.path.join(tmpdir, "tls.pem"), os.path.join(tmpdir, "tls.key")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                            "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert],
                           check=True, capture_output=True)
            listen = f'listen 127.0.0.1:0 ssl;\n    ssl_certificate "{cert}";\n    ssl_certificate_key "{key}";'
        with open(self.conf, "w") as f:
            f.write(f"""# written by Tests/browser/chat_test.py
server {{
    {listen}
    root "{www}";
    index index.html;
    gzip on;
    gzip_types text/css application/javascript;
    brotli on;
    brotli_types text/css application/javascript;
    location /chat/ {{
        websocket broadcast;
        websocket_max_message 64k;
    }}
    location /listing/ {{
        alias "{tmpdir}/listing/";
        autoindex on;
        autoindex_exact_size off;
    }}
}}
""")
        # The directory listing test's files: sizes that sort differently from names.
        for name, size in (("a-small.txt", 10), ("b-large.bin", 3 << 20), ("c <medium>.txt", 20_000)):
            os.makedirs(os.path.join(tmpdir, "listing", "sub"), exist_ok=True)
            with open(os.path.join(tmpdir, "listing", name), "wb") as f:
                f.write(b"x" * size)
        self.out_path = os.path.join(tmpdir, "webserv.out")
        self.err_path = os.path.join(tmpdir, "webserv.err")
        self.out = open(self.out_path, "wb")
        self.err = open(self.err_path, "wb")
        # stdout (the access log) goes to a file: a pipe nobody drains would stall the server.
        self.proc = subprocess.Popen([binary, self.conf], cwd=tmpdir, stdout=self.out, stderr=self.err,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        self.port = None
        while time.monotonic() < deadline:
            m = re.search(rb"listening on 127\.0\.0\.1:(\d+)", open(self.out_path, "rb").read())
            if m:
                self.port = int(m.group(1))
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if not self.port:
            self.stop()
            raise RuntimeError(f"webserv did not report its port (exit {self.proc.returncode}):\n{self.logs()}")
        self.base = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        log(f"webserv pid {self.proc.pid} listening on {self.base}")

    def logs(self, tail=30):
        def last(path):
            try:
                return b"".join(open(path, "rb").readlines()[-tail:]).decode("utf-8", "replace")
            except OSError:
                return ""
        return f"--- stdout (tail)\n{last(self.out_path)}--- stderr (tail)\n{last(self.err_path)}"

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

    def post(self, room, text):
        req = urllib.request.Request(f"{self.base}/chat/{room}", data=text.encode(), method="POST",
                                     headers={"Content-Type": "text/plain"})
        context = ssl._create_unverified_context() if self.tls else None
        with urllib.request.urlopen(req, timeout=5, context=context) as r:
            assert r.status == 201, r.status
            return json.loads(r.read())


# --------------------------------------------------------------------------- browser
def make_driver(tls=False):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    # The real binary, not the /usr/bin/chromium wrapper script.
    opts.binary_location = next(p for p in ("/usr/lib/chromium/chromium", shutil.which("chromium") or "",
                                            shutil.which("google-chrome") or "") if p and os.path.exists(p))
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions"):
        opts.add_argument(arg)
    if tls:
        opts.add_argument("--ignore-certificate-errors")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path skips Selenium Manager (which would go online).
    svc = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    drv = webdriver.Chrome(options=opts, service=svc)
    drv.set_page_load_timeout(20)
    drv.set_script_timeout(10)
    # A fixed viewport, so screenshots have the same size everywhere.
    drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                        {"width": 1280, "height": 960, "deviceScaleFactor": 1, "mobile": False})
    return drv


def wait_js(drv, js, what, timeout=WAIT):
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(drv, timeout, poll_frequency=0.1).until(
        lambda d: d.execute_script("return " + js), message=what)


MESSAGES_JS = """return [...document.querySelectorAll('#log li.msg')].map(li => ({
    via: li.dataset.via, badge: li.querySelector('.badge').textContent,
    text: li.dataset.text, shown: li.querySelector('.text').textContent}));"""


def messages(drv):
    return drv.execute_script(MESSAGES_JS)


def counter(drv, name):
    return int(drv.find_element("id", name).text.replace(",", "") or 0)


# The status each mode shows once it is subscribed.
READY = {"ws": "open", "sse": "streaming", "long": "waiting", "poll": "polling"}


def open_chat(drv, base, room, name, mode):
    drv.get(f"{base}/chat.html?room={room}&name={name}&mode={mode}")
    wait_js(drv, "document.readyState === 'complete'", "page load")
    status = drv.execute_script("return performance.getEntriesByType('navigation')[0].responseStatus")
    assert status == 200, f"chat.html: HTTP {status}"
    assert drv.execute_script("return getComputedStyle(document.querySelector('.site-header')).backgroundColor") \
        == "rgb(20, 26, 38)", "site.css not applied"
    want = READY[mode]
    wait_js(drv, f"document.getElementById('status').dataset.state === '{want}'", f"{name}: {mode} mode ready")


def send(drv, text):
    from selenium.webdriver.common.keys import Keys
    box = drv.find_element("id", "msg")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def wait_message(drv, text, who, timeout=WAIT):
    """Wait until a message whose text is `text` is listed; return its entry."""
    js = ("[...document.querySelectorAll('#log li.msg')].map(li => ({via: li.dataset.via, "
          "badge: li.querySelector('.badge').textContent, text: li.dataset.text, "
          "shown: li.querySelector('.text').textContent}))"
          f".find(m => m.text === {json.dumps(text)})")
    return wait_js(drv, js, f"{who} shows {text!r}", timeout)


def console_errors(drv):
    return [e for e in drv.get_log("browser") if e.get("level") == "SEVERE"]


def switch_mode(drv, mode, who):
    drv.find_element("css selector", f"input[name=mode][value={mode}]").click()
    want = READY[mode]
    wait_js(drv, f"document.getElementById('status').dataset.state === '{want}'", f"{who}: switched to {mode}")


# --------------------------------------------------------------------------- tests
def test_ws_and_poll_see_each_other(ctx):
    a, b, base = ctx["a"], ctx["b"], ctx["server"].base
    room = "browser-test"
    open_chat(a, base, room, "alice", "ws")
    open_chat(b, base, room, "bob", "poll")
    polls_before = counter(b, "c-http-requests")

    from_a = "alice: hello over the WebSocket ✓ ü"
    from_b = "bob: hello by HTTP polling <b>not bold</b>"
    send(a, from_a.split(": ", 1)[1])
    send(b, from_b.split(": ", 1)[1])

    seen = {
        ("alice", from_a): (wait_message(a, from_a, "alice"), "ws", "WebSocket"),
        ("alice", from_b): (wait_message(a, from_b, "alice"), "ws", "WebSocket"),
        ("bob", from_a): (wait_message(b, from_a, "bob"), "poll", "HTTP poll"),
        ("bob", from_b): (wait_message(b, from_b, "bob"), "poll", "HTTP poll"),
    }
    for (who, text), (entry, via, badge) in seen.items():
        assert entry["via"] == via and entry["badge"] == badge, f"{who} got {text!r} as {entry}"
    # Each page lists each message exactly once.
    for drv, who in ((a, "alice"), (b, "bob")):
        texts = [m["text"] for m in messages(drv)]
        assert sorted(texts) == sorted([from_a, from_b]), f"{who}'s list: {texts}"
    # Shown as "NAME message" with the name in bold; markup in bob's message stays text, not HTML.
    for (who, text), (entry, _, _) in seen.items():
        assert entry["shown"] == text.replace(": ", " ", 1), f"{who} shows {entry['shown']!r} for {text!r}"
    assert a.execute_script("return document.querySelectorAll('#log .text b:not(.who)').length") == 0

    # A few more polls go by: the counter keeps growing while the WebSocket stays at one connection.
    wait_js(b, f"Number(document.getElementById('c-http-requests').textContent.replace(/,/g, '')) >= {polls_before + 3}",
            "bob's HTTP request counter grows")
    polls_after = counter(b, "c-http-requests")
    assert polls_after > polls_before, (polls_before, polls_after)
    assert counter(b, "c-http-bytes") > 0, "bob's byte counter"
    assert counter(a, "c-ws-connections") == 1, "alice's connection counter"
    assert counter(a, "c-ws-frames") == 2, f"alice's frame counter: {counter(a, 'c-ws-frames')}"
    assert counter(a, "c-received") == 2 and counter(b, "c-received") == 2
    log(f"bob made {polls_after} HTTP requests ({counter(b, 'c-http-bytes')} bytes); "
        f"alice: 1 WebSocket, {counter(a, 'c-ws-frames')} frames, {counter(a, 'c-ws-bytes')} bytes")

    for drv, who in ((a, "alice"), (b, "bob")):
        errs = console_errors(drv)
        assert not errs, f"{who}'s console: {errs}"

    os.makedirs(ctx["reports"], exist_ok=True)
    for drv, path in ((a, "browser-chat.png"), (b, "browser-chat-poll.png")):
        full = os.path.join(ctx["reports"], path)
        drv.save_screenshot(full)
        with open(full, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
        log(f"screenshot {full} ({os.path.getsize(full)} B)")


def test_mode_switch_no_duplicates(ctx):
    a, b, srv = ctx["a"], ctx["b"], ctx["server"]
    room = "switching"
    open_chat(a, srv.base, room, "carol", "ws")
    open_chat(b, srv.base, room, "dave", "poll")

    send(b, "one")                       # carol by WebSocket
    wait_message(a, "dave: one", "carol")
    switch_mode(a, "poll", "carol")
    send(b, "two")                       # carol by polling now
    e2 = wait_message(a, "dave: two", "carol")
    send(a, "three")                     # carol posts
    e3 = wait_message(a, "carol: three", "carol")
    wait_message(b, "carol: three", "dave")
    srv.post(room, "plain text from curl, no name")    # what `curl --data ...` sends
    e4 = wait_message(a, "plain text from curl, no name", "carol")
    switch_mode(a, "ws", "carol")
    send(b, "five")                      # carol by WebSocket again
    e5 = wait_message(a, "dave: five", "carol")
    e4b = wait_message(b, "plain text from curl, no name", "dave")

    assert (e2["via"], e3["via"], e4["via"], e5["via"]) == ("poll", "poll", "poll", "ws"), (e2, e3, e4, e5)
    assert e4b["via"] == "poll"
    time.sleep(2.5)                      # let any late duplicate show up
    texts = [m["text"] for m in messages(a)]
    want = ["dave: one", "dave: two", "carol: three", "plain text from curl, no name", "dave: five"]
    assert texts == want, f"carol's list after two switches: {texts}"
    texts_b = [m["text"] for m in messages(b)]
    assert texts_b == want, f"dave's list: {texts_b}"
    assert counter(a, "c-ws-connections") == 2, "carol: one WebSocket per WebSocket period"
    for drv, who in ((a, "carol"), (b, "dave")):
        errs = console_errors(drv)
        assert not errs, f"{who}'s console: {errs}"
    log(f"carol's list after ws -> poll -> ws: {texts}")


def test_name_kept_across_reloads(ctx):
    """Issue 12: the chat picked a new guest name on every reload; it keeps the first one."""
    a, base = ctx["a"], ctx["server"].base
    a.get(f"{base}/chat.html?room=names&mode=poll")
    a.execute_script("localStorage.removeItem('webserv-chat-name')")
    names = []
    for _ in range(3):
        a.get(f"{base}/chat.html?room=names&mode=poll")
        wait_js(a, "document.readyState === 'complete'", "page load")
        names.append(a.execute_script("return document.getElementById('name').value"))
    assert names[0].startswith("guest-"), names
    assert names[0] == names[1] == names[2], f"name changed on reload: {names}"
    # The site has an icon: no 404 for /favicon.ico in the console.
    a.get(f"{base}/favicon.ico")
    status = a.execute_script("return performance.getEntriesByType('navigation')[0].responseStatus")
    assert status == 200, f"/favicon.ico: HTTP {status}"


def test_site_loads_compressed(ctx):
    a, base = ctx["a"], ctx["server"].base
    # Earlier tests loaded the stylesheet: a cached copy has no bytes on the wire to measure.
    a.execute_cdp_cmd("Network.enable", {})
    a.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    a.get(base + "/")
    wait_js(a, "document.readyState === 'complete'", "home page loaded")
    sizes = a.execute_script(
        "const n = performance.getEntriesByType('navigation')[0];"
        "const css = performance.getEntriesByType('resource').find(e => e.name.endsWith('/css/site.css'));"
        "return [n.encodedBodySize, n.decodedBodySize, css ? css.encodedBodySize : -1,"
        " css ? css.decodedBodySize : -1, document.title,"
        " getComputedStyle(document.body).fontFamily];")
    page_wire, page_size, css_wire, css_size, title, font = sizes
    log(f"home page {page_wire}/{page_size} bytes, site.css {css_wire}/{css_size} bytes on the wire/decoded")
    assert 0 < page_wire < page_size // 2, f"home page not compressed: {page_wire} of {page_size} bytes"
    assert 0 < css_wire < css_size, f"stylesheet not compressed: {css_wire} of {css_size} bytes"
    assert title, "the page has no title: it did not decode"
    assert font, "no computed style"
    encoding = a.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/index.html').then(r => r.text().then(t => done([r.headers.get('content-encoding'), t.length])));")
    assert encoding[0] in ("br", "gzip"), f"Content-Encoding {encoding[0]}"
    assert encoding[1] > 1000, f"decoded text of {encoding[1]} characters"


def test_four_ways_one_order(ctx):
    a, b, srv = ctx["a"], ctx["b"], ctx["server"]
    room = "four-ways"
    pages = []      # (driver, window handle, name, mode)

    def use(page):
        page[0].switch_to.window(page[1])
        return page[0]

    for drv, who, mode, new_tab in ((a, "wendy", "ws", False), (a, "sam", "sse", True),
                                    (b, "lou", "long", False), (b, "pat", "poll", True)):
        if new_tab:
            drv.switch_to.new_window("tab")
        open_chat(drv, srv.base, room, who, mode)
        pages.append((drv, drv.current_window_handle, who, mode))
    try:
        sent = []
        for page in pages:
            text = f"hello from {page[3]}"
            send(use(page), text)
            sent.append(f"{page[2]}: {text}")
        srv.post(room, "hello from curl")
        sent.append("hello from curl")
        start_ms = time.time() * 1000
        lists = {}
        for page in pages:
            drv = use(page)
            for text in sent:
                wait_message(drv, text, page[2])
            got = messages(drv)
            assert all(m["via"] == page[3] for m in got), f"{page[2]} ({page[3]}): {got}"
            lists[page[2]] = [m["text"] for m in got]
            assert sorted(lists[page[2]]) == sorted(sent), f"{page[2]}'s list: {lists[page[2]]}"
        orders = set(tuple(v) for v in lists.values())
        assert len(orders) == 1, f"one order for every way in: {lists}"
        for page in pages:
            drv = use(page)
            wait_js(drv, "document.getElementById('members').textContent === '4'",
                    f"{page[2]} ({page[3]}) shows 4 members")
            if page[3] in ("long", "poll"):
                times = drv.execute_script(
                    "return [...document.querySelectorAll('#log li.msg')].map(li => Number(li.dataset.time || 0))")
                assert all(abs(t - start_ms) < 60_000 for t in times), f"{page[2]}: server times {times}"
            errs = console_errors(drv)
            assert not errs, f"{page[2]}'s console: {errs}"
        os.makedirs(ctx["reports"], exist_ok=True)
        full = os.path.join(ctx["reports"], "browser-chat-four-ways.png")
        use(pages[1]).save_screenshot(full)
        log(f"four ways, one order: {next(iter(orders))}; screenshot {full}")
    finally:
        for page in (pages[1:2] + pages[3:4]):
            try:
                use(page).close()
            except Exception:  # noqa: BLE001
                pass
        for page in (pages[0:1] + pages[2:3]):
            use(page)


def test_front_page_shows_the_real_headers(ctx):
    """Issue 12: the front page showed a fixed sample head (an ETag no fresh clone has)."""
    import urllib.request
    a, base = ctx["a"], ctx["server"].base
    import ssl
    # Over --tls the server's certificate is the run's own self-signed one: this probe only
    # reads the ETag, so it does not verify it (the browser trusts it its own way).
    context = ssl._create_unverified_context() if base.startswith("https:") else None
    with urllib.request.urlopen(urllib.request.Request(base + "/", method="HEAD"), context=context) as r:
        etag = r.headers["ETag"]
    a.get(base + "/")
    wait_js(a, "document.getElementById('live-response').dataset.live === '1'", "live response head")
    shown = a.find_element("id", "live-response").text
    # The page's own HEAD is compressed (the browser accepts br/gzip): its ETag is the weak form
    # of the identity one (SPEC 8), same opaque tag.
    assert "ETag: " in shown and etag.removeprefix("W/") in shown, shown
    assert "HTTP/1.1 200" in shown and "Server: webserv" in shown, shown
    request = a.find_element("id", "live-request").text
    assert a.execute_script("return navigator.userAgent") in request, request
    assert "Host: " + base.split("//", 1)[1] in request, request
    assert not console_errors(a), console_errors(a)


def test_directory_listing_sorts_without_javascript_and_reads_as_json(ctx):
    drv, base = ctx["a"], ctx["server"].base
    drv.get(f"{base}/listing/")

    def names():
        return drv.execute_script(
            "return [...document.querySelectorAll('table tr td:first-child a')].map(a => a.textContent)")

    assert names() == ["../", "sub/", "a-small.txt", "b-large.bin", "c <medium>.txt"], names()
    sizes = drv.execute_script("return [...document.querySelectorAll('td.s')].map(td => td.textContent)")
    assert sizes == ["-", "-", "10", "3M", "20K"], sizes
    # The Size heading is a plain link (no script on the page): twice for largest first.
    assert drv.execute_script("return document.scripts.length") == 0
    drv.find_element("link text", "Size").click()
    wait_js(drv, "location.search === '?sort=size&order=asc'", "sorted by size")
    assert names() == ["../", "sub/", "a-small.txt", "c <medium>.txt", "b-large.bin"], names()
    drv.find_element("partial link text", "Size").click()
    wait_js(drv, "location.search === '?sort=size&order=desc'", "sorted by size, descending")
    assert names() == ["../", "sub/", "b-large.bin", "c <medium>.txt", "a-small.txt"], names()
    os.makedirs(ctx["reports"], exist_ok=True)
    shot = os.path.join(ctx["reports"], "browser-autoindex.png")
    drv.save_screenshot(shot)
    log(f"screenshot {shot} ({os.path.getsize(shot)} B)")
    # The same listing as JSON, as a page's script would read it.
    entries = drv.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/listing/', {headers: {Accept: 'application/json'}}).then(r => r.json()).then(done, e => done(String(e)));")
    assert [e["name"] for e in entries] == ["sub", "a-small.txt", "b-large.bin", "c <medium>.txt"], entries
    assert entries[0]["type"] == "directory" and "size" not in entries[0], entries[0]
    assert entries[2]["size"] == 3 << 20 and entries[2]["mtime"].endswith(" GMT"), entries[2]
    errs = console_errors(drv)
    assert not errs, f"console: {errs}"


TESTS = [
    test_ws_and_poll_see_each_other,
    test_mode_switch_no_duplicates,
    test_name_kept_across_reloads,
    test_site_loads_compressed,
    test_four_ways_one_order,
    test_front_page_shows_the_real_headers,
    test_directory_listing_sorts_without_javascript_and_reads_as_json,
]


# --------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--webserv", default=os.path.join(ROOT, ".build", "debug", "webserv"),
                    help="webserv binary (default: .build/debug/webserv)")
    ap.add_argument("webserv_pos", nargs="?", help="same as --webserv")
    ap.add_argument("--reports", default=os.path.join(ROOT, "reports"), help="screenshot folder")
    ap.add_argument("--tls", action="store_true", help="serve the chat over https:// and wss://")
    args = ap.parse_args()
    binary = os.path.abspath(args.webserv_pos or args.webserv)
    if not os.access(binary, os.X_OK):
        print(f"webserv binary not found: {binary} (build it first: swift build)", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    # A hard bound on the whole run, whatever hangs.
    expired = []

    def on_alarm(*_):
        expired.append(True)
        raise TimeoutError("browser test took longer than 150 s")
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(150)

    passed = failed = 0
    ctx = {"reports": os.path.abspath(args.reports)}
    drivers = []
    server = None
    with tempfile.TemporaryDirectory(prefix="webserv-browser-") as tmp:
        try:
            server = Webserv(binary, tmp, tls=args.tls)
            ctx["server"] = server
            ctx["a"] = make_driver(args.tls)
            drivers.append(ctx["a"])
            ctx["b"] = make_driver(args.tls)         # a second, independent browser: another user
            drivers.append(ctx["b"])
            log("two browsers started")
            for test in TESTS:
                name = test.__name__[len("test_"):]
                if expired:
                    failed += 1
                    log(f"SKIP {name}: out of time")
                    continue
                try:
                    test(ctx)
                    passed += 1
                    log(f"PASS {name}")
                except Exception as e:  # noqa: BLE001 - report every failure, keep going
                    failed += 1
                    log(f"FAIL {name}: {type(e).__name__}: {e}")
                    traceback.print_exc()
                    for i, drv in enumerate((ctx["a"], ctx["b"])):
                        try:
                            os.makedirs(ctx["reports"], exist_ok=True)
                            shot = os.path.join(ctx["reports"], f"browser-chat-failure-{name}-{i}.png")
                            drv.save_screenshot(shot)
                            print(f"  page {i}: {drv.current_url}; screenshot {shot}")
                            for entry in drv.get_log("browser")[-10:]:
                                print(f"  console: {entry.get('level')} {entry.get('message')}")
                        except Exception:  # noqa: BLE001
                            pass
                    print(server.logs())
        except Exception as e:  # noqa: BLE001 - setup failure
            failed += 1
            log(f"FAIL setup: {type(e).__name__}: {e}")
            traceback.print_exc()
        finally:
            signal.alarm(0)
            for drv in drivers:
                try:
                    drv.quit()
                except Exception:  # noqa: BLE001
                    pass
            if server is not None:
                code = server.stop()
                if code not in (0, None):
                    log(f"webserv exited with status {code} after SIGTERM (spec: 0)")
                    print(server.logs())
                    failed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed == len(TESTS) else 1


if __name__ == "__main__":
    sys.exit(main())
