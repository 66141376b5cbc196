"""Slap images composed from real single-finger prints, with SlapSeg III ground truth.

There are no public slap images to test on, so this builds them: each finger of a right, left or
thumbs slap is drawn upright in its own frame (distal phalanx = a real print's ridges inside a
pad-shaped contact area, then the distal crease, the middle and proximal phalanges with weaker
contact), turned by its own lean and the hand's rotation, and pressed onto a platen with uneven
light, sensor noise, dust, old latent prints, sometimes a palm, a smudge, a finger cut by the
frame, fingers touching, or a finger missing (absent, amputated at the distal joint, bandaged).

Hand geometry (mm at the fingertips, scaled per hand): distal widths ~16 / 17 / 16 / 14 mm
(index / middle / ring / little), thumbs ~21 mm; distal length 1.3-1.65 x width; the little
fingertip 18-32 mm and the index 4-14 mm below the middle one; fingers lean outwards a few
degrees; 0-6 mm between fingertips. Every range is a field of :class:`SlapStyle`, so a benchmark
can hold out a style (and a seed range and print sources) that development never saw.

Ground truth follows NIST SlapSeg III's CSV layout, one row per finger present:
``filename,frgp,tlx,tly,trx,try,blx,bly,brx,bry,theta`` where the corners are those of the
distal phalanx's oriented box (``tl``/``tr`` on the fingertip side) in image pixels and
``theta`` is the finger's rotation in degrees (positive: the tip leans to the image's right).
Missing fingers are listed in ``missing.csv`` (``filename,frgp,how``) and everything else in
``truth.jsonl``.

Built images from research-licensed prints (FVC ...) must not be committed or shipped: generate
them into a temporary folder at test or benchmark time.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np

from .positions import ORDER, SlapKind

PX_PER_MM = 500.0 / 25.4

# --- hand model (mm): distal contact width, middle and proximal phalanx length --------------
_WIDTH_MM = {"index": 16.0, "middle": 16.8, "ring": 15.8, "little": 13.8, "thumb": 21.0}
_MIDDLE_MM = {"index": 22.0, "middle": 26.0, "ring": 24.0, "little": 17.0, "thumb": 0.0}
_PROXIMAL_MM = {"index": 36.0, "middle": 40.0, "ring": 38.0, "little": 30.0, "thumb": 30.0}
_FINGER_OF = {2: "index", 3: "middle", 4: "ring", 5: "little", 7: "index", 8: "middle"}
_FINGER_OF |= {9: "ring", 10: "little", 11: "thumb", 12: "thumb"}


@dataclass(frozen=True, slots=True)
class SlapStyle:
    """Ranges the generator draws from (uniform unless said otherwise)."""

    hand_scale: tuple[float, float] = (0.85, 1.12)
    rotation_deg: tuple[float, float] = (-22.0, 22.0)
    p_over_rotated: float = 0.05  # |rotation| in over_rotation_deg instead
    over_rotation_deg: tuple[float, float] = (34.0, 50.0)
    lean_sd_deg: float = 3.0
    tip_gap_mm: tuple[float, float] = (1.0, 6.0)
    p_touching: float = 0.08  # one pair of fingertips pressed together
    length_ratio: tuple[float, float] = (1.35, 1.65)  # distal length / width
    crease_gap_mm: tuple[float, float] = (0.0, 2.5)
    pressure: tuple[float, float] = (0.55, 1.0)
    lower_pressure: tuple[float, float] = (0.25, 0.8)  # middle/proximal phalanx vs distal
    p_proximal: float = 0.6
    print_scale: tuple[float, float] = (0.93, 1.07)
    background: tuple[float, float] = (185.0, 248.0)
    ink_floor: tuple[float, float] = (15.0, 70.0)  # grey of the darkest ridge
    light_gradient: tuple[float, float] = (0.0, 25.0)
    noise_sd: tuple[float, float] = (1.0, 6.0)
    blur_sd: tuple[float, float] = (0.4, 0.9)
    dust: tuple[int, int] = (0, 40)
    p_latent: float = 0.3  # a faint old print left on the platen
    p_palm: float = 0.12
    p_smudge: float = 0.08
    p_missing: float = 0.12
    missing_how: tuple[str, ...] = ("absent", "amputated", "bandaged")
    p_edge: float = 0.1  # an outer finger partly outside the frame
    width_px: tuple[int, int] = (1500, 1700)
    height_px: tuple[int, int] = (950, 1450)
    thumbs_gap_mm: tuple[float, float] = (8.0, 35.0)


#: the style development and the unit tests use
DEV_STYLE = SlapStyle()
#: a held-out style for the benchmark: wider ranges, darker and noisier platens, more defects
HELD_OUT_STYLE = SlapStyle(
    hand_scale=(0.78, 1.18),
    rotation_deg=(-26.0, 26.0),
    p_over_rotated=0.06,
    lean_sd_deg=4.0,
    tip_gap_mm=(0.6, 7.5),
    p_touching=0.1,
    length_ratio=(1.3, 1.7),
    crease_gap_mm=(0.0, 3.0),
    pressure=(0.45, 1.0),
    lower_pressure=(0.2, 0.9),
    print_scale=(0.9, 1.1),
    background=(165.0, 252.0),
    ink_floor=(10.0, 85.0),
    light_gradient=(0.0, 35.0),
    noise_sd=(0.5, 9.0),
    blur_sd=(0.3, 1.1),
    dust=(0, 80),
    p_latent=0.4,
    p_palm=0.15,
    p_smudge=0.12,
    p_missing=0.15,
    p_edge=0.12,
    width_px=(1450, 1750),
    height_px=(900, 1550),
    thumbs_gap_mm=(5.0, 45.0),
)


@dataclass(frozen=True, slots=True)
class PrintSource:
    """A single-finger print reduced to what a slap needs: its ridges and contact area.

    ``ridges``: float32 ``(h, w)`` in [-1, 1], +1 at a ridge centre; ``mask``: float32 0-1 where
    the finger touched. ``finger`` names the finger (impressions of one finger share it).
    """

    ridges: np.ndarray
    mask: np.ndarray
    finger: str
    name: str
    bbox: tuple[int, int, int, int]  # y0, x0, y1, x1 of the contact area

    @property
    def size_px(self) -> tuple[int, int]:
        y0, x0, y1, x1 = self.bbox
        return y1 - y0, x1 - x0


def prepare_print(grey: np.ndarray, finger: str, name: str = "") -> PrintSource:
    """Normalise a 500 ppi grey print: local contrast -> ridge field, local texture -> mask."""
    f = grey.astype(np.float32)
    mean = cv2.GaussianBlur(f, (0, 0), 6.0)
    d = f - mean
    sd = np.sqrt(cv2.GaussianBlur(d * d, (0, 0), 6.0))
    ridges = np.tanh(-1.6 * d / (sd + 4.0))
    energy = cv2.GaussianBlur(sd, (0, 0), 10.0)
    m = (energy > 0.45 * float(np.percentile(energy, 95))).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    if n > 1:
        m = (labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))).astype(np.uint8)
    m = cv2.erode(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9)))
    # keep only the pixels the frame fully contains (an edge-cut print has a straight edge)
    m[:4], m[-4:], m[:, :4], m[:, -4:] = 0, 0, 0, 0
    mask = cv2.GaussianBlur(m.astype(np.float32), (0, 0), 2.5)
    ys, xs = np.nonzero(mask > 0.5)
    if ys.size == 0:
        raise ValueError(f"no finger area found in print {name or finger}")
    ridges, mask = _upright_print(ridges, mask, xs, ys)
    ys, xs = np.nonzero(mask > 0.5)
    bbox = (int(ys.min()), int(xs.min()), int(ys.max()) + 1, int(xs.max()) + 1)
    return PrintSource(ridges.astype(np.float32), mask, finger, name, bbox)


def _upright_print(ridges: np.ndarray, mask: np.ndarray, xs: np.ndarray, ys: np.ndarray):
    """The print turned so its contact area's long axis is vertical: a single-finger
    scanner's user often places the finger askew, a slap's fingertip pad lies along its own
    finger (whose axis the ground-truth box follows)."""
    dx, dy = xs - xs.mean(), ys - ys.mean()
    sxx, syy, sxy = (dx * dx).mean(), (dy * dy).mean(), (dx * dy).mean()
    if syy < 1.1**2 * sxx:  # about round: no axis to trust
        return ridges, mask
    lean = float(np.degrees(0.5 * np.arctan2(-2.0 * sxy, syy - sxx)))
    h, w = mask.shape
    pad = int(0.25 * max(h, w))
    centre = (float(xs.mean()) + pad, float(ys.mean()) + pad)
    m = cv2.getRotationMatrix2D(centre, float(np.clip(lean, -30.0, 30.0)), 1.0)
    size = (w + 2 * pad, h + 2 * pad)
    out = []
    for a in (ridges, mask):
        big = cv2.copyMakeBorder(a, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0.0)
        out.append(cv2.warpAffine(big, m, size, flags=cv2.INTER_LINEAR, borderValue=0.0))
    return out[0], out[1]


@dataclass(slots=True)
class FingerTruth:
    frgp: int
    corners: list[list[float]]  # tl, tr, bl, br (x, y)
    theta: float
    partial: bool = False
    source: str = ""


@dataclass(slots=True)
class SlapTruth:
    filename: str
    kind: str
    ppi: int
    width: int
    height: int
    rotation_deg: float
    fingers: list[FingerTruth] = field(default_factory=list)
    missing: dict[int, str] = field(default_factory=dict)
    touching: list[list[int]] = field(default_factory=list)
    palm: bool = False
    smudge: bool = False
    over_rotated: bool = False


@dataclass(slots=True)
class Slap:
    image: np.ndarray
    truth: SlapTruth


# --- drawing helpers ---------------------------------------------------------------------------


def _superellipse(h: int, w: int, cx: float, cy: float, ax: float, ay: float, p: float):
    """Soft (1-2 px edge) superellipse mask ``|x/ax|^p + |y/ay|^p <= 1``, float32 (h, w)."""
    y, x = np.ogrid[0:h, 0:w]
    r = (np.abs((x - cx) / ax) ** p + np.abs((y - cy) / ay) ** p).astype(np.float32)
    return np.clip((1.0 - r) * min(ax, ay) / 1.5, 0.0, 1.0)


def _smooth_field(shape: tuple[int, int], rng: np.random.Generator, scale_px: float):
    """Smooth noise in [0, 1], features ~scale_px (drawn small and enlarged: cheap)."""
    h, w = shape
    k = max(1.0, scale_px / 4.0)
    small = rng.standard_normal((max(2, int(h / k)), max(2, int(w / k)))).astype(np.float32)
    small = cv2.GaussianBlur(small, (0, 0), 2.0)
    big = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    lo, hi = float(big.min()), float(big.max())
    return (big - lo) / max(hi - lo, 1e-6)


def _procedural_ridges(shape: tuple[int, int], rng: np.random.Generator, angle_deg: float):
    """Ridges of a lower phalanx or palm: bent parallel lines, ~8-11 px apart."""
    h, w = shape
    period = rng.uniform(8.0, 11.0)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    t = np.deg2rad(angle_deg)
    across = -x * np.sin(t) + y * np.cos(t)
    bend = 30.0 * (_smooth_field(shape, rng, 120.0) - 0.5)
    return np.cos(2.0 * np.pi * (across + bend) / period).astype(np.float32)


def _place(src: np.ndarray, dst_shape: tuple[int, int], m: np.ndarray) -> np.ndarray:
    return cv2.warpAffine(
        src, m, (dst_shape[1], dst_shape[0]), flags=cv2.INTER_LINEAR, borderValue=0.0
    )


def _finger_image(
    rng: np.random.Generator,
    style: SlapStyle,
    name: str,
    width_mm: float,
    pressure: float,
    source: tuple[PrintSource, float] | None,
    how_missing: str | None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """One finger drawn upright in its own frame, the fingertip at the top centre.

    ``source`` is the distal phalanx's print and its scale (``None`` when the finger is
    missing). Returns the ink (0-1 darkness), the distal phalanx's contact mask (the ground
    truth; all 0 when the distal phalanx is missing) and the frame's tip row (px).
    """
    s = PX_PER_MM
    w = width_mm * s
    if source is not None:
        p, scale = source
        # a pad is no longer than 1.8 finger widths (large rolled prints are cut to it)
        length = min(p.size_px[0] * scale, 1.8 * w)
    else:
        p, scale = None, 1.0
        length = w * rng.uniform(*style.length_ratio)
    gap = rng.uniform(*style.crease_gap_mm) * s
    mid = _MIDDLE_MM[name] * (width_mm / _WIDTH_MM[name]) * rng.uniform(0.9, 1.1) * s
    prox = _PROXIMAL_MM[name] * (width_mm / _WIDTH_MM[name]) * rng.uniform(0.9, 1.1) * s
    top = 12
    fw = int(1.9 * w) + 24
    fh = int(top + length + gap + mid + 2 * gap + prox + 12)
    cx = fw / 2.0
    ink = np.zeros((fh, fw), np.float32)
    truth = np.zeros((fh, fw), np.float32)
    valley = rng.uniform(0.02, 0.14)

    def press(mask: np.ndarray, ridges: np.ndarray, strength: float) -> None:
        layer = mask * strength * (valley + (1.0 - valley) * (0.5 + 0.5 * ridges))
        np.maximum(ink, layer, out=ink)

    def patches(shape: np.ndarray, scale_px: float) -> np.ndarray:
        """Where a lower phalanx really touches: irregular patches inside its outline."""
        t = rng.uniform(0.15, 0.5)
        return shape * np.clip((_smooth_field((fh, fw), rng, scale_px) - t) * 3.0, 0.0, 1.0)

    if p is not None:
        y0, x0, _, x1 = p.bbox
        m = cv2.getRotationMatrix2D(((x0 + x1) / 2.0, y0), rng.uniform(-3.0, 3.0), scale)
        m[0, 2] += cx - (x0 + x1) / 2.0
        m[1, 2] += top - y0
        pad = _superellipse(
            fh, fw, cx, top + length / 2, 0.55 * min((x1 - x0) * scale, w), 0.52 * length, 2.6
        )
        contact = pad * _place(p.mask, (fh, fw), m)
        press(contact, _place(p.ridges, (fh, fw), m), pressure)
        truth = (contact > 0.5).astype(np.float32)
    elif how_missing == "bandaged":  # gauze: a smooth contact with no ridges
        pad = _superellipse(fh, fw, cx, top + length / 2, 0.5 * w, length / 2, 2.5)
        blob = 0.4 + 0.6 * _smooth_field((fh, fw), rng, 40.0)
        np.maximum(ink, pad * rng.uniform(0.25, 0.55) * blob, out=ink)
    lower_top = top + length + gap
    if how_missing == "amputated":  # the stump: the middle phalanx ends in a round tip
        lower_top = top + length * rng.uniform(0.8, 1.1)
    lower = rng.uniform(*style.lower_pressure) * pressure
    if mid > 0:
        rounded = 2.0 if how_missing == "amputated" else 3.5
        shape = _superellipse(fh, fw, cx, lower_top + mid / 2, 0.46 * w, mid / 2, rounded)
        ridges = _procedural_ridges((fh, fw), rng, rng.normal(0.0, 12.0))
        press(patches(shape, 40.0), ridges, lower)
        lower_top += mid + gap
    if rng.random() < style.p_proximal:
        shape = _superellipse(fh, fw, cx, lower_top + prox / 2, 0.5 * w, prox / 2, 4.0)
        ridges = _procedural_ridges((fh, fw), rng, rng.normal(0.0, 15.0))
        press(patches(shape, 50.0), ridges, lower * rng.uniform(0.4, 1.0))
    return ink, truth, float(top)


def _names(kind: SlapKind) -> list[str]:
    return ["thumb", "thumb"] if kind is SlapKind.THUMBS else [_FINGER_OF[f] for f in ORDER[kind]]


def _layout(kind: SlapKind, rng: np.random.Generator, style: SlapStyle, widths: list[float]):
    """Per finger (image order): tip x/y in the hand frame (mm, y down) and lean (deg)."""
    if kind is SlapKind.THUMBS:
        gap = rng.uniform(*style.thumbs_gap_mm)
        xs = [-(gap + widths[0]) / 2, (gap + widths[1]) / 2]
        ys = [rng.uniform(-5.0, 5.0), rng.uniform(-5.0, 5.0)]
        leans = [rng.normal(6.0, 8.0), rng.normal(-6.0, 8.0)]
        return list(zip(xs, ys, leans, strict=True))
    # a right hand left to right; a left slap is its mirror image
    right_widths = widths if kind is SlapKind.RIGHT else widths[::-1]
    drops = [rng.uniform(4.0, 14.0), 0.0, rng.uniform(2.0, 10.0), rng.uniform(18.0, 32.0)]
    mean_lean = [-4.0, 0.0, 3.0, 8.0]
    xs = [0.0]
    for i in range(3):
        gap = rng.uniform(*style.tip_gap_mm)
        xs.append(xs[-1] + right_widths[i] / 2 + gap + right_widths[i + 1] / 2)
    centre = (xs[0] + xs[-1]) / 2
    scale = float(np.mean(right_widths)) / 15.6
    rows = [
        (x - centre, d * scale, rng.normal(m, style.lean_sd_deg))
        for x, d, m in zip(xs, drops, mean_lean, strict=True)
    ]
    if kind is SlapKind.LEFT:
        rows = [(-x, y, -lean) for x, y, lean in reversed(rows)]
    return rows


def generate_slap(
    kind: SlapKind | str,
    prints: Sequence[PrintSource],
    rng: np.random.Generator,
    style: SlapStyle = DEV_STYLE,
    *,
    filename: str = "slap.png",
    ppi: int = 500,
    missing: dict[int, str] | None = None,
) -> Slap:
    """One slap image and its truth. ``prints`` must hold at least as many prints as fingers
    (used in image order; the rest may become faint latents); ``missing`` forces fingers to be
    missing (``{frgp: "absent" | "amputated" | "bandaged"}``)."""
    kind = SlapKind(kind)
    order = ORDER[kind]
    if len(prints) < len(order):
        raise ValueError(f"a {kind} slap needs {len(order)} prints, got {len(prints)}")
    if missing is None:
        missing = {}
        if rng.random() < style.p_missing:
            missing[int(rng.choice(order))] = str(rng.choice(style.missing_how))
    hand = rng.uniform(*style.hand_scale)
    names = _names(kind)
    sources: list[tuple[PrintSource, float] | None] = []
    widths = []
    for frgp, name, p in zip(order, names, prints, strict=False):
        model = _WIDTH_MM[name] * hand * rng.uniform(0.93, 1.07)
        if frgp in missing:
            sources.append(None)
            widths.append(0.85 * model)
            continue
        have = p.size_px[1] / PX_PER_MM
        scale = float(np.clip(model / have, 0.88, 1.12) * rng.uniform(*style.print_scale))
        sources.append((p, scale))
        widths.append(min(have * scale, 1.2 * model))  # no pad is wider than its finger
    layout = _layout(kind, rng, style, widths)
    touching: list[list[int]] = []
    if len(order) == 4 and rng.random() < style.p_touching:
        i = int(rng.integers(0, 3))
        a, b = order[i], order[i + 1]
        if a not in missing and b not in missing:
            # shift every finger right of the pair left so the two fingertips press together
            shift = (layout[i + 1][0] - layout[i][0]) - (widths[i] + widths[i + 1]) / 2
            shift += rng.uniform(0.3, 1.5)
            layout = [(x - shift if j > i else x, y, le) for j, (x, y, le) in enumerate(layout)]
            touching.append([a, b])

    rot = rng.uniform(*style.rotation_deg)
    over = bool(rng.random() < style.p_over_rotated)
    if over:
        rot = float(np.sign(rng.standard_normal()) * rng.uniform(*style.over_rotation_deg))
    W = int(rng.integers(style.width_px[0], style.width_px[1] + 1))
    H = int(rng.integers(style.height_px[0], style.height_px[1] + 1))
    s = PX_PER_MM
    drawn: dict[int, tuple[np.ndarray, np.ndarray, float]] = {}
    for j, frgp in enumerate(order):
        how = missing.get(frgp)
        if how != "absent":
            pressure = rng.uniform(*style.pressure)
            drawn[j] = _finger_image(rng, style, names[j], widths[j], pressure, sources[j], how)
    # hand frame (mm) -> image: rotate by ``rot`` (clockwise on screen), then place
    c, sn = np.cos(np.deg2rad(rot)), np.sin(np.deg2rad(rot))
    tips = np.array([[x * s, y * s] for x, y, _ in layout]) @ np.array([[c, sn], [-sn, c]])
    phis = [lean + rot for _, _, lean in layout]  # each finger's rotation on screen
    _separate(tips, drawn, phis, touching, order, np.array([c, sn]))
    dx = W / 2 - tips[:, 0].mean() + rng.uniform(-90.0, 90.0)
    dy = rng.uniform(40.0, 170.0) - tips[:, 1].min()
    edge = None
    if rng.random() < style.p_edge:  # push an outer finger across the frame's side
        edge = int(rng.choice([0, len(order) - 1]))
        inside = rng.uniform(0.12, 0.35) * widths[edge] * s
        dx = (inside - tips[edge, 0]) if edge == 0 else (W - inside - tips[edge, 0])
    tips += [dx, dy]

    ink = np.zeros((H, W), np.float32)
    truth = SlapTruth(filename, str(kind), ppi, W, H, round(float(rot), 2), missing=dict(missing))
    truth.touching, truth.over_rotated = touching, over
    for j, (f_ink, f_truth, tip_row) in drawn.items():
        frgp, how = order[j], missing.get(order[j])
        m = _placement(f_ink.shape[1], tip_row, phis[j], tips[j])
        np.maximum(ink, _place(f_ink, (H, W), m), out=ink)
        if how is not None:
            continue
        gt = _place(f_truth, (H, W), m) > 0.5
        box = _oriented_box(gt, phis[j])
        if box is None:
            truth.missing[frgp] = "outside"
            continue
        cut = bool(gt[0].any() or gt[-1].any() or gt[:, 0].any() or gt[:, -1].any())
        name = sources[j][0].name if sources[j] else ""
        truth.fingers.append(FingerTruth(frgp, box, round(float(phis[j]), 2), cut, name))

    if rng.random() < style.p_palm:
        # the upper palm starts at the fingers' bases, 40-60 mm below the lowest fingertip
        truth.palm = _palm(ink, rng, rot, float(tips[:, 1].max()) + rng.uniform(40, 60) * s)
    if rng.random() < style.p_smudge:
        truth.smudge = True
        _smudge(ink, rng)
    image = _platen(ink, rng, style, prints[len(order) :])
    if ppi != 500:
        f = ppi / 500.0
        image = cv2.resize(image, (round(W * f), round(H * f)), interpolation=cv2.INTER_CUBIC)
        truth.width, truth.height = image.shape[1], image.shape[0]
        for ft in truth.fingers:
            ft.corners = [[round(x * f, 1), round(y * f, 1)] for x, y in ft.corners]
    return Slap(image, truth)


def _placement(frame_w: int, tip_row: float, phi_deg: float, tip: np.ndarray) -> np.ndarray:
    """Affine from a finger's own frame (tip at the top centre) to the slap at ``tip``."""
    m = cv2.getRotationMatrix2D((frame_w / 2.0, tip_row), -phi_deg, 1.0)
    m[0, 2] += tip[0] - frame_w / 2.0
    m[1, 2] += tip[1] - tip_row
    return m


def _pad_hull(f_ink: np.ndarray, f_truth: np.ndarray, tip_row: float) -> np.ndarray | None:
    """Convex hull (finger frame) of what touches the platen first: the distal pad, or the
    stump or bandage where the distal phalanx is missing."""
    if f_truth.any():
        pad = f_truth > 0.5
    else:  # the upper 30 mm of a stump or a bandage
        pad = f_ink > 0.1
        pad[int(tip_row + 30 * PX_PER_MM) :] = False
    pts = cv2.findNonZero(pad[::2, ::2].astype(np.uint8))
    if pts is None:
        return None
    return cv2.convexHull(pts.astype(np.float32) * 2.0)


def _separate(tips, drawn, phis, touching, order, across) -> None:
    """Push fingers apart (along the hand's across axis, in place) until no two neighbouring
    pads overlap: real fingertips touch at most, and a pair drawn as pressed together
    (``touching``) keeps its overlap."""
    pressed = {tuple(p) for p in touching}
    hulls = {j: _pad_hull(*drawn[j]) for j in drawn}
    present = [j for j in sorted(drawn) if hulls[j] is not None]
    step = 0.5 * PX_PER_MM
    for a, b in itertools.pairwise(present):
        if (order[a], order[b]) in pressed:
            continue
        for _ in range(80):
            pa = cv2.transform(hulls[a], _placement(drawn[a][0].shape[1], drawn[a][2],
                                                    phis[a], tips[a]))  # fmt: skip
            pb = cv2.transform(hulls[b], _placement(drawn[b][0].shape[1], drawn[b][2],
                                                    phis[b], tips[b]))  # fmt: skip
            area, _ = cv2.intersectConvexConvex(pa, pb)
            if area <= 0:
                break
            tips[b:] += step * across


def _oriented_box(mask: np.ndarray, phi_deg: float) -> list[list[float]] | None:
    """Corners (tl, tr, bl, br) of the box at the finger's rotation bounding ``mask``."""
    ys, xs = np.nonzero(mask)
    if xs.size < 200:
        return None
    t = np.deg2rad(phi_deg)
    across = np.array([np.cos(t), np.sin(t)])  # finger's x axis on screen
    down = np.array([-np.sin(t), np.cos(t)])  # tip -> base
    pts = np.stack([xs, ys], 1).astype(np.float64)
    u, v = pts @ across, pts @ down
    u0, u1, v0, v1 = u.min(), u.max() + 1, v.min(), v.max() + 1
    corners = [u0 * across + v0 * down, u1 * across + v0 * down]
    corners += [u0 * across + v1 * down, u1 * across + v1 * down]
    return [[round(float(x), 1), round(float(y), 1)] for x, y in corners]


def _palm(ink: np.ndarray, rng: np.random.Generator, rot: float, top: float) -> bool:
    """The upper palm pressed below the fingers from row ``top`` on: a wide ridged area at
    the bottom. False when it falls outside the frame."""
    H, W = ink.shape
    if top > H - 20:
        return False
    cx = W / 2 + rng.uniform(-200, 200)
    ay = rng.uniform(0.3, 0.5) * H
    shape = _superellipse(H, W, cx, top + ay, rng.uniform(0.35, 0.5) * W, ay, 2.2)
    ridges = _procedural_ridges((H, W), rng, rng.uniform(-40, 40) + rot)
    strength = rng.uniform(0.3, 0.75) * _smooth_field((H, W), rng, 80.0)
    np.maximum(ink, shape * strength * (0.55 + 0.45 * ridges), out=ink)
    return True


def _smudge(ink: np.ndarray, rng: np.random.Generator) -> None:
    """A dark, ridgeless smear (grease, a sleeve, a wet spot) somewhere on the platen."""
    H, W = ink.shape
    ax, ay = rng.uniform(4, 14) * PX_PER_MM, rng.uniform(4, 14) * PX_PER_MM
    cx, cy = rng.uniform(ax, W - ax), rng.uniform(0.5 * H, H - ay)
    blob = _superellipse(H, W, cx, cy, ax, ay, 2.0) * rng.uniform(0.25, 0.6)
    np.maximum(ink, blob * (0.6 + 0.4 * _smooth_field((H, W), rng, 30.0)), out=ink)


def _platen(
    ink: np.ndarray, rng: np.random.Generator, style: SlapStyle, spare: Sequence[PrintSource]
) -> np.ndarray:
    """Ink on a platen: uneven light, a faint old latent, dust, blur and sensor noise."""
    H, W = ink.shape
    if spare and rng.random() < style.p_latent:
        p = spare[int(rng.integers(0, len(spare)))]
        y0, x0, y1, x1 = p.bbox
        ph, pw = y1 - y0, x1 - x0
        print_ink = p.mask[y0:y1, x0:x1] * (0.5 + 0.5 * p.ridges[y0:y1, x0:x1])
        m = cv2.getRotationMatrix2D((pw / 2, ph / 2), rng.uniform(0, 360), 1.0)
        m[0, 2] += rng.uniform(0, max(W - pw, 1))
        m[1, 2] += rng.uniform(0.3 * H, max(H - ph, 0.3 * H + 1))
        latent = _place(np.ascontiguousarray(print_ink), (H, W), m) * rng.uniform(0.04, 0.14)
        np.maximum(ink, latent, out=ink)
    bg = rng.uniform(*style.background)
    y, x = np.mgrid[0:H, 0:W].astype(np.float32)
    a = np.deg2rad(rng.uniform(0, 360))
    ramp = (np.cos(a) * (x / W - 0.5) + np.sin(a) * (y / H - 0.5)).astype(np.float32)
    light = bg + rng.uniform(*style.light_gradient) * (
        ramp + 0.5 * (_smooth_field((H, W), rng, 300.0) - 0.5)
    )
    floor = rng.uniform(*style.ink_floor)
    img = light - ink * np.maximum(light - floor, 0.0)
    n_dust = int(rng.integers(style.dust[0], style.dust[1] + 1))
    for _ in range(n_dust):  # a few dozen specks, each one OpenCV call
        centre = (int(rng.integers(0, W)), int(rng.integers(0, H)))
        cv2.circle(img, centre, int(rng.integers(1, 5)), float(rng.uniform(40, 170)), -1)
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(*style.blur_sd))
    img += rng.normal(0.0, rng.uniform(*style.noise_sd), img.shape).astype(np.float32)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


# --- sources and sets --------------------------------------------------------------------------


def load_sources(root: Path, sets: Sequence[str]) -> list[PrintSource]:
    """Prints of ``root/<set>/*`` (500 ppi grey files) ready to compose; finger = set/stem id."""
    from biocap.io import read

    out = []
    for name in sets:
        for path in sorted((root / name).glob("*")):
            if path.suffix.lower() not in {".tif", ".tiff", ".bmp", ".png", ".pgm"}:
                continue
            grey = read(path).grey()
            finger = f"{name}/{path.stem.split('_')[0] if '_' in path.stem else path.stem}"
            out.append(prepare_print(grey, finger, f"{name}/{path.name}"))
    return out


def synthetic_sources(n: int = 8, seed: int = 0) -> list[PrintSource]:
    """Prints from :mod:`biocap.finger.synthetic` (for tests when the real prints are absent)."""
    from biocap.finger import synthetic

    return [
        prepare_print(synthetic.fingerprint((400, 360), seed=seed + i), f"synthetic/{seed + i}")
        for i in range(n)
    ]


def pick_prints(
    sources: Sequence[PrintSource], rng: np.random.Generator, n: int
) -> list[PrintSource]:
    """``n`` prints of distinct fingers (a hand has no finger twice), plus spares for latents."""
    by_finger: dict[str, list[PrintSource]] = {}
    for p in sources:
        by_finger.setdefault(p.finger, []).append(p)
    fingers = list(by_finger)
    chosen = rng.choice(len(fingers), size=min(n, len(fingers)), replace=False)
    picked = [
        by_finger[fingers[i]][int(rng.integers(0, len(by_finger[fingers[i]])))] for i in chosen
    ]
    return picked


def generate_set(
    out_dir: Path,
    sources: Sequence[PrintSource],
    n: int,
    seed: int,
    style: SlapStyle = DEV_STYLE,
    *,
    ppi_choices: Sequence[int] = (500,),
) -> list[SlapTruth]:
    """``n`` slaps (right, left, thumbs in turn) as PNG files in ``out_dir``, with
    ``ground_truth.csv`` (SlapSeg III layout), ``missing.csv`` and ``truth.jsonl``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    truths = []
    kinds = list(SlapKind)
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        kind = kinds[i % 3]
        prints = pick_prints(sources, rng, len(ORDER[kind]) + 2)
        ppi = int(rng.choice(ppi_choices))
        name = f"slap_{seed}_{i:04d}_{kind}.png"
        slap = generate_slap(kind, prints, rng, style, filename=name, ppi=ppi)
        cv2.imwrite(str(out_dir / name), slap.image)
        truths.append(slap.truth)
    write_truth(out_dir, truths)
    return truths


def write_truth(out_dir: Path, truths: Sequence[SlapTruth]) -> None:
    with (out_dir / "ground_truth.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["filename", "frgp", "tlx", "tly", "trx", "try", "blx", "bly", "brx", "bry", "theta"]
        )
        for t in truths:
            for f in t.fingers:
                w.writerow([t.filename, f.frgp, *[v for xy in f.corners for v in xy], f.theta])
    with (out_dir / "missing.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["filename", "frgp", "how"])
        for t in truths:
            for frgp, how in sorted(t.missing.items()):
                w.writerow([t.filename, frgp, how])
    with (out_dir / "truth.jsonl").open("w") as fh:
        for t in truths:
            fh.write(json.dumps(asdict(t)) + "\n")
