"""Kill-and-resume check at full size: SIGKILL ``biocap audit`` at 20 random moments.

Generates a few hundred small synthetic prints plus three unreadable files, runs one
uninterrupted audit as the reference, then starts the real ``biocap audit`` (driver and pool
workers in one process group), kills the group with SIGKILL after a random delay in
[0, reference run time], restarts the same command, and so on until 20 kills have landed (over
as many jobs as that takes; each job is finally run to completion). After every kill the
committed parts are read back (each must be a readable Parquet file, no id twice); after every
job, each image must appear exactly once with the reference run's quality.

    .venv/bin/python benchmarks/audit_kill_resume.py [--kills 20] [--images 400] [--seed 1]
        [--engine local|dask] [--manifest] [--parts 4,16,0.5]

Every job is checked twice: by pyarrow (each part readable, ids once, qualities unchanged) and
by DuckDB over all the job's parts (reference ids missing, rows beyond one per id).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import bench_env

sys.path.insert(0, str(bench_env.REPO))  # for tests.audit (the shared harness)

from tests.audit.helpers import bad_files, make_prints
from tests.audit.kill_resume import kill_and_resume


def write_manifest(root: Path, path: Path) -> None:
    """Every file under ``root`` as a manifest row (subject and position from its path)."""
    import csv

    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["path", "subject", "position", "station"])
        for f in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = f.relative_to(root)
            station, subject = (*rel.parts, "", "")[:2]
            w.writerow([f, subject, f.stem.split("_")[0], station])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--images", type=int, default=400)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--engine", choices=("local", "dask"), default="local")
    ap.add_argument(
        "--manifest", action="store_true", help="name the images in a CSV manifest, not a folder"
    )
    ap.add_argument(
        "--parts",
        default="4,16,0.5",
        help="batch,part-rows,part-seconds of the audit (default 4,16,0.5: many commits)",
    )
    ap.add_argument(
        "--json", type=Path, default=bench_env.REPO / "out/bench/audit_kill_resume.json"
    )
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="biocap-kill-") as tmp:
        inputs = Path(tmp) / "in"
        make_prints(inputs, args.images, distinct=8)
        bad_files(inputs / "zz_broken")
        source = inputs
        if args.manifest:
            source = Path(tmp) / "manifest.csv"
            write_manifest(inputs, source)
        batch, part_rows, part_seconds = args.parts.split(",")
        rep = kill_and_resume(
            source,
            Path(tmp) / "work",
            args.kills,
            workers=args.workers,
            seed=args.seed,
            engine=args.engine,
            parts=(int(batch), int(part_rows), float(part_seconds)),
        )
    doc = {
        **asdict(rep),
        "engine": args.engine,
        "ok": rep.ok,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    print(
        f"{rep.kills} SIGKILLs over {rep.jobs} jobs ({rep.starts} starts), {rep.images} images "
        f"per job: lost {rep.lost}, scored twice {rep.duplicated}, quality changed "
        f"{rep.changed}, unreadable or leftover parts {rep.unreadable_parts}; partial .tmp "
        f"parts seen right after a kill (removed on restart): {rep.partial_seen}; DuckDB: "
        f"lost {rep.duckdb_lost}, twice {rep.duckdb_twice}"
    )
    print(f"committed rows at each kill: {rep.committed_at_kill}")
    print(f"kill delays (s): {rep.kill_delays_s}; uninterrupted run {rep.full_run_s:.2f} s")
    print("PASS" if rep.ok else "FAIL")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(doc, indent=2))
    print(f"wrote {args.json}")
    return 0 if rep.ok else 1


if __name__ == "__main__":
    sys.exit(main())
