"""Model files: found in ``models/`` (or ``$BIOCAP_MODELS``), hash-checked, loaded once per process.

Nothing is ever downloaded: a missing or altered file is an error that names the file and the
expected sha256 from ``models/MODELS.md``'s manifest (``models/manifest.json``).
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

_REPO_MODELS = Path(__file__).resolve().parents[1] / "models"


class ModelFileError(RuntimeError):
    code = "model_unavailable"


def models_dir() -> Path:
    return Path(os.environ.get("BIOCAP_MODELS", _REPO_MODELS))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@lru_cache(maxsize=1)
def manifest() -> dict[str, dict[str, str]]:
    path = models_dir() / "manifest.json"
    if not path.is_file():
        raise ModelFileError(f"model manifest not found: {path}")
    return json.loads(path.read_text())


def model_path(name: str) -> Path:
    """Path of a listed model file after checking its sha256 against the manifest."""
    entry = manifest().get(name)
    if entry is None:
        raise ModelFileError(f"model {name!r} is not listed in {models_dir() / 'manifest.json'}")
    path = models_dir() / name
    if not path.is_file():
        raise ModelFileError(f"model file missing: {path}")
    digest = sha256_file(path)
    if digest != entry["sha256"]:
        raise ModelFileError(f"model file {path} has sha256 {digest}, expected {entry['sha256']}")
    return path


@lru_cache(maxsize=8)
def onnx_session(name: str):  # -> onnxruntime.InferenceSession
    """One single-threaded onnxruntime session per model and process (stations run one per core)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(
        str(model_path(name)), sess_options=opts, providers=["CPUExecutionProvider"]
    )
