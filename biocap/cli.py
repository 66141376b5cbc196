"""``biocap`` command line: parse, call the core, format. No measurement logic lives here."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from biocap import __version__
from biocap.errors import BiocapError
from biocap.records import assessors, score_file
from biocap.runtime import tune_allocator

#: extensions picked up when a folder is given (a file named explicitly is always tried).
IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".pgm", ".ppm", ".pnm"}
    | {".wsq", ".jp2", ".j2k", ".j2c", ".jpx", ".webp", ".gif"}
)


def iter_inputs(paths: Iterable[str]) -> Iterator[Path]:
    """Files named, and image files under folders named (recursed, sorted, hidden skipped)."""
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                hidden = any(part.startswith(".") for part in f.relative_to(p).parts)
                if f.is_file() and not hidden and f.suffix.lower() in IMAGE_SUFFIXES:
                    yield f
        else:
            yield p  # a missing file becomes an error record, not a crash


def _flat(rec: dict[str, Any], measure_names: list[str]) -> dict[str, Any]:
    err = rec["error"] or {}
    row = {
        "path": rec["path"],
        "modality": rec["modality"],
        "quality": rec["quality"],
        "decision": rec["decision"] or "",
        "defects": ";".join(d["code"] for d in rec["defects"]),
        "ms": rec["ms"],
        "error": err.get("code", ""),
    }
    for name in measure_names:
        row[name] = rec["measures"].get(name, {}).get("raw", "")
    return row


class _Writer:
    """Streams records as they come, so a long run shows progress and loses nothing on ^C."""

    def __init__(self, fmt: str, out: TextIO, measure_names: list[str]) -> None:
        self.fmt, self.out, self.names = fmt, out, measure_names
        self.csv: csv.DictWriter | None = None

    def write(self, rec: dict[str, Any]) -> None:
        if self.fmt == "jsonl":
            self.out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        elif self.fmt == "csv":
            row = _flat(rec, self.names)
            if self.csv is None:
                self.csv = csv.DictWriter(self.out, fieldnames=list(row))
                self.csv.writeheader()
            self.csv.writerow(row)
        else:
            q = rec["quality"]
            what = (rec["error"] or {}).get("code") or ", ".join(d["code"] for d in rec["defects"])
            qs = "ERR" if q is None else str(q)
            decision = rec["decision"] or "-"
            self.out.write(f"{qs:>4}  {decision:<9} {rec['ms']:8.2f} ms  {rec['path']}  {what}\n")
        self.out.flush()


def cmd_score(args: argparse.Namespace) -> int:
    import importlib

    import cv2

    from biocap.policy import load_profile

    # One image at a time: OpenCV's thread pool only adds hand-off cost at this size (measured
    # 11.8 ms/image on one thread vs 30.6 ms with the default pool on a busy 2-core machine).
    cv2.setNumThreads(1)

    profile = load_profile(args.profile)
    if args.modality == "slap":
        return _score_slaps(args, profile)
    measures = importlib.import_module(f"biocap.{args.modality}").MEASURES
    writer = _Writer(args.format, sys.stdout, list(measures))
    if args.format == "table":
        sys.stdout.write("   Q  decision        time      path  defects\n")
    failed = 0
    for path in iter_inputs(args.paths):
        rec = score_file(path, args.modality, ppi=args.ppi, lang=args.lang, profile=profile)
        failed += rec["error"] is not None
        writer.write(rec)
    return 1 if failed else 0


def _score_slaps(args: argparse.Namespace, profile) -> int:
    """``--modality slap``: one record per slap image (fingers, boxes, slap checks)."""
    from biocap.policy.slap import parse_declared
    from biocap.slaprecords import score_slap_file

    declared = parse_declared(args.missing)
    writer = _Writer(args.format, sys.stdout, [])
    if args.format == "table":
        sys.stdout.write("   Q  decision        time      path  defects\n")
    failed = 0
    for path in iter_inputs(args.paths):
        rec = score_slap_file(
            path, args.slap, ppi=args.ppi, lang=args.lang, profile=profile, declared=declared
        )
        failed += rec["error"] is not None
        writer.write(rec)
    return 1 if failed else 0


def cmd_bench(args: argparse.Namespace) -> int:
    from biocap.bench import plot, report
    from biocap.bench.run import Options, run

    files = None
    if args.data is not None:
        if not args.data.is_dir():
            print(f"biocap bench: --data {args.data} is not a folder", file=sys.stderr)
            return 2
        files = tuple(iter_inputs([str(args.data)]))
        if not files:
            print(f"biocap bench: no image files under {args.data}", file=sys.stderr)
            return 2
    opts = Options(
        modalities=tuple(dict.fromkeys(args.modality or sorted(assessors()))),
        duration_s=args.duration,
        files=files,
        data_root=args.data,
        ppi=args.ppi,
        accuracy=not args.no_accuracy,
        shared=args.shared,
        n_boot=args.n_boot,
    )
    result = run(opts)
    r = result.result
    print(report.table(r), flush=True)
    status = 0 if any(result.latency_ms.values()) else 1  # nothing could be timed
    if args.json is None:
        print("\n(no --json FILE: nothing written, no plot)")
        return status
    reason = plot.matplotlib_missing()
    if reason is None and not (any(result.latency_ms.values()) or result.edc):
        reason = "nothing to plot"
    r["plot"], r["plot_skipped"] = None, reason
    if reason is None:  # the plot always goes next to the JSON: same name, .png
        png = args.json.with_suffix(".png")
        r["plot"] = str(plot.bench_png(png, result.latency_ms, result.edc, r["accuracy"]))
    report.write_json(args.json, r)
    print(f"\nwrote {args.json}" + (f" and {r['plot']}" if reason is None else f"; {reason}"))
    return status


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="biocap", description="Biometric capture quality engine")
    ap.add_argument("--version", action="version", version=f"biocap {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)
    sc = sub.add_parser(
        "score",
        help="score image files or folders, one record per image",
        description="Score images; exit status 1 when any file could not be decoded.",
    )
    sc.add_argument("paths", nargs="+", metavar="PATH", help="image file or folder (recursed)")
    sc.add_argument("--modality", choices=[*sorted(assessors()), "slap"], default="finger")
    sc.add_argument(
        "--slap",
        default="auto",
        choices=("auto", "right", "left", "thumbs"),
        help="with --modality slap: which slap (auto: from the file name, e.g. 12_right.png)",
    )
    sc.add_argument(
        "--missing",
        default=None,
        metavar="POS:WHY,...",
        help="with --modality slap: fingers declared missing, e.g. 4:amputated,5:bandaged",
    )
    sc.add_argument("--ppi", type=float, default=None, help="resolution when the file lacks it")
    sc.add_argument("--format", choices=("jsonl", "csv", "table"), default="jsonl")
    sc.add_argument("--lang", default="en", help="operator message language (catalogue folder)")
    sc.add_argument(
        "--profile", default="default", help="policy profile name or .toml file (decision column)"
    )
    sc.set_defaults(func=cmd_score)

    bn = sub.add_parser(
        "bench",
        help="latency, stages, throughput, memory (and utility when the shared data is found)",
        description="Benchmark decode + assess on one thread and on every core, on generated "
        "samples (default) or a folder; with the shared real images, EDC utility beside NFIQ 2. "
        "The PNG goes next to the --json file (same name, .png).",
    )
    bn.add_argument(
        "--modality",
        action="append",
        choices=sorted(assessors()),
        help="repeat for several; default: every modality",
    )
    bn.add_argument("--data", type=Path, default=None, metavar="DIR", help="images (recursed)")
    bn.add_argument(
        "--ppi", type=float, default=None, help="with --data: resolution when a file lacks it"
    )
    bn.add_argument(
        "--duration",
        type=_positive,
        default=10.0,
        metavar="S",
        help="timed seconds per modality: 60%% latency, 20%% one process, 20%% all cores "
        "(default 10)",
    )
    bn.add_argument("--json", type=Path, default=None, metavar="FILE", help="write the result")
    bn.add_argument(
        "--shared",
        type=Path,
        default=None,
        metavar="DIR",
        help="shared real images (default $BIOCAP_SHARED_DATA or ../shared/data)",
    )
    bn.add_argument("--no-accuracy", action="store_true", help="skip the EDC section")
    bn.add_argument(
        "--n-boot",
        type=_count,
        default=0,
        metavar="N",
        help="bootstrap resamples (by finger or eye) for EDC intervals (default 0: none)",
    )
    bn.set_defaults(func=cmd_bench)

    from api.server import cmd_serve  # light: the web stack is imported when serving starts

    sv = sub.add_parser(
        "serve",
        help="HTTP service for capture stations (FastAPI + uvicorn) and the operator page",
        description="Serve /v1/{modality}/assess, attempts, MOSIP check-quality, /metrics and "
        "the operator page at /. Loopback by default; set BIOCAP_API_KEY before --host 0.0.0.0.",
    )
    sv.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    sv.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    sv.add_argument("--workers", type=int, default=1, help="worker processes (about one per core)")
    sv.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    sv.set_defaults(func=cmd_serve)
    _add_audit_parser(sub)
    return ap


def cmd_audit(args: argparse.Namespace) -> int:
    from biocap.audit.command import run  # lazy: pyarrow, DuckDB and Dask load only here

    return run(args)


def _add_audit_parser(sub) -> None:
    au = sub.add_parser(
        "audit",
        help="batch QA audit: score stored captures into Parquet (resumable), CSVs, HTML report",
        description="biocap audit SOURCE... --out DIR: score folders (recursed), file lists "
        "(.txt/.lst), manifests (--manifest) and ANSI/NIST-ITL / ISO 19794 files; rerun the "
        'same command after a kill to finish. Also: biocap audit query DIR "SQL" (DuckDB, '
        "table `audit`) and biocap audit report DIR.",
    )
    au.add_argument("sources", nargs="*", metavar="SOURCE", help="folder, file list or file")
    au.add_argument("--out", type=Path, default=None, metavar="DIR", help="results folder")
    au.add_argument(
        "--manifest",
        action="append",
        default=[],
        metavar="FILE",
        help="CSV/TSV/Parquet with a path column and optional subject, position, station, "
        "operator, day, attempt, modality columns (repeatable)",
    )
    au.add_argument("--modality", choices=("auto", "finger", "face", "iris"), default="auto")
    au.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    au.add_argument("--engine", choices=("local", "dask"), default="local")
    au.add_argument("--scheduler", default=None, metavar="ADDRESS", help="dask tcp://host:port")
    au.add_argument("--profile", default="default", help="policy profile name or .toml file")
    au.add_argument(
        "--pattern", default=None, help="path template, e.g. {station}/{subject}/{position}_*.png"
    )
    au.add_argument("--ppi", type=float, default=None, help="resolution when a file lacks it")
    au.add_argument("--lang", default="en", help="operator message language")
    au.add_argument("--batch", type=int, default=32, help="files per task (default 32)")
    au.add_argument("--part-rows", type=int, default=5000, help="rows per committed part")
    au.add_argument(
        "--part-seconds", type=_positive, default=30.0, help="commit at least this often"
    )
    au.add_argument("--quiet", action="store_true", help="no progress line")
    au.add_argument("--format", choices=("table", "csv", "jsonl"), default="table", help="query")
    au.set_defaults(func=cmd_audit)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    tune_allocator()
    try:
        return args.func(args)
    except BrokenPipeError:  # `biocap score ... | head` is normal use
        return 0
    except BiocapError as e:  # a bad option value (e.g. an unknown profile): say why, status 2
        sys.stderr.write(json.dumps({"error": e.to_dict()}) + "\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
