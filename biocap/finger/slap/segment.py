"""Slap segmentation: fingertips, distal phalanges and their oriented boxes, on a cell grid.

Everything runs on a grid of 8 x 8 px cells at 500 ppi (0.41 mm, ~25 000 cells for a
1600 x 1000 slap), so no step touches every pixel more than once:

1. **Texture**: the image halved (area average), then per cell the grey standard deviation
   over 3 x 3 cells. Ridges give 15-60 grey levels, a platen with sensor noise, a faint old
   latent or a ridgeless smudge a few. The threshold sits a quarter of the way from the
   platen's level (25th percentile) to the ridges' (97th), so it follows each scanner.
2. **Hand direction**: the foreground's projections for hand rotations of -70..70 degrees at
   once (one ``bincount``); fingers and the gaps between them line up with the projection
   axis when the energy (sum of squared column counts) peaks (the Radon-transform skew
   search NIST's NFSEG also uses).
3. **Fingertips**: in the hand's upright frame a line sweeps down from the top; a connected
   part of the foreground above it that holds no known tip is a new tip, unless it lies right
   below a known finger (the middle phalanx after the distal crease).
4. **Fingers**: every foreground cell joins its nearest tip's region (one distance transform
   with labels); each finger's own axis comes from its region's second moments, and the
   distal phalanx ends at the distal crease: the first light gap or narrowing of the finger
   between 0.8 and 1.9 finger widths below the tip (1.45 widths when there is none).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

CELL_PX = 8  # at 500 ppi
CELL_MM = CELL_PX * 25.4 / 500.0
#: hand rotations searched (deg, positive = fingers lean to the image's right)
ANGLE_RANGE_DEG = 70.0
ANGLE_STEP_DEG = 2.0
#: a tip's part of the foreground must reach this area (mm2) to count as a finger
MIN_FINGER_AREA_MM2 = 45.0
#: foreground specks smaller than this (mm2) are dust
MIN_BLOB_MM2 = 8.0
#: a new part this close below a finger's cells is its next phalanx (crease gaps are 0-3 mm)
LOWER_GAP_MM = 8.0
#: two tips joining before the later one's part reaches this area were one fingertip
MIN_TIP_AREA_MM2 = 25.0


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
    the image's right). ``tip`` and ``height_mm`` are in the hand's upright frame (y down), for
    the position and hand checks.
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
    cells: np.ndarray = field(repr=False)  # (n, 2) row, col of its distal cells
    span: tuple[float, float] = (0.0, 0.0)  # across the hand (upright frame, mm)
    bottom: float = 0.0  # the distal phalanx's lowest point (upright frame, mm)
    label: int = 0  # its value in ``Segmentation.labels``
    position: int = 0


@dataclass(slots=True)
class Segmentation:
    """What :func:`segment` found: the hand's rotation, the fingers left to right, and the
    blobs that were not fingers."""

    hand_angle_deg: float
    fingers: list[FingerSegment]
    extra: list[dict[str, float]]
    merged: list[tuple[int, int]]  # labels of fingertips split apart (pressed together)
    texture: Texture
    labels: np.ndarray  # (rows, cols) int32: finger index + 1 of every foreground cell, 0 bg
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
    lo, hi = np.percentile(std, [25.0, 97.0])
    threshold = float(max(lo + 0.25 * (hi - lo), lo + 4.0, 6.0))
    fg = (std > threshold).astype(np.uint8)
    fg = cv2.morphologyEx(fg, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(fg, connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] * CELL_MM**2 >= MIN_BLOB_MM2
    keep[0] = False
    fg = keep[labels]
    bg = float(np.median(m[~fg])) if (~fg).any() else float(np.median(m))
    return Texture(m, std, fg, threshold, bg)


def _strong(tex: Texture) -> np.ndarray:
    """The most contrasted foreground: fingertip pads, without the fainter lower phalanges."""
    lo, hi = np.percentile(tex.std, [25.0, 97.0])
    strong = (tex.std > lo + 0.4 * (hi - lo)).astype(np.uint8)
    return cv2.morphologyEx(strong, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))


def hand_angle(fg: np.ndarray) -> float:
    """Rotation (deg) that makes the fingers upright, from the shapes of the blobs.

    Fingertip pads are longer than wide along their finger (1.3-1.7 : 1): the hand's
    direction is the mean of the blobs' major axes (doubled angles, weighted by area and
    elongation), over blobs within 60 degrees of upright. The projection-energy search of
    NFSEG was tried first: the rows of phalanges (distal, middle, proximal) across the hand
    beat the columns of fingers on composed slaps.
    """
    n, labels = cv2.connectedComponents(fg.astype(np.uint8), connectivity=8)
    if n <= 1:
        return 0.0
    ys, xs = np.nonzero(labels)
    k = labels[ys, xs]
    area = np.bincount(k, minlength=n).astype(np.float64)
    a = np.maximum(area, 1.0)
    mx, my = np.bincount(k, xs, n) / a, np.bincount(k, ys, n) / a
    dx, dy = xs - mx[k], ys - my[k]
    sxx = np.bincount(k, dx * dx, n) / a
    syy = np.bincount(k, dy * dy, n) / a
    sxy = np.bincount(k, dx * dy, n) / a
    # major-axis angle from the vertical (positive = top to the right, y down)
    lean = 0.5 * np.arctan2(-2.0 * sxy, syy - sxx)
    root = np.sqrt((sxx - syy) ** 2 + 4 * sxy * sxy)
    major, minor = (sxx + syy + root) / 2, np.maximum((sxx + syy - root) / 2, 1e-9)
    elong = 1.0 - np.sqrt(minor / np.maximum(major, 1e-9))
    upright = np.abs(lean) < np.deg2rad(60.0)
    big = area * CELL_MM**2 >= MIN_FINGER_AREA_MM2
    w = area * elong * (upright & big)
    w[0] = 0.0
    if w.sum() <= 0:
        return 0.0
    z = (w * np.exp(2j * lean)).sum()
    return float(np.degrees(0.5 * np.angle(z)))


def _projection_energy(xs: np.ndarray, ys: np.ndarray, angles_deg: np.ndarray) -> np.ndarray:
    """Sum of squared column counts of the points rotated by each angle (all angles at once).

    Along a finger leaning by +a (tip towards the image's right, y down) the coordinate
    across it, ``x cos a + y sin a``, stays constant.
    """
    t = np.deg2rad(angles_deg)[:, None]
    u = xs[None, :] * np.cos(t) + ys[None, :] * np.sin(t)
    u -= u.min(axis=1, keepdims=True)
    # each point split between its two bins: floor binning of lattice points aliases (at 45
    # degrees sqrt(2) lattice lines share a bin) and would beat the real peak
    i0 = np.floor(u).astype(np.int64)
    frac = u - i0
    width = int(i0.max()) + 2
    offset = width * np.arange(len(angles_deg))[:, None]
    n = width * len(angles_deg)
    counts = np.bincount((i0 + offset).ravel(), (1.0 - frac).ravel(), minlength=n)
    counts += np.bincount((i0 + 1 + offset).ravel(), frac.ravel(), minlength=n)
    counts = counts.reshape(len(angles_deg), width)
    return (counts * counts).sum(axis=1)


def _upright(fg: np.ndarray, angle_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """The mask turned so the fingers point up, on a canvas that holds all of it, and the
    2x3 affine that maps grid (x, y) to the upright canvas."""
    rows, cols = fg.shape
    m = cv2.getRotationMatrix2D((cols / 2.0, rows / 2.0), angle_deg, 1.0)
    corners = np.array([[0, 0, 1], [cols, 0, 1], [0, rows, 1], [cols, rows, 1]], np.float64)
    moved = corners @ m.T
    lo = moved.min(axis=0)
    m[:, 2] -= lo
    size = np.ceil(moved.max(axis=0) - lo).astype(int) + 1
    up = cv2.warpAffine(
        fg.astype(np.uint8), m, (int(size[0]), int(size[1])), flags=cv2.INTER_NEAREST
    )
    return up, m


def _tips(up: np.ndarray, max_depth_cells: int) -> list[tuple[int, int]]:
    """Fingertips (row, col) of the upright mask by a downward sweep (module docstring, 3).

    A new part of the foreground above the sweep line is a new tip unless foreground cells
    lie right above it within ``LOWER_GAP_MM`` (it is then the next phalanx of that finger).
    Two tips whose parts join while the later one's part is still smaller than
    ``MIN_TIP_AREA_MM2`` were one fingertip broken by a pale patch: the later one is dropped.
    """
    rows_any = np.flatnonzero(up.any(axis=1))
    if rows_any.size == 0:
        return []
    top = int(rows_any[0])
    bottom = min(up.shape[0], top + max_depth_cells)
    step = max(1, round(1.2 / CELL_MM))
    above = round(LOWER_GAP_MM / CELL_MM)
    min_cells = MIN_TIP_AREA_MM2 / CELL_MM**2
    tips: list[tuple[int, int]] = []
    for t in range(top + step, bottom + step, step):  # ~65 levels on a tiny grid
        sub = np.ascontiguousarray(up[: min(t, up.shape[0])])
        n, lab, stats, _ = cv2.connectedComponentsWithStats(sub, connectivity=8)
        owners: dict[int, list[int]] = {}
        for i, (r, c) in enumerate(tips):
            owners.setdefault(int(lab[r, c]), []).append(i)
        drop = set()
        for k, ids in owners.items():
            if len(ids) > 1 and stats[k, cv2.CC_STAT_AREA] < len(ids) * min_cells:
                drop.update(ids[1:])  # joined before each could grow a fingertip's area
        if drop:
            tips = [tip for i, tip in enumerate(tips) if i not in drop]
        for k in range(1, n):
            if k in owners:
                continue
            y0 = int(stats[k, cv2.CC_STAT_TOP])
            cs = np.flatnonzero(lab[y0] == k)
            x = int(cs[len(cs) // 2])
            x0, x1 = max(0, x - 2), x + 3
            if lab[max(0, y0 - above) : y0, x0:x1].any():
                continue  # a lower phalanx right below a finger
            tips.append((y0, x))
    return tips


def segment(grey: np.ndarray, expected: int) -> Segmentation:
    """Fingers of a 500 ppi slap, left to right; ``expected`` is 4 (a hand) or 2 (thumbs)."""
    tex = texture(grey)
    fg = tex.foreground
    angle = hand_angle(_strong(tex))
    up, m = _upright(fg, angle)
    depth = round(80.0 / CELL_MM)  # the little fingertip and its distal, below the highest
    tips = _tips(up, depth)
    markers = _markers(up, tips)
    labels_up = _flood(up, markers)
    inv = cv2.invertAffineTransform(m)
    rows, cols = fg.shape
    labels = cv2.warpAffine(
        labels_up.astype(np.float32), inv, (cols, rows), flags=cv2.INTER_NEAREST
    )
    labels = labels.astype(np.int32) * fg
    found = []
    for i, (r, c) in enumerate(tips):
        seg = _distal(labels == i + 1, tex, angle, (r, c), inv)
        if seg is not None:
            seg.label = i + 1
            found.append(seg)
    fingers, extra = _select(found, expected)
    merged: list[tuple[int, int]] = []
    if 0 < len(fingers) < expected:
        fingers, merged, dropped = _split_wide(fingers, labels, tex, angle, expected)
        extra += [_blob(f) for f in dropped]
    return Segmentation(angle, fingers, extra, merged, tex, labels, grey.shape)


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
    big = [f for f in found if f.area_mm2 >= MIN_FINGER_AREA_MM2]
    big.sort(key=lambda f: f.tip[1])
    kept: list[FingerSegment] = []
    for f in big:
        lower = any(
            k.span[0] - 1.0 <= f.tip[0] <= k.span[1] + 1.0 and f.tip[1] > k.bottom - 3.0
            for k in kept
        )
        if not lower:
            kept.append(f)
    extra = []
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
    return kept, [_blob(f) for f in extra]


def _blob(f: FingerSegment) -> dict[str, float]:
    return {
        "area_mm2": round(f.area_mm2, 1),
        "x": round(f.centre[0]),
        "y": round(f.centre[1]),
        "ridge_std": round(f.ridge_std, 1),
    }


def _split_wide(
    fingers: list[FingerSegment], labels: np.ndarray, tex: Texture, angle: float, expected: int
) -> tuple[list[FingerSegment], list[tuple[int, int]], list[FingerSegment]]:
    """Fingertips pressed together form one part about twice a finger wide: split the widest
    such part at its narrowest column (across the hand) and measure both halves."""
    widths = sorted(f.width_mm for f in fingers)
    typical = float(np.median(widths[:-1])) if len(widths) > 1 else 15.0
    merged, dropped = [], []
    for _ in range(expected):
        wide = max(fingers, key=lambda f: f.width_mm)
        if wide.width_mm < 1.55 * min(typical, 18.0):
            break
        if len(fingers) >= expected:  # a weak extra part took a place: two fingers are one
            weakest = min(
                (f for f in fingers if f is not wide),
                key=lambda f: f.ridge_std * np.sqrt(f.area_mm2),
                default=None,
            )
            if weakest is None:
                break
            fingers = [f for f in fingers if f is not weakest]
            dropped.append(weakest)
        cells = labels == wide.label
        ys, xs = np.nonzero(cells)
        ha, _ = _axes(angle)
        u = (np.stack([xs, ys], 1) + 0.5) @ ha
        lo, hi = np.percentile(u, [2, 98])
        bins = np.arange(lo, hi + 1.0)
        occ = np.histogram(u, bins)[0]
        a, b = int(0.3 * len(occ)), max(int(0.7 * len(occ)), int(0.3 * len(occ)) + 1)
        cut = lo + a + int(np.argmin(occ[a:b]))
        new_label = int(labels.max()) + 1
        right = np.zeros_like(cells)
        right[ys[u >= cut], xs[u >= cut]] = True
        labels[right] = new_label
        halves = []
        for lab in (wide.label, new_label):
            seg = _distal(labels == lab, tex, angle, (0, 0), None)
            if seg is not None and seg.area_mm2 >= MIN_FINGER_AREA_MM2 / 2:
                seg.label = lab
                halves.append(seg)
        if len(halves) != 2:
            break
        fingers = [f for f in fingers if f is not wide] + halves
        fingers.sort(key=lambda f: f.tip[0])
        merged.append((halves[0].label, halves[1].label))
    return fingers, merged, dropped


def _markers(up: np.ndarray, tips: list[tuple[int, int]]) -> np.ndarray:
    """Each tip's own part of the mask: its connected part in the 18 mm below the tip, or in
    the 4 mm below it when that part overlaps another tip's (fingertips pressed together)."""

    def part(r: int, c: int, depth_mm: float) -> np.ndarray:
        full = np.zeros(up.shape, bool)
        band = np.ascontiguousarray(up[r : r + round(depth_mm / CELL_MM)])
        _, lab = cv2.connectedComponents(band, connectivity=8)
        full[r : r + band.shape[0]] = lab == lab[0, c]
        return full

    parts = [part(r, c, 18.0) for r, c in tips]
    markers = np.zeros(up.shape, np.int32)
    for i, (r, c) in enumerate(tips):
        mine = parts[i]
        if any((mine & other).any() for j, other in enumerate(parts) if j != i):
            mine = part(r, c, 4.0)
        markers[mine & (markers == 0)] = i + 1
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


def _distal(
    cells: np.ndarray, tex: Texture, hand_deg: float, tip_up: tuple[int, int], inv: np.ndarray
) -> FingerSegment | None:
    """The distal phalanx of one finger's cells: its axis, crease and oriented box.

    Twice: in the frame of the current axis (first the hand's), the rows along the finger give
    the ridge mass profile (cells x their texture); the crease ends the distal phalanx, whose
    cells' second moments then correct the axis.
    """
    ys, xs = np.nonzero(cells)
    if ys.size < 10:
        return None
    pts = np.stack([xs, ys], 1).astype(np.float64) + 0.5
    strength = tex.std[ys, xs].astype(np.float64)
    phi, crease, found, keep = hand_deg, 0.0, False, None
    for _ in range(2):
        across, down = _axes(phi)
        u, v = pts @ across, pts @ down
        rel = v - v.min()
        rows = rel.astype(np.int64)
        nbin = int(rows.max()) + 1
        occ = np.bincount(rows, minlength=nbin).astype(np.float64)
        mass = np.bincount(rows, strength, minlength=nbin)
        head = rel < 14.0 / CELL_MM
        if head.sum() < 10:
            return None
        width = float(np.percentile(u[head], 98) - np.percentile(u[head], 2)) + 1.0
        crease, found = _crease(occ, mass, width)
        keep = rel < crease
        if keep.sum() < 10:
            return None
        phi += _lean_deg(u[keep], v[keep])
    across, down = _axes(phi)
    u, v = pts[keep] @ across, pts[keep] @ down
    u0, u1 = np.percentile(u, 0.5) - 0.5, np.percentile(u, 99.5) + 0.5
    va, vb = v.min() - 0.5, v.max() + 0.5
    corners = np.array(
        [
            u0 * across + va * down,
            u1 * across + va * down,
            u0 * across + vb * down,
            u1 * across + vb * down,
        ]
    )
    corners = _grow(corners, across, down, 0.6 / CELL_MM)
    centre = corners.mean(axis=0)
    cells_rc = np.stack([ys[keep], xs[keep]], 1)
    rows_n, cols_n = tex.std.shape
    touches = bool(
        (cells_rc[:, 0] == 0).any()
        or (cells_rc[:, 0] == rows_n - 1).any()
        or (cells_rc[:, 1] == 0).any()
        or (cells_rc[:, 1] == cols_n - 1).any()
    )
    ridge_std = float(np.median(strength[keep]))
    # the tip in the hand's upright frame (mm)
    ha, hd = _axes(hand_deg)
    tu, tv = pts[keep] @ ha, pts[keep] @ hd
    tip = (float(tu[tv.argmin()]) * CELL_MM, float(tv.min()) * CELL_MM)
    px = CELL_PX
    return FingerSegment(
        corners=corners * px,
        angle_deg=float(phi),
        centre=(float(centre[0] * px), float(centre[1] * px)),
        width_mm=float(u1 - u0) * CELL_MM,
        length_mm=float(vb - va) * CELL_MM,
        tip=tip,
        area_mm2=float(keep.sum()) * CELL_MM**2,
        ridge_std=ridge_std,
        touches_edge=touches,
        crease_found=found,
        cells=cells_rc,
        span=(float(tu.min()) * CELL_MM, float(tu.max()) * CELL_MM),
        bottom=float(tv.max()) * CELL_MM,
    )


def _axes(phi_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """A finger at rotation ``phi``: its across (x) and tip-to-base (y) unit vectors."""
    p = np.deg2rad(phi_deg)
    return np.array([np.cos(p), np.sin(p)]), np.array([-np.sin(p), np.cos(p)])


def _grow(corners, across, down, margin):
    """Corners pushed out by ``margin`` cells on every side."""
    out = []
    for i, c in enumerate(corners):
        su = -1.0 if i in (0, 2) else 1.0
        sv = -1.0 if i in (0, 1) else 1.0
        out.append(c + margin * (su * across + sv * down))
    return np.array(out)


def _lean_deg(u: np.ndarray, v: np.ndarray) -> float:
    """The cells' lean from the v axis (deg, positive = top to the right), from their second
    moments, trusted in proportion to how elongated they are (a round pad has no direction)."""
    if u.size < 10:
        return 0.0
    du, dv = u - u.mean(), v - v.mean()
    suu, svv, suv = (du * du).mean(), (dv * dv).mean(), (du * dv).mean()
    if svv <= suu:
        return 0.0
    aspect = float(np.sqrt(svv / max(suu, 1e-9)))
    trust = float(np.clip((aspect - 1.1) / 0.35, 0.0, 1.0))
    lean = np.degrees(0.5 * np.arctan2(-2.0 * suv, svv - suu))
    return float(np.clip(trust * lean, -15.0, 15.0))


def _crease(occ: np.ndarray, mass: np.ndarray, width: float) -> tuple[float, bool]:
    """Distal crease (cells below the tip), searched 0.8-1.9 finger widths below the tip: the
    first row where the finger is less than 35 % as wide as its pad, or carries less than 30 %
    of the pad's ridge mass (cells x texture) per row; else the deepest dip there under 60 %
    of the pad's mass; else 1.45 widths."""
    n = len(occ)
    lo, hi = int(0.8 * width), min(int(1.9 * width), n)
    default = float(min(1.45 * width, n))
    a, b = int(0.2 * width), max(int(0.7 * width), int(0.2 * width) + 1)
    if hi <= lo or mass[a:b].size == 0:
        return (float(n) if hi <= lo else default), False
    ref_occ, ref_mass = float(np.median(occ[a:b])), float(np.median(mass[a:b]))
    if ref_mass <= 0:
        return default, False
    k = np.ones(3) / 3.0
    o = np.convolve(occ, k, mode="same")[lo:hi]
    m = np.convolve(mass, k, mode="same")[lo:hi]
    low = np.flatnonzero((o < 0.35 * ref_occ) | (m < 0.3 * ref_mass))
    if low.size:
        return float(lo + low[0]), True
    j = int(np.argmin(m))
    if m[j] < 0.6 * ref_mass and 0 < j < len(m) - 1:
        return float(lo + j), True
    return default, False
