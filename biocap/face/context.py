"""Per-capture shared work (after OFIQ's ``Session``): every measure reads this, nothing twice.

Once per image: detection on a downscaled copy, the 468-point mesh on its 192 px crop, iris
landmarks on two 64 px eye crops, then (lazily) an eye-aligned face crop at a fixed
inter-eye distance and its skin / eye / mouth / background masks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np

from .detect import Detection, detect
from .landmarks import Eye, Mesh, eyes, mesh

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
#: longest side of the shared downscaled copy (>= 2x the detector's 128 px input).
SMALL_SIDE = 256
#: chin-to-crown over chin-to-forehead-top (mesh point 10 sits near the hairline), from ICAO
#: head proportions; only used for the head-size measure and the token crop.
CROWN_FACTOR = 1.22


@dataclass
class FaceContext:
    rgb: np.ndarray  # (h, w, 3) uint8
    grey: np.ndarray  # (h, w) uint8
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
        else:
            rgb, grey, colour = pixels, cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY), True
        # one cheap integer-factor shrink (OpenCV's INTER_AREA fast path) serves the detector
        # (which sees 128 px), the background and the colour measures
        k = max(1, max(rgb.shape[:2]) // SMALL_SIDE)
        small = (
            rgb
            if k == 1
            else cv2.resize(
                rgb, (rgb.shape[1] // k, rgb.shape[0] // k), interpolation=cv2.INTER_AREA
            )
        )
        faces = [d.scaled(k) for d in detect(small)]
        ctx = cls(rgb, grey, colour, faces, small_rgb=small, small_factor=k)
        if faces:
            ctx.mesh = mesh(rgb, faces[0])
            ctx.eye_left_img, ctx.eye_right_img = eyes(rgb, ctx.mesh)
        return ctx

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
        H, W = self.grey.shape
        x0, y0 = np.clip(np.floor(corners.min(axis=0)).astype(int) - 2, 0, [W, H])
        x1, y1 = np.clip(np.ceil(corners.max(axis=0)).astype(int) + 2, 0, [W, H])
        return int(x0), int(y0), int(max(x1, x0 + 1)), int(max(y1, y0 + 1))

    def _warp(self, img: np.ndarray) -> np.ndarray:
        """Warp only the face's box; average it down first when shrinking (no aliasing, which
        would pass for sharpness)."""
        x0, y0, x1, y1 = self.aligned_source_box
        img = img[y0:y1, x0:x1]
        m = self.align.copy()
        m[:, 2] += m[:, :2] @ np.array([x0, y0], np.float64)
        if self.ied > ALIGNED_IED * 1.5:
            f = ALIGNED_IED * 1.25 / self.ied
            size = (max(1, round(img.shape[1] * f)), max(1, round(img.shape[0] * f)))
            img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
            m[:, :2] /= f
        return cv2.warpAffine(
            img, m, self.aligned_size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )

    @cached_property
    def aligned_grey(self) -> np.ndarray:
        if self.colour_file:  # one warp serves both
            return cv2.cvtColor(self.aligned_rgb, cv2.COLOR_RGB2GRAY)
        return self._warp(self.grey)

    @cached_property
    def aligned_rgb(self) -> np.ndarray:
        return self._warp(self.rgb)

    @cached_property
    def aligned_inside(self) -> np.ndarray:
        """Aligned-crop pixels that come from inside the image (a crop through the face)."""
        h, w = self.grey.shape
        rect = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
        aw, ah = self.aligned_size
        m = np.zeros((ah, aw), np.uint8)
        cv2.fillPoly(m, [np.rint(self.to_aligned(rect)).astype(np.int32)], 1)
        return m.astype(bool)

    @cached_property
    def face_mask(self) -> np.ndarray:
        w, h = self.aligned_size
        m = np.zeros((h, w), np.uint8)
        cv2.fillPoly(m, [np.rint(self.to_aligned(self.points[FACE_OVAL])).astype(np.int32)], 1)
        return m.astype(bool)

    @cached_property
    def eye_masks(self) -> tuple[np.ndarray, np.ndarray]:
        """Each eye's lid polygon (iris-model contour), slightly dilated, in the aligned crop."""
        w, h = self.aligned_size
        out = []
        for eye in (self.eye_left_img, self.eye_right_img):
            assert eye is not None
            m = np.zeros((h, w), np.uint8)
            cv2.fillPoly(m, [np.rint(self.to_aligned(eye.contour[:16])).astype(np.int32)], 1)
            out.append(cv2.dilate(m, np.ones((5, 5), np.uint8)).astype(bool))
        return out[0], out[1]

    @cached_property
    def mouth_mask(self) -> np.ndarray:
        w, h = self.aligned_size
        m = np.zeros((h, w), np.uint8)
        cv2.fillPoly(m, [np.rint(self.to_aligned(self.points[OUTER_LIPS])).astype(np.int32)], 1)
        return m.astype(bool)

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

    @cached_property
    def background_mask(self) -> np.ndarray:
        """``small_rgb`` pixels beside and above the head, inside 1 head width of it.

        No segmentation model (MediaPipe's selfie model needs a custom op): the head is an
        ellipse on the face oval enlarged for hair and ears; shoulders are below the chin line,
        which is excluded.
        """
        assert self.small_rgb is not None
        hs, ws = self.small_rgb.shape[:2]
        f = 1.0 / self.small_factor
        m = np.zeros((hs, ws), np.uint8)
        chin, crown = self.points[CHIN, :2] * f, self.crown * f
        centre = (chin + crown) / 2
        half_h = np.linalg.norm(chin - crown) / 2
        half_w = np.linalg.norm(self.points[FACE_LEFT_EDGE, :2] - self.points[FACE_RIGHT_EDGE, :2])
        half_w = half_w * f / 2
        x0 = int(max(0, centre[0] - 3 * half_w))
        x1 = int(min(ws, centre[0] + 3 * half_w))
        y0 = int(max(0, crown[1] - 1.0 * half_h))
        y1 = int(min(hs, chin[1]))
        m[y0:y1, x0:x1] = 1
        cv2.ellipse(
            m,
            (round(centre[0]), round(centre[1] - 0.1 * half_h)),
            (round(half_w * 1.45), round(half_h * 1.3)),
            self.roll_deg,
            0,
            360,
            0,
            -1,
        )
        return m.astype(bool)
