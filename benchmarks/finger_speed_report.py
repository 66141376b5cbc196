"""Fingerprint speed on one core, beside NFIQ 2: per image, per stage, and through the CLI.

    python benchmarks/finger_speed_report.py [--data DIR] [--out DIR] [--repeats 5]

1. decode + ``assess`` in process on the FVC images (every image, ``--repeats`` passes, after a
   warm-up pass), timed by :mod:`biocap.bench.latency` as ``biocap bench`` times it: wall and
   CPU time per image, p50 and p95, decode and assess apart.
2. The same images split into stages (:mod:`biocap.bench.finger.stages`: prepare, segmentation,
   fields, ridge segments, measures, regions, features, model; "rest" is what ``assess`` adds:
   defects, quality map).
3. ``biocap score <folder> --format jsonl`` as a child process on one core: the per-record
   ``ms`` (decode + assess) and the wall time per image including start-up.
NFIQ 2's times come from ``finger/nfiq2_scores.tsv`` (one core of a 2-core machine of this kind;
``t_full_ms`` = ``t_mindtct_ms`` + ``t_nfiq2_ms`` there). Writes ``finger_speed.json`` to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import bench_env  # before numpy: one-core thread settings for numpy, OpenCV, onnxruntime

from biocap.bench.finger.stages import STAGES, stage_times
from biocap.bench.latency import summarise, time_samples
from biocap.bench.samples import read_files
from biocap.bench.stages import breakdown
from biocap.bench.stats import summary as stats
from biocap.evaluation.finger_pairs import FVC_SETS, load_nfiq2_reference

NFIQ2_TIMES = ("t_nfiq2_ms", "cpu_nfiq2_ms", "t_full_ms")
#: glibc keeps freed memory instead of returning it to the OS after every image, which saves
#: the page faults of re-touching it (the MMAP value is glibc's maximum; set alone, either one
#: disables glibc's dynamic thresholds and makes things worse).
MALLOC_KEEP_ENV = {
    "MALLOC_MMAP_THRESHOLD_": str(32 << 20),
    "MALLOC_TRIM_THRESHOLD_": str(512 << 20),
}


def time_in_process(folder: Path, repeats: int) -> dict[str, object]:
    """decode + ``assess`` of every image (``biocap.bench.latency``) and its stages, image by
    image so that noise falls on both alike; per-pass medians show run-to-run drift."""
    samples, errors = read_files(sorted(folder.glob("*.tif")), folder)
    run = time_samples(samples, "finger", passes=repeats, stages=stage_times)
    bad = (
        errors
        + run.errors
        + [
            {"name": run.names[t.sample], "quality": t.quality}
            for t in run.timings
            if not 0 <= t.quality <= 100
        ]
    )
    if bad:
        raise RuntimeError(f"{folder}: not every image was scored: {bad[:3]}")
    return {
        **summarise(run, keep_samples=False),
        "stages_ms": breakdown(run.timings, STAGES),
    }


def biocap_command() -> list[str]:
    exe = Path(sys.executable).with_name("biocap")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "biocap.cli"]


def run_cli(folder: Path, env: dict[str, str]) -> dict[str, object]:
    """``biocap score <folder> --format jsonl`` in a child: record ms, wall and CPU per image."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [*biocap_command(), "score", str(folder), "--format", "jsonl"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    wall_ms = 1000 * (time.perf_counter() - t0)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    records = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    if not records:
        raise RuntimeError(f"biocap score gave no records (exit {proc.returncode}): {proc.stderr}")
    n = len(records)
    cpu_ms = 1000 * (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    faults = after.ru_minflt - before.ru_minflt
    record_ms = [r["ms"] for r in records]
    return {
        "images": n,
        "errors": sum(r["error"] is not None for r in records),
        "out_of_range": sum(
            not (r["quality"] is not None and 0 <= r["quality"] <= 100) for r in records
        ),
        "exit_status": proc.returncode,
        "record_ms": stats(record_ms),
        "wall_ms_per_image": wall_ms / n,
        "cpu_ms_per_image": cpu_ms / n,
        "minor_faults_per_image": faults / n,  # start-up included
        "startup_ms": wall_ms - sum(record_ms),  # interpreter, imports, model load, folder walk
    }


def nfiq2_times(data: Path) -> dict[str, dict[str, dict[str, float]]]:
    ref = load_nfiq2_reference(data, NFIQ2_TIMES)
    return {
        s: {col: stats([v for (set_, _), v in ref[col].items() if set_ == s]) for col in ref}
        for s in FVC_SETS
    }


def measure(data: Path, repeats: int) -> dict[str, object]:
    bench_env.single_core()
    load_before, run_load = bench_env.load_average(), bench_env.OtherLoad()
    one_core_env = {**os.environ, **bench_env.SINGLE_THREAD_ENV}
    default_env = {k: v for k, v in os.environ.items() if k not in bench_env.SINGLE_THREAD_ENV}
    sets: dict[str, object] = {}
    for name in FVC_SETS:
        folder = data / "finger" / name
        load = bench_env.OtherLoad()
        in_process = time_in_process(folder, repeats)
        sets[name] = {
            "images": in_process["images"],
            "assess": in_process,
            "other_processes_cores": load.cores(),
            "cli": run_cli(folder, one_core_env),
        }
    # DB1 again, as shipped (OpenCV's default pool uses every core) and with glibc keeping
    # freed memory (one core): what a station process could gain from its environment alone.
    db1 = data / "finger" / FVC_SETS[0]
    cli_variants = {
        "library default threads": run_cli(db1, default_env),
        "one core, malloc keeps memory": run_cli(db1, {**one_core_env, **MALLOC_KEEP_ENV}),
    }
    return {
        "machine": bench_env.machine_info(),
        "load_average_before": load_before,
        "load_average_after": bench_env.load_average(),
        "other_processes_cores": run_load.cores(),
        "repeats": repeats,
        "sets": sets,
        "cli_variants_" + FVC_SETS[0]: cli_variants,
        "nfiq2": nfiq2_times(data),
    }


def _short(set_name: str) -> str:
    return set_name.removeprefix("fvc2002_").removesuffix("_b")


def report(r: dict) -> str:
    def cores(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.2f}"

    la0, la1 = (
        " ".join(f"{v:.2f}" for v in la or ())
        for la in (r["load_average_before"], r["load_average_after"])
    )
    lines = [
        f"machine: {bench_env.describe(r['machine'])}",
        f"noise: other processes kept {cores(r['other_processes_cores'])} cores busy on average "
        f"(load average {la0} before, {la1} after)",
        "",
        f"in process, one core: all 80 images x {r['repeats']} passes per set (ms)",
        f"{'set':4} {'decode':>6} {'assess':>6} {'p95':>6} {'cpu':>6} {'pass p50':>14} "
        f"{'faults':>6} {'others':>6} | {'NFIQ 2':>6} {'p95':>6} {'cpu':>6} | "
        f"{'speed-up':>8} {'cpu':>5}",
    ]
    for s in FVC_SETS:
        a, n = r["sets"][s]["assess"], r["nfiq2"][s]
        w, c, pm = a["assess"], a["assess_cpu"], a["pass_p50_ms"]
        t, tc = n["t_nfiq2_ms"], n["cpu_nfiq2_ms"]
        lines.append(
            f"{_short(s):4} {a['decode']['p50']:6.2f} {w['p50']:6.2f} {w['p95']:6.2f} "
            f"{c['p50']:6.2f} {min(pm):6.2f}..{max(pm):6.2f} {a['minor_faults_per_image']:6.0f} "
            f"{cores(r['sets'][s]['other_processes_cores']):>6} | "
            f"{t['p50']:6.1f} {t['p95']:6.1f} {tc['p50']:6.1f} | "
            f"{t['p50'] / w['p50']:7.1f}x {tc['p50'] / c['p50']:4.1f}x"
        )
    lines += [
        "(decode, assess = p50 wall; p95 and cpu (p50 process CPU) of assess; pass p50 = range",
        " of the per-pass medians of decode + assess; faults = minor page faults per image;",
        " others = cores other processes used meanwhile; NFIQ 2 = t_nfiq2_ms, cpu_nfiq2_ms;",
        " speed-up = NFIQ 2 / assess)",
        "",
        "stages, one core: p50 ms per image (share of mean decode + assess time)",
        f"{'set':4} " + " ".join(f"{s:>15}" for s in ("decode", *STAGES, "rest")),
    ]
    for s in FVC_SETS:
        st = r["sets"][s]["assess"]["stages_ms"]["stages"]
        cells = [f"{v['p50']:6.2f} ({v['share']:5.1%})" for v in st.values()]
        lines.append(f"{_short(s):4} " + " ".join(f"{c:>15}" for c in cells))
    lines += [
        "",
        "CLI `biocap score <folder> --format jsonl` as a child process (ms per image)",
        f"{'run':36} {'record':>6} {'p95':>6} {'wall':>6} {'cpu':>6} {'faults':>6} "
        f"{'start':>5} {'err':>3} | {'NFIQ 2 full':>11} | {'speed-up':>8}",
    ]
    rows = [(f"{_short(s)}, one core", r["sets"][s]["cli"], s) for s in FVC_SETS]
    db1 = FVC_SETS[0]
    rows += [(f"{_short(db1)}, {k}", v, db1) for k, v in r["cli_variants_" + db1].items()]
    for label, c, s in rows:
        rm, full = c["record_ms"], r["nfiq2"][s]["t_full_ms"]["p50"]
        lines.append(
            f"{label:36} {rm['p50']:6.2f} {rm['p95']:6.2f} {c['wall_ms_per_image']:6.2f} "
            f"{c['cpu_ms_per_image']:6.2f} {c['minor_faults_per_image']:6.0f} "
            f"{c['startup_ms']:5.0f} {c['errors'] + c['out_of_range']:3d} | {full:11.1f} | "
            f"{full / rm['p50']:7.1f}x"
        )
    lines += [
        "(record = p50 of the records' ms, decode + assess; wall, cpu, faults per image",
        " include start-up; start = wall - sum of record ms: interpreter, imports, model;",
        " NFIQ 2 full = t_full_ms p50 = mindtct + NFIQ 2; speed-up = NFIQ 2 full / record)",
    ]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None, help="shared data folder")
    ap.add_argument("--out", type=Path, default=bench_env.REPO / "out" / "bench")
    ap.add_argument("--repeats", type=int, default=5, help="timed passes over every image")
    args = ap.parse_args()
    data = bench_env.data_root(args.data)
    if reason := bench_env.missing_data_message(data):
        print(f"skipped: {reason}", file=sys.stderr)
        return 0
    result = measure(data, args.repeats)
    print(report(result))
    path = bench_env.write_json(args.out / "finger_speed.json", result)
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
