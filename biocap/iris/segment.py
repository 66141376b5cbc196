"""Pupil and limbus circles of a near-infrared eye image, in a few milliseconds.

1. Work at <= 320 px wide (a 640x480 frame is halved): every boundary below is wider than 2 px.
2. Remove specular reflections (grey opening: bright spots smaller than the element vanish, the
   pupil stays dark) so the LED ring inside a CASIA-Interval pupil does not break the disk.
3. Pupil: the strongest dark disk (disk mean vs. surrounding ring, box filters at ~10 radii on a
   half-size image), refined by Daugman's integro-differential operator (radial derivative of
   circular means, all rays of a grid of centres sampled in one ``remap``), then one boundary
   radius per angle for circularity and gaze.
4. Limbus: the same operator restricted to the lateral sectors (eyelids cover the top and the
   bottom), on a grid of centres around the pupil's.

Circles are in working pixels; :attr:`Segmentation.scale` converts (input px = working / scale).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .polar import sample

WORK_WIDTH = 320
#: grey opening element (working px): removes reflections up to ~15 px across (LED rings, glints).
REFLECTION_ELEMENT_PX = 15
#: white top-hat (grey levels) above which a small bright spot is a specular reflection.
REFLECTION_TOPHAT = 40
#: ... and at least this bright: NIR glints saturate (CASIA 255, MMU2 ~240); iris texture never
REFLECTION_MIN_GREY = 200
#: a glint (what ``iris.specular_reflection`` counts) is a removed spot that also reaches the
#: frame's saturation level (its brightest grey minus this) with a top-hat of at least
#: ``GLINT_TOPHAT``, and is a compact blob: at most ``GLINT_MAX_AREA`` working px (a few
#: merged glints), bounding-box aspect <= ``GLINT_MAX_ASPECT``, filling >= ``GLINT_MIN_FILL``
#: of its box. Measured on CASIA-Interval: LED glints top-hat 160-220 at 255; bright iris
#: texture (crypt rims) top-hat 40-60 at 205-235; skin between the upper lashes and the wet
#: lower-lid edge saturate but come as long, ragged streaks.
GLINT_SATURATION_MARGIN = 12
GLINT_TOPHAT = 60
GLINT_MAX_AREA = 600
GLINT_MAX_ASPECT = 3.0
GLINT_MIN_FILL = 0.4
#: glints are filled from their darkest surroundings: a glint sits on the pupil or at its edge
#: (the illuminator's reflection on the cornea), so the grey opening's fill (the lighter iris
#: just outside, when the glint is within an element of the pupil edge) put a light notch in
#: the pupil that pushed MMU2 circles away from it. The fill covers the glint's blur halo
#: (``GLINT_HALO_PX`` ellipse around it) with the minimum over a ``GLINT_FILL_PX`` ellipse.
GLINT_HALO_PX = 5
GLINT_FILL_PX = 7
#: pupil/iris radius ratios searched (ISO/IEC 29794-6 accepts 0.2-0.7; wider to measure it).
MIN_PUPIL_IRIS_RATIO = 0.12
MAX_PUPIL_IRIS_RATIO = 0.8
PUPIL_ANGLES = 64
#: radial grey step (levels per working px) that counts as a pupil edge on one ray
PUPIL_EDGE_PER_PX = 4.0
#: smallest pupil radius accepted, working px (0.6 mm at the ~10 px/mm of a 320 px CASIA frame)
MIN_PUPIL_PX = 6.0
#: a dark-disk winner with at least this contrast (grey levels) is a pupil, not an iris ...
STRONG_PUPIL_CONTRAST = 60.0
#: ... unless a disk nested in it has an even ring (spread in units of its contrast, see
#: :class:`RingEvidence`): measured <= 0.15 on MMU2's small pupils in dark irises, >= 0.24 on
#: the dark centre of CASIA-Interval's LED ring (26 of 200 images were taken for the pupil)
NESTED_MAX_SPREAD = 0.2
#: a pupil is ringed by iris: a candidate's key is scaled by its ring score (floor - 0.5 spread
#: - 0.1 range, as the eye gate reads it) from 0 at ``RING_SCORE_NONE`` to 1 at
#: ``RING_SCORE_FULL``. Pupils measured 0.4-0.8; letters of a caption ("This image was
#: anonymized", open-iris sample), the black frame edge of an MMU2 image: < -0.2.
RING_SCORE_NONE = -0.3
RING_SCORE_FULL = 0.3
LIMBUS_SECTOR_DEG = ((-25.0, 35.0), (145.0, 205.0))  # right and left, y down (+ = below centre)


@dataclass(frozen=True, slots=True)
class Circle:
    x: float
    y: float
    r: float

    def scaled(self, k: float) -> Circle:
        return Circle(self.x * k, self.y * k, self.r * k)

    def as_list(self, ndigits: int = 1) -> list[float]:
        return [round(self.x, ndigits), round(self.y, ndigits), round(self.r, ndigits)]


@dataclass(frozen=True, slots=True)
class RingEvidence:
    """The ring just outside the pupil (1.15-1.6 r), over 32 angles, in units of the pupil's
    contrast: ``floor`` = (10th percentile - disk), ``spread`` = median absolute deviation,
    ``range`` = 90th - 10th percentile. An iris: floor ~0.8, spread ~0.1, range ~0.3."""

    floor: float
    spread: float
    range: float


NO_RING = RingEvidence(0.0, 1.0, 10.0)


@dataclass(frozen=True, slots=True)
class Segmentation:
    """Boundaries of one eye image and the evidence that it is an eye (working pixels).

    work: ``uint8 (h, w)`` working image; clean: the same with reflections opened away;
    reflections: ``bool (h, w)`` the bright spots that were removed (glints, but also bright
    skin between lashes and bright iris texture); glints: ``bool (h, w)`` the removed spots
    that are specular reflections (:func:`glint_mask`).
    pupil_radii: boundary radius per angle (``PUPIL_ANGLES`` angles from 0, y down).
    pupil_contrast: grey levels between the iris ring and the pupil disk.
    pupil_edge_share: share of angles whose radial edge at the boundary is clearly positive.
    pupil_edge_steps: ``(PUPIL_ANGLES,)`` radial grey step at the pupil boundary per angle
    (levels per working px).
    limbus_edge: mean radial grey step (levels per px) at the limbus in the lateral sectors.
    ring: how evenly a lighter ring surrounds the pupil (:class:`RingEvidence`).
    """

    scale: float
    work: np.ndarray
    clean: np.ndarray
    reflections: np.ndarray
    glints: np.ndarray
    pupil: Circle
    iris: Circle
    pupil_radii: np.ndarray
    pupil_contrast: float
    pupil_edge_share: float
    pupil_edge_steps: np.ndarray
    limbus_edge: float
    limbus_edge_sides: tuple[float, float]
    ring: RingEvidence


def working_image(grey: np.ndarray) -> tuple[np.ndarray, float]:
    """The grey image at <= ``WORK_WIDTH`` px wide and the scale (working px per input px)."""
    h, w = grey.shape
    k = min(1.0, WORK_WIDTH / w)
    if k < 1.0:
        size = (max(1, round(w * k)), max(1, round(h * k)))
        grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
        k = size[0] / w
    return np.ascontiguousarray(grey), k


def _level_candidates(
    img: np.ndarray, radii: tuple[float, ...], floor: float
) -> list[tuple[float, float, float, float]]:
    """Best dark disk of each radius on one pyramid level, as (x, y, r, score) in level px.

    OpenCV box filters only (SIMD, no NumPy temporaries): this runs on every pyramid level.
    """
    h, w = img.shape
    f = img.astype(np.float32)
    out = []
    # radii 2 and 2.5 round to the same box sizes: compute each (s_in, s_out) once
    done: dict[tuple[int, int], tuple[float, float, float]] = {}
    for r in radii:
        s_in = max(3, round(1.77 * r) | 1)
        s_out = max(s_in + 4, round(1.77 * 1.8 * r) | 1)
        if s_out + 1 >= min(h, w):
            break
        if (s_in, s_out) not in done:
            done[(s_in, s_out)] = _box_score(f, s_in, s_out, floor)
        x, y, best = done[(s_in, s_out)]
        out.append((x, y, r, best))
    return out


def _box_score(f: np.ndarray, s_in: int, s_out: int, floor: float) -> tuple[float, float, float]:
    """(x, y, score) of the best dark square of side ``s_in`` in a ring of side ``s_out``."""
    h, w = f.shape
    a_in, a_out = float(s_in * s_in), float(s_out * s_out)
    m_in = cv2.blur(f, (s_in, s_in), borderType=cv2.BORDER_REPLICATE)
    sq = cv2.sqrBoxFilter(f, cv2.CV_32F, (s_in, s_in), borderType=cv2.BORDER_REPLICATE)
    sd = cv2.sqrt(cv2.max(cv2.subtract(sq, cv2.multiply(m_in, m_in)), 0.0))
    m_out = cv2.blur(f, (s_out, s_out), borderType=cv2.BORDER_REPLICATE)
    # ring - disk - sd/2 - (disk - floor), ring = (a_out m_out - a_in m_in) / (a_out - a_in)
    k = 1.0 / (a_out - a_in)
    score = cv2.addWeighted(m_out, a_out * k, m_in, -a_in * k - 2.0, floor)
    score = cv2.scaleAdd(sd, -0.5, score)
    b = s_in // 2  # centres whose disk leaves the image see a replicated border
    _, best, _, (x, y) = cv2.minMaxLoc(score[b : h - b, b : w - b])
    return x + b + 0.5, y + b + 0.5, float(best)


def pupil_candidates(clean: np.ndarray, n: int = 3) -> list[tuple[float, float, float, float]]:
    """Up to ``n`` distinct dark disks as (x, y, r, score) in working px, best first.

    Squares of the same area stand in for disks (box filters); the ring is
    1.0-1.8 radii. Score = ring mean - disk mean - half the disk's grey std - the disk's
    darkness above the image's 1st percentile, so a uniform, very dark disk (the pupil) beats
    the iris disk of a small-pupil eye, eyelashes and hair. Radii 2-4 px are searched on each
    level of a pyramid (half, quarter ... size), so large disks cost no more than small ones.
    """
    level = cv2.resize(
        clean, (max(1, clean.shape[1] // 2), max(1, clean.shape[0] // 2)), cv2.INTER_AREA
    )
    floor = grey_percentile(level, 1.0)
    found: list[tuple[float, float, float, float]] = []
    k = 2.0  # working px per level px
    while min(level.shape) >= 16:
        for x, y, r, sc in _level_candidates(level, (2.0, 2.5, 3.2), floor):
            found.append((k * x, k * y, k * r, sc))
        level = cv2.resize(
            level, (level.shape[1] // 2, level.shape[0] // 2), interpolation=cv2.INTER_AREA
        )
        k *= 2.0
    found.sort(key=lambda c: -c[3])
    kept: list[tuple[float, float, float, float]] = []
    for c in found:
        # distinct: apart, or nested at another size (a pupil inside the iris disk)
        if all(
            np.hypot(c[0] - k[0], c[1] - k[1]) > min(c[2], k[2])
            or max(c[2], k[2]) > 1.6 * min(c[2], k[2])
            for k in kept
        ):
            kept.append(c)
        if len(kept) == n:
            break
    return kept or [(clean.shape[1] / 2, clean.shape[0] / 2, 8.0, -np.inf)]


def grey_percentile(img: np.ndarray, q: float) -> float:
    """The ``q``-th percentile of a ``uint8`` image to the grey level (a histogram, no sort)."""
    hist = cv2.calcHist([img], [0], None, [256], [0, 256]).ravel()
    return float(np.searchsorted(np.cumsum(hist), q / 100.0 * hist.sum()))


def _grid(x: float, y: float, half_x: float, half_y: float, step: float) -> np.ndarray:
    """``(n, 2)`` centres on a rectangular grid around (x, y), x varying fastest."""
    nx = int(half_x // step)
    ny = int(half_y // step)
    gx = x + step * np.arange(-nx, nx + 1)
    gy = y + step * np.arange(-ny, ny + 1)
    out = np.empty((gy.size, gx.size, 2))
    out[..., 0] = gx
    out[..., 1] = gy[:, None]
    return out.reshape(-1, 2)


def _smooth_diff(prof: np.ndarray, lag: int) -> np.ndarray:
    """Radial derivative over ``2*lag`` px (last axis); output aligned to the profile's radii."""
    d = np.zeros_like(prof)
    d[..., lag:-lag] = (prof[..., 2 * lag :] - prof[..., : -2 * lag]) / (2 * lag)
    return d


REFINE_ANGLES = np.linspace(0, 2 * np.pi, 32, endpoint=False)
COARSE_ANGLES = REFINE_ANGLES[::2]
BOUNDARY_ANGLES = np.linspace(0, 2 * np.pi, PUPIL_ANGLES, endpoint=False)
#: disk (0.1-0.8 r) and ring (1.15-1.6 r) radii of the contrast test, in pupil radii
DISK_RING = np.array([0.1, 0.3, 0.5, 0.65, 0.8, 1.15, 1.3, 1.45, 1.6], np.float32)
_UNIT30 = np.linspace(0.0, 1.0, 30)
_UNIT32 = np.linspace(0.0, 1.0, 32, dtype=np.float32)
_G5 = np.stack(np.meshgrid(np.arange(-2, 3), np.arange(-2, 3)), -1).reshape(-1, 2)


def _best_per_group(d: np.ndarray, n_per: list[int]) -> list[tuple[int, int]]:
    """(centre index, radius index) of the largest derivative within each candidate's rows."""
    out, start = [], 0
    for n in n_per:
        block = d[start : start + n]
        i = int(np.argmax(block))
        out.append((start + i // block.shape[1], i % block.shape[1]))
        start += n
    return out


def refine_pupils(img: np.ndarray, cands: list[tuple[float, float, float]]) -> list[Circle]:
    """Coarse-to-fine integro-differential search around each blob detector's disk, every
    candidate's centres and radii sampled in one ``remap`` per stage."""
    # stage 1: a grid of +-(0.3 r + 1) px, radii 0.6-2 r (30 each): the box detector's
    # coarse sizes (2-3.2 px per pyramid level) take a large pupil (CASIA, r ~ 58 px) for one
    # of 32 px when the bigger box's ring reaches the lashes
    grids, radii = [], []
    for x, y, r in cands:
        g = _grid(x, y, 0.3 * r + 1, 0.3 * r + 1, max(1.0, 0.15 * r))
        grids.append(g)
        lo = max(2.0, 0.6 * r)
        radii.append(np.broadcast_to(lo + (2.0 * r + 2 - lo) * _UNIT30, (len(g), 30)))
    centres, rad = np.concatenate(grids), np.concatenate(radii)
    d = _smooth_diff(sample(img, centres[:, 0], centres[:, 1], COARSE_ANGLES, rad).mean(1), 1)
    coarse = [(centres[ci], rad[ci, ri]) for ci, ri in _best_per_group(d, [len(g) for g in grids])]
    # stage 2: a 5x5 grid at 0.5 px, radii +-3 px at 0.5 px
    centres = np.concatenate([c + 0.5 * _G5 for c, _ in coarse])
    r0 = np.array([max(2.0, float(r) - 3.0) for _, r in coarse])
    rad = np.repeat(r0[:, None] + 0.5 * np.arange(13), len(_G5), axis=0)
    d = _smooth_diff(sample(img, centres[:, 0], centres[:, 1], REFINE_ANGLES, rad).mean(1), 1)
    best = _best_per_group(d, [len(_G5)] * len(coarse))
    return [
        Circle(float(centres[ci, 0]), float(centres[ci, 1]), float(rad[ci, ri])) for ci, ri in best
    ]


def disk_contrasts(img: np.ndarray, circles: list[Circle]) -> np.ndarray:
    """Per circle: (ring - disk, disk, ring spread, ring floor, ring range) grey levels,
    ``(n, 5)``.

    Medians over 32 angles of the ring 1.15-1.6 r and of the disk 0.1-0.8 r, so an eyelid or
    eyelashes over part of the ring do not decide it; the spread is the median absolute
    deviation of the ring over angles: an iris ring is even, dark text on paper is not. The
    floor (10th percentile over angles) and range (90th - 10th) serve the eye gate: an iris
    surrounds the pupil on every side with a lighter ring, a dark blob on hair, a nostril or
    a fingerprint smudge has dark or bright stretches around it.
    """
    cx = [c.x for c in circles]
    cy = [c.y for c in circles]
    rad = np.array([c.r for c in circles], np.float32)[:, None] * DISK_RING
    prof = sample(img, cx, cy, REFINE_ANGLES, rad)  # (n, 32, 9)
    disk = np.sort(prof[:, :, :5].mean(2), 1)
    ring_by_angle = prof[:, :, 5:].mean(2)
    ring = np.sort(ring_by_angle, 1)
    disk_med = 0.5 * (disk[:, 15] + disk[:, 16])
    ring_med = 0.5 * (ring[:, 15] + ring[:, 16])
    dev = np.sort(np.abs(ring_by_angle - ring_med[:, None]), 1)
    spread = 0.5 * (dev[:, 15] + dev[:, 16])
    lo, hi = ring[:, 3], ring[:, 28]  # ~10th and ~90th percentiles of 32 angles
    return np.stack([ring_med - disk_med, disk_med, spread, lo, hi - lo], 1)


def pupil_boundaries(
    img: np.ndarray, circles: list[Circle]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per circle: boundary radius per angle ``(n, PUPIL_ANGLES)``, the share of angles
    with a clear edge ``(n,)`` and the radial grey step at the boundary per angle (levels per
    working px, ``(n, PUPIL_ANGLES)``)."""
    r = np.array([c.r for c in circles], np.float32)[:, None]
    radii = np.maximum(1.0, 0.7 * r) + _UNIT32 * (1.35 * r + 1 - np.maximum(1.0, 0.7 * r))
    prof = sample(img, [c.x for c in circles], [c.y for c in circles], BOUNDARY_ANGLES, radii)
    d = _smooth_diff(prof, 1)
    j = np.argmax(d, axis=2)  # (n, angles)
    edge = np.take_along_axis(d, j[..., None], 2)[..., 0]
    step = radii[:, 1:2] - radii[:, 0:1]
    # a real pupil edge rises by >= ~15 grey levels over ~2 px; lashes and lids break it locally
    steps = edge / step
    share = np.mean(steps >= PUPIL_EDGE_PER_PX, axis=1)
    return np.take_along_axis(radii, j, 1).astype(np.float32), share, steps.astype(np.float32)


def _sector_angles(n_per_side: int) -> np.ndarray:
    sides = [np.deg2rad(np.linspace(a, b, n_per_side)) for a, b in LIMBUS_SECTOR_DEG]
    return np.concatenate(sides)


def find_limbus(img: np.ndarray, p: Circle) -> tuple[Circle, float, tuple[float, float]]:
    """Limbus circle from the lateral sectors, its mean edge and each side's edge.

    Each side's derivative is averaged separately and the two are added, so one bright eyelid
    corner on one side cannot pull the circle alone; the centre may move horizontally (gaze)
    more than vertically (the lateral sectors barely constrain it).
    """
    h, w = img.shape
    n_side = 12
    angles = _sector_angles(n_side)
    # start past the pupil edge's blur tail, whose slope would otherwise win
    r_lo = max(p.r / MAX_PUPIL_IRIS_RATIO, p.r + 8)
    r_hi = min(p.r / MIN_PUPIL_IRIS_RATIO, 0.75 * max(h, w))
    r_hi = max(r_hi, r_lo + 8)
    radii = np.arange(r_lo, r_hi, 1.0, dtype=np.float32)
    lag = 3  # the limbus is a broad edge (~10 px at 320 px wide)

    def side_sum(centres: np.ndarray, rad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        prof = sample(img, centres[:, 0], centres[:, 1], angles, rad)
        d = _smooth_diff(prof, lag)
        right = d[:, :n_side].mean(axis=1)
        left = d[:, n_side:].mean(axis=1)
        # a side with a stronger edge may not outvote a flat side by more than 2:1
        return right + left - 0.5 * np.abs(right - left), np.stack([right, left], -1)

    # stage 1: centre on the pupil's, shifted horizontally (off-axis gaze moves them apart)
    centres = _grid(p.x, p.y, 2.0 + 0.2 * p.r, 0.0, max(1.0, 0.05 * p.r))
    score, _ = side_sum(centres, radii)
    # only a peak along the radius is an edge: the pupil edge's blur tail falls from the
    # start of the range and would win there (the limbus at 0.75 pupil radii on ~12 % of
    # CASIA frames)
    peak = np.full(score.shape, -np.inf, np.float32)
    inner = score[:, lag + 1 : -lag - 1]
    is_peak = (inner >= score[:, lag : -lag - 2]) & (inner >= score[:, lag + 2 : -lag])
    peak[:, lag + 1 : -lag - 1] = np.where(is_peak, inner, -np.inf)
    if np.isfinite(peak).any():
        score = peak
    i = int(np.argmax(score))
    ci, ri = divmod(i, score.shape[1])
    cx, cy, r = float(centres[ci, 0]), float(centres[ci, 1]), float(radii[ri])
    # stage 2: fine grid around it
    radii = np.arange(max(r_lo, r - 0.12 * r), min(r_hi, r + 0.12 * r) + 1, 1.0, dtype=np.float32)
    if radii.size < 2 * lag + 2:
        radii = np.arange(r - 2 * lag - 2, r + 2 * lag + 3, 1.0, dtype=np.float32)
    centres = _grid(cx, cy, max(2.0, 0.06 * r), max(1.0, 0.04 * r), max(1.0, 0.02 * r))
    score, sides = side_sum(centres, radii)
    i = int(np.argmax(score))
    ci, ri = divmod(i, score.shape[1])
    c = Circle(float(centres[ci, 0]), float(centres[ci, 1]), float(radii[ri]))
    rl = sides[ci, ri]
    return c, float(score[ci, ri]), (float(rl[0]), float(rl[1]))


def ring_weight(ring: RingEvidence) -> float:
    """0-1: how much a candidate looks ringed by an iris (see ``RING_SCORE_NONE``)."""
    score = ring.floor - 0.5 * min(ring.spread, 2.0) - 0.1 * min(ring.range, 10.0)
    return float(np.clip((score - RING_SCORE_NONE) / (RING_SCORE_FULL - RING_SCORE_NONE), 0, 1))


def _candidates(smooth: np.ndarray, cands: list[tuple[float, float, float]], floor: float):
    """Refine and evaluate dark-disk candidates (batched): per kept one (key, circle, boundary
    radii, edge share, contrast, disk grey, ring evidence)."""
    if not cands:
        return []
    circles = [c for c in refine_pupils(smooth, cands) if c.r >= MIN_PUPIL_PX]
    if not circles:
        return []
    radii, shares, _ = pupil_boundaries(smooth, circles)
    dc = disk_contrasts(smooth, circles)
    out = []
    for k, c in enumerate(circles):
        contrast, disk, spread, lo, spread_range = (float(v) for v in dc[k])
        share = float(shares[k])
        # ring evidence relative to the pupil's contrast (5 levels keep a flat image finite)
        norm = abs(contrast) + 5.0
        ring = RingEvidence((lo - disk) / norm, spread / norm, spread_range / norm)
        key = share * max(contrast - max(disk - floor, 0.0) - spread, 0.0) * ring_weight(ring)
        out.append((key, c, radii[k], share, contrast, disk, ring))
    return out


def choose_pupil(
    clean: np.ndarray, smooth: np.ndarray, floor: float | None = None
) -> tuple[Circle, np.ndarray, float, float, RingEvidence]:
    """The pupil among the dark-disk candidates: (circle, boundary radii, edge share, contrast,
    ring evidence).

    A candidate must be round (most rays cross an edge), darker than an even ring around it
    and close to the image's darkest level. Then the innermost rule: a darker round disk
    nested inside the winner is the pupil and the winner was the iris (small pupils in dark
    irises, MMU2); a second, small search inside the winner looks for one.
    """
    if floor is None:  # the smoothed image's 1st percentile
        floor = grey_percentile(np.clip(smooth, 0, 255).astype(np.uint8), 1.0)
    cands = pupil_candidates(clean, n=5)
    # refining costs ~0.5 ms a candidate: skip disks far weaker than the best, unless none of
    # the strong ones is ringed by an iris (dark text beside the eye, a frame edge). A weak
    # disk is then taken only if fully ringed: fingerprints offer many weak dark disks, and
    # taking any of them let 11 more of 418 FVC prints through the eye gate
    top = cands[0][3]
    leading = [c for c in cands if c[3] >= 0.4 * top]
    found = _candidates(smooth, [(x, y, r) for x, y, r, _ in leading], floor)
    if len(leading) < len(cands) and not any(ring_weight(f[6]) >= 1.0 for f in found):
        rest = [(x, y, r) for x, y, r, sc in cands if sc < 0.4 * top]
        found += [f for f in _candidates(smooth, rest, floor) if ring_weight(f[6]) >= 1.0]
    if not found:
        c = Circle(smooth.shape[1] / 2, smooth.shape[0] / 2, float(MIN_PUPIL_PX))
        return c, np.full(PUPIL_ANGLES, c.r, np.float32), 0.0, 0.0, NO_RING
    found.sort(key=lambda f: -f[0])
    b = found[0][1]
    # an iris taken for the pupil is lighter than the darkest level: look inside it
    if b.r >= 2.5 * MIN_PUPIL_PX and found[0][5] - floor > 8.0:
        h, w = clean.shape
        x0, y0 = max(0, int(b.x - 0.8 * b.r)), max(0, int(b.y - 0.8 * b.r))
        x1, y1 = min(w, int(b.x + 0.8 * b.r) + 1), min(h, int(b.y + 0.8 * b.r) + 1)
        inner = pupil_candidates(clean[y0:y1, x0:x1], n=2)
        found += _candidates(smooth, [(x + x0, y + y0, r) for x, y, r, _ in inner], floor)
    best = found[0]
    for f in found[1:]:
        c, b = f[1], best[1]
        nested = np.hypot(c.x - b.x, c.y - b.y) < 0.5 * b.r and c.r < 0.8 * b.r
        # a strong pupil edge around the winner means it is the pupil: a darker patch inside
        # it (the dark centre of CASIA-Interval's LED ring) is taken only if an even iris
        # ring surrounds it
        strong = best[4] >= STRONG_PUPIL_CONTRAST and f[6].spread >= NESTED_MAX_SPREAD
        ringed = f[0] > 0.0  # its key is zero without an iris ring around it
        if (
            nested
            and ringed
            and f[3] >= 0.5
            and f[4] >= 8.0
            and f[5] < best[5] - 5.0
            and not strong
        ):
            best = f
    return best[1], best[2], best[3], best[4], best[6]


_BOUNDARY_BAND = np.array([0.85, 0.95, 1.05, 1.15], np.float32)


def pupil_boundary_reflections(seg: Segmentation) -> float:
    """Share (0-1) of the pupil boundary band (0.85-1.15 r, 32 angles) covered by specular
    reflections.

    Glints on the pupil edge (an LED ring as wide as a constricted pupil, CASIA-Interval)
    break the edge a classical segmenter fits, so a matcher fails there even when our circle
    is right: CASIA-Interval images with glints on > 5 % of the band fail 36 % of their
    genuine comparisons, the others 14 %.
    """
    p = seg.pupil
    band = sample(seg.reflections.view(np.uint8), [p.x], [p.y], REFINE_ANGLES, p.r * _BOUNDARY_BAND)
    return float(np.count_nonzero(band) / band.size)


def remove_reflections(work: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(image with small bright spots removed, their mask, the glints among them).

    Only spots that stand out of their surroundings (white top-hat) are replaced, so the large
    bright sclera keeps its edge with the iris. Removal is generous (any small bright spot
    disturbs the boundary search) and fills with the grey opening; glints (strict, see
    :func:`glint_mask`) and their halo are filled from their darkest surroundings instead
    (``GLINT_HALO_PX``).
    """
    element = cv2.getStructuringElement(
        cv2.MORPH_ELLIPSE, (REFLECTION_ELEMENT_PX, REFLECTION_ELEMENT_PX)
    )
    opened = cv2.morphologyEx(work, cv2.MORPH_OPEN, element)
    tophat = cv2.subtract(work, opened)
    spots = (tophat > REFLECTION_TOPHAT) & (work >= REFLECTION_MIN_GREY)
    spots = cv2.dilate(spots.view(np.uint8), np.ones((3, 3), np.uint8)).view(bool)
    clean = np.where(spots, opened, work)
    glints = glint_mask(work, tophat, spots)
    if glints.any():
        # only around the glints (a few small blobs): the box holding them, halo and fill reach
        x, y, w, h = cv2.boundingRect(glints.view(np.uint8))
        m = GLINT_HALO_PX // 2 + GLINT_FILL_PX // 2 + 1
        box = np.s_[max(0, y - m) : y + h + m, max(0, x - m) : x + w + m]
        halo = cv2.dilate(glints[box].view(np.uint8), _ellipse(GLINT_HALO_PX)).view(bool)
        hidden = np.where(halo | spots[box], np.uint8(255), work[box])
        dark = cv2.erode(hidden, _ellipse(GLINT_FILL_PX))
        # a halo pixel with no unmasked neighbour keeps the opening's fill
        fill = halo & (dark < 255)
        clean[box] = np.where(fill, dark, clean[box])
    return clean, spots, glints


def _ellipse(size: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))


def glint_mask(work: np.ndarray, tophat: np.ndarray, spots: np.ndarray) -> np.ndarray:
    """``bool (h, w)``: the removed spots that are specular reflections.

    A glint is small, saturated, far brighter than what surrounds it and compactly bounded;
    skin seen between eyelashes and a wet lid edge are as bright but come as long, ragged
    streaks, bright iris texture is not saturated (constants: ``GLINT_*``). One labelling of
    the (few) spots and a lookup table per label: no loop over pixels or spots.
    """
    if not spots.any():
        return spots
    top = max(REFLECTION_MIN_GREY, int(work.max()) - GLINT_SATURATION_MARGIN)
    core = (work >= top) & (tophat >= GLINT_TOPHAT) & spots
    if not core.any():
        return np.zeros_like(spots)
    # 16-bit labels run ~3x faster; spots are 3x3-dilated, so at most size / 9 components
    ltype = cv2.CV_16U if spots.size < 9 * 65535 else cv2.CV_32S
    n, labels, stats, _ = cv2.connectedComponentsWithStats(
        spots.view(np.uint8), connectivity=8, ltype=ltype
    )
    bw, bh, area = stats[:, 2], stats[:, 3], stats[:, 4]
    keep = np.zeros(n, bool)
    keep[labels[core]] = True
    keep &= (
        (area <= GLINT_MAX_AREA)
        & (np.maximum(bw, bh) <= GLINT_MAX_ASPECT * np.minimum(bw, bh))
        & (area >= GLINT_MIN_FILL * bw * bh)
    )
    keep[0] = False
    return np.take(keep, labels)


def segment(grey: np.ndarray) -> Segmentation:
    """Pupil and limbus of one eye image (``uint8 (h, w)``); never raises on content.

    A non-eye still yields circles: whether they are an eye is judged from the returned
    evidence (contrast, edge share, limbus edge), by thresholds the caller owns.
    """
    work, k = working_image(grey)
    clean, reflections, glints = remove_reflections(work)
    smooth8 = cv2.GaussianBlur(clean, (0, 0), 1.0)
    smooth = smooth8.astype(np.float32)
    floor = grey_percentile(smooth8, 1.0)
    pupil, radii, share, contrast, ring = choose_pupil(clean, smooth, floor)
    _, _, steps = pupil_boundaries(smooth, [pupil])
    limbus_img = cv2.GaussianBlur(clean, (0, 0), 2.0).astype(np.float32)
    iris, edge, sides = find_limbus(limbus_img, pupil)
    return Segmentation(
        scale=k,
        work=work,
        clean=clean,
        reflections=reflections,
        glints=glints,
        pupil=pupil,
        iris=iris,
        pupil_radii=radii,
        pupil_contrast=contrast,
        pupil_edge_share=share,
        pupil_edge_steps=steps[0],
        limbus_edge=edge,
        limbus_edge_sides=sides,
        ring=ring,
    )
