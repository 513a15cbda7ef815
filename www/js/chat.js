// webserv chat page: one broadcast room, reached four ways: a WebSocket, Server-Sent Events,
// long polling or short polling.
//
//   WebSocket  ws://HOST/chat/ROOM        send: ws.send(text)   receive: each message's text (no id)
//   SSE        GET /chat/ROOM?since=N with Accept: text/event-stream (EventSource)
//                                         -> "id: I\ndata: ...\n\n" per message, Last-Event-ID on reconnect
//   Long poll  GET /chat/ROOM?since=N&wait=S -> held until a message after N exists (or S seconds)
//   HTTP       GET /chat/ROOM?since=N     -> {"next": M, "messages": [{"id": I, "time": MS, "data": "..."}],
//                                             "members": K}
//              POST /chat/ROOM (text)     -> 201 {"id": I}
//
// Times: messages fetched as JSON show the server's time of publishing ("time"); messages pushed
// live (WebSocket, SSE) show when they arrived, which is the same moment give or take the network.
// Members: every JSON answer carries the room's size. In WebSocket and SSE mode the page asks for
// it every few seconds (GET ?since=HUGE, an empty answer). Every request names this page's
// `client` id, so the server counts the page once however it is connected, and tabs of one
// browser (same address, same User-Agent) count separately.
// Messages travel as plain text "name: message", so anything posted with curl shows up too.
// URL parameters ?room=R&name=N&mode=ws|sse|long|poll preset the form.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const el = {
    settings: $("settings"), room: $("room"), name: $("name"), status: $("status"),
    log: $("log"), sendForm: $("send-form"), msg: $("msg"), send: $("send"),
  };
  const POLL_INTERVAL_MS = 1000;
  const LONG_WAIT_S = 25;               // below the server's websocket_poll_max_wait (30 s)
  const MEMBERS_INTERVAL_MS = 5000;
  const NOTHING_NEWER = "9007199254740991"; // a since no room reaches: an answer with no messages
  const CLIENT = Math.random().toString(36).slice(2, 12);   // this page, for the member count
  const LABEL = { ws: "WebSocket", sse: "SSE", long: "Long poll", poll: "HTTP poll" };
  const DEDUPE_GRACE_MS = 3000;
  const utf8 = new TextEncoder();

  // ------------------------------------------------------------------ counters
  const stats = {
    received: 0, receivedWs: 0, receivedPoll: 0, receivedSse: 0, receivedLong: 0,
    httpRequests: 0, httpGets: 0, httpPosts: 0, httpEmpty: 0, httpBytes: 0,
    wsConnections: 0, wsFrames: 0, wsBytes: 0,
    sseConnections: 0, sseEvents: 0, sseBytes: 0,
    longRequests: 0, longWoken: 0, longTimedOut: 0,
  };
  const counterIds = {
    received: "c-received", receivedWs: "c-received-ws", receivedPoll: "c-received-poll",
    httpRequests: "c-http-requests", httpGets: "c-http-gets", httpPosts: "c-http-posts", httpEmpty: "c-http-empty", httpBytes: "c-http-bytes",
    wsConnections: "c-ws-connections", wsFrames: "c-ws-frames", wsBytes: "c-ws-bytes",
    receivedSse: "c-received-sse", receivedLong: "c-received-long",
    sseConnections: "c-sse-connections", sseEvents: "c-sse-events", sseBytes: "c-sse-bytes",
    longRequests: "c-long-requests", longWoken: "c-long-woken", longTimedOut: "c-long-timeout",
  };
  function renderNow() {
    for (const [key, id] of Object.entries(counterIds)) {
      const node = $(id);
      if (node) node.textContent = stats[key].toLocaleString("en");
    }
    const per = (bytes, n) => (n > 0 ? Math.round(bytes / n).toLocaleString("en") + "\u00a0B" : "–");
    $("per-message").textContent = "Bytes per message received: HTTP " +
      per(stats.httpBytes, stats.receivedPoll) + " · WebSocket " + per(stats.wsBytes, stats.receivedWs) +
      " · SSE " + per(stats.sseBytes, stats.receivedSse);
  }
  let renderQueued = false;
  function render() {
    if (renderQueued) return;
    renderQueued = true;
    setTimeout(() => { renderQueued = false; renderNow(); }, 50);
  }

  // Whole HTTP responses (status line + headers + body), as the browser measured them.
  let measuredByBrowser = false;
  if (window.PerformanceObserver && (PerformanceObserver.supportedEntryTypes || []).includes("resource")) {
    measuredByBrowser = true;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.initiatorType !== "fetch") continue;
        if (!new URL(e.name).pathname.startsWith("/chat/")) continue;
        if (e.name.includes("wait=")) continue;   // long polls: counted with their own meter
        stats.httpBytes += e.transferSize || 0;
      }
      render();
      performance.clearResourceTimings();
    }).observe({ type: "resource", buffered: false });
  }

  // ------------------------------------------------------------------ state
  let mode = null;       // "ws" | "sse" | "long" | "poll"
  let room = "lobby";
  let gen = 0;           // bumped on every mode or room change; stale async work checks it and stops
  let ws = null;         // the live WebSocket, if any
  let cursor = 0;        // "next" from the last poll answer
  let pollTimer = null;
  let polling = false;   // a poll request is in flight
  let pollAgain = false; // poll again as soon as it returns (after our own POST)
  let es = null;         // the live EventSource, if any
  let longAbort = null;  // aborts the held long poll, if any
  let membersTimer = null;

  // While switching transports, the same message can arrive once by each. Within that window a
  // text shown by one transport is skipped once when the other delivers it.
  let dedupe = null;     // {ws: Map(text -> count), poll: Map, until: ms timestamp}
  function openDedupe(seedWs) {
    dedupe = { ws: new Map(), poll: new Map(), until: Infinity };
    for (const t of seedWs || []) dedupe.ws.set(t, (dedupe.ws.get(t) || 0) + 1);
  }
  let wsSinceCatchUp = []; // texts the socket delivered after the last catch-up (for a reconnect)
  function closeDedupeSoon() { if (dedupe) dedupe.until = Date.now() + DEDUPE_GRACE_MS; }
  function isDuplicate(text, via) {
    if (!dedupe) return false;
    if (Date.now() > dedupe.until) { dedupe = null; return false; }
    // Only the WebSocket lacks ids: every HTTP way in resumes from `cursor`, so one side is
    // the socket and the other every HTTP transport.
    const other = via === "ws" ? dedupe.poll : dedupe.ws;
    const mine = via === "ws" ? dedupe.ws : dedupe.poll;
    const n = other.get(text) || 0;
    if (n > 0) { other.set(text, n - 1); return true; }
    mine.set(text, (mine.get(text) || 0) + 1);
    return false;
  }

  // ------------------------------------------------------------------ display
  function setStatus(state, text) {
    el.status.dataset.state = state;
    el.status.textContent = text || state;
  }

  function hue(s) { let h = 0; for (const ch of s) h = (h * 31 + ch.codePointAt(0)) % 360; return h; }

  function deliver(text, via, id, serverTime) {
    if (isDuplicate(text, via)) return;
    stats.received++;
    if (via === "ws") stats.receivedWs++;
    else if (via === "sse") stats.receivedSse++;
    else if (via === "long") stats.receivedLong++;
    else stats.receivedPoll++;
    render();

    const li = document.createElement("li");
    li.className = "msg";
    li.dataset.via = via;
    li.dataset.text = text;     // the message exactly as sent (the display drops the name's colon)
    if (id !== undefined) li.dataset.id = String(id);
    const m = /^([^\n:]{1,40}): ([\s\S]*)$/.exec(text);
    const me = el.name.value.trim();
    if (m && me && m[1] === me) li.classList.add("mine");

    const badge = document.createElement("span");
    badge.className = "badge " + (via === "poll" ? "http" : via);
    badge.textContent = LABEL[via];
    badge.title = via === "ws" ? "pushed by the server on the open WebSocket"
                : via === "sse" ? "pushed by the server as an event on the open event stream" + (id ? " (id " + id + ")" : "")
                : via === "long" ? "answered to a held GET " + roomPath() + "?since=N&wait=" + LONG_WAIT_S + (id !== undefined ? " (id " + id + ")" : "")
                : "fetched by GET " + roomPath() + "?since=N" + (id !== undefined ? " (id " + id + ")" : "");
    const body = document.createElement("span");
    body.className = "text";
    if (m) {
      const who = document.createElement("b");
      who.className = "who";
      who.textContent = m[1];
      who.style.color = "hsl(" + hue(m[1]) + ", 55%, 38%)";
      body.append(who, document.createTextNode(" " + m[2]));
    } else {
      body.textContent = text;
    }
    const time = document.createElement("time");
    const when = serverTime ? new Date(serverTime) : new Date();
    time.textContent = when.toLocaleTimeString("en-GB");
    time.dateTime = when.toISOString();
    time.title = serverTime ? "server time when the message was published" : "time it arrived here";
    if (serverTime) li.dataset.time = String(serverTime);
    li.append(badge, body, time);
    appendToLog(li);
  }

  function note(text) {
    const li = document.createElement("li");
    li.className = "note";
    li.textContent = text;
    appendToLog(li);
  }

  function appendToLog(li) {
    const atBottom = el.log.scrollHeight - el.log.scrollTop - el.log.clientHeight < 40;
    el.log.append(li);
    while (el.log.children.length > 500) el.log.firstElementChild.remove();
    if (atBottom) el.log.scrollTop = el.log.scrollHeight;
  }

  // ------------------------------------------------------------------ HTTP
  function roomPath() { return "/chat/" + encodeURIComponent(room); }
  // A room URL with this page's client id and the given parameters.
  function roomURL(params) { return roomPath() + "?client=" + CLIENT + (params ? "&" + params : ""); }

  function countRequest(method, bodyBytes) {
    stats.httpRequests++;
    if (method === "GET") stats.httpGets++; else stats.httpPosts++;
    if (!measuredByBrowser) stats.httpBytes += bodyBytes;
    render();
  }

  // GET ?since=N; shows the new messages unless show is false; returns the answer or null.
  async function fetchSince(myGen, since, show) {
    let answer;
    try {
      const res = await fetch(roomURL("since=" + since), { cache: "no-store" });
      const text = await res.text();
      countRequest("GET", utf8.encode(text).length);
      if (!res.ok) throw new Error("HTTP " + res.status);
      answer = JSON.parse(text);
    } catch (err) {
      if (myGen === gen) setStatus("error", "poll failed: " + err.message);
      return null;
    }
    if (myGen !== gen) return null;
    if (!answer.messages || answer.messages.length === 0) { stats.httpEmpty++; render(); }
    if (show) for (const m of answer.messages || []) deliver(String(m.data), "poll", m.id, m.time);
    showMembers(answer);
    return answer;
  }

  // ------------------------------------------------------------------ members
  function showMembers(answer) {
    if (typeof answer.members !== "number") return;
    $("members").textContent = String(answer.members);
  }

  async function refreshMembers(myGen) {
    if (myGen !== gen || (mode !== "ws" && mode !== "sse")) return;
    try {
      const res = await fetch(roomURL("since=" + NOTHING_NEWER), { cache: "no-store" });
      const text = await res.text();
      countRequest("GET", utf8.encode(text).length);
      if (res.ok && myGen === gen) showMembers(JSON.parse(text));
    } catch (_) { /* the next refresh tries again */ }
  }

  function startMembers(myGen) {
    clearInterval(membersTimer);
    membersTimer = null;
    if (mode !== "ws" && mode !== "sse") return;
    refreshMembers(myGen);
    membersTimer = setInterval(() => refreshMembers(myGen), MEMBERS_INTERVAL_MS);
  }

  // ------------------------------------------------------------------ long polling
  // One request at a time, held by the server until a message after `cursor` exists.
  async function longLoop(myGen) {
    while (myGen === gen && mode === "long") {
      const ctl = new AbortController();
      longAbort = ctl;
      setStatus("waiting", "long poll held by the server (up to " + LONG_WAIT_S + " s)");
      let answer;
      try {
        const res = await fetch(roomURL("since=" + cursor + "&wait=" + LONG_WAIT_S),
                                { cache: "no-store", signal: ctl.signal });
        const text = await res.text();
        stats.longRequests++;
        if (!res.ok) throw new Error("HTTP " + res.status);
        answer = JSON.parse(text);
      } catch (err) {
        if (myGen !== gen || mode !== "long") return;
        setStatus("error", "long poll failed: " + err.message);
        await new Promise((r) => setTimeout(r, 2000));
        continue;
      }
      if (myGen !== gen || mode !== "long") return;
      const list = answer.messages || [];
      if (list.length === 0) stats.longTimedOut++; else stats.longWoken++;
      render();
      for (const m of list) deliver(String(m.data), "long", m.id, m.time);
      cursor = answer.next;
      showMembers(answer);
    }
  }

  // ------------------------------------------------------------------ Server-Sent Events
  // EventSource reconnects by itself and then sends Last-Event-ID, so nothing is lost.
  function openStream(myGen) {
    const src = new EventSource(roomURL("since=" + cursor));
    es = src;
    setStatus("connecting", "opening the event stream…");
    src.onopen = () => {
      if (src !== es || myGen !== gen) return;
      stats.sseConnections++;
      render();
      setStatus("streaming", "event stream open");
    };
    src.onmessage = (ev) => {
      if (src !== es || myGen !== gen) return;
      const id = Number(ev.lastEventId);
      if (id > 0) cursor = id;
      stats.sseEvents++;
      // What the event took on the wire: "id: I\n", one "data: " per line, the blank line.
      stats.sseBytes += utf8.encode(ev.data).length + ev.lastEventId.length + 5 +
                        6 * (ev.data.split("\n").length) + 1;
      deliver(ev.data, "sse", id || undefined);
    };
    src.onerror = () => {
      if (src !== es) return;
      setStatus("connecting", "event stream lost; the browser reconnects…");
    };
  }

  function closeStream() {
    if (es) es.close();
    es = null;
  }

  // Stops every HTTP way in (short poll timer, held long poll, event stream).
  function stopHttp() {
    clearTimeout(pollTimer);
    polling = false;
    pollAgain = false;
    if (longAbort) longAbort.abort();
    longAbort = null;
    closeStream();
  }

  // Starts the current HTTP way in from `cursor`.
  function startHttp(myGen) {
    if (mode === "sse") openStream(myGen);
    else if (mode === "long") longLoop(myGen);
    else pollLoop(myGen);
  }

  function schedulePoll(delay) {
    clearTimeout(pollTimer);
    const myGen = gen;
    pollTimer = setTimeout(() => pollLoop(myGen), delay);
  }

  async function pollLoop(myGen) {
    if (myGen !== gen || mode !== "poll") return;
    if (polling) { pollAgain = true; return; }
    polling = true;
    const answer = await fetchSince(myGen, cursor, true);
    if (myGen !== gen) return;       // a newer start() owns the flags now
    polling = false;
    if (answer) {
      cursor = answer.next;
      setStatus("polling", "polling every " + POLL_INTERVAL_MS / 1000 + " s");
    }
    if (pollAgain) { pollAgain = false; schedulePoll(0); } else schedulePoll(POLL_INTERVAL_MS);
  }

  async function post(text) {
    const myGen = gen;
    try {
      const res = await fetch(roomPath(), {
        method: "POST", body: text, headers: { "Content-Type": "text/plain; charset=utf-8" },
      });
      const reply = await res.text();
      countRequest("POST", utf8.encode(reply).length);
      if (!res.ok) throw new Error("HTTP " + res.status);
    } catch (err) {
      note("not sent (" + err.message + "): " + text);
      return;
    }
    if (myGen === gen && mode === "poll") pollLoop(myGen);   // show it now, not in up to a second
  }

  // ------------------------------------------------------------------ WebSocket
  function frameBytes(n) { return n + (n < 126 ? 2 : n < 65536 ? 4 : 10); }

  // Opens the room's WebSocket. catchUp: once it is open, fetch what was posted since `cursor`
  // (the messages between our last poll and the join), de-duplicated against the socket.
  function openSocket(myGen, catchUp) {
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + roomURL();
    setStatus("connecting", "connecting…");
    const sock = new WebSocket(url);
    ws = sock;
    sock.onopen = async () => {
      if (sock !== ws) return;
      stats.wsConnections++;
      render();
      setStatus("open", "WebSocket open");
      if (catchUp) {
        openDedupe(wsSinceCatchUp);   // after a reconnect: texts the old socket already showed
        const answer = await fetchSince(myGen, cursor, true);
        if (answer && myGen === gen) { cursor = answer.next; wsSinceCatchUp = []; }
        closeDedupeSoon();
      }
    };
    sock.onmessage = (ev) => {
      if (sock !== ws) return;
      const text = typeof ev.data === "string" ? ev.data : "[binary message]";
      const n = typeof ev.data === "string" ? utf8.encode(ev.data).length : (ev.data.size || ev.data.byteLength || 0);
      stats.wsFrames++;
      stats.wsBytes += frameBytes(n);
      wsSinceCatchUp.push(text);
      if (wsSinceCatchUp.length > 200) wsSinceCatchUp.shift();
      deliver(text, "ws");
    };
    sock.onclose = (ev) => {
      if (sock !== ws) return;
      ws = null;
      setStatus("closed", "WebSocket closed (" + ev.code + ")");
      if (myGen === gen && mode === "ws") {
        note("connection lost (close code " + ev.code + "); reconnecting in 2 s");
        // Catch up by HTTP from the last id we knew; the socket sends no ids, so the texts it
        // delivered since then are skipped once when the catch-up returns them.
        setTimeout(() => { if (myGen === gen && mode === "ws") openSocket(myGen, true); }, 2000);
      }
    };
  }

  function closeSocket() {
    const sock = ws;
    ws = null;
    if (sock && sock.readyState <= WebSocket.OPEN) sock.close(1000, "switching");
  }

  // ------------------------------------------------------------------ mode and room changes
  async function start(newMode, newRoom) {
    const oldMode = mode;
    const roomChanged = newRoom !== room || oldMode === null;
    const myGen = ++gen;
    stopHttp();
    mode = newMode;
    room = newRoom;
    for (const n of document.querySelectorAll("#room-echo, .room-echo2")) n.textContent = room;

    if (roomChanged) {
      closeSocket();
      dedupe = null;
      wsSinceCatchUp = [];
      el.log.textContent = "";
      cursor = 0;
      note((oldMode === null ? "joined room " : "switched to room ") + room + " by " + LABEL[mode]);
      startMembers(myGen);
      if (mode === "ws") { openSocket(myGen, true); return; }   // fetches the recent history once, then pushes
      if (mode === "poll") { pollLoop(myGen); return; }         // since=0: the recent history, then every second
      // SSE and long polling: the recent history with its server times first, then live.
      const answer = await fetchSince(myGen, 0, true);
      if (myGen !== gen) return;
      if (answer) cursor = answer.next;
      startHttp(myGen);
      return;
    }

    startMembers(myGen);
    if (mode !== "ws") {
      note("switched to " + LABEL[mode] + (mode === "poll" ? ": GET " + roomPath() + "?since=N every second"
           : mode === "long" ? ": GET " + roomPath() + "?since=N&wait=" + LONG_WAIT_S + ", held until a message comes"
           : ": one stream, the server pushes each message as an event"));
      if (oldMode !== "ws") { startHttp(myGen); return; }   // from one HTTP way to another: same cursor
      // From WebSocket to HTTP: one GET tells the newest id; everything up to it came over
      // the socket already. Keep the socket until that answer is in, so nothing falls between.
      setStatus("connecting", "switching…");
      wsSinceCatchUp = [];
      openDedupe();
      const answer = await fetchSince(myGen, 0, false);
      if (myGen !== gen) return;
      if (answer) cursor = answer.next;
      closeSocket();
      closeDedupeSoon();
      startHttp(myGen);
    } else {
      note("switched to WebSocket: one connection, the server pushes each message");
      if (ws && ws.readyState === WebSocket.OPEN) {
        // Switched back before the switch to polling had finished: the socket never left the
        // room and showed everything meanwhile, so keep it.
        closeDedupeSoon();
        setStatus("open", "WebSocket open");
        return;
      }
      // From polling to WebSocket: join, then fetch what was posted since the last poll.
      closeSocket();
      openSocket(myGen, true);
    }
  }

  function currentMode() {
    const checked = el.settings.querySelector("input[name=mode]:checked");
    return checked ? checked.value : "ws";
  }

  function cleanRoom(s) {
    const r = s.trim().replace(/[^A-Za-z0-9_.-]/g, "-").replace(/^[.]+/, "").slice(0, 64);
    return r || "lobby";
  }

  // ------------------------------------------------------------------ wiring
  const params = new URLSearchParams(location.search);
  el.room.value = cleanRoom(params.get("room") || el.room.value);
  let storedName = null;
  try { storedName = localStorage.getItem("webserv-chat-name"); } catch (_) { /* private mode */ }
  el.name.value = (params.get("name") || storedName || ("guest-" + Math.floor(100 + Math.random() * 900))).slice(0, 32);
  // A generated name is kept too, so a reload does not make you someone else (a ?name= is not).
  if (!storedName && !params.get("name")) {
    try { localStorage.setItem("webserv-chat-name", el.name.value); } catch (_) { /* private mode */ }
  }
  if (["ws", "sse", "long", "poll"].includes(params.get("mode"))) {
    el.settings.querySelector("input[name=mode][value=" + params.get("mode") + "]").checked = true;
  }
  for (const n of document.querySelectorAll(".host-echo")) n.textContent = location.host;

  el.settings.addEventListener("change", (ev) => {
    if (ev.target === el.name) {
      try { localStorage.setItem("webserv-chat-name", el.name.value.trim()); } catch (_) { /* ignore */ }
      return;
    }
    const newRoom = cleanRoom(el.room.value);
    el.room.value = newRoom;
    if (newRoom !== room || currentMode() !== mode) start(currentMode(), newRoom);
  });
  el.settings.addEventListener("submit", (ev) => { ev.preventDefault(); el.room.blur(); });

  el.sendForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const body = el.msg.value.trim();
    if (!body) return;
    const who = el.name.value.trim().replace(/[:\n]/g, "") || "anonymous";
    const text = who + ": " + body;
    if (mode === "ws") {
      if (!ws || ws.readyState !== WebSocket.OPEN) { note("not connected yet; message kept in the box"); return; }
      ws.send(text);
    } else {
      post(text);   // SSE and long polling see it come back by their own way
    }
    el.msg.value = "";
    el.msg.focus();
  });

  start(currentMode(), cleanRoom(el.room.value));
})();
