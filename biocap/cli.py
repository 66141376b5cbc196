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
from biocap.records import assessors, score_file

#: extensions picked up when a folder is given (a file named explicitly is always tried).
IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".pgm", ".ppm", ".pnm"}
    | {".wsq", ".jp2", ".j2k", ".j2c", ".jpx"}
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
            self.out.write(f"{qs:>4}  {rec['ms']:8.2f} ms  {rec['path']}  {what}\n")
        self.out.flush()


def cmd_score(args: argparse.Namespace) -> int:
    import cv2

    from biocap.finger import MEASURES

    # One image at a time: OpenCV's thread pool only adds hand-off cost at this size (measured
    # 11.8 ms/image on one thread vs 30.6 ms with the default pool on a busy 2-core machine).
    cv2.setNumThreads(1)

    writer = _Writer(args.format, sys.stdout, list(MEASURES))
    if args.format == "table":
        sys.stdout.write("   Q        time      path  defects\n")
    failed = 0
    for path in iter_inputs(args.paths):
        rec = score_file(path, args.modality, ppi=args.ppi, lang=args.lang)
        failed += rec["error"] is not None
        writer.write(rec)
    return 1 if failed else 0


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
    sc.add_argument("--modality", choices=sorted(assessors()), default="finger")
    sc.add_argument("--ppi", type=float, default=None, help="resolution when the file lacks it")
    sc.add_argument("--format", choices=("jsonl", "csv", "table"), default="jsonl")
    sc.add_argument("--lang", default="en", help="operator message language (catalogue file)")
    sc.set_defaults(func=cmd_score)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # `biocap score ... | head` is normal use
        return 0


if __name__ == "__main__":
    sys.exit(main())
