"""Synthetic fingerprints and capture defects: test images and bundled benchmark samples.

Everything here is deterministic (a seed where randomness is involved), vectorised (loops run
over a handful of filter angles or scars, never over pixels) and returns ``uint8`` grey images
at a nominal 500 ppi with dark ridges on a light background, the way an optical scanner sees a
finger.

- :func:`ridge_pattern`: plain oriented sinusoid ridges with known direction, period and contrast,
  for checking measures against ground truth.
- :func:`fingerprint`: a plausible plain impression (loop with one core and one delta) grown from
  noise by orientation-steered band-pass filtering, in the spirit of SFinGe (Cappelli et al.).
- ``dry``, ``wet``, ``worn``, ``partial``, ``off_centre``, ``scar``: each simulates one capture
  defect that :mod:`biocap.finger.defects` names; :func:`blank` is an empty platen.
- ``smudge``, ``dry_patch``, ``worn_patch``: a *local* defect inside a soft ellipse of known
  centre and size (:func:`region_mask`), for the region detector (:mod:`biocap.finger.regions`).

Degradations take and return ``uint8 (h, w)`` grey prints such as :func:`fingerprint` makes.
Angles follow :class:`biocap.finger.fields.Fields`: the *ridge direction*, measured from the image
x axis (right) towards the y axis (down), in degrees here and radians there.
"""

from __future__ import annotations

import cv2
import numpy as np

#: grey of an empty platen (optical scanners give ~220-240).
BACKGROUND_GREY = 230.0
#: grey of valleys and of ridges of a well-pressed finger in :func:`fingerprint`.
VALLEY_GREY = 215.0
RIDGE_GREY = 45.0
#: filter bank size for ridge growing: 12 angles (15 deg apart), blended linearly between the
#: two nearest, so the steered response has no seams where the quantised angle changes.
_N_ANGLES = 12
_GROW_ITERATIONS = 3


def ridge_pattern(
    shape: tuple[int, int] = (400, 400),
    period_px: float = 9.0,
    angle_deg: float = 30.0,
    contrast: float = 1.0,
    mean: float = 128.0,
) -> np.ndarray:
    """Oriented sinusoid ridges, ``uint8 (h, w)``.

    Parameters
    ----------
    shape:
        ``(height, width)`` in px.
    period_px:
        Ridge-to-ridge distance in px (500 ppi prints: ~7-12 px).
    angle_deg:
        Ridge direction in degrees from the x axis towards +y (image down).
    contrast:
        Ridge-valley amplitude as a share (0-1) of the largest one that fits around ``mean``.
    mean:
        Mean grey level. Ridges are dark: a ridge centre is ``mean - amplitude``.
    """
    _check_period(period_px)
    h, w = shape
    theta = np.deg2rad(angle_deg)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    across = -x * np.sin(theta) + y * np.cos(theta)  # distance across the ridges
    amplitude = float(np.clip(contrast, 0.0, 1.0)) * min(mean, 255.0 - mean)
    img = mean - amplitude * np.cos(2.0 * np.pi * across / period_px)
    return _to_uint8(img)


def orientation_field(
    shape: tuple[int, int],
    cores: list[tuple[float, float]],
    deltas: list[tuple[float, float]],
    base_deg: float = 0.0,
) -> np.ndarray:
    """Sherlock-Monro zero-pole ridge orientation (radians in ``[0, pi)``), ``float32 (h, w)``.

    ``theta(z) = base + 1/2 (sum arg(z - core) - sum arg(z - delta))`` with points given as
    ``(x, y)`` px. Far from the singular points ridges run at ``base_deg`` (0 = horizontal, as
    across the top of a finger). Sherlock & Monro, Pattern Recognition 26(11), 1993.
    """
    h, w = shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    z = x + 1j * y
    theta = np.full(shape, np.deg2rad(base_deg), np.float64)
    for cx, cy in cores:
        theta += 0.5 * np.angle(z - (cx + 1j * cy))
    for dx, dy in deltas:
        theta -= 0.5 * np.angle(z - (dx + 1j * dy))
    return np.mod(theta, np.pi).astype(np.float32)


def fingerprint(
    shape: tuple[int, int] = (400, 380), seed: int = 0, period_px: float = 9.0
) -> np.ndarray:
    """A synthetic plain impression (loop with one core and one delta), ``uint8 (h, w)``.

    Ridges are grown from noise by a few rounds of orientation-steered Gabor filtering: a bank of
    ``_N_ANGLES`` kernels tuned to ``period_px``, each applied to the whole image with
    ``cv2.filter2D`` and blended per pixel by the orientation field. The finger is an ellipse
    with a soft border on a light background; pressure varies smoothly over it. Takes ~0.1-0.2 s
    for the default size.
    """
    _check_period(period_px)
    h, w = shape
    rng = np.random.default_rng(seed)
    core = (w * rng.uniform(0.45, 0.58), h * rng.uniform(0.36, 0.46))
    delta = (w * rng.uniform(0.22, 0.35), h * rng.uniform(0.68, 0.78))
    theta = orientation_field(shape, [core], [delta], base_deg=rng.uniform(-8.0, 8.0))

    ridges = rng.standard_normal(shape).astype(np.float32)
    bank = _gabor_bank(period_px)
    weights = _angle_weights(theta, len(bank))
    for _ in range(_GROW_ITERATIONS):
        ridges = _steered_filter(ridges, weights, bank)
        # Soft saturation: grows ridges to full depth and evens out their strength.
        ridges = np.tanh(2.0 * ridges / (ridges.std() + 1e-6))

    cx, cy = w * rng.uniform(0.47, 0.53), h * rng.uniform(0.47, 0.53)
    ax, ay = 0.36 * w, 0.44 * h
    mask = _soft_ellipse(shape, (cx, cy), (ax, ay), softness_px=0.04 * min(h, w))
    pressure = 0.85 + 0.15 * _smooth_noise(shape, rng, scale_px=60.0)
    depth = (VALLEY_GREY - RIDGE_GREY) * mask * pressure
    # ridges in [-1, 1]; +1 is a ridge centre (dark).
    img = BACKGROUND_GREY - mask * (BACKGROUND_GREY - VALLEY_GREY) - depth * (ridges + 1.0) / 2.0
    img = cv2.GaussianBlur(img.astype(np.float32), (0, 0), 0.7)
    img += rng.normal(0.0, 3.0, shape).astype(np.float32)
    return _to_uint8(img)


def blank(shape: tuple[int, int] = (400, 380), value: int = 230) -> np.ndarray:
    """An empty platen (no finger): a uniform ``uint8`` image."""
    return np.full(shape, value, np.uint8)


def dry(img: np.ndarray, seed: int = 0) -> np.ndarray:
    """Dry finger (``finger.too_light``): faint, broken ridges in patches on a light image.

    Dry skin touches the platen only in places: ridges break into fragments (removed where a
    fine random field says the skin did not touch), what touches leaves ~35 % of the ink, and
    the whole frame is 10 grey levels lighter (as a scanner's gain makes it).
    """
    rng = np.random.default_rng(seed)
    f = img.astype(np.float32)
    ink = np.maximum(BACKGROUND_GREY - f, 0.0)  # how much the finger darkens the platen
    contact = np.clip((_smooth_noise(img.shape, rng, scale_px=6.0) - 0.35) * 4.0, 0.0, 1.0)
    return _to_uint8(f + ink * (1.0 - 0.35 * contact) + 10.0)


def wet(img: np.ndarray) -> np.ndarray:
    """Wet finger (``finger.too_dark``): dark print, ridges widened and merged into valleys.

    Moisture fills the valleys and bridges neighbouring ridges: the dark ridges spread (grey
    erosion), the image blurs, and the finger (not the platen around it) darkens to ~40 %.
    """
    f = cv2.erode(img, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    f = cv2.GaussianBlur(f.astype(np.float32), (0, 0), 1.2)
    finger = _finger_mask(img)
    return _to_uint8(f * (1.0 - 0.6 * finger))


def worn(img: np.ndarray, seed: int = 0) -> np.ndarray:
    """Worn ridges (``finger.worn``): shallow ridges with low ridge-valley contrast.

    Manual labour or age flattens the ridges: the local grey mean (finger shape, pressure) stays,
    the ridge-valley modulation around it drops to 15 %, and the sensor's noise (std 5 grey
    levels), no longer masked by deep ridges, is what remains of the texture.
    """
    rng = np.random.default_rng(seed)
    f = img.astype(np.float32)
    local = cv2.GaussianBlur(f, (0, 0), 6.0)
    noise = rng.normal(0.0, 5.0, img.shape).astype(np.float32)
    return _to_uint8(local + 0.15 * (f - local) + noise)


def partial(img: np.ndarray, keep: float = 0.16) -> np.ndarray:
    """Partial print (``finger.too_small``): only a small piece near a corner of the print remains.

    The finger touched the platen with a small patch only (tip edge, lifted finger): the print
    is kept, in place, inside a disc of radius ``keep`` x the print's size centred towards its
    upper-left corner; the rest becomes platen.
    """
    x0, y0, x1, y1 = _print_box(img)
    cx, cy = x0 + 0.35 * (x1 - x0), y0 + 0.35 * (y1 - y0)
    radius = keep * max(x1 - x0, y1 - y0)
    h, w = img.shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    # ~8 px soft edge: a lifted finger fades out, it is not cut with a knife.
    soft = np.clip(0.5 - (np.hypot(x - cx, y - cy) - radius) / 8.0, 0.0, 1.0)
    out = soft * img.astype(np.float32) + (1.0 - soft) * _background_grey(img)
    return _to_uint8(out)


def off_centre(img: np.ndarray, shift: float = 0.4) -> np.ndarray:
    """Off-centre print (``finger.off_centre``): the finger placed at the image's right edge.

    The print is shifted right by ``shift`` of the image width and cut by the frame; the
    uncovered platen is background.
    """
    h, w = img.shape
    m = np.float32([[1, 0, round(shift * w)], [0, 1, 0]])
    return cv2.warpAffine(
        img,
        m,
        (w, h),
        flags=cv2.INTER_NEAREST,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=float(_background_grey(img)),
    )


def scar(img: np.ndarray, seed: int = 0, count: int = 4, width_px: int = 10) -> np.ndarray:
    """Scars or cuts (``finger.scarred``): a few light bands across the ridges.

    Scar tissue carries no ridges and barely touches the platen, so it images as platen-light
    bands ``width_px`` wide (~0.5 mm at 500 ppi for 10 px) that interrupt the ridge flow. Each is
    a straight cut of random direction, 50-90 % of the print's size long, through the inner
    part of the print; it stops at the finger's edge.
    """
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = _print_box(img)
    size = max(x1 - x0, y1 - y0)
    lines = np.zeros(img.shape, np.uint8)
    for _ in range(count):  # a handful of cuts, each drawn by OpenCV
        cx = rng.uniform(x0 + 0.25 * (x1 - x0), x1 - 0.25 * (x1 - x0))
        cy = rng.uniform(y0 + 0.25 * (y1 - y0), y1 - 0.25 * (y1 - y0))
        a = rng.uniform(0.0, np.pi)
        half = 0.5 * rng.uniform(0.5, 0.9) * size
        p = (round(cx - half * np.cos(a)), round(cy - half * np.sin(a)))
        q = (round(cx + half * np.cos(a)), round(cy + half * np.sin(a)))
        cv2.line(lines, p, q, 255, width_px, cv2.LINE_AA)
    s = cv2.GaussianBlur(lines.astype(np.float32) / 255.0, (0, 0), 1.0) * _finger_mask(img)
    f = img.astype(np.float32)
    return _to_uint8(f + s * np.maximum(_background_grey(img) - f, 0.0))


def region_mask(
    img: np.ndarray,
    centre: tuple[float, float] | None = None,
    axes: tuple[float, float] | None = None,
) -> np.ndarray:
    """Soft ellipse ``float32 (h, w)`` in ``[0, 1]`` where a local degradation applies.

    ``centre`` is ``(x, y)`` px (default: the middle of the print), ``axes`` the half-axes
    ``(ax, ay)`` px (default: a quarter of the print's width and height, ~20 % of its area). The
    mask is 0.5 on the ellipse and falls off over ~4 px, so its area is that of the ellipse.
    """
    x0, y0, x1, y1 = _print_box(img)
    if centre is None:
        centre = ((x0 + x1) / 2.0, (y0 + y1) / 2.0)
    if axes is None:
        axes = (0.25 * (x1 - x0), 0.25 * (y1 - y0))
    return _soft_ellipse(img.shape, centre, axes, softness_px=4.0)


def smudge(
    img: np.ndarray,
    centre: tuple[float, float] | None = None,
    axes: tuple[float, float] | None = None,
    seed: int = 0,
    blotch: float = 60.0,
) -> np.ndarray:
    """Smudged region (``finger.smudged_region``): ridge flow lost inside :func:`region_mask`.

    Grease or sweat smeared on the platen, or a finger that slid while pressed, fills the valleys
    of a patch: the ridges merge into the patch's mean ink level (a Gaussian of 5 px keeps
    ~0.2 % of a 9 px ridge period's modulation), with blotchy smear marks (``blotch`` grey
    levels peak to peak, ~8 px features) and the sensor's noise on top. ``blotch=0`` is a plain
    grey film.
    """
    rng = np.random.default_rng(seed)
    f = img.astype(np.float32)
    flat = cv2.GaussianBlur(f, (0, 0), 5.0)
    blotch = blotch * (_smooth_noise(img.shape, rng, scale_px=8.0) - 0.5)
    noise = rng.normal(0.0, 3.0, img.shape).astype(np.float32)
    m = region_mask(img, centre, axes)
    return _to_uint8(f + m * (flat + blotch + noise - f))


def dry_patch(
    img: np.ndarray,
    centre: tuple[float, float] | None = None,
    axes: tuple[float, float] | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Dry, broken ridges (``finger.dry_broken``) inside :func:`region_mask`.

    Dry skin touches the platen only at points of the ridges: each ridge breaks into dots and
    short dashes (a random contact field with ~3 px features, touching 30 % of the area) as
    dark as a moist ridge; elsewhere the skin leaves nothing, as light as the empty platen.
    The rest of the print is unchanged.
    """
    rng = np.random.default_rng(seed)
    f = img.astype(np.float32)
    ink = np.maximum(BACKGROUND_GREY - f, 0.0)  # how much the finger darkens the platen
    field = _smooth_noise(img.shape, rng, scale_px=3.0)
    contact = np.clip((field - np.quantile(field, 0.7)) * 12.0 + 0.5, 0.0, 1.0)
    m = region_mask(img, centre, axes)
    return _to_uint8(f + m * ink * (1.0 - contact))


def worn_patch(
    img: np.ndarray,
    centre: tuple[float, float] | None = None,
    axes: tuple[float, float] | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Worn region (``finger.worn`` with a place): :func:`worn` inside :func:`region_mask`.

    The ridges of part of the pad are flattened (manual work wears the pad unevenly): there the
    ridge-valley modulation drops to 15 % around the local mean, the flow stays.
    """
    m = region_mask(img, centre, axes)
    f = img.astype(np.float32)
    return _to_uint8(f + m * (worn(img, seed).astype(np.float32) - f))


# --- helpers --------------------------------------------------------------------------------


def _check_period(period_px: float) -> None:
    if not np.isfinite(period_px) or period_px < 2.0:
        raise ValueError(f"period_px must be >= 2 (the sampling limit), got {period_px}")


def _to_uint8(img: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def _gabor_bank(period_px: float) -> list[np.ndarray]:
    """Even, zero-mean Gabor kernels tuned to ``period_px``, one per quantised ridge angle.

    Longer along the ridge than across it, so each pass joins ridge fragments along the flow.
    """
    sigma_across = 0.45 * period_px
    sigma_along = 0.9 * period_px
    r = int(np.ceil(2.5 * max(sigma_across, sigma_along)))
    y, x = np.mgrid[-r : r + 1, -r : r + 1].astype(np.float32)
    bank = []
    for k in range(_N_ANGLES):  # a dozen kernels, built once per call
        t = np.pi * k / _N_ANGLES
        along = x * np.cos(t) + y * np.sin(t)
        across = -x * np.sin(t) + y * np.cos(t)
        env = np.exp(-0.5 * ((along / sigma_along) ** 2 + (across / sigma_across) ** 2))
        g = env * np.cos(2.0 * np.pi * across / period_px)
        g -= env * (g.sum() / env.sum())  # zero DC: flat grey gives no response
        bank.append((g / np.abs(g).sum()).astype(np.float32))
    return bank


def _angle_weights(theta: np.ndarray, n: int) -> list[np.ndarray]:
    """Per kernel angle, the ``(h, w)`` weight of its response: linear between the two kernel
    angles nearest the local ridge angle ``theta`` (radians), so the weights sum to 1."""
    pos = theta * (n / np.pi)  # fractional kernel index in [0, n)
    weights = []
    for k in range(n):
        d = np.abs(pos - k)
        weights.append(np.clip(1.0 - np.minimum(d, n - d), 0.0, 1.0))  # angle n == angle 0
    return weights


def _steered_filter(
    img: np.ndarray, weights: list[np.ndarray], bank: list[np.ndarray]
) -> np.ndarray:
    """Orientation-steered filtering: every kernel's response, blended per pixel by
    ``weights`` (see :func:`_angle_weights`). One ``filter2D`` per angle, none per pixel."""
    out = np.zeros_like(img)
    for kernel, weight in zip(bank, weights, strict=True):
        out += weight * cv2.filter2D(img, cv2.CV_32F, kernel, borderType=cv2.BORDER_REFLECT)
    return out


def _smooth_noise(shape: tuple[int, int], rng: np.random.Generator, scale_px: float) -> np.ndarray:
    """Smooth random field in ``[0, 1]`` with features of about ``scale_px``."""
    n = rng.standard_normal(shape).astype(np.float32)
    n = cv2.GaussianBlur(n, (0, 0), scale_px / 2.0)
    lo, hi = float(n.min()), float(n.max())
    return (n - lo) / max(hi - lo, 1e-6)


def _soft_ellipse(
    shape: tuple[int, int],
    centre: tuple[float, float],
    axes: tuple[float, float],
    softness_px: float,
) -> np.ndarray:
    """Ellipse mask in ``[0, 1]`` falling off smoothly over ~``softness_px`` at its border."""
    h, w = shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    r = np.sqrt(((x - centre[0]) / axes[0]) ** 2 + ((y - centre[1]) / axes[1]) ** 2)
    edge = (1.0 - r) * min(axes) / softness_px  # ~signed distance to the border in softness units
    return (0.5 * (1.0 + np.tanh(2.0 * edge))).astype(np.float32)


def _background_grey(img: np.ndarray) -> float:
    """The platen's grey: the median of the image border."""
    border = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
    return float(np.median(border))


def _finger_mask(img: np.ndarray) -> np.ndarray:
    """Soft mask in ``[0, 1]`` of where the finger darkens the platen (ridges blurred away)."""
    local = cv2.GaussianBlur(img.astype(np.float32), (0, 0), 6.0)
    return np.clip((_background_grey(img) - local - 15.0) / 30.0, 0.0, 1.0)


def _print_box(img: np.ndarray) -> tuple[int, int, int, int]:
    """Bounding box ``(x0, y0, x1, y1)`` of the print; the whole image when there is none."""
    ys, xs = np.nonzero(_finger_mask(img) > 0.5)
    if ys.size == 0:
        h, w = img.shape
        return 0, 0, w - 1, h - 1
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())
