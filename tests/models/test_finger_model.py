"""The shipped fingerprint model: listed, hash-checked, and reproducible from the training code."""

from __future__ import annotations

import json

import numpy as np
import pytest

from biocap import models
from biocap.finger.features import FEATURE_NAMES
from biocap.finger.model import MODEL_FILE, predict_utility


def test_manifest_hash_matches_file() -> None:
    entry = json.loads((models.models_dir() / "manifest.json").read_text())[MODEL_FILE]
    assert models.sha256_file(models.models_dir() / MODEL_FILE) == entry["sha256"]


def test_altered_model_file_is_refused(tmp_path, monkeypatch) -> None:
    (tmp_path / "manifest.json").write_text((models.models_dir() / "manifest.json").read_text())
    data = (models.models_dir() / MODEL_FILE).read_bytes()
    (tmp_path / MODEL_FILE).write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    monkeypatch.setenv("BIOCAP_MODELS", str(tmp_path))
    models.manifest.cache_clear()
    try:
        with pytest.raises(models.ModelFileError, match="sha256"):
            models.model_path(MODEL_FILE)
    finally:
        models.manifest.cache_clear()


def test_prediction_is_bounded_quality() -> None:
    rng = np.random.default_rng(0)
    for x in (np.zeros(len(FEATURE_NAMES)), rng.normal(0, 1e4, len(FEATURE_NAMES))):
        assert 0 <= predict_utility(x.astype(np.float32)) <= 100


def test_onnx_matches_refit_on_shared_data(shared_data) -> None:
    """Retraining on the shared FVC sets gives the shipped model's predictions (reproducible)."""
    from biocap.finger.training import fit, load_training_set

    ts = load_training_set(shared_data)
    model, (lo, hi) = fit(ts)
    refit = model.predict(np.clip(ts.x, lo, hi))
    shipped = np.array([predict_utility(x) for x in ts.x])
    assert np.abs(shipped - np.clip(np.rint(100 * refit), 0, 100)).max() <= 1
