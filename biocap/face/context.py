"""Per-capture shared work (after OFIQ's ``Session``): every measure reads this, nothing twice.

Once per image: detection on a downscaled copy (plus 2x2 tiles when the face found is small
or none is: group and far shots), the 468-point mesh on its 192 px crop, iris landmarks on both
64 px eye crops in one batch, then (lazily) an eye-aligned face crop at a fixed inter-eye
distance and its skin / eye / mouth masks (the background is :mod:`biocap.face.background`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np

from .detect import Detection, detect, detect_tiles, overlaps
from .landmarks import Eye, Mesh, eyes, mesh, warp_crop

#: the aligned crop: inter-eye distance in px, and its extent around the eye midpoint in IEDs
#: (x: +-1.3, y: -1.1 above .. +2.1 below: forehead to chin for an adult face).
ALIGNED_IED = 64
ALIGNED_X = 1.3
ALIGNED_TOP, ALIGNED_BOTTOM = 1.1, 2.1

#: MediaPipe face-mesh index lists (``FACEMESH_FACE_OVAL`` / ``FACEMESH_LIPS`` order).
FACE_OVAL = np.array(
    [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
     152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109]
)  # fmt: skip
OUTER_LIPS = np.array(
    [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185]
)
CHIN, FOREHEAD, NOSE_TIP = 152, 10, 1
FACE_RIGHT_EDGE, FACE_LEFT_EDGE = 234, 454  # image-left and image-right cheek edges
UPPER_INNER_LIP, LOWER_INNER_LIP, MOUTH_LEFT, MOUTH_RIGHT = 13, 14, 78, 308
#: the shared downscaled copy is halved until its longest side is below twice this (600x800
#: and 1200x1600 -> 150x200): >= the detector's 128 px input.
SMALL_SIDE = 160
#: a first face narrower than this share of the image width sends the detector over tiles
#: (an ICAO portrait's face box spans ~40-60 %; a group or far shot's much less).
SMALL_FACE = 0.25
#: detector score accepted for a lone face when none reaches 0.5 (a face cut by the border),
#: if the face mesh's own face-presence probability confirms it.
WEAK_SCORE, WEAK_PRESENCE = 0.4, 0.5
#: a face found on a tile needs this detector score and the mesh's face-presence probability
#: (true faces there scored 0.58-0.88 with presence 1.0; a badge and a collar 0.52-0.67 with
#: presence 0.004-0.73).
TILE_SCORE, TILE_PRESENCE = 0.6, 0.9
#: chin-to-crown over chin-to-forehead-top (mesh point 10 sits near the hairline), from ICAO
#: head proportions; only used for the head-size measure and the token crop.
CROWN_FACTOR = 1.22


def halve_to(img: np.ndarray, side: float) -> tuple[np.ndarray, int]:
    """``img`` averaged down by 2, 4, 8... while its longest side stays >= ``side``, and the
    factor. Halving is OpenCV's fast INTER_AREA path (0.2 ms for 600x800 RGB); a non-integer
    or odd factor takes its slow path (2.5 ms for a 1/3 shrink)."""
    k = 1
    while max(img.shape[:2]) >= 2 * side and min(img.shape[:2]) >= 4:
        h, w = img.shape[0] // 2 * 2, img.shape[1] // 2 * 2
        img = cv2.resize(img[:h, :w], (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        k *= 2
    return img, k


@dataclass
class FaceContext:
    rgb: np.ndarray  # (h, w, 3) uint8
    grey_pixels: np.ndarray | None  # (h, w) uint8 of a greyscale capture; None for colour
    colour_file: bool  # the capture came as colour (3 channels)
    faces: list[Detection]
    mesh: Mesh | None = None
    eye_left_img: Eye | None = None  # image-left eye = subject's right
    eye_right_img: Eye | None = None

    small_rgb: np.ndarray | None = None  # rgb shrunk by the integer factor ``small_factor``
    small_factor: int = 1

    @classmethod
    def build(cls, pixels: np.ndarray) -> FaceContext:
        if pixels.ndim == 2:
            rgb, grey, colour = cv2.cvtColor(pixels, cv2.COLOR_GRAY2RGB), pixels, False
        else:  # the whole-image grey is made only if something asks (see ``grey``)
            rgb, grey, colour = pixels, None, True
        # one cheap shrink serves the detector (which sees 128 px), the background and the
        # colour measures
        small, k = halve_to(rgb, SMALL_SIDE)
        faces = detect(small)
        if not faces or faces[0].width < SMALL_FACE * small.shape[1]:
            # a far or group shot: the whole-image pass misses faces this small
            # (tile faces need a high score: tiles of clothing and badges score 0.5-0.7)
            src, kt = halve_to(rgb, 2 * SMALL_SIDE)  # tiles see 2x the detail
            # a tile face that is the whole-image face again is dropped before its mesh run
            # (2 ms each) checks it
            extra = [
                d
                for d in (t.scaled(kt / k) for t in detect_tiles(src, TILE_SCORE))
                if not any(overlaps(d, f) for f in faces)
                and mesh(rgb, d.scaled(k)).presence >= TILE_PRESENCE  # badges, collars
            ]
            faces = faces + extra
        weak = False
        if not faces:  # a face cut by the border scores just under MediaPipe's 0.5
            faces, weak = detect(small, WEAK_SCORE)[:1], True
        faces = [d.scaled(k) for d in faces]
        ctx = cls(rgb, grey, colour, faces, small_rgb=small, small_factor=k)
        if faces:
            ctx.mesh = mesh(rgb, faces[0])
            if weak and ctx.mesh.presence < WEAK_PRESENCE:
                ctx.faces, ctx.mesh = [], None
                return ctx
            ctx.eye_left_img, ctx.eye_right_img = eyes(rgb, ctx.mesh)
        return ctx

    @cached_property
    def grey(self) -> np.ndarray:
        """Whole-image grey (measures read the face box or the aligned crop instead)."""
        if self.grey_pixels is not None:
            return self.grey_pixels
        return cv2.cvtColor(self.rgb, cv2.COLOR_RGB2GRAY)

    @property
    def shape(self) -> tuple[int, int]:
        """Image height and width."""
        return self.rgb.shape[0], self.rgb.shape[1]

    def grey_box(self, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
        """Grey pixels of one box, without converting the whole image."""
        if self.grey_pixels is not None:
            return self.grey_pixels[y0:y1, x0:x1]
        return cv2.cvtColor(self.rgb[y0:y1, x0:x1], cv2.COLOR_RGB2GRAY)  # a view: no copy

    # -- geometry in image pixels ---------------------------------------------------------
    @property
    def points(self) -> np.ndarray:
        assert self.mesh is not None
        return self.mesh.points

    @cached_property
    def eye_centres(self) -> np.ndarray:
        """``(2, 2)`` iris centres, image-left eye first."""
        assert self.eye_left_img is not None and self.eye_right_img is not None
        return np.stack([self.eye_left_img.centre, self.eye_right_img.centre])

    @cached_property
    def ied(self) -> float:
        return float(np.linalg.norm(self.eye_centres[1] - self.eye_centres[0]))

    @cached_property
    def roll_deg(self) -> float:
        d = self.eye_centres[1] - self.eye_centres[0]
        return float(np.degrees(np.arctan2(d[1], d[0])))

    @cached_property
    def crown(self) -> np.ndarray:
        chin, top = self.points[CHIN, :2], self.points[FOREHEAD, :2]
        return chin + (top - chin) * CROWN_FACTOR

    # -- the eye-aligned crop ---------------------------------------------------------------
    @cached_property
    def align(self) -> np.ndarray:
        """2x3 similarity: image pixels -> aligned crop (eyes level, IED = ``ALIGNED_IED``)."""
        (lx, ly), (rx, ry) = self.eye_centres
        k = ALIGNED_IED / max(self.ied, 1e-6)
        a = -np.radians(self.roll_deg)
        c, s = np.cos(a) * k, np.sin(a) * k
        mx, my = (lx + rx) / 2, (ly + ry) / 2
        ox, oy = ALIGNED_X * ALIGNED_IED, ALIGNED_TOP * ALIGNED_IED
        return np.array([[c, -s, ox - (c * mx - s * my)], [s, c, oy - (s * mx + c * my)]])

    @cached_property
    def aligned_size(self) -> tuple[int, int]:
        return (
            round(2 * ALIGNED_X * ALIGNED_IED),
            round((ALIGNED_TOP + ALIGNED_BOTTOM) * ALIGNED_IED),
        )

    def to_aligned(self, pts: np.ndarray) -> np.ndarray:
        return pts[:, :2] @ self.align[:, :2].T + self.align[:, 2]

    @cached_property
    def aligned_source_box(self) -> tuple[int, int, int, int]:
        """Image-pixel box (x0, y0, x1, y1) holding the aligned crop's pre-image, clipped."""
        w, h = self.aligned_size
        inv = cv2.invertAffineTransform(self.align)
        corners = np.array([[0, 0], [w, 0], [0, h], [w, h]], np.float64) @ inv[:, :2].T + inv[:, 2]
        H, W = self.shape
        x0, y0 = np.clip(np.floor(corners.min(axis=0)).astype(int) - 2, 0, [W, H])
        x1, y1 = np.clip(np.ceil(corners.max(axis=0)).astype(int) + 2, 0, [W, H])
        return int(x0), int(y0), int(max(x1, x0 + 1)), int(max(y1, y0 + 1))

    def _warp(self, box: np.ndarray) -> np.ndarray:
        """The aligned crop from ``box``, the pixels of :attr:`aligned_source_box`; averaged
        down first when shrinking (no aliasing, which would pass for sharpness)."""
        x0, y0, _, _ = self.aligned_source_box
        m = self.align.copy()
        m[:, 2] += m[:, :2] @ np.array([x0, y0], np.float64)
        # halve (fast) to IED 80-160 px, then area-average to IED 80 when the bilinear warp
        # would still shrink more than 1.25x
        target = ALIGNED_IED * 1.25
        if self.ied >= 2 * target:
            box, k = halve_to(box, max(box.shape[:2]) * target / self.ied)
            m[:, 2] += m[:, :2] @ np.full(2, (k - 1) / 2)  # a small pixel's centre
            m[:, :2] *= k
        ied = ALIGNED_IED / np.hypot(*m[0, :2])  # IED in ``box`` pixels
        if ied > target * 1.25:
            f = target / ied
            size = (max(1, round(box.shape[1] * f)), max(1, round(box.shape[0] * f)))
            fx, fy = size[0] / box.shape[1], size[1] / box.shape[0]
            box = cv2.resize(box, size, interpolation=cv2.INTER_AREA)
            m[:, 2] += m[:, :2] @ np.array([(1 / fx - 1) / 2, (1 / fy - 1) / 2])
            m[:, :2] = m[:, :2] @ np.diag([1 / fx, 1 / fy])
        return warp_crop(box, cv2.invertAffineTransform(m), self.aligned_size)

    @cached_property
    def aligned_grey(self) -> np.ndarray:
        """Grey aligned crop. A colour capture's face box is turned grey first: the area
        shrink then runs on one channel (0.34 vs 0.82 ms at 600x800), same values to +-1."""
        return self._warp(self.grey_box(*self.aligned_source_box))

    @cached_property
    def aligned_rgb_half(self) -> np.ndarray:
        """Colour aligned crop at half scale (IED 32 px; its pixel ``(i, j)`` is the aligned
        crop's ``(2i, 2j)``), warped from ``small_rgb``: mean skin colours need neither detail
        nor a full-size colour warp (0.1 vs 0.6 ms at 600x800)."""
        assert self.small_rgb is not None
        k = self.small_factor
        m = self.align.copy()
        m[:, 2] += m[:, :2] @ np.full(2, (k - 1) / 2)  # a small pixel's centre
        m[:, :2] *= k
        w, h = self.aligned_size
        return warp_crop(
            self.small_rgb, cv2.invertAffineTransform(m / 2), ((w + 1) // 2, (h + 1) // 2)
        )

    @cached_property
    def aligned_inside(self) -> np.ndarray:
        """Aligned-crop pixels that come from inside the image (a crop through the face)."""
        h, w = self.shape
        rect = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
        return self.aligned_polygon(rect).astype(bool)

    def aligned_polygon(self, pts: np.ndarray) -> np.ndarray:
        """``uint8`` 0/1 mask of an image-pixel polygon, filled in the aligned crop."""
        w, h = self.aligned_size
        m = np.zeros((h, w), np.uint8)
        cv2.fillPoly(m, [np.rint(self.to_aligned(pts)).astype(np.int32)], 1)
        return m

    @cached_property
    def face_mask(self) -> np.ndarray:
        return self.aligned_polygon(self.points[FACE_OVAL]).astype(bool)

    @cached_property
    def eye_masks(self) -> tuple[np.ndarray, np.ndarray]:
        """Each eye's lid polygon (iris-model contour), slightly dilated, in the aligned crop."""
        out = []
        for eye in (self.eye_left_img, self.eye_right_img):
            assert eye is not None
            m = self.aligned_polygon(eye.contour[:16])
            out.append(cv2.dilate(m, np.ones((5, 5), np.uint8)).astype(bool))
        return out[0], out[1]

    @cached_property
    def mouth_mask(self) -> np.ndarray:
        return self.aligned_polygon(self.points[OUTER_LIPS]).astype(bool)

    @cached_property
    def skin_mask(self) -> np.ndarray:
        """Face oval, eroded, without eyes/brows band, mouth and nostrils: cheeks and forehead."""
        m = cv2.erode(self.face_mask.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
        w, h = self.aligned_size
        eye_row = round(ALIGNED_TOP * ALIGNED_IED)
        band = np.zeros((h, w), bool)
        band[eye_row - ALIGNED_IED // 2 : eye_row + ALIGNED_IED // 4] = True  # eyes and brows
        mouth = cv2.dilate(self.mouth_mask.astype(np.uint8), np.ones((9, 9), np.uint8))
        return m & ~band & ~mouth.astype(bool) & self.aligned_inside

    @cached_property
    def halves(self) -> tuple[np.ndarray, np.ndarray]:
        """Skin either side of the face's midline (image-left half, image-right half)."""
        w, _ = self.aligned_size
        cols = np.arange(w)[None, :]
        mid = round(ALIGNED_X * ALIGNED_IED)
        return self.skin_mask & (cols < mid - 4), self.skin_mask & (cols > mid + 4)
