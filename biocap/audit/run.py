"""``biocap audit``: stream the sources, skip what is committed, score on an engine, derive.

Nothing is listed up front: items flow from the sources (:mod:`biocap.audit.sources`) through
the on-disk done-index (:mod:`biocap.audit.index`) into the engine's batches, so the driver's
memory stays flat and a resume starts scoring as soon as it has walked past what is done. A
second thread counts the sources for the progress line's total and ETA.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from biocap import __version__
from biocap.audit.engines import RunStats, drive, make_engine
from biocap.audit.index import DoneIndex
from biocap.audit.progress import Progress
from biocap.audit.sources import (
    Item,
    PathPattern,
    check_manifest,
    count_items,
    enumerate_items,
)
from biocap.audit.store import Store, record_run
from biocap.audit.worker import Options
from biocap.errors import InvalidParameterError

MODALITY_CHOICES = ("auto", "finger", "face", "iris")


def git_commit() -> str | None:
    """The checkout's commit when biocap runs from one (cheap: one ``git`` call per run)."""
    repo = Path(__file__).resolve().parents[2]
    if not (repo / ".git").exists():
        return None
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def model_hashes() -> str:
    """``name=sha256`` of every model in ``models/manifest.json``, ';'-joined (stable order)."""
    from biocap.models import ModelFileError, manifest

    try:
        entries = manifest()
    except (ModelFileError, OSError, ValueError):
        return ""
    return ";".join(f"{name}={entries[name]['sha256']}" for name in sorted(entries))


def _count_in_background(sources: list[str], manifests: list[str], bar: Progress) -> None:
    """Set ``bar.total`` once every source is counted (a second, cheap pass: no stat, no
    lookups), so a run of millions shows an ETA long before its enumeration is over."""

    def count() -> None:
        with contextlib.suppress(Exception):  # the scoring pass meets the same problem
            bar.total = count_items(sources, manifests)

    threading.Thread(target=count, name="biocap-audit-count", daemon=True).start()


def _tracked(items: Iterator[Item], index: DoneIndex, bar: Progress) -> Iterator[Item]:
    for item in items:
        bar.skipped = index.skipped
        yield item
    bar.skipped = index.skipped


def audit(
    sources: list[str],
    out: Path,
    *,
    manifests: list[str] | tuple[str, ...] = (),
    modality: str = "auto",
    profile: str = "default",
    ppi: float | None = None,
    lang: str = "en",
    pattern: str | None = None,
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    batch_size: int = 32,
    part_rows: int = 5000,
    part_seconds: float = 30.0,
    progress: bool = True,
    derive: bool = True,
) -> RunStats:
    """Score every source file (and manifest row) not yet committed under ``out``; then
    rebuild the CSVs and the HTML report from all committed rows (this run's and earlier)."""
    from biocap.policy import load_profile

    if modality not in MODALITY_CHOICES:
        raise ValueError(f"modality must be one of {MODALITY_CHOICES}")
    sources, manifests = [str(s) for s in sources], [str(m) for m in manifests]
    if not sources and not manifests:
        raise InvalidParameterError("nothing to audit: name a SOURCE or a --manifest")
    load_profile(profile)  # a bad profile fails here, not in every worker
    if pattern:
        PathPattern(pattern)
    for m in manifests:
        check_manifest(Path(m))  # a manifest without a path column fails now, not mid-run
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    run_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    options = Options(
        modality=modality,
        profile=profile,
        ppi=ppi,
        lang=lang,
        pattern=pattern,
        run_id=run_id,
        engine_version=__version__,
        git_commit=git_commit(),
        models=model_hashes(),
    )
    with Store(out, run_id) as store:
        index = store.index
        record_run(
            out,
            {
                "run_id": run_id,
                "sources": sources,
                "manifests": manifests,
                "engine": engine,
                "scheduler": scheduler,
                "workers": workers,
                "files_already_done": len(index),
                "parts_indexed": store.parts_indexed,
                "partial_parts_removed": store.removed_tmp,
                **{k: v for k, v in asdict(options).items() if k != "run_id"},
            },
        )
        bar = Progress(enabled=progress)
        todo = _tracked(index.new_items(enumerate_items(sources, manifests)), index, bar)
        first = next(todo, None)  # walk past what is done before starting any worker
        if progress:  # counted only now: the walk past what is done is a resume's critical path
            _count_in_background(sources, manifests, bar)
        if first is not None:
            eng = make_engine(engine, workers, scheduler)
            try:
                stats = drive(
                    eng,
                    itertools.chain([first], todo),
                    options,
                    store,
                    batch_size=batch_size,
                    part_rows=part_rows,
                    part_seconds=part_seconds,
                    progress=bar,
                )
            finally:
                eng.close()
        else:
            stats = RunStats(engine=engine)
        bar.total = stats.files_scored + index.skipped  # exact now (repeats not counted)
        bar.close()
        stats.files_skipped = index.skipped
        stats.files_total = stats.files_scored + index.skipped
        stats.extra["files_repeated"] = index.repeated
        if derive and store.part_files():
            from biocap.audit.finish import derive_outputs

            stats.extra["outputs"] = derive_outputs(out, profile)
    return stats
