"""The accuracy section: utility (EDC) of each modality on the shared real images, when present.

The shared images (``../shared/data``) are evaluation data that is never shipped or copied; the
section runs only when they are found, in this order: ``--shared DIR``, ``$BIOCAP_SHARED_DATA``,
then ``shared/data`` beside the repository (as the tests look for it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from biocap.bench.modalities import hooks

REPO = Path(__file__).resolve().parents[2]
SHARED_ENV = "BIOCAP_SHARED_DATA"


def shared_root(arg: str | Path | None = None) -> Path:
    """``arg``, else ``$BIOCAP_SHARED_DATA``, else ``shared/data`` beside the repository."""
    if arg is not None:
        return Path(arg)
    return Path(os.environ.get(SHARED_ENV, REPO.parent / "shared" / "data"))


def run(
    modalities: list[str], root: Path, n_boot: int
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Per modality, the hook's result (or ``{"skipped": reason}``) and its EDC curves."""
    results: dict[str, dict[str, Any]] = {}
    curves: dict[str, dict[str, Any]] = {}
    for m in modalities:
        hook = hooks(m).accuracy
        if hook is None:
            results[m] = {"skipped": f"no accuracy evaluation for {m} yet"}
            continue
        if not root.is_dir():
            results[m] = {"skipped": f"shared data not found at {root} (--shared or {SHARED_ENV})"}
            continue
        try:
            results[m], c = hook(root, n_boot)
        except FileNotFoundError as e:
            results[m], c = {"skipped": f"reference data missing: {e.filename}"}, {}
        if c:
            curves[m] = c
    return results, curves
