// biocap operator page, live mode: frames go to WS /v1/<modality>/stream, each verdict is drawn
// over the frame it answers, and the auto-captured frame is shown with its full result (show()).
// Sources: the webcam (face) or a folder of images played in a loop (a simulated scanner or iris
// camera). At most MAX_IN_FLIGHT frames wait for an answer; a tick that finds them waiting is
// skipped, and the server answers the newest frame it has, so the picture never lags behind.
"use strict";

const MAX_IN_FLIGHT = 2;
const live = {
  ws: null, timer: null, busy: false, source: null,
  seq: 0, lastSeq: 0, sent: new Map(), shown: null,
  verdicts: 0, skipped: 0, dropped: 0, captures: 0, times: [], rtts: [],
};

function liveUrl() {
  const q = query();
  q.delete("map");
  const key = $("apikey").value.trim();
  if (key) q.set("key", key);  // a browser cannot set headers on a WebSocket
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/v1/${$("modality").value}/stream?${q}`;
}

function liveStart(source) {
  liveStop();
  Object.assign(live, { source, seq: 0, lastSeq: 0, verdicts: 0, skipped: 0, dropped: 0, captures: 0, times: [], rtts: [] });
  $("error").hidden = true;
  $("captured").hidden = true;
  $("livebox").hidden = false;
  $("livestop").disabled = false;
  $("livenext").disabled = true;
  document.body.dataset.live = "open";
  const ws = new WebSocket(liveUrl());
  live.ws = ws;
  ws.onmessage = (e) => onLiveMessage(JSON.parse(e.data));
  ws.onclose = (e) => {
    if (live.ws !== ws) return;  // stopped here, or replaced by a new stream
    $("livemessage").textContent = t("live_closed", { reason: e.reason || e.code });
    liveStop();
    document.body.dataset.live = "closed";
  };
}

function liveStop() {
  clearInterval(live.timer);
  if (live.ws) live.ws.close(1000);
  live.ws = null;
  if (live.source && live.source.stream) live.source.stream.getTracks().forEach((tr) => tr.stop());
  for (const f of live.sent.values()) if (f.bitmap) f.bitmap.close();
  live.sent.clear();
  $("livestop").disabled = true;
  $("livenext").disabled = true;
}

function onLiveMessage(ev) {
  if (ev.type === "ready") {
    const fps = Math.min(60, Math.max(1, Number($("livefps").value) || 25));
    live.timer = setInterval(pump, 1000 / fps);
  } else if (ev.type === "verdict") {
    onVerdict(ev);
  } else if (ev.type === "captured") {
    live.captures++;
    $("livenext").disabled = false;
    const note = $("captured");
    note.hidden = false;
    note.textContent = `${ev.message} (${t("live_frame", { seq: ev.seq })})`;
    show(ev.result, null);
    document.body.dataset.captured = String(ev.seq);
  } else if (ev.type === "error") {
    if (ev.seq != null) settle(ev.seq);
    $("livemessage").textContent = `${ev.code}: ${ev.message}`;
  }
}

// One frame out, if the stream is open and not too many are waiting.
async function pump() {
  const ws = live.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN || live.busy) return;
  if (live.seq - live.lastSeq >= MAX_IN_FLIGHT) { live.skipped++; return; }
  live.busy = true;
  try {
    const frame = await grab(live.source);
    if (!frame || live.ws !== ws) return;
    live.seq++;
    live.sent.set(live.seq, { t: performance.now(), bitmap: frame.bitmap });
    ws.send(frame.blob);
  } finally {
    live.busy = false;
  }
}

async function grab(source) {
  if (source.kind === "camera") {
    const v = source.video;
    if (!v.videoWidth) return null;
    const c = source.canvas || (source.canvas = document.createElement("canvas"));
    c.width = v.videoWidth; c.height = v.videoHeight;
    c.getContext("2d").drawImage(v, 0, 0);
    const blob = await new Promise((ok) => c.toBlob(ok, "image/jpeg", 0.85));
    return blob && { blob, bitmap: await createImageBitmap(c) };
  }
  const file = source.files[source.next++ % source.files.length];
  let bitmap = null;
  try { bitmap = await createImageBitmap(file); } catch (e) { /* WSQ, TIFF ...: overlay only */ }
  return { blob: file, bitmap };
}

// Frames up to `seq` are answered or were dropped by the server: forget them.
function settle(seq) {
  let frame = null;
  for (const [k, f] of live.sent) {
    if (k > seq) continue;
    if (k === seq) frame = f; else if (f.bitmap) f.bitmap.close();
    live.sent.delete(k);
  }
  live.lastSeq = Math.max(live.lastSeq, seq);
  return frame;
}

function onVerdict(v) {
  const frame = settle(v.seq);
  const now = performance.now();
  live.verdicts++;
  live.dropped = v.dropped;
  live.times.push(now);
  while (live.times.length && now - live.times[0] > 2000) live.times.shift();
  if (frame) live.rtts.push(now - frame.t);
  if (live.rtts.length > 50) live.rtts.shift();
  drawLive(frame && frame.bitmap, v);
  const d = $("livedecision");
  d.textContent = t(v.decision);
  d.className = "badge " + v.decision;
  $("livequality").textContent = v.quality === 255 ? t("quality_failed", { reason: v.code }) : t("quality", { quality: v.quality });
  $("livemessage").textContent = v.message;
  $("liveaction").textContent = v.action;
  $("liverun").textContent = t("live_run", { run: v.run, needed: v.needed });
  const s = liveStats();
  $("livestats").textContent = t("live_stats", { fps: s.fps.toFixed(1), ms: s.rtt_ms.toFixed(0), dropped: s.dropped + s.skipped });
  document.body.dataset.liveVerdicts = String(live.verdicts);
}

function drawLive(bitmap, v) {
  const c = $("livecanvas");
  const g = c.getContext("2d");
  c.width = v.image.width; c.height = v.image.height;
  if (bitmap) g.drawImage(bitmap, 0, 0, c.width, c.height);
  else { g.fillStyle = "#333"; g.fillRect(0, 0, c.width, c.height); }
  if (live.shown && live.shown !== bitmap) live.shown.close();
  live.shown = bitmap;
  if (v.quality_map) drawMap(g, v.quality_map);
  if (v.overlay) drawOverlay(g, v.overlay, Math.max(2, c.width / 300));
}

// What the page measured (the browser test and benchmarks/stream_page.py read it).
function liveStats() {
  const n = live.times.length;
  const span = n > 1 ? (live.times[n - 1] - live.times[0]) / 1000 : 0;
  const sorted = [...live.rtts].sort((a, b) => a - b);
  return {
    fps: span > 0 ? (n - 1) / span : 0,
    rtt_ms: sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0,
    verdicts: live.verdicts, sent: live.seq, dropped: live.dropped, skipped: live.skipped,
    captures: live.captures,
  };
}
window.biocapLive = { stats: liveStats };

$("livecam").addEventListener("click", async () => {
  try {
    if ([...$("modality").options].some((o) => o.value === "face")) $("modality").value = "face";
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
    const video = document.createElement("video");
    video.muted = true; video.playsInline = true; video.srcObject = stream;
    await video.play();
    liveStart({ kind: "camera", video, stream });
  } catch (e) {
    showError({ code: "camera", message: e.message });
  }
});

$("livefiles").addEventListener("change", (e) => {
  const files = [...e.target.files]
    .filter((f) => /\.(png|jpe?g|bmp|tiff?|pgm|wsq|jp2)$/i.test(f.name))
    .sort((a, b) => (a.webkitRelativePath || a.name).localeCompare(b.webkitRelativePath || b.name));
  e.target.value = "";
  if (!files.length) return showError({ code: "live", message: t("live_no_images") });
  liveStart({ kind: "files", files, next: 0 });
});

$("livestop").addEventListener("click", () => { liveStop(); document.body.dataset.live = "stopped"; });
$("livenext").addEventListener("click", () => {
  if (live.ws) live.ws.send(JSON.stringify({ type: "reset" }));
  $("livenext").disabled = true;
  $("captured").hidden = true;
  document.body.dataset.captured = "";
});
