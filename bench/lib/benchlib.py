"""Shared pieces of bench/soak and bench/slowclients.

Builds or finds the webserv binary, starts it on 127.0.0.1 with an ephemeral port, samples
its RSS / open descriptors / child processes from /proc, installs missing tools, and makes
sure every process we started is stopped on every exit path.
"""

import atexit
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_TIMEOUT = 1800
STARTUP_TIMEOUT = 20.0

_PROCS = []          # every Popen we started; stopped by cleanup()
_CLEANUPS = []       # extra callables run by cleanup()
_TAG = "bench"


def set_tag(tag):
    global _TAG
    _TAG = tag


def log(msg):
    print(f"[{_TAG} {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- process hygiene

def track(proc):
    _PROCS.append(proc)
    return proc


def on_cleanup(fn):
    _CLEANUPS.append(fn)


def stop(proc, grace=5.0):
    """SIGTERM the process (its process group when it leads one), SIGKILL after `grace`."""
    if proc is None or proc.poll() is not None:
        return
    try:
        if os.getpgid(proc.pid) == proc.pid:
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.terminate()
    except (ProcessLookupError, PermissionError):
        return
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            if os.getpgid(proc.pid) == proc.pid:
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def cleanup():
    for proc in reversed(_PROCS):
        stop(proc, grace=3.0)
    _PROCS.clear()
    for fn in reversed(_CLEANUPS):
        try:
            fn()
        except Exception:
            pass
    _CLEANUPS.clear()


def _on_signal(signum, _frame):
    log(f"signal {signum}: stopping everything")
    cleanup()
    sys.exit(128 + signum)


def install_exit_handlers():
    atexit.register(cleanup)
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)


def raise_nofile(want=65536):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# ---------------------------------------------------------------- tools

_apt_updated = False


def ensure_apt(binary, package):
    global _apt_updated
    if shutil.which(binary):
        return True
    log(f"{binary} missing: apt-get install -y {package}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if not _apt_updated:
        subprocess.run(["apt-get", "update"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=env, timeout=600)
        _apt_updated = True
    subprocess.run(["apt-get", "install", "-y", package], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=env, timeout=900)
    return shutil.which(binary) is not None


def ensure_pip(module, package):
    try:
        __import__(module)
        return True
    except ImportError:
        pass
    log(f"python module {module} missing: pip install {package}")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", package], timeout=600)
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def build_webserv():
    log("swift build -c release --product webserv ...")
    r = subprocess.run(["swift", "build", "-c", "release", "--product", "webserv"], cwd=REPO,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=BUILD_TIMEOUT)
    if r.returncode != 0:
        sys.stderr.write(r.stdout[-4000:])
        raise SystemExit("build failed")
    return os.path.join(REPO, ".build", "release", "webserv")


# ---------------------------------------------------------------- the server

class Server:
    """webserv started with CONFIG; `port` is read from its 'listening on' line."""

    def __init__(self, binary, config, workdir, nofile=None, name="webserv"):
        self.binary, self.config, self.workdir, self.nofile, self.name = binary, config, workdir, nofile, name
        self.proc = None
        self.port = None
        self.lines = []          # everything it printed (stdout+stderr), capped
        self.error_lines = 0
        self._port_ready = threading.Event()

    def _preexec(self):
        os.setsid()
        if self.nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (self.nofile, self.nofile))

    def _drain(self, stream):
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if len(self.lines) < 5000:
                self.lines.append(line)
            m = re.search(r"listening on \S+:(\d+)", line)
            if m and self.port is None:
                self.port = int(m.group(1))
                self._port_ready.set()

    def start(self):
        self.proc = track(subprocess.Popen([self.binary, self.config], cwd=self.workdir,
                                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                           stderr=subprocess.STDOUT, preexec_fn=self._preexec))
        threading.Thread(target=self._drain, args=(self.proc.stdout,), daemon=True).start()
        if not self._port_ready.wait(STARTUP_TIMEOUT):
            raise SystemExit(f"{self.name} did not announce its port within {STARTUP_TIMEOUT}s:\n"
                             + "\n".join(self.lines[-20:]))
        log(f"{self.name} pid {self.proc.pid} listening on 127.0.0.1:{self.port}"
            + (f" (ulimit -n {self.nofile})" if self.nofile else ""))
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        stop(self.proc)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"


def proc_sample(pid):
    """(rss_kib, hwm_kib, open_fds, children, threads) of pid from /proc, or None if gone."""
    try:
        rss = hwm = threads = 0
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
                elif line.startswith("Threads:"):
                    threads = int(line.split()[1])
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        children = 0
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    children += len(f.read().split())
            except OSError:
                pass
        return rss, hwm, fds, children, threads
    except (OSError, ValueError):
        return None


def zombie_children(pid):
    """How many of pid's children are zombies (state Z)."""
    n = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                for c in f.read().split():
                    try:
                        with open(f"/proc/{c}/stat") as s:
                            if s.read().rsplit(")", 1)[1].split()[0] == "Z":
                                n += 1
                    except OSError:
                        pass
    except OSError:
        pass
    return n


class Sampler(threading.Thread):
    """Samples a pid every `interval` seconds into `rows`: (t, rss, hwm, fds, children, phase)."""

    def __init__(self, pid, interval=5.0, t0=None, echo=True):
        super().__init__(daemon=True)
        self.pid, self.interval, self.echo = pid, interval, echo
        self.t0 = t0 or time.monotonic()
        self.rows = []
        self.phase = "baseline"
        self._halt = threading.Event()

    def sample_now(self):
        s = proc_sample(self.pid)
        if s is None:
            return None
        row = (time.monotonic() - self.t0, s[0], s[1], s[2], s[3], self.phase)
        self.rows.append(row)
        if self.echo:
            log(f"t={row[0]:6.0f}s  rss={row[1]/1024:7.1f} MiB  hwm={row[2]/1024:7.1f} MiB  "
                f"fds={row[3]:5d}  children={row[4]:3d}  [{row[5]}]")
        return row

    def run(self):
        while not self._halt.is_set():
            self.sample_now()
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()


def wait_for(pred, timeout, step=0.5):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def fmt_ms(x):
    if x is None:
        return "—"
    return f"{x*1000:.1f} ms" if x < 10 else f"{x:.1f} s"


def parse_wrk(out):
    """Requests, errors (socket + non-2xx/3xx), p99 seconds, req/s from `wrk --latency` output."""
    def dur(s):
        m = re.match(r"([\d.]+)(us|ms|s|m)", s)
        if not m:
            return None
        return float(m.group(1)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[m.group(2)]
    res = {"requests": 0, "errors": 0, "p50": None, "p99": None, "rps": None, "socket_errors": ""}
    m = re.search(r"(\d+) requests in", out)
    if m:
        res["requests"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        res["errors"] += sum(int(x) for x in m.groups())
        res["socket_errors"] = m.group(0)
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        res["errors"] += int(m.group(1))
    for pct, key in (("50", "p50"), ("99", "p99")):
        m = re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", out, re.M)
        if m:
            res[key] = dur(m.group(1))
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m:
        res["rps"] = float(m.group(1))
    return res
