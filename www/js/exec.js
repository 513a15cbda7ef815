// webserv exec demo: two `websocket exec` locations.
//   /upper  each line sent comes back upper-cased (cgi-bin/upper.py)
//   /clock  the server's time, one line a second (cgi-bin/clock.sh)
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const wsURL = (path) => (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;

  function setStatus(node, state, text) {
    node.dataset.state = state;
    node.textContent = text || state;
  }

  function logLine(list, cls, text) {
    const li = document.createElement("li");
    li.className = cls;
    li.textContent = text;
    list.append(li);
    while (list.children.length > 300) list.firstElementChild.remove();
    list.scrollTop = list.scrollHeight;
  }

  // ------------------------------------------------------------------ /upper
  const upper = { sock: null, pending: [] };
  const upperLog = $("upper-log"), upperStatus = $("upper-status"), upperInput = $("upper-input");

  function upperConnect() {
    if (upper.sock && upper.sock.readyState <= WebSocket.OPEN) return upper.sock;
    setStatus(upperStatus, "connecting", "connecting…");
    const sock = new WebSocket(wsURL("/upper"));
    upper.sock = sock;
    let opened = false;
    sock.onopen = () => {
      opened = true;
      setStatus(upperStatus, "open", "open");
      logLine(upperLog, "sys", "connected: the server started upper.py for this socket");
      for (const line of upper.pending.splice(0)) sock.send(line);
    };
    sock.onmessage = (ev) => logLine(upperLog, "out", String(ev.data));
    sock.onclose = (ev) => {
      if (upper.sock !== sock) return;
      upper.sock = null;
      const lost = upper.pending.splice(0).length;
      if (!opened) {
        setStatus(upperStatus, "error", "no connection");
        logLine(upperLog, "sys", "could not connect to /upper (the browser console has the reason)" +
                (lost ? "; " + lost + " line(s) not sent" : ""));
        return;
      }
      setStatus(upperStatus, "closed", "closed " + ev.code);
      logLine(upperLog, "sys", "closed (" + ev.code + (ev.reason ? " " + ev.reason : "") +
              "): the program ended; the next line starts it again");
    };
    return sock;
  }

  $("upper-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const line = upperInput.value;
    if (!line) return;
    // One message is one line for the program: newlines inside would split it.
    for (const part of line.split(/\r?\n/)) {
      logLine(upperLog, "in", part);
      const sock = upperConnect();
      if (sock.readyState === WebSocket.OPEN) sock.send(part); else upper.pending.push(part);
    }
    upperInput.value = "";
    upperInput.focus();
  });

  // ------------------------------------------------------------------ /clock
  const clockFace = $("clock-face"), clockStatus = $("clock-status"), clockToggle = $("clock-toggle");
  const clockTicks = $("clock-ticks");
  let clockSock = null, ticks = 0;

  function clockConnect() {
    setStatus(clockStatus, "connecting", "connecting…");
    const sock = new WebSocket(wsURL("/clock"));
    clockSock = sock;
    clockToggle.textContent = "Disconnect";
    let opened = false;
    sock.onopen = () => { opened = true; if (clockSock === sock) setStatus(clockStatus, "open", "open"); };
    sock.onmessage = (ev) => {
      if (clockSock !== sock) return;
      ticks++;
      clockTicks.textContent = String(ticks);
      clockFace.textContent = String(ev.data).trim();
      clockFace.classList.remove("idle");
    };
    sock.onclose = (ev) => {
      if (clockSock !== sock) return;
      clockSock = null;
      clockToggle.textContent = "Connect";
      clockFace.classList.add("idle");
      if (opened) setStatus(clockStatus, "closed", "closed " + ev.code);
      else setStatus(clockStatus, "error", "no connection");
    };
  }

  clockToggle.addEventListener("click", () => {
    if (clockSock) {
      const sock = clockSock;
      sock.close(1000, "bye");   // the server closes the program's stdin and ends it
    } else {
      clockConnect();
    }
  });

  upperConnect();
  clockConnect();
})();
