"""``biocap audit``: enumerate, skip what is committed, score on an engine, derive the reports."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import asdict
from pathlib import Path

from biocap import __version__
from biocap.audit.engines import RunStats, drive, make_engine
from biocap.audit.progress import Progress
from biocap.audit.sources import PathPattern, enumerate_items
from biocap.audit.store import Store, record_run
from biocap.audit.worker import Options

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


def audit(
    sources: list[str],
    out: Path,
    *,
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
    """Score every source file not yet committed under ``out``; then rebuild the CSVs and the
    HTML report from all committed rows (this run's and earlier runs')."""
    from biocap.policy import load_profile

    if modality not in MODALITY_CHOICES:
        raise ValueError(f"modality must be one of {MODALITY_CHOICES}")
    load_profile(profile)  # a bad profile fails here, not in every worker
    if pattern:
        PathPattern(pattern)
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
        items = list(enumerate_items(sources))
        done = store.done()
        todo = [i for i in items if i.path not in done]
        record_run(
            out,
            {
                "run_id": run_id,
                "sources": [str(s) for s in sources],
                "engine": engine,
                "scheduler": scheduler,
                "workers": workers,
                "files_total": len(items),
                "files_already_done": len(items) - len(todo),
                "partial_parts_removed": store.removed_tmp,
                **{k: v for k, v in asdict(options).items() if k != "run_id"},
            },
        )
        bar = Progress(len(todo), enabled=progress)
        if todo:
            eng = make_engine(engine, workers, scheduler)
            try:
                stats = drive(
                    eng,
                    todo,
                    options,
                    store,
                    batch_size=batch_size,
                    part_rows=part_rows,
                    part_seconds=part_seconds,
                    progress=bar,
                )
            finally:
                eng.close()
            bar.close()
        else:
            stats = RunStats(engine=engine)
        stats.files_total = len(items)
        stats.files_skipped = len(items) - len(todo)
        if derive and store.part_files():
            from biocap.audit.finish import derive_outputs

            stats.extra["outputs"] = derive_outputs(out, profile)
    return stats
