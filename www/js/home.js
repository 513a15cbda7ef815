// The front page's HTTP example, made real: the parts of your request a page may read, and
// the response head this server sends for this page now (asked again with HEAD). Without
// JavaScript the page keeps its labelled illustration.
(function () {
  "use strict";

  function span(cls, text) {
    const s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    return s;
  }

  // One head line as the page draws them: name in bold, the CR LF shown faintly.
  function headLine(pre, name, value) {
    pre.append(span("hn", name + ":"), " " + value, span("crlf", "\\r\\n"), "\n");
  }

  function startLine(pre, text) {
    pre.append(span("rl", text), span("crlf", "\\r\\n"), "\n");
  }

  function endOfHead(pre) {
    const end = span("crlf", "\\r\\n");
    end.style.marginLeft = "0";
    pre.append(end);
  }

  const request = document.getElementById("live-request");
  if (request) {
    request.textContent = "";
    startLine(request, "GET " + location.pathname + location.search + " HTTP/1.1");
    headLine(request, "Host", location.host);
    headLine(request, "User-Agent", navigator.userAgent);
    request.append(span("dim", "… Accept and more: lines a page cannot read"), "\n");
    endOfHead(request);
    document.getElementById("live-request-note").textContent =
      "The request line, Host and User-Agent are your browser's own.";
  }

  const response = document.getElementById("live-response");
  if (!response || !window.fetch) return;
  const shown = ["Server", "Date", "Content-Type", "Content-Length", "Content-Encoding", "Vary",
    "Last-Modified", "ETag", "Accept-Ranges", "Connection"];
  fetch(location.pathname, { method: "HEAD", cache: "no-store" }).then((r) => {
    response.textContent = "";
    startLine(response, "HTTP/1.1 " + r.status + " " + (r.statusText || "OK"));
    for (const name of shown) {
      const value = r.headers.get(name);
      if (value !== null) headLine(response, name, value);
    }
    endOfHead(response);
    response.append("\n", span("dim", "<!DOCTYPE html>… the bytes of this page …"));
    response.dataset.live = "1";
    document.getElementById("live-response-note").textContent =
      "Live: the head webserv sent just now when this page asked for itself again (HEAD).";
  }).catch(() => { /* keep the illustration */ });
})();
