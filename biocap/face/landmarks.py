"""468-point face mesh and iris landmarks (MediaPipe ``face_landmark`` and ``iris_landmark``).

Crops follow MediaPipe's graphs: the mesh sees a 192x192 square around the detection, rotated so
the eye line is horizontal and 1.5x the box (``face_detection_front_detection_to_roi``); each
eye is a 64x64 square on the eye corners, 2.3x their distance (``iris_landmark_landmarks_to_roi``),
the image-right eye mirrored because the model knows one eye only. Inputs are RGB in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from biocap.models import onnx_session

from .detect import LEFT_EYE, RIGHT_EYE, Detection

MESH_MODEL = "face_landmark.onnx"
IRIS_MODEL = "face_iris_landmark.onnx"
MESH_PX = 192
IRIS_PX = 64
MESH_SCALE = 1.5
IRIS_SCALE = 2.3

#: eye corners in the mesh: (outer, inner) for the image-left eye (subject's right) and the other.
EYE_CORNERS = ((33, 133), (263, 362))
#: iris-model eye contour: index 0/8 corners, 1-7 lower lid, 9-15 upper lid (mesh 33, 7, 163,
#: 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173 for the image-left eye).
LOWER_LID = np.array([2, 3, 4, 5, 6])
UPPER_LID = np.array([14, 13, 12, 11, 10])


def warp_crop(img: np.ndarray, inv: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear, border-replicating ``cv2.warpAffine``; ``inv`` maps output to ``img`` pixels.

    OpenCV 5's warp is ~2x slower on 3 channels than on 4 (a 192 px crop: 0.28 vs 0.14 ms), so
    an RGB image's sampled box (with the bilinear neighbours; clipped to the image, whose edge
    the replicated border then copies) is given an alpha channel first, unless the box is so
    much larger than the output (a shrink by more than 4) that converting it costs more. Same
    pixels up to +-1 grey level in ~1 % of them (OpenCV rounds sample positions to 1/32 px; the
    box's origin moves that rounding).
    """
    w, h = size
    ends = np.array([[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1]], np.float64)
    src = ends @ inv[:, :2].T + inv[:, 2]
    ih, iw = img.shape[:2]
    x0, y0 = np.clip(np.floor(src.min(axis=0)).astype(int) - 1, 0, [iw - 1, ih - 1])
    x1, y1 = np.clip(np.ceil(src.max(axis=0)).astype(int) + 2, [x0 + 1, y0 + 1], [iw, ih])
    box = img[y0:y1, x0:x1]
    m = inv.astype(np.float64)  # a copy
    m[:, 2] -= (x0, y0)
    rgb = box.ndim == 3 and box.shape[2] == 3 and box.shape[0] * box.shape[1] < 16 * w * h
    if rgb:
        box = cv2.cvtColor(box, cv2.COLOR_RGB2RGBA)
    out = cv2.warpAffine(
        box, m, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
    )
    return cv2.cvtColor(out, cv2.COLOR_RGBA2RGB) if rgb else out


@dataclass(frozen=True, slots=True)
class Square:
    """A rotated square crop: centre (x, y), side and angle (rad) of its x axis, image pixels."""

    cx: float
    cy: float
    side: float
    angle: float

    def to_image(self, n: int) -> np.ndarray:
        """2x3 affine from crop pixels (``n x n``) to image pixels."""
        c, s = np.cos(self.angle), np.sin(self.angle)
        k = self.side / n
        ux, uy, vx, vy = c * k, s * k, -s * k, c * k
        tx = self.cx - (ux + vx) * n / 2
        ty = self.cy - (uy + vy) * n / 2
        return np.array([[ux, vx, tx], [uy, vy, ty]], np.float64)

    def crop(self, img: np.ndarray, n: int) -> np.ndarray:
        return warp_crop(img, self.to_image(n), (n, n))

    def project(self, pts: np.ndarray, n: int) -> np.ndarray:
        """Crop-pixel points ``(k, 2+)`` to image pixels (z scaled like x)."""
        m = self.to_image(n)
        out = pts.astype(np.float64)  # a copy
        out[:, :2] = pts[:, :2] @ m[:, :2].T + m[:, 2]
        if pts.shape[1] > 2:
            out[:, 2] = pts[:, 2] * self.side / n
        return out


@dataclass(frozen=True, slots=True)
class Eye:
    """One eye's iris-model answer in image pixels."""

    contour: np.ndarray  # (71, 3): 16 lid points, then brow and surrounding points
    iris: np.ndarray  # (5, 3): centre, then 4 points on the iris boundary
    roi: Square

    @property
    def centre(self) -> np.ndarray:
        return self.iris[0, :2]

    @property
    def iris_radius(self) -> float:
        return float(np.linalg.norm(self.iris[1:, :2] - self.iris[0, :2], axis=1).mean())

    @property
    def width(self) -> float:
        return float(np.linalg.norm(self.contour[0, :2] - self.contour[8, :2]))

    @property
    def opening(self) -> float:
        """Mean lid gap over the 5 central lid point pairs (px)."""
        d = self.contour[UPPER_LID, :2] - self.contour[LOWER_LID, :2]
        return float(np.linalg.norm(d, axis=1).mean())


@dataclass(frozen=True, slots=True)
class Mesh:
    points: np.ndarray  # (468, 3) image pixels, z relative depth in pixels
    presence: float  # face-flag probability 0-1
    roi: Square


def face_square(det: Detection) -> Square:
    (x0, y0, x1, y1), kp = det.box, det.keypoints
    d = kp[LEFT_EYE] - kp[RIGHT_EYE]
    side = max(x1 - x0, y1 - y0) * MESH_SCALE
    return Square((x0 + x1) / 2, (y0 + y1) / 2, side, float(np.arctan2(d[1], d[0])))


def mesh(rgb: np.ndarray, det: Detection) -> Mesh:
    roi = face_square(det)
    x = roi.crop(rgb, MESH_PX).astype(np.float32) * (1.0 / 255.0)
    sess = onnx_session(MESH_MODEL)
    pts, flag = sess.run(None, {sess.get_inputs()[0].name: x[None]})
    pts = pts.reshape(468, 3)
    presence = float(1.0 / (1.0 + np.exp(-np.clip(float(flag.ravel()[0]), -50, 50))))
    return Mesh(roi.project(pts, MESH_PX), presence, roi)


def eye_square(outer: np.ndarray, inner: np.ndarray) -> Square:
    d = inner[:2] - outer[:2]
    mid = (inner[:2] + outer[:2]) / 2
    angle = float(np.arctan2(d[1], d[0]))
    return Square(float(mid[0]), float(mid[1]), float(np.hypot(*d)) * IRIS_SCALE, angle)


def eyes(rgb: np.ndarray, m: Mesh) -> tuple[Eye, Eye]:
    """Both eyes in one batch: image-left eye (subject's right) first."""
    p = m.points
    rois, crops = [], []
    for k, (outer, inner) in enumerate(EYE_CORNERS):
        # both squares use the image-left-to-right direction; the image-right eye is mirrored
        a, b = (p[outer], p[inner]) if k == 0 else (p[inner], p[outer])
        roi = eye_square(a, b)
        c = roi.crop(rgb, IRIS_PX)
        crops.append(c if k == 0 else c[:, ::-1])
        rois.append(roi)
    x = np.stack(crops).astype(np.float32) * (1.0 / 255.0)
    sess = onnx_session(IRIS_MODEL)
    contours, irises = sess.run(None, {sess.get_inputs()[0].name: x})  # one batch of 2
    out: list[Eye] = []
    for k in range(2):
        contour, iris = contours[k].reshape(71, 3), irises[k].reshape(5, 3)
        if k == 1:
            contour = contour.copy()
            iris = iris.copy()
            contour[:, 0] = IRIS_PX - contour[:, 0]
            iris[:, 0] = IRIS_PX - iris[:, 0]
        out.append(Eye(rois[k].project(contour, IRIS_PX), rois[k].project(iris, IRIS_PX), rois[k]))
    return out[0], out[1]
