"""The ``biocap audit`` front door: three forms, parsed by ``biocap.cli``.

- ``biocap audit [SOURCE...] [--manifest FILE] --out DIR [options]``: score (resuming what DIR
  already holds);
- ``biocap audit query DIR "SQL" [--format table|csv|jsonl]``: DuckDB over DIR (table ``audit``);
- ``biocap audit report DIR [--profile NAME]``: rebuild nfiq2.csv, recapture.csv, report.html.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any, TextIO


def _print_rows(cols: list[str], rows: list[tuple[Any, ...]], fmt: str, out: TextIO) -> None:
    if fmt == "csv":
        w = csv.writer(out)
        w.writerow(cols)
        w.writerows(rows)
    elif fmt == "jsonl":
        for r in rows:
            out.write(json.dumps(dict(zip(cols, r, strict=True)), default=str) + "\n")
    else:
        cells = [[("" if v is None else str(v)) for v in r] for r in rows]
        widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(cols)]
        out.write("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)) + "\n")
        for r in cells:
            out.write("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) + "\n")


def _query(args: argparse.Namespace) -> int:
    from biocap.audit.query import query

    if len(args.sources) != 3:
        print('usage: biocap audit query DIR "SQL"', file=sys.stderr)
        return 2
    try:
        cols, rows = query(Path(args.sources[1]), args.sources[2])
    except Exception as e:
        if type(e).__module__.startswith("duckdb") or type(e).__name__.endswith("Exception"):
            print(f"biocap audit query: {e}", file=sys.stderr)
            return 2
        raise
    _print_rows(cols, rows, args.format, sys.stdout)
    return 0


def _report(args: argparse.Namespace) -> int:
    from biocap.audit.finish import derive_outputs

    if len(args.sources) != 2:
        print("usage: biocap audit report DIR", file=sys.stderr)
        return 2
    outputs = derive_outputs(Path(args.sources[1]), args.profile)
    print(json.dumps(outputs, indent=2))
    return 0


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from biocap.audit.run import audit

    verb = args.sources[0] if args.sources else None
    if verb == "query" and args.out is None:
        return _query(args)
    if verb == "report" and args.out is None:
        return _report(args)
    if not args.sources and not args.manifest:
        print("biocap audit: name a SOURCE or a --manifest FILE", file=sys.stderr)
        return 2
    if args.out is None:
        print("biocap audit: --out DIR is required", file=sys.stderr)
        return 2
    if args.scheduler and args.engine != "dask":
        print("biocap audit: --scheduler needs --engine dask", file=sys.stderr)
        return 2
    stats = audit(
        args.sources,
        args.out,
        manifests=args.manifest,
        modality=args.modality,
        profile=args.profile,
        ppi=args.ppi,
        lang=args.lang,
        pattern=args.pattern,
        engine=args.engine,
        workers=args.workers,
        scheduler=args.scheduler,
        batch_size=args.batch,
        part_rows=args.part_rows,
        part_seconds=args.part_seconds,
        progress=not args.quiet,
    )
    summary = {**asdict(stats), "images_per_s": round(stats.images_per_s, 1)}
    summary["elapsed_s"] = round(summary["elapsed_s"], 3)
    print(json.dumps(summary, indent=2, default=str))
    return 0
