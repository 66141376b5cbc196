"""SlapSeg III's box rule and the counts a slap segmentation benchmark reports.

NIST SlapSeg III counts a finger as correctly segmented when the centre of the returned box
lies inside the ground-truth finger and the box keeps at least 90 % of it. Here "the finger" is
its ground-truth oriented box (what the SlapSeg III CSV layout carries), so the rule reads
``centre(pred) in gt`` and ``area(pred & gt) >= 0.9 area(gt)``.
"""

from __future__ import annotations

import cv2
import numpy as np

KEEP_SHARE = 0.9


def _polygon(corners: np.ndarray) -> np.ndarray:
    """tl, tr, bl, br -> a convex polygon in drawing order (tl, tr, br, bl)."""
    c = np.asarray(corners, np.float32).reshape(4, 2)
    return c[[0, 1, 3, 2]]


def box_correct(pred: np.ndarray, truth: np.ndarray) -> bool:
    """SlapSeg III: the predicted box's centre is in the true box, which it keeps >= 90 % of."""
    p, t = _polygon(pred), _polygon(truth)
    centre = tuple(float(v) for v in p.mean(axis=0))
    if cv2.pointPolygonTest(t.reshape(-1, 1, 2), centre, False) < 0:
        return False
    area_t = cv2.contourArea(t)
    inter, _ = cv2.intersectConvexConvex(p, t)
    return area_t > 0 and inter >= KEEP_SHARE * area_t


def box_iou(pred: np.ndarray, truth: np.ndarray) -> float:
    """Intersection over union of two oriented boxes (tl, tr, bl, br corners)."""
    p, t = _polygon(pred), _polygon(truth)
    inter, _ = cv2.intersectConvexConvex(p, t)
    union = cv2.contourArea(p) + cv2.contourArea(t) - inter
    return float(inter / union) if union > 0 else 0.0
