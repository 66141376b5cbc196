"""``assess_slap(capture, kind)``: segment a slap, name its fingers, score each with the core.

slap image -> 500 ppi grey -> segmentation (cells) -> positions from hand geometry -> slap
checks (missing, cut off, touching, rotated, wrong hand, extra blobs, palm) -> each distal
phalanx cut out upright (other fingers' pixels blanked to the platen) and scored by
:func:`biocap.finger.assess`. The core measures and flags; :mod:`biocap.policy.slap` decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from biocap.assessment import Assessment, Defect, Severity
from biocap.capture import Capture
from biocap.errors import BiocapError

from ..core import assess as assess_finger
from ..core import prepare
from ..defects import DefectThresholds
from . import minutiae
from . import segment as S
from .hand import HandFit, fit_hand
from .positions import ORDER, SLAP_POSITION, SlapKind

MISSING = "finger.missing"
CUT_OFF = "slap.finger_cut_off"
TOUCHING = "slap.fingers_touching"
ROTATED = "slap.rotated"
WRONG_HAND = "slap.wrong_hand"
EXTRA_BLOB = "slap.extra_blob"
PALM = "slap.palm"
NOT_A_SLAP = "slap.not_a_slap"
CODES = (MISSING, CUT_OFF, TOUCHING, ROTATED, WRONG_HAND, EXTRA_BLOB, PALM, NOT_A_SLAP)

#: ISO/IEC 19794-4 / ANSI/NIST-ITL: a slap is to be retaken beyond this hand rotation
MAX_ROTATION_DEG = 30.0
#: a blob off the fingers with at least this area (mm2) is worth telling the operator about
EXTRA_BLOB_MM2 = 45.0
#: foreground below the fingertips' distal phalanges beyond this (mm2): the palm was pressed
PALM_MM2 = 900.0


@dataclass(slots=True)
class SlapFinger:
    """One finger of a slap: where it is and what the finger core said about it."""

    position: int
    segment: S.FingerSegment
    assessment: Assessment
    crop_size: tuple[int, int]  # (width, height) of the upright cut-out, 500 ppi px
    template: np.ndarray | None = None  # minutiae (:mod:`.minutiae`) for the sequence check

    def box(self, scale: float) -> dict[str, object]:
        """The oriented box in the capture's own pixels (``scale`` = native ppi / 500)."""
        c = self.segment.corners * scale
        return {
            "corners": [[round(float(x), 1), round(float(y), 1)] for x, y in c],
            "angle_deg": round(self.segment.angle_deg, 2),
            "centre": [round(v * scale, 1) for v in self.segment.centre],
            "width_px": round(self.crop_size[0] * scale, 1),
            "height_px": round(self.crop_size[1] * scale, 1),
        }


@dataclass(slots=True)
class SlapAssessment:
    """Result of :func:`assess_slap`. ``defects`` are the slap-level ones (each finger's own
    are in its assessment); ``scale`` maps 500 ppi pixels to the capture's."""

    kind: SlapKind
    fingers: list[SlapFinger] = field(default_factory=list)
    defects: list[Defect] = field(default_factory=list)
    missing: tuple[int, ...] = ()
    hand_angle_deg: float = 0.0
    hand: dict[str, object] = field(default_factory=dict)
    extra: list[dict[str, float]] = field(default_factory=list)
    scale: float = 1.0
    failure_reason: str | None = None

    @property
    def slap_position(self) -> int:
        return SLAP_POSITION[self.kind]

    def finger(self, position: int) -> SlapFinger | None:
        return next((f for f in self.fingers if f.position == position), None)


def assess_slap(
    capture: Capture,
    kind: SlapKind | str,
    thresholds: DefectThresholds | None = None,
    *,
    templates: bool = False,
) -> SlapAssessment:
    """Segment and score one slap capture; with ``templates`` each finger also gets its
    minutiae template for the sequence check. Never raises on image content."""
    kind = SlapKind(kind)
    try:
        grey, native_ppi = prepare(capture)
    except BiocapError as e:
        return SlapAssessment(kind, failure_reason=f"{e.code}: {e.message}")
    out = SlapAssessment(kind, scale=(native_ppi or 500.0) / 500.0)
    if min(grey.shape) < 20 * S.CELL_PX:
        out.failure_reason = "image too small for a slap (under 20 cells of 8 px at 500 ppi)"
        out.defects.append(Defect(NOT_A_SLAP, Severity.ERROR, {"height_px": float(grey.shape[0])}))
        out.missing = ORDER[kind]
        return out
    seg = S.segment(grey, len(ORDER[kind]))
    out.hand_angle_deg = round(seg.hand_angle_deg, 2)
    centre = _upright_centre(grey.shape, seg.hand_angle_deg)
    fit = fit_hand(seg.fingers, kind, centre)
    out.hand = _hand_evidence(fit, kind)
    out.extra = seg.extra
    bg = seg.texture.background_grey
    for f, pos in zip(seg.fingers, fit.positions, strict=True):
        if pos in fit.stumps:
            continue
        f.position = pos
        crop = _cut_out(grey, f, seg.labels, bg)
        cap = Capture(crop, capture.modality, 500.0, "caller", capture.source, capture.format, pos)
        finger = SlapFinger(pos, f, assess_finger(cap, thresholds), crop.shape[::-1])
        if templates:
            finger.template = minutiae.extract(crop)
        out.fingers.append(finger)
    out.missing = tuple(sorted(set(fit.missing) | set(fit.stumps)))
    out.defects = _checks(out, seg, fit)
    return out


def _upright_centre(shape: tuple[int, int], angle_deg: float) -> float:
    """The image centre's x in the hand's upright frame (mm), as tips are measured."""
    h, w = shape
    t = np.deg2rad(angle_deg)
    return float((w / 2 * np.cos(t) + h / 2 * np.sin(t)) / S.CELL_PX * S.CELL_MM)


def _hand_evidence(fit: HandFit, kind: SlapKind) -> dict[str, object]:
    if kind is SlapKind.THUMBS or fit.mirror_cost is None:
        return {"expected": str(kind), "told": False}
    observed = str(kind)
    if fit.wrong_hand:
        observed = "left" if kind is SlapKind.RIGHT else "right"
    return {
        "expected": str(kind),
        "observed": observed,
        "told": True,
        "cost": round(fit.cost, 2),
        "mirror_cost": round(fit.mirror_cost, 2),
    }


def _cut_out(grey: np.ndarray, f: S.FingerSegment, labels: np.ndarray, bg: float) -> np.ndarray:
    """The distal phalanx turned upright (tip up), other fingers' cells set to the platen."""
    c = f.corners
    width = round(float(np.linalg.norm(c[1] - c[0])))
    height = round(float(np.linalg.norm(c[2] - c[0])))
    src = np.float32([c[0], c[1], c[2]])
    dst = np.float32([[0, 0], [width, 0], [0, height]])
    m = cv2.getAffineTransform(src, dst)
    crop = cv2.warpAffine(grey, m, (width, height), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=bg)  # fmt: skip
    if (labels > 0).any():
        # cells -> the crop's pixels (the cell grid is the image scaled by 1/8): one warp of
        # the label map, then the other fingers' cells set to the platen
        mc = m.copy()
        mc[:, :2] *= S.CELL_PX
        near = cv2.warpAffine(labels.astype(np.float32), mc, (width, height),
                              flags=cv2.INTER_NEAREST)  # fmt: skip
        crop[(near > 0) & (near != f.label)] = np.uint8(round(bg))
    return crop


def _checks(out: SlapAssessment, seg: S.Segmentation, fit: HandFit) -> list[Defect]:
    found: list[Defect] = []
    for pos in out.missing:
        how = 1.0 if pos in fit.stumps else 0.0
        found.append(Defect(MISSING, Severity.ERROR, {"position": float(pos), "stump": how}))
    for f in out.fingers:
        if f.segment.touches_edge:
            found.append(Defect(CUT_OFF, Severity.ERROR, {"position": float(f.position)}))
    by_label = {f.segment.label: f.position for f in out.fingers}
    for a, b in seg.merged:
        if a in by_label and b in by_label:
            ev = {"position_a": float(by_label[a]), "position_b": float(by_label[b])}
            found.append(Defect(TOUCHING, Severity.WARNING, ev))
    angle = out.hand_angle_deg
    if out.kind is SlapKind.THUMBS and out.fingers:
        angle = float(np.mean([f.segment.angle_deg for f in out.fingers]))
    if abs(angle) > MAX_ROTATION_DEG:
        found.append(Defect(ROTATED, Severity.ERROR, {"rotation_deg": round(angle, 1)}))
    if fit.wrong_hand:
        ev = {"cost": fit.cost, "mirror_cost": float(fit.mirror_cost or 0.0)}
        found.append(Defect(WRONG_HAND, Severity.ERROR, ev))
    blobs = [b for b in seg.extra if b["area_mm2"] >= EXTRA_BLOB_MM2]
    if blobs:
        biggest = max(b["area_mm2"] for b in blobs)
        found.append(Defect(EXTRA_BLOB, Severity.WARNING, {"count": float(len(blobs)),
                                                          "area_mm2": biggest}))  # fmt: skip
    palm = _palm_area(seg)
    if palm > PALM_MM2:
        found.append(Defect(PALM, Severity.WARNING, {"area_mm2": round(palm, 1)}))
    return found


def _palm_area(seg: S.Segmentation) -> float:
    """Foreground (mm2) more than 25 mm below the lowest distal phalanx, across the hand."""
    if not seg.fingers:
        return 0.0
    ys, xs = np.nonzero(seg.texture.foreground)
    t = np.deg2rad(seg.hand_angle_deg)
    v = (-(xs + 0.5) * np.sin(t) + (ys + 0.5) * np.cos(t)) * S.CELL_MM
    lowest = max(f.bottom for f in seg.fingers)
    return float((v > lowest + 25.0).sum()) * S.CELL_MM**2
