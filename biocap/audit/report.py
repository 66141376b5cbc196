"""One self-contained HTML report of a results folder (no scripts, no external URLs).

Charts are inline SVG drawn here; thumbnails are base64 JPEG ``data:`` URIs. Sections: counts,
quality histograms per modality and per finger position, defects by station / operator / day,
the recapture list, and a gallery of the worst captures with their reasons. Only the gallery's
few images are decoded again (to draw thumbnails); everything else comes from the Parquet rows.
"""

from __future__ import annotations

import base64
import html
import json
import time
from pathlib import Path
from typing import Any

from biocap.audit.query import connect
from biocap.audit.recapture import Found
from biocap.audit.store import atomic_write_bytes

GALLERY_SIZE = 24
THUMB_PX = 160
MAX_TABLE_ROWS = 500
BINS = [f"{lo}-{lo + 9}" for lo in range(0, 90, 10)] + ["90-100"]
SHORT_BINS = [str(lo) for lo in range(0, 100, 10)]  # small multiples: bin starts only
FINGER_NAMES = {
    "0": "unknown",
    "1": "R thumb",
    "2": "R index",
    "3": "R middle",
    "4": "R ring",
    "5": "R little",
    "6": "L thumb",
    "7": "L index",
    "8": "L middle",
    "9": "L ring",
    "10": "L little",
}
_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;
white-space:nowrap;
text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #ddd;padding:8px 14px}
.card b{font-size:20px;display:block}.small{color:#666;font-size:12px}
.grid{display:flex;flex-wrap:wrap;gap:12px}.cap{width:200px;border:1px solid #ddd;padding:6px;
font-size:12px}.cap img{display:block;max-width:188px;max-height:188px;margin:auto}
.multi{display:flex;flex-wrap:wrap;gap:10px}.bad{color:#b00}
"""


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v))


def bar_chart(
    labels: list[str],
    values: list[float],
    *,
    width: int = 520,
    height: int = 180,
    colour: str = "#3b6ea5",
    title: str = "",
) -> str:
    """Vertical bars as an inline SVG string (labels under the bars, values above)."""
    n = max(1, len(values))
    top = max(values) if values and max(values) > 0 else 1
    pad_b, pad_t = 34, 30
    bw = width / n
    out = [f'<svg width="{width}" height="{height}" role="img" aria-label="{_e(title)}">']
    if title:
        out.append(f'<text x="4" y="12" font-size="12">{_e(title)}</text>')
    for i, (lab, v) in enumerate(zip(labels, values, strict=True)):
        h = (height - pad_b - pad_t) * (v / top)
        x, y = i * bw + 2, height - pad_b - h
        out.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw - 4:.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{_e(lab)}: {v:g}</title></rect>'
        )
        out.append(
            f'<text x="{x + bw / 2 - 2:.1f}" y="{y - 3:.1f}" font-size="10" '
            f'text-anchor="middle">{v:g}</text>'
        )
        out.append(
            f'<text x="{x + bw / 2 - 2:.1f}" y="{height - pad_b + 13}" font-size="10" '
            f'text-anchor="middle">{_e(lab)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _table(cols: list[str], rows: list[tuple[Any, ...]]) -> str:
    """An HTML table: numbers right-aligned, text left (at most MAX_TABLE_ROWS rows)."""
    numeric = [
        all(isinstance(r[i], int | float) or r[i] is None for r in rows[:MAX_TABLE_ROWS])
        for i in range(len(cols))
    ]
    head = "".join(
        f'<th class="{"" if numeric[i] else "l"}">{_e(c)}</th>' for i, c in enumerate(cols)
    )
    body = []
    for r in rows[:MAX_TABLE_ROWS]:
        cells = "".join(
            f'<td class="{"" if numeric[i] else "l"}">{_e(_fmt(v))}</td>' for i, v in enumerate(r)
        )
        body.append(f"<tr>{cells}</tr>")
    more = (
        f'<p class="small">first {MAX_TABLE_ROWS} of {len(rows)} rows</p>'
        if len(rows) > MAX_TABLE_ROWS
        else ""
    )
    return f"<table><tr>{head}</tr>{''.join(body)}</table>{more}"


def _fmt(v: Any) -> Any:
    if isinstance(v, float):
        return f"{v:.1f}"
    return "" if v is None else v


def _hist(con, where: str) -> list[int]:
    sql = f"""SELECT least(quality // 10, 9) AS b, count(*) FROM audit
              WHERE quality IS NOT NULL AND quality <= 100 AND {where} GROUP BY b"""
    counts = dict(con.execute(sql).fetchall())
    return [int(counts.get(i, 0)) for i in range(10)]


def _counts(con) -> str:
    total, files, errors, failures = con.execute(
        """SELECT count(*), count(DISTINCT src), count(error_code),
                  count(*) FILTER (WHERE quality = 255) FROM audit"""
    ).fetchone()
    cards = [
        ("images", total),
        ("source files", files),
        ("decode errors", errors),
        ("not assessable (255)", failures),
    ]
    html_cards = "".join(f'<div class="card"><b>{v}</b>{_e(k)}</div>' for k, v in cards)
    by = con.execute(
        """SELECT coalesce(modality, '(unknown)'), count(*),
                  count(*) FILTER (WHERE decision = 'accept'),
                  count(*) FILTER (WHERE decision = 'retake'),
                  count(*) FILTER (WHERE decision = 'exception'),
                  count(error_code), round(avg(quality) FILTER (WHERE quality <= 100), 1),
                  round(median(quality) FILTER (WHERE quality <= 100), 1)
           FROM audit GROUP BY 1 ORDER BY 1"""
    ).fetchall()
    errs = con.execute(
        """SELECT error_code, count(*), any_value(error_message) FROM audit
           WHERE error_code IS NOT NULL GROUP BY 1 ORDER BY 2 DESC"""
    ).fetchall()
    parts = [
        f'<div class="cards">{html_cards}</div>',
        _table(
            [
                "modality",
                "images",
                "accept",
                "retake",
                "exception",
                "errors",
                "mean quality",
                "median quality",
            ],
            by,
        ),
    ]
    if errs:
        parts += ["<h3>errors</h3>", _table(["code", "images", "example message"], errs)]
    return "".join(parts)


def _histograms(con) -> str:
    parts = []
    mods = [
        m
        for (m,) in con.execute(
            "SELECT DISTINCT modality FROM audit WHERE quality <= 100 ORDER BY 1"
        ).fetchall()
    ]
    charts = [bar_chart(BINS, _hist(con, f"modality = '{m}'"), title=f"{m}: quality") for m in mods]
    parts.append(f'<div class="multi">{"".join(charts)}</div>')
    positions = con.execute(
        """SELECT coalesce(position, '0') AS p, count(*), round(avg(quality), 1),
                  round(100.0 * count(*) FILTER (WHERE decision <> 'accept') / count(*), 1)
           FROM audit WHERE modality = 'finger' AND quality <= 100
           GROUP BY p ORDER BY try_cast(p AS INTEGER), p"""
    ).fetchall()
    if positions:
        small = []
        for p, _n, _mean, _rr in positions:
            name = FINGER_NAMES.get(p, p)
            where = f"modality = 'finger' AND coalesce(position, '0') = '{p}'"
            small.append(
                bar_chart(
                    SHORT_BINS,
                    _hist(con, where),
                    width=280,
                    height=130,
                    colour="#6a8f3b",
                    title=f"finger {p} ({name})",
                )
            )
        rows = [(f"{p} {FINGER_NAMES.get(p, '')}", n, m, rr) for p, n, m, rr in positions]
        parts += [
            "<h3>fingerprints by finger position (ISO/IEC 19794-4 code)</h3>",
            _table(["position", "images", "mean quality", "not accepted %"], rows),
            f'<div class="multi">{"".join(small)}</div>',
        ]
    return "".join(parts)


def _defects_by(con, key: str, top_codes: list[str]) -> str:
    n_groups = con.execute(f"SELECT count(DISTINCT {key}) FROM audit").fetchone()[0]
    if not n_groups:
        return f'<p class="small">no {key} in the rows (record fields or --pattern)</p>'
    cols = ", ".join(
        f"round(100.0 * count(*) FILTER (WHERE list_contains(defects, '{c}')) / count(*), 1)"
        for c in top_codes
    )
    sql = f"""SELECT coalesce({key}, '(none)') AS k, count(*),
                     round(avg(quality) FILTER (WHERE quality <= 100), 1),
                     round(100.0 * count(*) FILTER (WHERE decision <> 'accept'
                           OR error_code IS NOT NULL) / count(*), 1)
                     {", " + cols if cols else ""}
              FROM audit GROUP BY k ORDER BY 4 DESC, k"""
    rows = con.execute(sql).fetchall()
    head = [key, "images", "mean quality", "recapture %", *[f"{c} %" for c in top_codes]]
    chart = bar_chart(
        [str(r[0])[:10] for r in rows[:20]],
        [float(r[3] or 0) for r in rows[:20]],
        width=min(900, 60 * max(4, len(rows[:20]))),
        colour="#a55b3b",
        title=f"recapture % by {key}",
    )
    return chart + _table(head, rows)


def _defects(con) -> str:
    codes = con.execute(
        """SELECT code, count(*) FROM (SELECT unnest(defects) AS code FROM audit)
           GROUP BY code ORDER BY 2 DESC, 1"""
    ).fetchall()
    top = [c for c, _ in codes[:8]]
    parts = [
        bar_chart(
            [c.split(".", 1)[-1] for c, _ in codes[:12]],
            [float(n) for _, n in codes[:12]],
            width=720,
            colour="#a5823b",
            title="defect codes (images)",
        )
    ]
    for key in ("station", "operator", "day"):
        parts += [f"<h3>by {key}</h3>", _defects_by(con, key, top)]
    return "".join(parts)


def _recapture(found: Found) -> str:
    from biocap.audit.recapture import COLUMNS

    intro = (
        f"<p>{found.total} finger/face/eye captures of {found.subjects} subjects have no "
        "accepted capture under the profile (also in <code>recapture.csv</code>).</p>"
    )
    head = [r[:-1] for r in found.head[:MAX_TABLE_ROWS]]
    table = _table(list(COLUMNS[:-1]), head)
    if found.total > len(head):
        table += f'<p class="small">first {len(head)} of {found.total} rows</p>'
    return intro + table


def _thumbnail(src: str, kind: str, record: int | None) -> str | None:
    """Decode one capture again and return a base64 JPEG thumbnail (None when it fails)."""
    import cv2

    from biocap.audit import nist, worker
    from biocap.io import decode

    try:
        data = Path(src).read_bytes()
        if kind == "nist":
            capture = nist.read_transaction(data, src)[record or 0].capture
        elif kind == "iso":
            capture = worker._iso_entries(data, src)[record or 0].capture
        else:
            capture = decode(data, source=src)
        if capture is None:
            return None
        px = capture.pixels
        scale = THUMB_PX / max(px.shape[:2])
        if scale < 1:
            px = cv2.resize(px, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        if px.ndim == 3:
            px = cv2.cvtColor(px, cv2.COLOR_RGB2BGR)
        ok, jpg = cv2.imencode(".jpg", px, [cv2.IMWRITE_JPEG_QUALITY, 80])
    except Exception:  # a thumbnail is decoration: never fail the report for one
        return None
    return base64.b64encode(jpg.tobytes()).decode() if ok else None


def _gallery(con) -> str:
    worst = con.execute(
        f"""SELECT id, src, kind, record, modality, position, quality, decision,
                   defects_json, reasons, station, subject, failure_reason
            FROM audit WHERE quality IS NOT NULL
            ORDER BY CASE WHEN quality = 255 THEN -1 ELSE quality END, id
            LIMIT {GALLERY_SIZE}"""
    ).fetchall()
    cards = []
    for (
        ident,
        src,
        kind,
        record,
        mod,
        pos,
        q,
        decision,
        defects_json,
        reasons,
        station,
        subject,
        failure,
    ) in worst:
        b64 = _thumbnail(src, kind, record)
        img = (
            f'<img alt="{_e(ident)}" src="data:image/jpeg;base64,{b64}">'
            if b64
            else '<p class="small">(no thumbnail: file changed or unreadable)</p>'
        )
        defects = json.loads(defects_json or "[]")
        why = [
            f"<li><b>{_e(d['code'])}</b> ({_e(d['severity'])}): {_e(d.get('message'))}</li>"
            for d in defects
        ]
        if failure:
            why.append(f"<li>not assessable: {_e(failure)}</li>")
        blocking = [r for r in (reasons or []) if r not in {d["code"] for d in defects}]
        if blocking:  # e.g. <modality>.low_quality: below the profile's min_quality
            why.append(f"<li>{_e(decision)}: {_e(', '.join(blocking))}</li>")
        label = f"Q {'n/a (255)' if q == 255 else q} · {_e(decision)} · {_e(mod)}"
        if pos is not None:
            label += f" {_e(pos)}"
        cards.append(
            f'<div class="cap">{img}<div><b class="bad">{label}</b></div>'
            f'<div class="small">{_e(Path(ident).name)}<br>subject {_e(subject)} · '
            f"station {_e(station)}</div><ul>{''.join(why)}</ul></div>"
        )
    return f'<div class="grid">{"".join(cards)}</div>'


def _short_models(models: str | None) -> str:
    """``a.onnx=<sha256>;...`` -> ``a.onnx (sha256 1a2b3c4d5e6f)``: the full hashes are in
    every row and in run.json; 12 hex digits identify a file at a glance."""
    pairs = [m.split("=", 1) for m in (models or "").split(";") if "=" in m]
    return ", ".join(f"{name} ({digest[:12]})" for name, digest in pairs) or "none"


def build(out: Path, found: Found, profile: str = "default") -> str:
    con = connect(out, lean=True)
    try:
        try:
            meta = json.loads((Path(out) / "run.json").read_text()).get("latest", {})
        except (OSError, ValueError):
            meta = {}
        sections = [
            ("Counts", _counts(con)),
            ("Quality histograms", _histograms(con)),
            ("Defects by station, operator and day", _defects(con)),
            ("Recapture list", _recapture(found)),
            (f"Worst {GALLERY_SIZE} captures", _gallery(con)),
        ]
    finally:
        con.close()
    info = (
        f"biocap {_e(meta.get('engine_version'))} · commit {_e(meta.get('git_commit'))} · "
        f"profile {_e(profile)} · models {_e(_short_models(meta.get('models')))} · "
        f"written {time.strftime('%Y-%m-%d %H:%M:%S')}"
    )
    body = "".join(f"<h2>{_e(t)}</h2>{s}" for t, s in sections)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>biocap audit: {_e(Path(out).name)}</title><style>{_CSS}</style></head>"
        f'<body><h1>biocap QA audit</h1><p class="small">{info}</p>{body}</body></html>'
    )


def write(out: Path, found: Found, profile: str = "default") -> Path:
    path = Path(out) / "report.html"
    atomic_write_bytes(path, build(out, found, profile).encode())
    return path
