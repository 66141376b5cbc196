"""Face image measures, named as ISO/IEC 29794-5 (and OFIQ) name them.

Every measure reads the shared :class:`~biocap.face.context.FaceContext` and returns a raw value
in its own unit; ``MEASURES`` is the registry (unit, raw values that map to scores 0 and 100,
description) the CLI, the API and the docs list from. Component scores are linear between
``worst`` and ``best``; for two-sided measures (pose angles) ``worst`` is the absolute value.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from biocap.assessment import Measure, MeasureSpec

from .background import (
    background_chroma,
    background_clutter,
    background_lightness,
    background_uniformity,
)
from .context import (
    CHIN,
    FACE_LEFT_EDGE,
    FACE_OVAL,
    FACE_RIGHT_EDGE,
    FOREHEAD,
    LOWER_INNER_LIP,
    MOUTH_LEFT,
    MOUTH_RIGHT,
    UPPER_INNER_LIP,
    FaceContext,
)
from .glasses import glasses_frame, lens_glare, lens_tint
from .landmarks import Eye

#: pose offsets of the mesh's own frame for a frontal face (deg): the mesh's forehead point
#: sits behind its chin point, so the raw forehead-chin axis leans back. Measured as the median
#: over the frontal shared images (Yale normal/noglasses, the synthetic bases).
PITCH_OFFSET_DEG = 0.0
#: outer mouth corners (image left, image right).
MOUTH_CORNER_RIGHT, MOUTH_CORNER_LEFT = 61, 291
#: eyeball radius over palpebral-fissure width (~12 mm / ~28 mm): iris offset -> gaze angle.
EYEBALL_PER_EYE_WIDTH = 0.43


def _memo(ctx: FaceContext, key: str, fn: Callable[[], object]) -> object:
    """Shared intermediate values of several measures, computed once per context."""
    cache = ctx.__dict__.setdefault("_memo", {})
    if key not in cache:
        cache[key] = fn()
    return cache[key]


# -- geometry ---------------------------------------------------------------------------------
def single_face_present(ctx: FaceContext) -> float:
    return float(len(ctx.faces))


def inter_eye_distance(ctx: FaceContext) -> float:
    return ctx.ied


def head_size(ctx: FaceContext) -> float:
    """Chin-to-crown length over image height (ICAO 9303: 0.7-0.8 in the printed portrait)."""
    return float(np.linalg.norm(ctx.points[CHIN, :2] - ctx.crown)) / ctx.shape[0]


def _margins(ctx: FaceContext) -> dict[str, float]:
    """Distance from the head to each image border in IEDs (negative: cut by the border)."""

    def calc() -> dict[str, float]:
        oval = ctx.points[FACE_OVAL, :2]
        h, w = ctx.shape
        return {
            "left": float(oval[:, 0].min()) / ctx.ied,
            "right": float(w - oval[:, 0].max()) / ctx.ied,
            "up": float(ctx.crown[1]) / ctx.ied,
            "down": float(h - ctx.points[CHIN, 1]) / ctx.ied,
        }

    return _memo(ctx, "margins", calc)  # type: ignore[return-value]


def leftward_crop(ctx: FaceContext) -> float:
    return _margins(ctx)["left"]


def rightward_crop(ctx: FaceContext) -> float:
    return _margins(ctx)["right"]


def upward_crop(ctx: FaceContext) -> float:
    return _margins(ctx)["up"]


def downward_crop(ctx: FaceContext) -> float:
    return _margins(ctx)["down"]


def _pose(ctx: FaceContext) -> tuple[float, float]:
    """Yaw and pitch (deg) from the mesh's 3D points: cheek-to-cheek and forehead-to-chin axes."""

    def calc() -> tuple[float, float]:
        p = ctx.points
        x = p[FACE_LEFT_EDGE] - p[FACE_RIGHT_EDGE]
        x = x / np.linalg.norm(x)
        y = p[CHIN] - p[FOREHEAD]
        y = y - (y @ x) * x
        y = y / np.linalg.norm(y)
        yaw = float(np.degrees(np.arctan2(x[2], np.hypot(x[0], x[1]))))
        pitch = float(np.degrees(np.arctan2(-y[2], np.hypot(y[0], y[1])))) - PITCH_OFFSET_DEG
        return yaw, pitch

    return _memo(ctx, "pose", calc)  # type: ignore[return-value]


def head_pose_yaw(ctx: FaceContext) -> float:
    return _pose(ctx)[0]


def head_pose_pitch(ctx: FaceContext) -> float:
    return _pose(ctx)[1]


def head_pose_roll(ctx: FaceContext) -> float:
    return ctx.roll_deg


# -- eyes and mouth ---------------------------------------------------------------------------
def _openness(eye: Eye | None) -> float:
    assert eye is not None
    return eye.opening / max(eye.width, 1e-6)


def eye_open_right(ctx: FaceContext) -> float:
    """Subject's right eye (image left): lid gap over eye width."""
    return _openness(ctx.eye_left_img)


def eye_open_left(ctx: FaceContext) -> float:
    return _openness(ctx.eye_right_img)


def eyes_open(ctx: FaceContext) -> float:
    return min(eye_open_right(ctx), eye_open_left(ctx))


def mouth_closed(ctx: FaceContext) -> float:
    """Inner-lip gap over mouth width (0 = closed)."""
    p = ctx.points
    gap = np.linalg.norm(p[UPPER_INNER_LIP, :2] - p[LOWER_INNER_LIP, :2])
    return float(gap / max(np.linalg.norm(p[MOUTH_LEFT, :2] - p[MOUTH_RIGHT, :2]), 1e-6))


def expression_neutrality(ctx: FaceContext) -> float:
    """Mouth-corner lift: how far the corners sit above the lip centre, over the mouth width,
    with the eyes levelled (a smile raises and widens the corners; neutral: ~0 +- 0.05)."""
    p = ctx.to_aligned(ctx.points[[MOUTH_CORNER_RIGHT, MOUTH_CORNER_LEFT, UPPER_INNER_LIP,
                                   LOWER_INNER_LIP]])  # fmt: skip
    width = max(float(p[1, 0] - p[0, 0]), 1e-6)
    return float(((p[2, 1] + p[3, 1]) / 2 - (p[0, 1] + p[1, 1]) / 2) / width)


def _gaze(eye: Eye | None) -> tuple[float, float]:
    """Iris centre's offset from the eye-corner midpoint, as horizontal/vertical angles (deg)."""
    assert eye is not None
    a, b = eye.contour[0, :2], eye.contour[8, :2]
    u = (b - a) / max(np.linalg.norm(b - a), 1e-6)
    n = np.array([-u[1], u[0]])
    d = eye.centre - (a + b) / 2
    r = EYEBALL_PER_EYE_WIDTH * max(eye.width, 1e-6)
    h = np.degrees(np.arcsin(np.clip((d @ u) / r, -1, 1)))
    v = np.degrees(np.arcsin(np.clip((d @ n) / r, -1, 1)))
    return float(h), float(v)


def gaze_direction(ctx: FaceContext) -> float:
    """Angle (deg) between the eyes' direction and the head's frontal direction, both eyes."""
    (h1, v1), (h2, v2) = _gaze(ctx.eye_left_img), _gaze(ctx.eye_right_img)
    # the image-right eye's axis runs outer -> inner leftwards: both of its signs are mirrored
    return float(np.hypot((h1 - h2) / 2, (v1 - v2) / 2))


def grey_histogram(img: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``(256,)`` float64 counts of the uint8 ``img`` pixels under the bool ``mask``.

    The photometric measures are order statistics and moments of a few thousand uint8 values:
    one ``calcHist`` answers them all without gathering or sorting the pixels.
    """
    return cv2.calcHist([img], [0], mask.view(np.uint8), [256], [0, 256]).ravel().astype(np.float64)


def hist_percentiles(hist: np.ndarray, q: list[float]) -> np.ndarray:
    """``np.percentile(values, q)`` (its default linear method) of the values counted in
    ``hist`` (bin ``b`` counts the value ``b``): order statistics read off the cumulative sum."""
    cum = np.cumsum(hist)
    n = cum[-1]
    pos = np.asarray(q, np.float64) / 100.0 * (n - 1)
    lo = np.floor(pos)
    v0 = np.searchsorted(cum, lo, side="right")
    v1 = np.searchsorted(cum, np.minimum(lo + 1, n - 1), side="right")
    return v0 + (pos - lo) * (v1 - v0)


def _region_contrast(ctx: FaceContext, mask: np.ndarray) -> float:
    """p95 - p5 grey inside ``mask`` over the skin median: a bar or patch makes it flat."""
    h = grey_histogram(ctx.aligned_grey, mask & ctx.aligned_inside)
    skin = _skin_median(ctx)
    if h.sum() < 20 or not np.isfinite(skin):
        return float("nan")
    lo, hi = hist_percentiles(h, [5, 95])
    return float((hi - lo) / max(skin, 8.0))


def _skin_median(ctx: FaceContext) -> float:
    def calc() -> float:
        h = _skin_hist(ctx)
        return float(hist_percentiles(h, [50])[0]) if h.sum() >= 20 else float("nan")

    return _memo(ctx, "skin_median", calc)  # type: ignore[return-value]


def eyes_visible(ctx: FaceContext) -> float:
    left, right = ctx.eye_masks
    return min(_region_contrast(ctx, left), _region_contrast(ctx, right))


def mouth_occlusion_prevention(ctx: FaceContext) -> float:
    m = cv2.dilate(ctx.mouth_mask.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    return _region_contrast(ctx, m)


# -- photometric ------------------------------------------------------------------------------
def _skin_hist(ctx: FaceContext) -> np.ndarray:
    """Grey histogram of the skin (cheeks and forehead) in the aligned crop."""
    return _memo(ctx, "skin", lambda: grey_histogram(ctx.aligned_grey, ctx.skin_mask))  # type: ignore[return-value]


def _face_hist(ctx: FaceContext) -> np.ndarray:
    """Grey histogram of the face oval (inside the image) in the aligned crop."""
    return _memo(  # type: ignore[return-value]
        ctx, "face", lambda: grey_histogram(ctx.aligned_grey, ctx.face_mask & ctx.aligned_inside)
    )


_GREYS = np.arange(256, dtype=np.float64)


def luminance_mean(ctx: FaceContext) -> float:
    h = _skin_hist(ctx)
    n = h.sum()
    return float(h @ _GREYS / n) / 255.0 if n else float("nan")


def luminance_variance(ctx: FaceContext) -> float:
    h = _skin_hist(ctx)
    n = h.sum()
    if not n:
        return float("nan")
    mean = h @ _GREYS / n
    return float(h @ (_GREYS - mean) ** 2 / n) / 255.0**2


def under_exposure_prevention(ctx: FaceContext) -> float:
    """Share of face pixels at or below grey 25 (crushed shadows)."""
    h = _face_hist(ctx)
    n = h.sum()
    return float(h[:26].sum() / n) if n else float("nan")


def over_exposure_prevention(ctx: FaceContext) -> float:
    """Share of face pixels at or above grey 247 (clipped highlights)."""
    h = _face_hist(ctx)
    n = h.sum()
    return float(h[247:].sum() / n) if n else float("nan")


def dynamic_range(ctx: FaceContext) -> float:
    """Grey levels between the 1st and 99th percentile over the face."""
    h = _face_hist(ctx)
    if h.sum() < 20:
        return float("nan")
    lo, hi = hist_percentiles(h, [1, 99])
    return float(hi - lo)


def illumination_uniformity(ctx: FaceContext) -> float:
    """log2 of image-right over image-left skin brightness (0 = even; > 0: left side darker)."""
    left, right = ctx.halves
    g = ctx.aligned_grey
    if left.sum() < 20 or right.sum() < 20:
        return float("nan")
    return float(np.log2((g[right].mean() + 4.0) / (g[left].mean() + 4.0)))


def sharpness(ctx: FaceContext) -> float:
    """Band-pass gradient energy over the face at IED 64 px, relative to the face's contrast.

    Derivatives of a sigma-1 Gaussian minus those of a sigma-2.5 one, taken along x and along y
    apart; the weaker direction counts (motion blur removes one direction only). The sigma-1
    pre-blur keeps pixel noise from passing for detail; dividing by the low-pass contrast makes
    it exposure-free.
    """

    def calc() -> float:
        g = ctx.aligned_grey.astype(np.float32)
        low = cv2.GaussianBlur(g, (0, 0), 2.5)
        d = cv2.GaussianBlur(g, (0, 0), 1.0) - low
        m = (ctx.face_mask & ctx.aligned_inside).view(np.uint8)
        if cv2.countNonZero(m) < 50:
            return float("nan")
        gx = cv2.mean(cv2.absdiff(d[:, 1:], d[:, :-1]), mask=m[:, 1:])[0]
        gy = cv2.mean(cv2.absdiff(d[1:], d[:-1]), mask=m[1:])[0]
        contrast = cv2.meanStdDev(low, mask=m)[1][0, 0]
        return float(min(gx, gy) / max(contrast, 4.0))

    return _memo(ctx, "sharpness", calc)  # type: ignore[return-value]


def noise(ctx: FaceContext) -> float:
    """Pixel noise sigma (grey levels) on the skin at IED 64 px: Immerkaer's Laplacian-difference
    operator, median-based so that skin texture and edges count little."""
    k = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
    # integers up to 16 * 255: exact in int16, and their median is read off a histogram
    r = np.abs(cv2.filter2D(ctx.aligned_grey, cv2.CV_16S, k)).view(np.uint16)
    m = ctx.skin_mask.view(np.uint8)
    h = cv2.calcHist([r], [0], m, [4081], [0, 4081]).ravel().astype(np.float64)
    if h.sum() < 20:
        return float("nan")
    return float(hist_percentiles(h, [50])[0] / (0.6745 * 6.0))


def compression_artifacts(ctx: FaceContext) -> float:
    """JPEG blockiness: mean grey step across 8 px block borders over the mean step elsewhere,
    on the face's box at native resolution (1.0 = no block grid)."""
    oval = ctx.points[FACE_OVAL, :2]
    h, w = ctx.shape
    x0, y0 = (int(max(0, v)) // 8 * 8 for v in oval.min(axis=0))
    x1, y1 = int(min(w, oval[:, 0].max())), int(min(h, oval[:, 1].max()))
    g = ctx.grey_box(x0, y0, x1, y1)
    if min(g.shape) < 32:
        return float("nan")
    ratios = []
    # uint8 steps summed exactly in int32 (a float32 copy of the box cost as much as the rest)
    for steps in (
        cv2.reduce(cv2.absdiff(g[:, 1:], g[:, :-1]), 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
        / g.shape[0],  # per column step: x - 1 -> x
        cv2.reduce(cv2.absdiff(g[1:], g[:-1]), 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
        / g.shape[1],  # per row
    ):
        border = (np.arange(steps.size) % 8) == 7
        ratios.append(steps[border].mean() / max(steps[~border].mean(), 1e-3))
    return float(np.mean(ratios))


def _lab_skin(ctx: FaceContext) -> np.ndarray:
    def calc() -> np.ndarray:
        m = np.ascontiguousarray(ctx.skin_mask[::2, ::2]).view(np.uint8)
        if cv2.countNonZero(ctx.skin_mask.view(np.uint8)) < 20 or not cv2.countNonZero(m):
            return np.full(2, np.nan)
        lab = cv2.cvtColor(ctx.aligned_rgb_half, cv2.COLOR_RGB2Lab)
        return np.array(cv2.mean(lab, mask=m)[1:3]) - 128.0

    return _memo(ctx, "lab", calc)  # type: ignore[return-value]


#: natural skin (CIELab a*, b*, OpenCV 8-bit scale) across skin tones under daylight/flash;
#: a colour cast or a greyscale image falls outside.
NATURAL_A = (4.0, 28.0)
NATURAL_B = (4.0, 34.0)


def natural_colour(ctx: FaceContext) -> float:
    """Distance (Lab units) of the mean skin a*, b* outside the natural-skin box (0 = inside)."""
    a, b = _lab_skin(ctx)
    if not np.isfinite(a):
        return float("nan")
    da = max(NATURAL_A[0] - a, 0.0, a - NATURAL_A[1])
    db = max(NATURAL_B[0] - b, 0.0, b - NATURAL_B[1])
    return float(np.hypot(da, db))


def colour_saturation(ctx: FaceContext) -> float:
    """Mean chroma (Lab units) over the whole (downscaled) image: ~0 for a greyscale image."""
    if not ctx.colour_file:
        return 0.0
    tiny = ctx.small_rgb[::2, ::2]  # every 4th pixel of ~200 px: the mean chroma is smooth
    lab = cv2.cvtColor(np.ascontiguousarray(tiny), cv2.COLOR_RGB2Lab).astype(np.float32)
    return float(cv2.magnitude(lab[..., 1] - 128.0, lab[..., 2] - 128.0).mean())


_S = MeasureSpec
MEASURES: dict[str, tuple[MeasureSpec, Callable[[FaceContext], float]]] = {
    s.name: (s, fn)
    for s, fn in [
        (_S("single_face_present", "count", 2, 1, "number of faces found"), single_face_present),
        (_S("inter_eye_distance", "px", 30, 90, "iris centre to iris centre"), inter_eye_distance),
        (_S("head_size", "", 0.3, 0.7, "chin-crown length / image height"), head_size),
        (_S("leftward_crop", "IED", 0.0, 0.5, "head to left border"), leftward_crop),
        (_S("rightward_crop", "IED", 0.0, 0.5, "head to right border"), rightward_crop),
        (_S("upward_crop", "IED", 0.0, 0.5, "crown to top border"), upward_crop),
        (_S("downward_crop", "IED", 0.0, 0.5, "chin to bottom border"), downward_crop),
        (_S("head_pose_yaw", "deg", 20, 0, "head turned left/right", True), head_pose_yaw),
        (_S("head_pose_pitch", "deg", 20, 0, "head tilted up/down", True), head_pose_pitch),
        (_S("head_pose_roll", "deg", 20, 0, "head tilted sideways", True), head_pose_roll),
        (_S("eye_open_right", "", 0.1, 0.35, "subject's right eye opening"), eye_open_right),
        (_S("eye_open_left", "", 0.1, 0.35, "subject's left eye opening"), eye_open_left),
        (_S("eyes_open", "", 0.1, 0.35, "least open eye: lid gap / eye width"), eyes_open),
        (_S("mouth_closed", "", 0.3, 0.05, "inner lip gap / mouth width"), mouth_closed),
        (
            _S("expression_neutrality", "", 0.12, 0.02, "mouth-corner lift / mouth width"),
            expression_neutrality,
        ),
        (_S("gaze_direction", "deg", 25, 5, "eyes off the head's frontal axis"), gaze_direction),
        (
            _S("glasses_frame", "", 0.2, 0.05, "frame-bridge line across the nose / skin grey"),
            glasses_frame,
        ),
        (_S("lens_glare", "", 0.02, 0.0, "lens-area share of near-white pixels"), lens_glare),
        (_S("lens_tint", "", 0.5, 0.15, "1 - lens-area grey / cheek grey"), lens_tint),
        (_S("eyes_visible", "", 0.2, 0.6, "eye region contrast / skin grey"), eyes_visible),
        (
            _S("mouth_occlusion_prevention", "", 0.1, 0.4, "mouth region contrast / skin grey"),
            mouth_occlusion_prevention,
        ),
        (_S("luminance_mean", "", 0.0, 0.0, "skin grey mean, 0-1"), luminance_mean),
        (_S("luminance_variance", "", 0.0, 0.0, "skin grey variance, 0-1"), luminance_variance),
        (
            _S("under_exposure_prevention", "", 0.3, 0.0, "face share at grey <= 25"),
            under_exposure_prevention,
        ),
        (
            _S("over_exposure_prevention", "", 0.3, 0.0, "face share at grey >= 247"),
            over_exposure_prevention,
        ),
        (_S("dynamic_range", "grey", 60, 180, "face grey p1-p99 span"), dynamic_range),
        (
            _S("illumination_uniformity", "log2", 1.0, 0.0, "right/left skin light", True),
            illumination_uniformity,
        ),
        (_S("sharpness", "", 0.01, 0.05, "band-pass energy / contrast at IED 64"), sharpness),
        (_S("noise", "grey", 8.0, 1.0, "pixel noise sigma at IED 64"), noise),
        (
            _S("compression_artifacts", "ratio", 2.0, 1.1, "8 px block-border steps"),
            compression_artifacts,
        ),
        (_S("natural_colour", "Lab", 15.0, 0.0, "skin a*b* outside natural range"), natural_colour),
        (_S("colour_saturation", "Lab", 0.0, 0.0, "mean image chroma"), colour_saturation),
        (
            _S("background_uniformity", "L*", 20.0, 3.0, "lightness spread behind the person"),
            background_uniformity,
        ),
        (
            _S("background_clutter", "dE/px", 8.0, 1.0, "colour edges behind the person"),
            background_clutter,
        ),
        (
            _S("background_lightness", "L*", 0.0, 0.0, "mean L* behind the person"),
            background_lightness,
        ),
        (
            _S("background_chroma", "C*", 0.0, 0.0, "mean chroma behind the person"),
            background_chroma,
        ),
    ]
}


def compute_measures(ctx: FaceContext) -> dict[str, Measure]:
    out: dict[str, Measure] = {}
    for name, (spec, fn) in MEASURES.items():
        raw = float(fn(ctx))
        out[name] = Measure(name, raw, spec.score(raw), spec.unit)
    return out
