// biocap operator page: plain JS, no build step, everything served by the service itself.
"use strict";

const $ = (id) => document.getElementById(id);
let lastUrl = null;

async function init() {
  await loadTexts();
  const status = $("status");
  try {
    const r = await fetch("/v1/modalities", { headers: headers() });
    const info = await r.json();
    if (!r.ok) throw new Error(info.error ? info.error.message : r.statusText);
    if (info.lang) stationLang(info.lang);
    for (const m of [...info.modalities, "slap:right", "slap:left", "slap:thumbs"]) {
      const o = new Option(t(m), m, false, m === "finger");
      o.dataset.i18nValue = "1";
      $("modality").add(o);
    }
    for (const p of info.profiles) $("profile").add(new Option(p, p, false, p === info.default_profile));
    delete status.dataset.i18n;  // its text has a value in it: redrawn on langchange below
    status.textContent = t("ready", { modalities: info.modalities.map((m) => t(m)).join(", ") });
    document.addEventListener("langchange", () => {
      status.textContent = t("ready", { modalities: info.modalities.map((m) => t(m)).join(", ") });
    });
    document.body.dataset.ready = "1";
  } catch (e) {
    delete status.dataset.i18n;
    status.textContent = t("unavailable", { message: e.message });
  }
}

function headers() {
  const key = $("apikey").value.trim();
  return key ? { "X-API-Key": key } : {};
}

function query() {
  const q = new URLSearchParams({ map: "true", lang: I18N.lang });
  for (const name of ["position", "profile", "ppi", "subject"]) {
    const v = $(name).value.trim();
    if (v) q.set(name, v);
  }
  const lang = new URLSearchParams(location.search).get("lang");  // e.g. /?lang=vi
  if (lang) q.set("lang", lang);
  return q;
}

async function send(blob) {
  const modality = $("modality").value;
  $("error").hidden = true;
  $("captured").hidden = true;
  if (lastUrl) URL.revokeObjectURL(lastUrl);
  lastUrl = URL.createObjectURL(blob);
  let body;
  try {
    const slap = modality.startsWith("slap:") ? modality.slice(5) : null;
    const q = query();
    if (slap) { q.set("slap", slap); q.delete("position"); }
    const url = slap ? `/v1/finger/slap/assess?${q}` : `/v1/${modality}/assess?${q}`;
    const r = await fetch(url, {
      method: "POST", body: blob, headers: { ...headers(), "Content-Type": "application/octet-stream" },
    });
    body = await r.json();
    if (!r.ok) return showError(body.error || { code: "http_" + r.status, message: r.statusText });
  } catch (e) {
    return showError({ code: "network", message: e.message });
  }
  show(body, lastUrl);
}

function showError(err) {
  $("result").hidden = true;
  $("error").hidden = false;
  $("error").textContent = `${err.code}: ${err.message}`;
  document.body.dataset.state = "error";
}

function show(res, url) {
  if (res.modality === "slap") return showSlap(res, url);
  $("result").hidden = false;
  const d = $("decision");
  d.textContent = t(res.decision);
  d.className = "badge " + res.decision;
  $("quality").textContent = res.quality === 255
    ? t("quality_failed", { reason: res.failure_reason })
    : t("quality", { quality: res.quality });
  $("message").textContent = res.message;
  $("action").textContent = res.action;
  const ul = $("defects");
  ul.replaceChildren(...res.defects.map((x) => {
    const li = document.createElement("li");
    li.className = x.severity;
    li.textContent = `${x.code}: ${x.message}`;
    return li;
  }));
  const a = res.attempts;
  $("attempts").textContent = a
    ? t("attempts", { attempt: a.attempt, max: a.max_attempts, best: a.best_attempt, best_quality: a.best_quality })
    : "";
  $("bars").replaceChildren(...Object.entries(res.measures).map(([name, m]) => bar(name, m)));
  const ms = res.latency_ms;
  $("latency").textContent = t("latency", { total: ms.total.toFixed(1), decode: ms.decode.toFixed(1), assess: ms.assess.toFixed(1) });
  draw(res.preview || url, res);
  document.body.dataset.state = res.decision;
}

// A slap: the slap-level reasons, one line per finger (name, quality, verdict) and, on the
// image, each finger's oriented box in its verdict's colour.
function showSlap(res, url) {
  $("result").hidden = false;
  const d = $("decision");
  d.textContent = t(res.decision);
  d.className = "badge " + res.decision;
  $("quality").textContent = t("slap_summary", {
    slap: t(`slap:${res.slap}`), n: res.fingers.length, quality: res.quality === 255 ? "–" : res.quality,
  });
  const first = res.reasons[0];
  $("message").textContent = first ? first.message : "";
  $("action").textContent = first ? first.action : "";
  const items = res.reasons.map((x) => [`${x.code}: ${x.message}`, "error"]);
  for (const f of res.fingers) {
    const text = t("slap_finger", { position: f.position, name: f.name, quality: f.quality, decision: t(f.decision) });
    items.push([text, f.decision === "accept" ? "ok" : "warning"]);
  }
  $("defects").replaceChildren(...items.map(([text, cls]) => {
    const li = document.createElement("li");
    li.className = cls;
    li.textContent = text;
    return li;
  }));
  const a = res.attempts;
  $("attempts").textContent = a ? t("slap_attempt", { attempt: a.attempt, max: a.max_attempts }) : "";
  $("bars").replaceChildren();
  $("latency").textContent = t("latency_total", { total: res.latency_ms.total.toFixed(1) });
  draw(res.preview || url, { slapFingers: res.fingers });
  document.body.dataset.state = res.decision;
}

function drawBoxes(g, fingers, lw) {
  g.lineWidth = lw;
  g.font = `${8 * lw}px sans-serif`;
  for (const f of fingers) {
    const [tl, tr, bl, br] = f.box.corners;
    g.strokeStyle = g.fillStyle = f.decision === "accept" ? "#34c759" : "#ff3b30";
    g.beginPath();
    g.moveTo(...tl); g.lineTo(...tr); g.lineTo(...br); g.lineTo(...bl); g.closePath();
    g.stroke();
    g.fillText(`${f.position} ${f.quality}`, tl[0], tl[1] - 2 * lw);
  }
}

function bar(name, m) {
  const row = document.createElement("div");
  row.className = "bar";
  const score = m.score == null ? 0 : m.score;
  row.innerHTML = `<span></span><div class="track"><div class="fill"></div></div><span></span>`;
  row.children[0].textContent = name;
  row.children[0].title = `raw ${m.raw} ${m.unit}`;
  const fill = row.querySelector(".fill");
  fill.style.width = score + "%";
  if (score < 40) fill.classList.add("low");
  row.children[2].textContent = m.score == null ? "–" : m.score;
  return row;
}

function draw(url, res) {
  const img = new Image();
  const canvas = $("canvas");
  img.onload = () => {
    canvas.hidden = false;
    $("nopreview").hidden = true;
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const g = canvas.getContext("2d");
    g.drawImage(img, 0, 0);
    const lw = Math.max(2, img.naturalWidth / 300);
    if (res.quality_map) drawMap(g, res.quality_map);
    if (res.quality_map && res.quality_map.regions) drawRegions(g, res.quality_map.regions, lw);
    if (res.overlay) drawOverlay(g, res.overlay, lw);
    if (res.slapFingers) drawBoxes(g, res.slapFingers, lw);
    canvas.dataset.drawn = "1";
  };
  img.onerror = () => {
    canvas.hidden = true;
    $("nopreview").hidden = false;
  };
  img.src = url;
}

function drawMap(g, map) {
  const b = map.block_px || 32;
  map.values.forEach((row, y) => row.forEach((v, x) => {
    if (v === 255) return;  // background
    const hue = Math.round(1.2 * v);  // 0 red .. 120 green
    g.fillStyle = `hsla(${hue}, 85%, 45%, 0.35)`;
    g.fillRect(x * b, y * b, b, b);
  }));
}

// Local defects (smudge, dry ridges, worn ridges): outlined, red for errors, amber for
// warnings, and named with the service's label in the operator's language.
function drawRegions(g, regions, lw) {
  const canvas = g.canvas;
  canvas.dataset.regions = String(regions.length);
  canvas.dataset.regionLabels = regions.map((r) => `${r.label} (${r.place_label})`).join("; ");
  const size = Math.max(12, Math.round(canvas.width / 28));
  g.font = `bold ${size}px sans-serif`;
  g.textBaseline = "top";
  for (const r of regions) {
    const colour = r.severity === "error" ? "#ff3b30" : "#ff9f0a";
    g.lineWidth = lw;
    g.strokeStyle = colour;
    for (const poly of r.outline) {
      g.beginPath();
      poly.forEach(([x, y], i) => (i ? g.lineTo(x, y) : g.moveTo(x, y)));
      g.closePath();
      g.stroke();
    }
    const text = `${r.label} (${r.place_label})`;
    const x = Math.min(Math.max(r.box[0], 0), Math.max(canvas.width - g.measureText(text).width - 6, 0));
    const y = Math.max(r.box[1] - size - 6, 0);
    g.fillStyle = colour;
    g.fillRect(x, y, g.measureText(text).width + 6, size + 4);
    g.fillStyle = "#fff";
    g.fillText(text, x + 3, y + 2);
  }
}

// Overlay geometry named by the cores: [x, y, r] circles (iris, pupil), [x0, y0, x1, y1] boxes
// (face), lists of [x, y] points (landmarks), nested objects; failed checks tint red.
function drawOverlay(g, overlay, lw) {
  g.lineWidth = lw;
  for (const [name, v] of Object.entries(overlay)) {
    const bad = /fail|occlu|bad|defect/i.test(name);
    g.strokeStyle = g.fillStyle = bad ? "#ff3b30" : name.includes("pupil") ? "#00d1ff" : "#ffd60a";
    shape(g, v, lw);
  }
}

function shape(g, v, lw) {
  if (Array.isArray(v) && v.length === 3 && v.every(Number.isFinite)) {
    g.beginPath(); g.arc(v[0], v[1], v[2], 0, 2 * Math.PI); g.stroke();
  } else if (Array.isArray(v) && v.length === 4 && v.every(Number.isFinite)) {
    g.strokeRect(v[0], v[1], v[2] - v[0], v[3] - v[1]);  // box corners x0, y0, x1, y1
  } else if (Array.isArray(v) && v.length === 2 && v.every(Number.isFinite)) {
    g.beginPath(); g.arc(v[0], v[1], 1.5 * lw, 0, 2 * Math.PI); g.fill();
  } else if (Array.isArray(v)) {
    v.forEach((p) => shape(g, p, lw));
  } else if (v && typeof v === "object") {
    if (["x", "y", "r"].every((k) => k in v)) shape(g, [v.x, v.y, v.r], lw);
    else if (["x", "y", "w", "h"].every((k) => k in v)) shape(g, [v.x, v.y, v.x + v.w, v.y + v.h], lw);
    else Object.values(v).forEach((p) => shape(g, p, lw));
  }
}

// ---- input: drop zone, file chooser, webcam (face)
const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault(); drop.classList.remove("over");
  if (e.dataTransfer.files.length) send(e.dataTransfer.files[0]);
});
$("file").addEventListener("change", (e) => { if (e.target.files.length) send(e.target.files[0]); });

$("camstart").addEventListener("click", async () => {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 960 } });
    const video = $("video");
    video.srcObject = stream;
    video.hidden = false;
    $("camshot").disabled = false;
    if ([...$("modality").options].some((o) => o.value === "face")) $("modality").value = "face";
  } catch (e) {
    showError({ code: "camera", message: e.message });
  }
});
$("camshot").addEventListener("click", () => {
  const video = $("video");
  const c = document.createElement("canvas");
  c.width = video.videoWidth; c.height = video.videoHeight;
  c.getContext("2d").drawImage(video, 0, 0);
  c.toBlob((blob) => blob && send(blob), "image/png");
});

init();
