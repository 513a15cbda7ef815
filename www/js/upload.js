"use strict";
const STORE = "/uploads/";
const statusLine = document.getElementById("status");
const tbody = document.querySelector("#files tbody");

function say(text) { statusLine.textContent = text; }

function formatSize(n) {
  const units = ["bytes", "KiB", "MiB", "GiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
}

function cell(row, text, className) {
  const td = row.insertCell();
  if (className) td.className = className;
  td.textContent = text;
  return td;
}

// The autoindex page is HTML: parse it and take each file row's link, date and size.
async function refresh() {
  let html;
  try {
    const r = await fetch(STORE, { cache: "no-store" });
    if (!r.ok) throw new Error(r.status + " " + r.statusText);
    html = await r.text();
  } catch (e) {
    tbody.replaceChildren();
    cell(tbody.insertRow(), "Could not list " + STORE + ": " + e.message, "empty").colSpan = 4;
    return;
  }
  const doc = new DOMParser().parseFromString(html, "text/html");
  const files = [];
  for (const a of doc.querySelectorAll("a[href]")) {
    const href = a.getAttribute("href");
    if (href.startsWith("../") || href.endsWith("/") || href.startsWith("?")) continue;
    const tds = a.closest("tr") ? a.closest("tr").querySelectorAll("td") : [];
    files.push({
      name: a.textContent,
      url: new URL(href, new URL(STORE, location.href)).pathname,
      modified: tds[1] ? tds[1].textContent : "",
      size: tds[2] ? Number(tds[2].textContent) : NaN,
    });
  }
  tbody.replaceChildren();
  if (files.length === 0) {
    cell(tbody.insertRow(), "No files yet.", "empty").colSpan = 4;
    return;
  }
  for (const f of files) {
    const row = tbody.insertRow();
    const link = document.createElement("a");
    link.href = f.url;
    link.textContent = f.name;
    row.insertCell().append(link);
    cell(row, f.modified);
    cell(row, Number.isNaN(f.size) ? "" : formatSize(f.size), "size");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Delete";
    button.addEventListener("click", () => remove(f, row, button));
    row.insertCell().append(button);
    row.lastChild.className = "actions";
  }
}

async function remove(file, row, button) {
  if (!confirm("Delete " + file.name + "?")) return;
  button.disabled = true;
  try {
    const r = await fetch(file.url, { method: "DELETE" });
    if (r.status === 204 || r.status === 404) {
      row.remove();
      say(r.status === 204 ? "Deleted " + file.name + "." : file.name + " was already gone.");
      if (!tbody.rows.length) refresh();
    } else {
      say("DELETE " + file.name + ": " + r.status + " " + r.statusText);
      button.disabled = false;
    }
  } catch (e) {
    say("DELETE " + file.name + " failed: " + e.message);
    button.disabled = false;
  }
}

// XMLHttpRequest rather than fetch: it reports upload progress.
document.getElementById("upload").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const bar = document.getElementById("progress");
  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.setRequestHeader("Accept", "application/json");
  xhr.upload.addEventListener("progress", (e) => {
    if (e.lengthComputable) { bar.max = e.total; bar.value = e.loaded; }
  });
  xhr.addEventListener("load", () => {
    bar.hidden = true;
    if (xhr.status === 201) {
      let names = [];
      try { names = JSON.parse(xhr.responseText).files.map((f) => f.name); } catch (e) {}
      say("Stored " + (names.length ? names.join(", ") : "the upload") + ".");
      form.reset();
    } else {
      say("Upload refused: " + xhr.status + " " + xhr.statusText +
          (xhr.status === 413 ? " (larger than client_max_body_size)" : ""));
    }
    refresh();
  });
  xhr.addEventListener("error", () => { bar.hidden = true; say("Upload failed: the connection was lost."); });
  bar.hidden = false;
  bar.value = 0;
  say("Uploading…");
  xhr.send(new FormData(form));
});

refresh();
