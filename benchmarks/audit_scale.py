"""``biocap audit`` at national scale: a 1,000,000-row manifest, killed at ~50 % and resumed.

Builds ``--distinct`` small synthetic prints (64x64 px, ~1 ms to score) and a 16x16 px grey
image (refused at decode with ``image_too_small``, ~0.1 ms: an error row), hard-links them under
``--rows`` distinct names (a directory entry per name, no new inode: no disk filled) so that
every ``--real-every``-th row is a print, writes a CSV manifest of those paths with
subject/position/station columns, then runs the real ``biocap audit --manifest`` (driver and
pool workers in one process group):

1. scores until ``--kill-at`` of the rows are committed, then SIGKILLs the group;
2. restarts the same command and measures the time until it scores again (its first new part
   is committed; ``--part-seconds`` bounds the wait after the first batch) and until the end,
   derived reports included;
3. checks the results with DuckDB: every manifest path exactly once, nothing else;
4. deletes ``done.sqlite`` and times its rebuild from the parts (what a start costs when the
   index is lost).

The driver's RSS (the ``biocap audit`` process alone, psutil, sampled every 0.2 s) is recorded
in both runs. Every row goes through the real pipeline (read, decode, worker, rows shipped to
the driver, Parquet parts, done-index); the prints are also assessed (finger core, policy), the
tiny images stop at the decoder so that a million rows fit in minutes on 2 shared cores (the
driver's bookkeeping per row is the same; ``--real-every 1`` assesses every row).

    .venv/bin/python benchmarks/audit_scale.py [--rows 1000000] [--workers 2] [--kill-at 0.5]
        [--engine local|dask] [--real-every 10]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_env
import psutil

REPO = bench_env.REPO
IMAGE_PX = 64
LINKS_PER_DIR = 1000


def make_inputs(root: Path, rows: int, distinct: int, real_every: int) -> Path:
    """``distinct`` prints and a tiny image, hard-linked ``rows`` times; returns the manifest
    (paths relative to it)."""
    import io

    import numpy as np
    from PIL import Image

    from biocap.finger import synthetic

    src = root / "distinct"
    src.mkdir(parents=True)
    originals = []
    for i in range(distinct):
        buf = io.BytesIO()
        img = synthetic.fingerprint((IMAGE_PX, IMAGE_PX), seed=i)
        Image.fromarray(img).save(buf, "PNG", dpi=(500, 500))
        p = src / f"print{i:03d}.png"
        p.write_bytes(buf.getvalue())
        originals.append(p)
    tiny = src / "tiny.png"
    Image.fromarray(np.full((16, 16), 128, np.uint8)).save(tiny)
    manifest = root / "manifest.csv"
    with manifest.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["path", "subject", "position", "station"])
        for i in range(rows):
            d = root / "images" / f"{i // LINKS_PER_DIR:05d}"
            if i % LINKS_PER_DIR == 0:
                d.mkdir(parents=True)
            rel = f"images/{i // LINKS_PER_DIR:05d}/{i:07d}.png"
            target = originals[(i // real_every) % distinct] if i % real_every == 0 else tiny
            try:
                os.link(target, root / rel)
            except OSError:  # no hard links here (or 65,000 on one inode): a symlink is a name
                (root / rel).symlink_to(target)
            w.writerow([rel, f"S{i // 10:06d}", 1 + i % 10, f"ST{i % 97:02d}"])
    return manifest


def command(manifest: Path, out: Path, workers: int, part_seconds: float, engine: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "biocap.cli",
        "audit",
        "--manifest",
        str(manifest),
        "--out",
        str(out),
        "--workers",
        str(workers),
        "--part-seconds",
        str(part_seconds),
        "--engine",
        engine,
        "--quiet",
    ]


def committed(out: Path) -> int:
    """Sources committed so far, read from the run's own done-index (read-only, WAL)."""
    db = out / "done.sqlite"
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT count(*) FROM done").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


class Watch:
    """Peak RSS of one process (not its children), sampled while we wait on it."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc, self.ps = proc, psutil.Process(proc.pid)
        self.peak = 0
        self.samples: list[tuple[float, int]] = []
        self.t0 = time.perf_counter()

    def sample(self) -> None:
        try:
            rss = self.ps.memory_info().rss
        except psutil.Error:
            return
        self.peak = max(self.peak, rss)
        self.samples.append((round(time.perf_counter() - self.t0, 1), rss))


def first_new_part(out: Path, before: set[str]) -> bool:
    return any(p.name not in before for p in (out / "parts").glob("part-*.parquet"))


def run(cmd: list[str], out: Path, *, stop_at: int | None, log: Path) -> dict[str, object]:
    """Start ``cmd``; SIGKILL its group once ``stop_at`` sources are committed (else wait for
    it to finish). Returns peak RSS, time to the first new part and the wall time."""
    before = {p.name for p in (out / "parts").glob("part-*.parquet")} if out.exists() else set()
    with log.open("ab") as err:
        proc = subprocess.Popen(
            cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=err, start_new_session=True
        )
    watch = Watch(proc)
    first_part_s = None
    next_report, next_count = 30.0, 1.0
    while proc.poll() is None:
        watch.sample()
        now = time.perf_counter() - watch.t0
        if first_part_s is None and first_new_part(out, before):
            first_part_s = round(now, 2)
        if (stop_at is not None and now >= next_count) or now >= next_report:
            next_count = now + 1.0
            done = committed(out)
            if now >= next_report:
                rss = watch.samples[-1][1] >> 20 if watch.samples else 0
                print(f"    {now:7.0f} s  {done:8d} committed  driver RSS {rss} MiB", flush=True)
                next_report += 30.0
            if stop_at is not None and done >= stop_at:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                break
        time.sleep(0.2)
    summary = None
    if stop_at is None:
        stdout = proc.stdout.read().decode() if proc.stdout else ""
        if proc.returncode != 0:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"audit failed ({proc.returncode}):\n{tail}")
        summary = json.loads(stdout)
    return {
        "peak_rss_mib": round(watch.peak / 2**20, 1),
        "first_new_part_s": first_part_s,
        "wall_s": round(time.perf_counter() - watch.t0, 1),
        "committed_at_end": committed(out),
        "summary": summary,
        "rss_mib_samples": [(t, round(r / 2**20, 1)) for t, r in watch.samples[::25]],
    }


def rebuild_index(out: Path) -> dict[str, float]:
    """Delete ``done.sqlite`` and time the next start's rebuild of it from every part."""
    from biocap.audit.store import Store

    for suffix in ("", "-wal", "-shm"):
        Path(f"{out / 'done.sqlite'}{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    with Store(out, "rebuild") as store:
        parts, sources = store.parts_indexed, len(store.index)
    return {"seconds": round(time.perf_counter() - t0, 2), "parts": parts, "sources": sources}


def duckdb_check(out: Path, manifest: Path) -> dict[str, int]:
    """Exactly once, by DuckDB: rows vs distinct ids, manifest paths lost or extra."""
    import duckdb

    con = duckdb.connect()
    parts = str(out / "parts" / "part-*.parquet")
    con.execute(
        f"CREATE VIEW a AS SELECT id, src, run_id FROM read_parquet('{parts}', union_by_name=1)"
    )
    con.execute(
        f"""CREATE VIEW m AS SELECT '{manifest.parent}/' || path AS src
            FROM read_csv('{manifest}', header = true, columns = {{'path': 'VARCHAR',
            'subject': 'VARCHAR', 'position': 'VARCHAR', 'station': 'VARCHAR'}})"""
    )
    rows, distinct, runs = con.execute(
        "SELECT count(*), count(DISTINCT id), count(DISTINCT run_id) FROM a"
    ).fetchone()
    lost = con.execute("SELECT count(*) FROM m ANTI JOIN a USING (src)").fetchone()[0]
    extra = con.execute("SELECT count(*) FROM a ANTI JOIN m USING (src)").fetchone()[0]
    errors, assessed = con.execute(
        f"SELECT count(error_code), count(quality) FROM read_parquet('{parts}', union_by_name=1)"
    ).fetchone()
    con.close()
    return {
        "rows": rows,
        "distinct_ids": distinct,
        "twice": rows - distinct,
        "lost": lost,
        "extra": extra,
        "runs": runs,
        "error_rows": errors,  # the tiny images: image_too_small
        "assessed_rows": assessed,  # the prints: a quality and a decision
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--distinct", type=int, default=64, help="different prints (hard-linked)")
    ap.add_argument("--real-every", type=int, default=10, help="every Nth row is a print")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--engine", choices=("local", "dask"), default="local")
    ap.add_argument("--kill-at", type=float, default=0.5, help="share committed at the kill")
    ap.add_argument("--part-seconds", type=float, default=5.0)
    ap.add_argument("--tmp", type=Path, default=None, help="work folder (default: system temp)")
    ap.add_argument("--json", type=Path, default=REPO / "out/bench/audit_scale.json")
    args = ap.parse_args(argv)
    load_before = bench_env.load_average()
    tmp = Path(tempfile.mkdtemp(prefix="biocap-scale-", dir=args.tmp))
    try:
        t0 = time.perf_counter()
        manifest = make_inputs(tmp, args.rows, args.distinct, args.real_every)
        build_s = round(time.perf_counter() - t0, 1)
        print(
            f"{args.rows} manifest rows ({args.distinct} distinct prints) in {build_s} s; "
            f"load {load_before}",
            flush=True,
        )
        out, log = tmp / "out", tmp / "audit.log"
        cmd = command(manifest, out, args.workers, args.part_seconds, args.engine)
        stop_at = int(args.kill_at * args.rows)
        print(f"run 1: until {stop_at} rows are committed, then SIGKILL", flush=True)
        first = run(cmd, out, stop_at=stop_at, log=log)
        print(
            f"  killed at {first['committed_at_end']} rows after {first['wall_s']} s; "
            f"driver peak RSS {first['peak_rss_mib']} MiB",
            flush=True,
        )
        print("run 2: resume to the end (reports included)", flush=True)
        second = run(cmd, out, stop_at=None, log=log)
        print(
            f"  first new part after {second['first_new_part_s']} s; done in "
            f"{second['wall_s']} s; driver peak RSS {second['peak_rss_mib']} MiB",
            flush=True,
        )
        check = duckdb_check(out, manifest)
        parts_mib = sum(p.stat().st_size for p in (out / "parts").glob("*")) / 2**20
        rebuild = rebuild_index(out)
        print(f"  done-index rebuilt from the parts in {rebuild['seconds']} s", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    s = second["summary"] or {}
    prints = -(-args.rows // args.real_every)
    ok = check["lost"] == check["twice"] == check["extra"] == 0
    ok = ok and check["assessed_rows"] == prints and check["error_rows"] == args.rows - prints
    doc = {
        "schema": "biocap-audit-scale/1",
        "rows": args.rows,
        "distinct_prints": args.distinct,
        "real_every": args.real_every,
        "image_px": IMAGE_PX,
        "workers": args.workers,
        "engine": args.engine,
        "build_inputs_s": build_s,
        "killed_run": {k: v for k, v in first.items() if k != "summary"},
        "resumed_run": {k: v for k, v in second.items() if k != "summary"},
        "resumed_summary": {
            k: s.get(k)
            for k in ("files_skipped", "files_scored", "images", "errors", "parts", "warmup_s")
        }
        | {"steady_images_per_s": s.get("steady_images_per_s")},
        "duckdb_check": check,
        "parts_mib": round(parts_mib, 1),
        "index_rebuild": rebuild,
        "driver_peak_rss_mib": max(first["peak_rss_mib"], second["peak_rss_mib"]),
        "targets": {"driver_peak_rss_mib": 500, "resume_first_new_part_s": 60},
        "ok": ok,
        "machine": bench_env.machine_info(),
        "load_average_before": load_before,
        "load_average_after": bench_env.load_average(),
    }
    print(json.dumps({k: doc[k] for k in ("duckdb_check", "driver_peak_rss_mib", "ok")}))
    print(bench_env.describe(doc["machine"]))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(doc, indent=2))
    print(f"wrote {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
