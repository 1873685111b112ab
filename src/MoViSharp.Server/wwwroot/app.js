// The MoViSharp stream page: plain JS, no build step. State comes from /live (server-sent events); changes go through the API.
"use strict";

const tiles = new Map();            // stream id -> { el, history: [{p, label}], marks: [index], view }
const historyLength = 150;
const palette = ["#3a7bd5", "#2bb673", "#e8833a", "#9b59b6", "#d33", "#16a085", "#c0392b", "#8e44ad", "#f1c40f", "#2c3e50",
                 "#27ae60", "#e67e22", "#1abc9c", "#7f8c8d", "#34495e"];
const colourOf = label => palette[[...label].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % palette.length];
const $ = (sel, root = document) => root.querySelector(sel);
const keyInput = $("#api-key");
keyInput.value = localStorage.getItem("movisharp-key") || "";
keyInput.addEventListener("change", () => localStorage.setItem("movisharp-key", keyInput.value));

function say(text) { $("#message").textContent = text || ""; }

async function api(method, path, body) {
  const headers = { "X-Api-Key": keyInput.value };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(data && data.error ? data.error : `${method} ${path}: ${response.status}`);
  return data;
}

function tileFor(view) {
  let tile = tiles.get(view.id);
  if (tile) return tile;
  const el = $("#tile-template").content.firstElementChild.cloneNode(true);
  el.dataset.streamId = view.id;
  $(".name", el).textContent = view.id;
  $(".remove", el).addEventListener("click", async () => {
    try { await api("DELETE", `/streams/${encodeURIComponent(view.id)}`); dropTile(view.id); say(""); } catch (e) { say(e.message); }
  });
  $(".restart", el).addEventListener("click", async () => {
    try { update(await api("POST", `/streams/${encodeURIComponent(view.id)}/restart`)); } catch (e) { say(e.message); }
  });
  $("#tiles").appendChild(el);
  tile = { el, history: [], marks: [], view, lastFrame: -1 };
  tiles.set(view.id, tile);
  return tile;
}

// Streams removed here or by the server: a late event about one (its final "stopped" status) must not bring its tile back.
const removed = new Set();

function dropTile(id) {
  removed.add(id);
  const tile = tiles.get(id);
  if (!tile) return;
  tile.el.remove();
  tiles.delete(id);
}

function update(view) {
  if (removed.has(view.id)) return;
  const tile = tileFor(view);
  tile.view = view;
  const el = tile.el;
  el.classList.toggle("failed", view.status === "failed");
  el.dataset.status = view.status;
  $(".state", el).textContent = `${view.kind} · ${view.model} · ${view.fps} fps · ${view.status}` + (view.dropped ? ` · ${view.dropped} dropped` : "");
  $(".restart", el).hidden = view.status === "running";
  $(".error", el).textContent = view.error || "";
  const latest = view.latest;
  if (!latest) return;
  $(".frame", el).textContent = `frame ${latest.frame}`;
  $(".truth", el).textContent = latest.trueLabel ? `shown: ${latest.trueLabel}` : "";
  $(".latency", el).textContent = `· ${latest.latencyMs.toFixed(0)} ms`;
  const bars = $(".bars", el);
  bars.replaceChildren(...latest.top.map(c => {
    const li = document.createElement("li");
    li.dataset.label = c.label;
    li.innerHTML = `<div class="label"><span></span><span></span></div><div class="bar"><div class="fill"></div></div>`;
    li.querySelector(".label span:first-child").textContent = c.label;
    li.querySelector(".label span:last-child").textContent = `${(c.probability * 100).toFixed(1)} %`;
    li.querySelector(".fill").style.width = `${(c.probability * 100).toFixed(1)}%`;
    return li;
  }));
  if (latest.frame !== tile.lastFrame) {
    tile.lastFrame = latest.frame;
    tile.history.push({ p: latest.top[0].probability, label: latest.top[0].label });
    if (tile.history.length > historyLength) { tile.history.shift(); tile.marks = tile.marks.map(m => m - 1).filter(m => m >= 0); }
    drawTimeline(tile);
  }
}

function drawTimeline(tile) {
  const canvas = $(".timeline", tile.el);
  const g = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, step = w / historyLength;
  g.clearRect(0, 0, w, h);
  tile.history.forEach((s, i) => {
    g.fillStyle = colourOf(s.label);
    g.fillRect(i * step, h - s.p * (h - 4), Math.max(1, step - 0.5), s.p * (h - 4));
  });
  g.strokeStyle = "#1d2430";
  g.fillStyle = "#1d2430";
  g.font = "10px system-ui";
  // Labels go on the first of two rows where they do not overlap the previous one; with no room, the line alone marks the change.
  const rowEnds = [-Infinity, -Infinity];
  for (const m of tile.marks) {
    const x = m * step;
    g.beginPath(); g.moveTo(x, 0); g.lineTo(x, h); g.stroke();
    const label = tile.history[m] ? tile.history[m].label : "";
    const width = g.measureText(label).width;
    const left = Math.max(0, Math.min(x + 2, w - width - 2));
    const row = rowEnds.findIndex(end => left > end + 4);
    if (row < 0) continue;
    g.fillText(label, left, 10 + row * 11);
    rowEnds[row] = left + width;
  }
}

function markChange(event) {
  const tile = tiles.get(event.streamId);
  if (!tile) return;
  tile.marks.push(Math.max(0, tile.history.length - 1));
}

function connect() {
  const live = new EventSource("/live");
  live.addEventListener("open", () => { $("#status").textContent = "live"; });
  live.addEventListener("error", () => { $("#status").textContent = "reconnecting…"; });
  live.addEventListener("snapshot", e => {
    const views = JSON.parse(e.data);
    const ids = new Set(views.map(v => v.id));
    for (const id of [...tiles.keys()]) if (!ids.has(id)) dropTile(id);
    views.forEach(v => { removed.delete(v.id); update(v); });
  });
  live.addEventListener("added", e => { const view = JSON.parse(e.data); removed.delete(view.id); update(view); });
  for (const kind of ["prediction", "status"]) live.addEventListener(kind, e => update(JSON.parse(e.data)));
  live.addEventListener("removed", e => dropTile(JSON.parse(e.data).id));
  live.addEventListener("label", e => markChange(JSON.parse(e.data)));
}

// Thumbnails are plain BMP images refreshed a few times a second (no decoding in JS).
setInterval(() => {
  for (const [id, tile] of tiles)
    if (tile.view.latest && tile.view.status === "running")
      $(".thumb", tile.el).src = `/streams/${encodeURIComponent(id)}/thumbnail?f=${tile.lastFrame}`;
}, 300);

$("#add-form").addEventListener("submit", async e => {
  e.preventDefault();
  const f = new FormData(e.target);
  const spec = { kind: f.get("kind"), fps: Number(f.get("fps")) || 15, loop: f.get("loop") === "on" };
  if (f.get("source")) spec.source = f.get("source");
  if (f.get("id")) spec.id = f.get("id");
  try { const view = await api("POST", "/streams", spec); removed.delete(view.id); update(view); say(""); } catch (err) { say(err.message); }
});

// The browser's camera as a push stream: frames drawn at the model's size, sent as rgb24 over a WebSocket.
$("#camera-button").addEventListener("click", async () => {
  try {
    const media = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
    const view = await api("POST", "/streams", { kind: "push", id: `camera-${Date.now() % 100000}`, fps: 15 });
    update(view);
    const size = view.size, video = document.createElement("video");
    video.srcObject = media; video.muted = true; await video.play();
    const canvas = document.createElement("canvas"); canvas.width = size; canvas.height = size;
    const g = canvas.getContext("2d", { willReadFrequently: true });
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/streams/${view.id}/ws?key=${encodeURIComponent(keyInput.value)}`);
    socket.binaryType = "arraybuffer";
    socket.addEventListener("message", m => say(JSON.parse(m.data).error));
    const timer = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      const side = Math.min(video.videoWidth, video.videoHeight);   // centre square, as the server crops files
      g.drawImage(video, (video.videoWidth - side) / 2, (video.videoHeight - side) / 2, side, side, 0, 0, size, size);
      const rgba = g.getImageData(0, 0, size, size).data, rgb = new Uint8Array(size * size * 3);
      for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) { rgb[j] = rgba[i]; rgb[j + 1] = rgba[i + 1]; rgb[j + 2] = rgba[i + 2]; }
      socket.send(rgb.buffer);
    }, 1000 / view.fps);
    socket.addEventListener("close", () => { clearInterval(timer); media.getTracks().forEach(t => t.stop()); });
  } catch (e) { say(`camera: ${e.message}`); }
});

connect();
