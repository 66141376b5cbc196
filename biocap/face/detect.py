"""Face detection: MediaPipe BlazeFace short-range (``models/face_detection_short_range.onnx``).

The model sees the whole image letterboxed to 128x128 (RGB scaled to [-1, 1]) and answers 896
anchor boxes with 6 keypoints each. Anchors, decoding and weighted NMS follow MediaPipe's
``face_detection_short_range_common`` graph (SsdAnchorsCalculator: 4 layers, strides 8/16/16/16,
fixed anchor size; TensorsToDetections: x first, scale 128, sigmoid scores clipped at +-100;
weighted NMS at IoU 0.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from biocap.models import onnx_session

MODEL = "face_detection_short_range.onnx"
INPUT_PX = 128
#: MediaPipe's min_score_thresh for this model.
MIN_SCORE = 0.5
NMS_IOU = 0.3
#: each of the 2x2 tiles of :func:`detect_tiles` spans this share of the image's width/height.
TILE = 0.6

#: keypoint order of the detector (subject's right eye is on the image's left).
RIGHT_EYE, LEFT_EYE, NOSE_TIP, MOUTH, RIGHT_EAR, LEFT_EAR = range(6)


@dataclass(frozen=True, slots=True)
class Detection:
    """One face: score 0-1, box ``(x0, y0, x1, y1)`` and 6 keypoints ``(6, 2)``, image pixels."""

    score: float
    box: tuple[float, float, float, float]
    keypoints: np.ndarray

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    def scaled(self, k: float) -> Detection:
        """The same detection in an image ``k`` times larger."""
        if k == 1:
            return self
        return Detection(self.score, (*(v * k for v in self.box),), self.keypoints * k)  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def anchors() -> np.ndarray:
    """``(896, 2)`` anchor centres in [0, 1]: 16x16 cells x 2, then 8x8 cells x 6."""
    out = []
    for cells, per_cell in ((16, 2), (8, 6)):
        c = (np.arange(cells, dtype=np.float32) + 0.5) / cells
        yy, xx = np.meshgrid(c, c, indexing="ij")
        grid = np.stack([xx.ravel(), yy.ravel()], axis=1)
        out.append(np.repeat(grid, per_cell, axis=0))
    return np.concatenate(out)


def letterbox(rgb: np.ndarray, side: int = INPUT_PX) -> tuple[np.ndarray, float, float, float]:
    """Image fitted into ``side x side`` (aspect kept, centred): tensor, scale, x pad, y pad."""
    h, w = rgb.shape[:2]
    s = side / max(h, w)
    nw, nh = max(1, round(w * s)), max(1, round(h * s))
    small = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA)
    px, py = (side - nw) // 2, (side - nh) // 2
    canvas = np.zeros((side, side, 3), np.float32)
    canvas[py : py + nh, px : px + nw] = small.astype(np.float32) * (2.0 / 255.0) - 1.0
    return canvas[None], s, float(px), float(py)


def detect(rgb: np.ndarray, min_score: float = MIN_SCORE) -> list[Detection]:
    """Faces in an RGB ``uint8 (h, w, 3)`` image, best first."""
    x, s, px, py = letterbox(rgb)
    sess = onnx_session(MODEL)
    reg, cls = sess.run(None, {sess.get_inputs()[0].name: x})
    return decode(reg[0], cls[0, :, 0], s, px, py, min_score)


def detect_tiles(rgb: np.ndarray, min_score: float = MIN_SCORE) -> list[Detection]:
    """Faces too small for one whole-image pass: the short-range model on 2x2 overlapping tiles.

    The short-range model is trained on faces that fill a good part of the frame (selfie
    distance, <= 2 m); in a group or far shot each face is a few percent of the image and the
    128 px input loses it. Each tile covers 60 % of each side (20 % overlap, so a face up to
    20 % of the image is whole in one tile). Used only when the whole-image pass finds no face
    or a small one: four more model runs (~8 ms) on such images, none on a portrait.
    """
    h, w = rgb.shape[:2]
    th, tw = round(h * TILE), round(w * TILE)
    found = []
    for y in (0, h - th):
        for x in (0, w - tw):
            for d in detect(rgb[y : y + th, x : x + tw], min_score):
                shift = np.array([x, y], np.float64)
                box = (d.box[0] + x, d.box[1] + y, d.box[2] + x, d.box[3] + y)
                found.append(Detection(d.score, box, d.keypoints + shift))
    if not found:
        return []
    scores = np.array([d.score for d in found])
    boxes = np.array([d.box for d in found])
    kps = np.stack([d.keypoints for d in found])
    return _weighted_nms(scores, boxes, kps)


def overlaps(a: Detection, b: Detection) -> bool:
    """The same face found twice (IoU above the NMS threshold)."""
    return bool(_iou(np.array(a.box), np.array([b.box]))[0] > NMS_IOU)


def decode(
    reg: np.ndarray, logits: np.ndarray, s: float, px: float, py: float, min_score: float
) -> list[Detection]:
    # the sigmoid is monotone: only anchors near or above the threshold's logit are scored
    p = min(max(min_score, 1e-9), 1.0 - 1e-9)
    near = np.flatnonzero(logits >= np.log(p / (1.0 - p)) - 1e-3)
    scores = 1.0 / (1.0 + np.exp(-np.clip(logits[near].astype(np.float64), -100.0, 100.0)))
    keep = near[scores >= min_score]
    scores = scores[scores >= min_score]
    if keep.size == 0:
        return []
    a = anchors()[keep] * INPUT_PX
    r = reg[keep]
    cx, cy = r[:, 0] + a[:, 0], r[:, 1] + a[:, 1]
    w, h = r[:, 2], r[:, 3]
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    kps = r[:, 4:16].reshape(-1, 6, 2) + a[:, None, :]
    # back from the letterboxed 128 px tensor to image pixels
    boxes = (boxes - [px, py, px, py]) / s
    kps = (kps - [px, py]) / s
    return _weighted_nms(scores, boxes, kps)


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-9)


def _weighted_nms(scores: np.ndarray, boxes: np.ndarray, kps: np.ndarray) -> list[Detection]:
    """MediaPipe's WEIGHTED NMS: each cluster's boxes and keypoints averaged by score.

    Loops over clusters (a handful of faces), never over pixels or anchors.
    """
    order = np.argsort(-scores)
    out: list[Detection] = []
    while order.size:
        ious = _iou(boxes[order[0]], boxes[order])
        member = ious > NMS_IOU
        member[0] = True  # a degenerate (zero-area) box has IoU 0 with itself: no endless loop
        idx = order[member]
        wts = scores[idx] / scores[idx].sum()
        box = (boxes[idx] * wts[:, None]).sum(axis=0)
        kp = (kps[idx] * wts[:, None, None]).sum(axis=0)
        out.append(Detection(float(scores[order[0]]), tuple(float(v) for v in box), kp))
        order = order[~member]
    return out
