"""Model files: found in ``models/`` (or ``$BIOCAP_MODELS``), hash-checked, loaded once per process.

Nothing is ever downloaded: a missing or altered file is an error that names the file and the
expected sha256 from ``models/MODELS.md``'s manifest (``models/manifest.json``).

Where: ``$BIOCAP_MODELS``; else the checkout's ``models/`` beside the package (a source tree or
an editable install); else ``<prefix>/share/biocap/models``, where a wheel installs them
(``[tool.setuptools.data-files]``: the offline bundle of ``scripts/bundle.sh`` is such a wheel).
"""

from __future__ import annotations

import hashlib
import json
import os
import sysconfig
from functools import lru_cache
from pathlib import Path

_REPO_MODELS = Path(__file__).resolve().parents[1] / "models"


class ModelFileError(RuntimeError):
    code = "model_unavailable"


def _installed_dirs() -> list[Path]:
    """``share/biocap/models`` under this interpreter's data prefix, then the user's."""
    schemes = [sysconfig.get_default_scheme(), sysconfig.get_preferred_scheme("user")]
    return [Path(sysconfig.get_path("data", s)) / "share" / "biocap" / "models" for s in schemes]


def models_dir() -> Path:
    if "BIOCAP_MODELS" in os.environ:
        return Path(os.environ["BIOCAP_MODELS"])
    for d in [_REPO_MODELS, *_installed_dirs()]:
        if (d / "manifest.json").is_file():
            return d
    return _REPO_MODELS  # the error then names the checkout's folder


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
