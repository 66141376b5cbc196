"""The utility model: features -> predicted share of genuine comparisons that succeed -> 0-100.

Trained by ``models/train_finger_quality.py`` on the shared FVC sets with bozorth3 outcomes as
the target (see ``models/MODELS.md``); the ONNX file carries its feature names, which must match
``FEATURE_NAMES`` so a stale model cannot silently read the wrong columns.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from biocap.models import ModelFileError, onnx_session

from .features import FEATURE_NAMES

MODEL_FILE = "finger_quality.onnx"


@lru_cache(maxsize=1)
def _session():
    sess = onnx_session(MODEL_FILE)
    meta = sess.get_modelmeta().custom_metadata_map
    if tuple(meta.get("feature_names", "").split(",")) != FEATURE_NAMES:
        raise ModelFileError(f"{MODEL_FILE} was trained on other features; retrain it")
    lo, hi = (np.array(meta[k].split(","), np.float32) for k in ("feature_min", "feature_max"))
    return sess, sess.get_inputs()[0].name, lo, hi


def predict_utility(features: np.ndarray) -> int:
    """ISO/IEC 29794-1 quality 0-100 from one feature vector (``FEATURE_NAMES`` order).

    Features are clipped to the training range first (see ``training.feature_bounds``).
    """
    sess, name, lo, hi = _session()
    x = np.clip(features.reshape(1, -1).astype(np.float32), lo, hi)
    (out,) = sess.run(None, {name: x})
    return int(np.clip(np.rint(100.0 * float(np.ravel(out)[0])), 0, 100))
