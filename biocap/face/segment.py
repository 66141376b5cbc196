"""Person mask: MediaPipe selfie segmentation (``models/face_selfie_segmentation.onnx``).

The model is run once per image on a small, eye-levelled crop around the head and shoulders
(``SEG_W x SEG_H`` px at ``SEG_IED`` px between the eyes), not on the whole frame: the
background that ICAO 9303 asks to be plain is the part behind the head, and the landscape model,
being fully convolutional, takes any size that is a multiple of 16 (MODELS.md). At 112x128 it
costs ~0.6 ms on one core; the crop is warped from the already-shrunk copy of the image whenever
that copy still has the detail.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from biocap.models import onnx_session

MODEL = "face_selfie_segmentation.onnx"
#: crop size (multiples of 16) and inter-eye distance in it: 7 IEDs wide, 8 high, the eyes 3.2
#: IEDs below the top (ICAO head-and-shoulders framing with room above and beside the head).
SEG_W, SEG_H, SEG_IED = 112, 128, 16
SEG_EYES_Y = 3.2
BORDER = cv2.BORDER_REFLECT_101


@dataclass(frozen=True, slots=True)
class PersonCrop:
    """The segmentation crop: its RGB pixels, the person probability and what lies in the image.

    ``rgb`` ``(SEG_H, SEG_W, 3)`` uint8, ``person`` ``(SEG_H, SEG_W)`` float32 0-1, ``inside``
    bool (pixels that come from inside the image), ``to_crop`` the 2x3 image -> crop affine.
    """

    rgb: np.ndarray
    person: np.ndarray
    inside: np.ndarray
    to_crop: np.ndarray


def crop_transform(eye_left: np.ndarray, eye_right: np.ndarray) -> np.ndarray:
    """2x3 similarity, image pixels -> crop pixels: eyes level, ``SEG_IED`` apart, centred."""
    d = eye_right - eye_left
    k = SEG_IED / max(float(np.hypot(*d)), 1e-6)
    a = -np.arctan2(d[1], d[0])
    c, s = np.cos(a) * k, np.sin(a) * k
    mx, my = (eye_left + eye_right) / 2
    ox, oy = SEG_W / 2, SEG_EYES_Y * SEG_IED
    return np.array([[c, -s, ox - (c * mx - s * my)], [s, c, oy - (s * mx + c * my)]])


def person_crop(
    rgb: np.ndarray, small_rgb: np.ndarray, small_factor: int, eyes: np.ndarray
) -> PersonCrop:
    """Warp the crop (from ``small_rgb`` unless that holds fewer px per IED than the crop) and
    run the model on it. ``eyes`` ``(2, 2)``: image-left then image-right eye centre, image px."""
    m = crop_transform(eyes[0], eyes[1])
    ied = float(np.linalg.norm(eyes[1] - eyes[0]))
    src, k = (small_rgb, small_factor) if ied / small_factor >= SEG_IED else (rgb, 1)
    src_m = m.copy()
    if k > 1:  # crop pixels from small pixels: a small pixel's centre is at k*(i + 0.5) - 0.5
        src_m[:, 2] += src_m[:, :2] @ np.full(2, (k - 1) / 2)
        src_m[:, :2] *= k
    inv = cv2.invertAffineTransform(src_m)
    # mirrored beyond the border: a replicated edge row (often a dark frame line, or the chin
    # of a tightly cropped head) smeared over the crop made the model see no person at all
    crop = cv2.warpAffine(
        src,
        inv,
        (SEG_W, SEG_H),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=BORDER,
    )
    sess = onnx_session(MODEL)
    x = crop.astype(np.float32)[None] * (1.0 / 255.0)
    person = sess.run(None, {sess.get_inputs()[0].name: x})[0][0, :, :, 0]
    # pixels from inside the image: a warp of an all-ones image with a zero border
    ones = np.ones(src.shape[:2], np.uint8)
    inside = cv2.warpAffine(
        ones, inv, (SEG_W, SEG_H), flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP, borderValue=0
    ).astype(bool)
    return PersonCrop(crop, person, inside, m)
