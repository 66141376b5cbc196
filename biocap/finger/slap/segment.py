"""Slap segmentation: fingertips, distal phalanges and their oriented boxes, on a cell grid.

Everything runs on a grid of 8 x 8 px cells at 500 ppi (0.41 mm, ~25 000 cells for a
1600 x 1000 slap), so no step touches every pixel more than once:

1. **Texture**: the image halved (area average), then per cell the grey standard deviation
   over 3 x 3 cells. Ridges give 15-60 grey levels, a platen with sensor noise, a faint old
   latent or a ridgeless smudge a few. The threshold sits a quarter of the way from the
   platen's level (25th percentile) to the ridges' (97th), so it follows each scanner.
2. **Hand direction**: the rotation (-60..60 deg) whose projection of the foreground across
   the hand has the most contrast at the scale of a finger: fingers and the gaps between
   them line up with the projection axis (NFSEG's Radon-style skew search, with the
   projection high-passed so the hand's overall outline does not vote).
3. **Fingertips**: in the hand's upright frame a line sweeps down (on a 2 x 2 cell grid); a
   connected part above it holding no known tip brings a new tip, unless foreground lies
   right above it (a lower phalanx); a tip counts when it stands >= 3 mm above where its
   part joins a higher tip's (a bump on a pad's rim does not). Thumbs slaps keep the
   image's frame: two thumbs far apart give no hand direction.
4. **Fingers**: the upper layer of each tip seeds a marker-controlled watershed over the
   foreground; each pad is the finger's cells with >= 45 % of its tip's ridge contrast,
   opened (bridges to a neighbour's phalanx break) and closed along the finger (a pale
   line across the pad does not cut it). The finger's lean comes from the pad's second
   moments (trusted as far as the pad is elongated), and the distal phalanx ends at the
   flexion crease: the deepest fall of ridge mass along the axis 0.8-2.3 pad widths below
   the tip (1.75 widths when there is none). Two pads pressed together, one lower, leave
   one part about twice as wide with a notch in its top outline: it is cut there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

CELL_PX = 8  # at 500 ppi
CELL_MM = CELL_PX * 25.4 / 500.0
#: hand rotations searched (deg, positive = fingers lean to the image's right)
ANGLE_RANGE_DEG = 60.0
#: a finger leans at most this much from the hand (deg); a thumb of a thumbs slap, any way
MAX_LEAN_DEG = 20.0
MAX_THUMB_LEAN_DEG = 60.0
#: the projection contrast loses this share at the ends of the search, none at 0 deg
ANGLE_PRIOR = 0.25
#: the projection is high-passed over this width (mm): about a finger and its gap
PROJECTION_WINDOW_MM = 13.0
#: a tip must stand this high (mm) above where its part joins a higher tip's
TIP_PROMINENCE_MM = 3.0
#: a new part this close below foreground (mm) is a lower phalanx (crease gaps are 0-3 mm)
LOWER_GAP_MM = 8.0
#: a tip's part of the foreground must reach this area (mm2) to count as a finger
MIN_FINGER_AREA_MM2 = 45.0
#: foreground specks smaller than this (mm2) are dust
MIN_BLOB_MM2 = 8.0
#: a fingertip pad's cells have at least this share of the ridge contrast at its tip
PAD_SHARE = 0.45
#: the distal crease is searched this many finger widths below the tip
CREASE_BAND = (0.8, 2.3)
#: ... and the distal phalanx is this long (finger widths) when no crease shows
DEFAULT_LENGTH = 1.75
#: margin (mm) added around every distal box: the pad's rim is fainter than its core
BOX_MARGIN_MM = 1.2
#: a part this many times as wide as the other fingertips may be two pressed together ...
WIDE_SHARE = 1.3
#: ... when its top outline has a notch this deep (mm)
NOTCH_MM = 1.0
#: fingertips pressed together along at least this length (mm) are reported as touching
TOUCH_MM = 3.0


@dataclass(frozen=True, slots=True)
class Texture:
    """Per-cell grey mean and std, and the foreground mask, each ``(rows, cols)``."""

    mean: np.ndarray
    std: np.ndarray
    foreground: np.ndarray
    threshold: float
    background_grey: float


@dataclass(slots=True, eq=False)
class FingerSegment:
    """One finger found in a slap (image pixels at 500 ppi, angles in degrees).

    ``corners`` are the distal phalanx box's top-left, top-right, bottom-left, bottom-right
    (top = fingertip side) and ``angle_deg`` the finger's rotation (positive: the tip leans to
    the image's right). ``tip``, ``span`` and ``bottom`` are in the hand's upright frame (mm,
    y down), for the position and hand checks.
    """

    corners: np.ndarray  # (4, 2) float
    angle_deg: float
    centre: tuple[float, float]
    width_mm: float
    length_mm: float
    tip: tuple[float, float]  # upright hand frame, mm
    area_mm2: float
    ridge_std: float  # median cell std inside the distal box: ridges vs a smooth blob
    touches_edge: bool
    crease_found: bool
    cells: np.ndarray = field(repr=False)  # (n, 2) row, col of its distal cells (image grid)
    span: tuple[float, float] = (0.0, 0.0)  # across the hand (upright frame, mm)
    bottom: float = 0.0  # the distal phalanx's lowest point (upright frame, mm)
    label: int = 0  # its value in ``Segmentation.labels``
    pad_width_mm: float = 0.0  # the whole pad's extent across the hand (upright frame)
    position: int = 0


@dataclass(slots=True)
class Segmentation:
    """What :func:`segment` found: the hand's rotation, the fingers left to right, and the
    blobs that were not fingers."""

    hand_angle_deg: float
    fingers: list[FingerSegment]
    extra: list[dict[str, float]]
    merged: list[tuple[int, int]]  # labels of fingertips pressed together
    texture: Texture
    labels: np.ndarray  # (rows, cols) int32: finger label of every foreground cell, 0 bg
    shape: tuple[int, int]  # image (h, w) at 500 ppi


def texture(grey: np.ndarray) -> Texture:
    """Cell texture and foreground of a 500 ppi grey slap (see the module docstring, step 1)."""
    h, w = grey.shape
    rows, cols = h // CELL_PX, w // CELL_PX
    half = cv2.resize(
        grey[: rows * CELL_PX, : cols * CELL_PX], (cols * 4, rows * 4), interpolation=cv2.INTER_AREA
    ).astype(np.float32)
    m = cv2.resize(half, (cols, rows), interpolation=cv2.INTER_AREA)
    m2 = cv2.resize(half * half, (cols, rows), interpolation=cv2.INTER_AREA)
    m3 = cv2.blur(m, (3, 3), borderType=cv2.BORDER_REFLECT)
    std = np.sqrt(np.maximum(cv2.blur(m2, (3, 3), borderType=cv2.BORDER_REFLECT) - m3 * m3, 0))
    flat = std.ravel()
    k25, k97 = int(0.25 * (flat.size - 1)), int(0.97 * (flat.size - 1))
    part = np.partition(flat, (k25, k97))
    lo, hi = float(part[k25]), float(part[k97])
    threshold = float(max(lo + 0.25 * (hi - lo), lo + 4.0, 6.0))
    fg = (std > threshold).astype(np.uint8)
    fg = cv2.morphologyEx(fg, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(fg, connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] * CELL_MM**2 >= MIN_BLOB_MM2
    keep[0] = False
    fg = keep[labels]
    platen = m[~fg] if (~fg).any() else m.ravel()
    bg = float(np.partition(platen, platen.size // 2)[platen.size // 2])
    return Texture(m, std, fg, threshold, bg)


def _projection_contrast(xs: np.ndarray, ys: np.ndarray, angles_deg: np.ndarray, win: int):
    """Per angle: energy of the high-passed projection of the points across the fingers.

    Along a finger leaning by +a (tip towards the image's right, y down) the coordinate
    across it, ``x cos a + y sin a``, stays constant, so at the hand's angle the projection
    has deep gaps between fingers. Subtracting its running mean over ``win`` bins keeps the
    finger-scale structure and drops the hand's outline (which alone favours the angle with
    the narrowest projection).
    """
    t = np.deg2rad(angles_deg)[:, None]
    u = xs[None, :] * np.cos(t) + ys[None, :] * np.sin(t)
    u -= u.min(axis=1, keepdims=True)
    # each point split between its two bins: floor binning of lattice points aliases
    i0 = np.floor(u).astype(np.int64)
    frac = (u - i0).ravel()
    width = int(i0.max()) + 2 + win
    offset = width * np.arange(len(angles_deg))[:, None]
    n = width * len(angles_deg)
    idx = (i0 + offset).ravel()
    counts = np.bincount(idx, 1.0 - frac, minlength=n) + np.bincount(idx + 1, frac, minlength=n)
    counts = counts[:n].reshape(len(angles_deg), width).astype(np.float32)
    high = counts - cv2.blur(counts, (win, 1), borderType=cv2.BORDER_CONSTANT)
    return (high * high).sum(axis=1)


def hand_angle(fg: np.ndarray) -> float:
    """Rotation (deg) that makes the fingers upright (module docstring, step 2): a 3 degree
    search on a 2 x 2 cell grid, then 0.5 degree steps around the best on the cell grid."""
    small = cv2.resize(fg.astype(np.uint8), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    ys, xs = np.nonzero(small)
    if xs.size < 20:
        return 0.0
    win = max(3, round(PROJECTION_WINDOW_MM / (2 * CELL_MM)) | 1)
    coarse = np.arange(-ANGLE_RANGE_DEG, ANGLE_RANGE_DEG + 0.1, 3.0)
    # slaps are mostly near upright: a mild prior keeps a chance alignment (a bandage's or a
    # palm's outline) at a steep angle from beating the fingers
    prior = 1.0 - ANGLE_PRIOR * (coarse / ANGLE_RANGE_DEG) ** 2
    score = _projection_contrast(xs, ys, coarse, win) * prior
    best = float(coarse[int(np.argmax(score))])
    ys, xs = np.nonzero(fg)
    fine = np.arange(best - 3.0, best + 3.01, 0.5)
    score = _projection_contrast(xs, ys, fine, 2 * win + 1)
    return float(fine[int(np.argmax(score))])


def _upright(img: np.ndarray, angle_deg: float, interp: int) -> tuple[np.ndarray, np.ndarray]:
    """``img`` (cell grid) turned so the fingers point up, on a canvas that holds all of it,
    and the 2x3 affine that maps grid (x, y) to the upright canvas."""
    rows, cols = img.shape
    m = cv2.getRotationMatrix2D((cols / 2.0, rows / 2.0), angle_deg, 1.0)
    corners = np.array([[0, 0, 1], [cols, 0, 1], [0, rows, 1], [cols, rows, 1]], np.float64)
    moved = corners @ m.T
    lo = moved.min(axis=0)
    m[:, 2] -= lo
    size = np.ceil(moved.max(axis=0) - lo).astype(int) + 1
    up = cv2.warpAffine(img, m, (int(size[0]), int(size[1])), flags=interp)
    return up, m


@dataclass(slots=True)
class Tip:
    """A fingertip candidate of the upright mask (cells): its top, and how far below it
    (rows) the part holding it first meets another tip's part (``inf`` if never)."""

    row: int
    col: int
    joined: float = np.inf
    absorbed: bool = False  # it met a higher tip within ``TIP_PROMINENCE_MM`` of its top


def sweep_tips(up: np.ndarray, depth_mm: float = 60.0) -> list[Tip]:
    """Fingertips by a downward sweep (module docstring, step 3) on a 2 x 2 cell grid.

    A line sweeps down from the top of the upright mask in 0.8 mm steps; a connected part
    of the foreground above it that holds no known tip brings a new tip (its topmost cell).
    When parts holding several tips join, each lower tip stands that high above the join
    (its prominence): one joined within ``TIP_PROMINENCE_MM`` of its top was a bump on a
    higher one (a pad's uneven rim, a phalanx right below its own pad).
    """
    small = cv2.resize(up, (up.shape[1] // 2, up.shape[0] // 2), interpolation=cv2.INTER_AREA)
    small = (small > 0).astype(np.uint8)
    rows_any = np.flatnonzero(small.any(axis=1))
    if rows_any.size == 0:
        return []
    top = int(rows_any[0])
    bottom = min(small.shape[0], top + round(depth_mm / (2 * CELL_MM)))
    prominence = TIP_PROMINENCE_MM / (2 * CELL_MM)
    above = round(LOWER_GAP_MM / (2 * CELL_MM))
    tips: list[Tip] = []
    met: dict[tuple[int, int], int] = {}  # (tip, other tip) -> level where their parts met
    for t in range(top + 1, bottom + 1):
        n, lab, stats, _ = cv2.connectedComponentsWithStats(
            np.ascontiguousarray(small[:t]), connectivity=8
        )
        owners: dict[int, list[int]] = {}
        for i, tip in enumerate(tips):
            owners.setdefault(int(lab[tip.row, tip.col]), []).append(i)
        for group in owners.values():
            for i in group:
                for j in group:
                    met.setdefault((i, j), t)
        for k in range(1, n):
            if k in owners:
                continue
            y0 = int(stats[k, cv2.CC_STAT_TOP])
            cs = np.flatnonzero(lab[y0] == k)
            x = int(cs[len(cs) // 2])
            if small[max(0, y0 - above) : y0, max(0, x - 2) : x + 3].any():
                continue  # a lower phalanx (or a pad's part below a pale line) under a finger
            tips.append(Tip(y0, x))
    for i, q in enumerate(tips):  # absorbed: met a higher tip within the prominence
        q.absorbed = any(
            met.get((i, j), np.inf) - q.row < prominence
            for j, o in enumerate(tips)
            if j != i and (o.row, j) < (q.row, i)
        )
    kept = [i for i, q in enumerate(tips) if not q.absorbed]
    out = []
    for i in kept:
        q = tips[i]
        joined = min((met.get((i, j), np.inf) for j in kept if j != i), default=np.inf)
        out.append(Tip(2 * q.row, 2 * q.col + 1, 2 * (joined - q.row)))
    return out


def segment(grey: np.ndarray, expected: int) -> Segmentation:
    """Fingers of a 500 ppi slap, left to right; ``expected`` is 4 (a hand) or 2 (thumbs)."""
    tex = texture(grey)
    fg = tex.foreground.astype(np.uint8)
    # two thumbs far apart give no hand direction: each thumb's own axis is measured
    angle = hand_angle(fg) if expected > 2 else 0.0
    max_lean = MAX_LEAN_DEG if expected > 2 else MAX_THUMB_LEAN_DEG
    up, m = _upright(fg, angle, cv2.INTER_NEAREST)
    std_up, _ = _upright(tex.std, angle, cv2.INTER_LINEAR)
    tips = sweep_tips(up)
    markers = _markers(up, tips)
    labels_up = _flood(up, markers)
    inv = cv2.invertAffineTransform(m)
    rows, cols = fg.shape
    found, pads = [], {}
    for i in range(len(tips)):
        pads[i + 1] = _pad(labels_up == i + 1, markers == i + 1, std_up)
        seg = _distal(pads[i + 1], std_up, inv, angle, rows, cols, max_lean=max_lean)
        if seg is not None:
            seg.label = i + 1
            found.append(seg)
    fingers, extra = _select(found, expected)
    # a finger cut by the frame shows only part of its width: its length goes by the others'
    whole = [f.width_mm for f in fingers if not f.touches_edge]
    if whole:
        hint = float(np.median(whole))
        for k, f in enumerate(fingers):
            if f.touches_edge and f.width_mm < hint:
                seg = _distal(
                    pads[f.label], std_up, inv, angle, rows, cols, hint, max_lean=max_lean
                )
                if seg is not None:
                    seg.label = f.label
                    fingers[k] = seg
    fingers = _split_wide(fingers, labels_up, std_up, inv, angle, expected, (rows, cols), max_lean)
    merged = _touching(labels_up, fingers, m)
    labels = cv2.warpAffine(labels_up.astype(np.float32), inv, (cols, rows),
                            flags=cv2.INTER_NEAREST)  # fmt: skip
    labels = labels.astype(np.int32) * fg
    return Segmentation(angle, fingers, extra, merged, tex, labels, grey.shape)


def _split_wide(
    fingers: list[FingerSegment],
    labels_up: np.ndarray,
    std_up: np.ndarray,
    inv: np.ndarray,
    hand_deg: float,
    expected: int,
    grid: tuple[int, int],
    max_lean: float,
) -> list[FingerSegment]:
    """Fingertips pressed together side by side, one lower than the other, leave one part
    with one tip: while fingers are missing, a part ``WIDE_SHARE`` times as wide as the
    others' median, whose top outline has a notch (a concave corner) of ``NOTCH_MM`` or more
    in its middle 40 %, is cut down the notch's column and each side measured again (the
    contact line runs along the fingers, upright in the hand's frame). ``labels_up`` gets
    the new part's label."""
    k = max(2, round(2.5 / CELL_MM))
    for _ in range(expected - len(fingers)):
        if len(fingers) < 2:
            break
        wide = max(fingers, key=lambda f: f.pad_width_mm)
        others = float(np.median([f.width_mm for f in fingers if f is not wide]))
        if wide.pad_width_mm < WIDE_SHARE * others:
            break
        mine = labels_up == wide.label
        marker = mine.copy()
        marker[np.flatnonzero(mine.any(axis=1))[0] + round(4.5 / CELL_MM) :] = False
        ys, xs = np.nonzero(_pad(mine, marker, std_up))
        if ys.size == 0:
            break
        top_row = ys.min()
        head = ys < top_row + 2.0 * others / CELL_MM
        x0, x1 = int(np.percentile(xs[head], 1)), int(np.percentile(xs[head], 99)) + 1
        head &= (xs >= x0) & (xs < x1)
        first = np.full(x1 - x0, labels_up.shape[0], np.int64)
        np.minimum.at(first, xs[head] - x0, ys[head])
        if first.size < 2 * k + 3:
            break
        notch = first[k:-k] - (first[: -2 * k] + first[2 * k :]) / 2.0
        lo, hi = int(0.3 * first.size) - k, int(0.7 * first.size) - k
        if hi <= lo:
            break
        j = lo + int(np.argmax(notch[lo:hi]))
        if notch[j] * CELL_MM < NOTCH_MM:
            break
        cut = x0 + k + j
        zone = mine.copy()  # the pads' rows; what lies further down keeps its label
        zone[top_row + round(2.5 * others / CELL_MM) :] = False
        right = zone.copy()
        right[:, :cut] = False
        new_label = int(labels_up.max()) + 1
        labels_up[right] = new_label
        halves = []
        for lab, cols_ in ((wide.label, slice(0, cut - x0)), (new_label, slice(cut - x0, None))):
            side = first[cols_]
            r0 = int(side.min())
            marker = (labels_up == lab) & zone
            marker[:r0] = False
            marker[r0 + round(4.5 / CELL_MM) :] = False
            part = labels_up == lab
            seg = _distal(
                _pad(part, marker, std_up), std_up, inv, hand_deg, *grid, max_lean=max_lean
            )
            if seg is not None and seg.area_mm2 >= MIN_FINGER_AREA_MM2 / 2:
                seg.label = lab
                halves.append(seg)
        if len(halves) != 2:
            labels_up[right] = wide.label
            break
        fingers = sorted([f for f in fingers if f is not wide] + halves, key=lambda f: f.tip[0])
    return fingers


def _markers(up: np.ndarray, tips: list[Tip]) -> np.ndarray:
    """Each tip's upper layer: the part of the foreground connected to it in the rows from
    its top down to 4.5 mm, or to just above where another tip's part meets it."""
    markers = np.zeros(up.shape, np.int32)
    order = sorted(range(len(tips)), key=lambda i: tips[i].row)
    for i in order:
        q = tips[i]
        # the tip was found on a 2 x 2 grid: its top cell is within two cells of it
        c0 = max(q.col - 3, 0)
        near = np.argwhere(up[max(q.row - 1, 0) : q.row + 3, c0 : q.col + 4])
        if near.size == 0:
            continue
        r, c = int(near[0, 0]) + max(q.row - 1, 0), int(near[0, 1]) + c0
        depth = int(min(round(4.5 / CELL_MM), q.joined - 1 - (r - q.row)))
        band = np.ascontiguousarray(up[r : r + max(depth, 1)])
        _, lab = cv2.connectedComponents(band, connectivity=8)
        view = markers[r : r + band.shape[0]]
        view[(lab == lab[0, c]) & (view == 0)] = i + 1
    return markers


def _flood(up: np.ndarray, markers: np.ndarray) -> np.ndarray:
    """Every foreground cell given to a tip by a marker-controlled watershed on the inverted
    distance transform: fingertip pads pressed together split along the neck between them,
    and a lower phalanx goes to the finger whose flood reaches it first."""
    if markers.max() == 0:
        return markers
    dist = cv2.distanceTransform(up, cv2.DIST_L2, 3)
    relief = (255.0 - 255.0 * dist / max(float(dist.max()), 1.0)).astype(np.uint8)
    lab = markers.copy()
    cv2.watershed(cv2.cvtColor(relief, cv2.COLOR_GRAY2BGR), lab)
    return np.where(up > 0, np.maximum(lab, 0), 0)


def _pad(mine: np.ndarray, marker: np.ndarray, std_up: np.ndarray) -> np.ndarray:
    """The fingertip pad of one finger's cells: those with at least ``PAD_SHARE`` of the
    marker's ridge contrast, opened (thin bridges to a neighbour's phalanx break), the parts
    that hold the marker."""
    x, y, w, h = cv2.boundingRect(mine.astype(np.uint8))
    if w == 0 or h == 0 or not marker.any():
        return np.zeros_like(mine)
    sub = (slice(y, y + h), slice(x, x + w))
    level = float(np.median(std_up[marker])) if marker.any() else 0.0
    strong = (mine[sub] & (std_up[sub] >= PAD_SHARE * level)).astype(np.uint8)
    strong = cv2.morphologyEx(strong, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    # a pale line across the pad (a scar, a dry streak) must not cut it
    strong = cv2.morphologyEx(strong, cv2.MORPH_CLOSE, np.ones((5, 1), np.uint8))
    _, lab = cv2.connectedComponents(strong, connectivity=4)
    ids = np.unique(lab[marker[sub] & (lab > 0)])
    out = np.zeros_like(mine)
    out[sub] = np.isin(lab, ids[ids > 0])
    return out


def _lean_deg(u: np.ndarray, v: np.ndarray, limit: float = MAX_LEAN_DEG) -> float:
    """The cells' major axis from the v axis (deg, positive = top to the right), from their
    second moments. Within a hand (``limit`` under 45) the lean is trusted in proportion to
    how elongated the cells are, so a round pad keeps the hand's direction; a thumb of a
    thumbs slap has no such reference and keeps its own axis unless it is round."""
    if u.size < 10:
        return 0.0
    du, dv = u - u.mean(), v - v.mean()
    suu, svv, suv = (du * du).mean(), (dv * dv).mean(), (du * dv).mean()
    root = np.sqrt((suu - svv) ** 2 + 4 * suv * suv)
    major, minor = (suu + svv + root) / 2, max((suu + svv - root) / 2, 1e-9)
    aspect = float(np.sqrt(major / minor))
    lean = float(np.degrees(0.5 * np.arctan2(-2.0 * suv, svv - suu)))
    if limit < 45.0:
        trust = float(np.clip((aspect - 1.1) / 0.5, 0.0, 1.0)) if svv > suu else 0.0
    else:
        trust = float(np.clip((aspect - 1.03) / 0.1, 0.0, 1.0))
    return float(np.clip(trust * lean, -limit, limit))


def _spread(a: np.ndarray, lo: float, hi: float) -> tuple[float, float]:
    """The ``lo`` and ``hi`` quantiles (0-1) of ``a`` by one sort (np.percentile's overhead
    dominates on arrays of a few thousand cells)."""
    s = np.sort(a, kind="stable")
    n = len(s) - 1
    return float(s[int(lo * n)]), float(s[round(hi * n)])


def _rot(phi_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """A finger leaning by ``phi`` (upright frame): its across and tip-to-base unit vectors."""
    p = np.deg2rad(phi_deg)
    return np.array([np.cos(p), np.sin(p)]), np.array([-np.sin(p), np.cos(p)])


def _distal(
    pad: np.ndarray,
    std_up: np.ndarray,
    inv: np.ndarray,
    hand_deg: float,
    rows: int,
    cols: int,
    width_hint_mm: float = 0.0,
    *,
    max_lean: float = 20.0,
) -> FingerSegment | None:
    """The distal phalanx of one finger (upright frame pad mask): axis, crease, oriented box.

    The lean comes from the pad's second moments, the width from most of the pad (rows down
    to 1.3 widths; ``width_hint_mm`` for a pad cut by the frame); along that axis the ridge
    mass per row of the pad (cells x texture) gives the crease (:func:`crease`).
    """
    ys, xs = np.nonzero(pad)
    if ys.size < 10:
        return None
    pts = np.stack([xs, ys], 1).astype(np.float64) + 0.5
    strength = std_up[ys, xs].astype(np.float64)
    top = pts[:, 1].min()
    head = pts[:, 1] - top < 10.0 / CELL_MM
    a, b = _spread(pts[head, 0], 0.02, 0.98)
    width = b - a + 1.0
    phi = _lean_deg(pts[:, 0], pts[:, 1], max_lean)
    across, down = _rot(phi)
    u, v = pts @ across, pts @ down
    v0 = v.min()
    rel = v - v0
    head = rel < 1.3 * width  # most of the pad: its top alone is narrower
    a, b = _spread(u[head], 0.02, 0.98)
    width = b - a + 1.0
    width = max(width, width_hint_mm / CELL_MM)
    bins = rel.astype(np.int64)
    nbin = int(bins.max()) + 1
    occ = np.bincount(bins, minlength=nbin).astype(np.float64)
    mass = np.bincount(bins, strength, minlength=nbin)
    length, found = crease(occ, mass, width)
    keep = rel < length
    if keep.sum() < 10:
        return None
    margin = BOX_MARGIN_MM / CELL_MM
    u0, u1 = _spread(u[keep], 0.01, 0.99)
    u0, u1 = u0 - 0.5 - margin, u1 + 0.5 + margin
    va, vb = v0 - 0.5 - margin, v0 + length + margin
    up_corners = np.array([u0 * across + va * down, u1 * across + va * down,
                           u0 * across + vb * down, u1 * across + vb * down])  # fmt: skip
    corners = up_corners @ inv[:, :2].T + inv[:, 2]
    # cells of the distal phalanx on the image grid, for the cut-out and the edge check
    grid = np.rint((pts[keep] - 0.5) @ inv[:, :2].T + inv[:, 2]).astype(np.int64)
    grid = grid[(grid[:, 0] >= 0) & (grid[:, 0] < cols) & (grid[:, 1] >= 0) & (grid[:, 1] < rows)]
    touches = bool(
        grid.size
        and (
            (grid[:, 1] <= 1).any()
            or (grid[:, 1] >= rows - 2).any()
            or (grid[:, 0] <= 1).any()
            or (grid[:, 0] >= cols - 2).any()
        )
    )
    kp = pts[keep]
    tip = (float(kp[np.argmin(kp[:, 1]), 0]) * CELL_MM, float(kp[:, 1].min()) * CELL_MM)
    px = CELL_PX
    centre = corners.mean(axis=0) * px
    return FingerSegment(
        corners=corners * px,
        angle_deg=float(hand_deg + phi),
        centre=(float(centre[0]), float(centre[1])),
        width_mm=(u1 - u0 - 2 * margin) * CELL_MM,
        length_mm=(vb - va - 2 * margin) * CELL_MM,
        tip=tip,
        area_mm2=float(keep.sum()) * CELL_MM**2,
        ridge_std=float(np.median(strength[keep])),
        touches_edge=touches,
        crease_found=found,
        cells=grid[:, ::-1].copy(),
        span=(float(kp[:, 0].min()) * CELL_MM, float(kp[:, 0].max()) * CELL_MM),
        pad_width_mm=float(np.subtract(*_spread(pts[:, 0], 0.01, 0.99)[::-1])) * CELL_MM,
        bottom=float(kp[:, 1].max()) * CELL_MM,
    )


def crease(occ: np.ndarray, mass: np.ndarray, width: float) -> tuple[float, bool]:
    """Length (rows below the tip) of the distal phalanx from the rows' cell counts and ridge
    mass, searched in ``CREASE_BAND`` finger widths below the tip.

    The crease is the row where the ridge mass falls furthest below the pad's (rows 0.2-0.7
    widths), if under 55 % of it: the pad ends there, or a light gap or the fainter, patchy
    contact of the middle phalanx follows. Without such a fall the pad's cells end within
    the band, or the distal phalanx is ``DEFAULT_LENGTH`` widths long.
    """
    n = len(occ)
    lo, hi = int(CREASE_BAND[0] * width), min(int(CREASE_BAND[1] * width) + 1, n)
    a, b = int(0.2 * width), max(int(0.7 * width), int(0.2 * width) + 1)
    ref_mass = float(np.median(mass[a:b])) if mass[a:b].size else 0.0
    default = float(min(DEFAULT_LENGTH * width, n))
    if hi <= lo or n <= CREASE_BAND[1] * width:
        return float(n), False  # the pad's cells end within the band
    if ref_mass <= 0:
        return default, False
    k = np.ones(3) / 3.0
    m = np.convolve(np.pad(mass, (1, 2)), k, mode="same")[1 : n + 1] / ref_mass
    j = lo + int(np.argmin(m[lo:hi]))
    if m[j] < 0.55:
        return float(j), True
    return default, False


def _select(
    found: list[FingerSegment], expected: int
) -> tuple[list[FingerSegment], list[dict[str, float]]]:
    """Fingertips among the parts found, left to right; the rest as extra blobs.

    A part too small for a fingertip is dropped as a fragment; a part lying right below a
    fingertip's distal phalanx (its tip within that phalanx's span across the hand) is that
    finger's lower phalanx; a part with less than a third of the fingertips' typical ridge
    contrast is a smudge, a latent or a bandage. If more parts remain than the slap can
    hold, the most ridged (contrast x sqrt(area)) are the fingers.
    """
    big = [f for f in found if f.area_mm2 >= MIN_FINGER_AREA_MM2 / (3 if f.touches_edge else 1)]
    big.sort(key=lambda f: f.tip[1])
    kept: list[FingerSegment] = []
    for f in big:
        lower = any(
            k.span[0] - 1.0 <= f.tip[0] <= k.span[1] + 1.0 and f.tip[1] > k.bottom - 3.0
            for k in kept
        )
        if not lower:
            kept.append(f)
    extra = [f for f in found if f not in kept]
    if kept:
        typical = float(np.median(sorted(f.ridge_std for f in kept)[-expected:]))
        weak = [f for f in kept if f.ridge_std < typical / 3.0]
        kept = [f for f in kept if f.ridge_std >= typical / 3.0]
        extra += weak
    if len(kept) > expected:
        kept.sort(key=lambda f: f.ridge_std * np.sqrt(f.area_mm2), reverse=True)
        extra += kept[expected:]
        kept = kept[:expected]
    kept.sort(key=lambda f: f.tip[0])
    return kept, [_blob(f) for f in extra if f.area_mm2 >= MIN_BLOB_MM2]


def _blob(f: FingerSegment) -> dict[str, float]:
    return {
        "area_mm2": round(f.area_mm2, 1),
        "x": round(f.centre[0]),
        "y": round(f.centre[1]),
        "ridge_std": round(f.ridge_std, 1),
    }


def _touching(
    labels_up: np.ndarray, fingers: list[FingerSegment], m: np.ndarray
) -> list[tuple[int, int]]:
    """Pairs of fingers whose distal phalanges share a border of ``TOUCH_MM`` or more (cells
    of one next to cells of the other, in the upright frame)."""
    if len(fingers) < 2:
        return []
    distal = np.zeros_like(labels_up)
    for f in fingers:
        g = f.cells[:, ::-1].astype(np.float64) + 0.5
        p = np.rint(g @ m[:, :2].T + m[:, 2] - 0.5).astype(np.int64)
        ok = (p[:, 0] >= 0) & (p[:, 0] < distal.shape[1]) & (p[:, 1] >= 0)
        ok &= p[:, 1] < distal.shape[0]
        distal[p[ok, 1], p[ok, 0]] = f.label
    big = int(distal.max()) + 1
    pairs = []
    for a, b in ((distal[:, :-1], distal[:, 1:]), (distal[:-1, :], distal[1:, :])):
        both = (a > 0) & (b > 0) & (a != b)
        lo, hi = np.minimum(a[both], b[both]), np.maximum(a[both], b[both])
        pairs.append(lo * big + hi)
    codes, counts = np.unique(np.concatenate(pairs), return_counts=True)
    need = TOUCH_MM / CELL_MM
    return [(int(c // big), int(c % big)) for c, n in zip(codes, counts, strict=True) if n >= need]
