"""Glasses and background checks on the public-domain astronaut, with glasses and backdrops
drawn in code where the truth is known."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from biocap.capture import Capture
from biocap.face import assess
from biocap.face import defects as D
from biocap.face.background import background
from biocap.face.context import FaceContext
from biocap.face.segment import SEG_H, SEG_W


@pytest.fixture(scope="module")
def ctx(portrait) -> FaceContext:
    return FaceContext.build(portrait)


def _codes(img: np.ndarray, **thresholds: object) -> set[str]:
    t = D.DefectThresholds(**thresholds) if thresholds else None
    return {d.code for d in assess(Capture(img), t).defects}


def _lens_boxes(ctx: FaceContext) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """A 0.8 x 0.6 IED rectangle around each iris centre (image px)."""
    a, b = 0.4 * ctx.ied, 0.3 * ctx.ied
    return [
        ((round(x - a), round(y - b)), (round(x + a), round(y + b))) for x, y in ctx.eye_centres
    ]


def _with_glasses(img: np.ndarray, ctx: FaceContext) -> np.ndarray:
    out = img.copy()
    thick = max(2, round(0.04 * ctx.ied))
    boxes = _lens_boxes(ctx)
    for p0, p1 in boxes:
        cv2.rectangle(out, p0, p1, (25, 25, 25), thick)
    y = round(ctx.eye_centres[:, 1].mean() - 0.1 * ctx.ied)
    cv2.line(out, (boxes[0][1][0], y), (boxes[1][0][0], y), (25, 25, 25), thick)
    return out


def test_no_glasses_on_the_bare_face(portrait, ctx):
    m = assess(Capture(portrait)).measures
    assert m["glasses_frame"].raw < D.DEFAULT_THRESHOLDS.max_glasses_frame
    assert not _codes(portrait) & {D.GLASSES, D.GLASSES_GLARE, D.GLASSES_TINTED}


def test_drawn_frames_are_glasses(portrait, ctx):
    glasses = _with_glasses(portrait, ctx)
    codes = _codes(glasses)
    assert D.GLASSES in codes
    assert not codes & {D.GLASSES_GLARE, D.GLASSES_TINTED}
    assert D.GLASSES not in _codes(glasses, allow_glasses=True)


def test_glare_and_tint_on_the_drawn_lenses(portrait, ctx):
    glasses = _with_glasses(portrait, ctx)
    glare = glasses.copy()
    for (x0, y0), (x1, _) in _lens_boxes(ctx):
        cv2.circle(glare, ((x0 + x1) // 2, y0 + round(0.1 * ctx.ied)), round(0.08 * ctx.ied),
                   (255, 255, 255), -1)  # fmt: skip
    assert D.GLASSES_GLARE in _codes(glare, allow_glasses=True)
    tinted = glasses.copy()
    for (x0, y0), (x1, y1) in _lens_boxes(ctx):
        tinted[y0:y1, x0:x1] = (tinted[y0:y1, x0:x1] * 0.35).astype(np.uint8)
    assert D.GLASSES_TINTED in _codes(tinted, allow_glasses=True)


def test_person_mask_keeps_the_face_and_finds_background(ctx):
    bg = background(ctx)
    assert bg.crop.person.shape == (SEG_H, SEG_W) and bg.crop.rgb.shape == (SEG_H, SEG_W, 3)
    eyes = bg.crop.to_crop[:, :2] @ ctx.eye_centres.T + bg.crop.to_crop[:, 2:]
    for x, y in np.rint(eyes.T).astype(int):
        assert bg.crop.person[y, x] > 0.5 and not bg.mask[y, x]
    assert bg.usable and not (bg.mask & ~bg.crop.inside).any()


def _backdrop(portrait: np.ndarray, ctx: FaceContext, backdrop: np.ndarray) -> np.ndarray:
    """The astronaut on ``backdrop`` where the model sees no person (outline feathered)."""
    bg = background(ctx)
    person = cv2.warpAffine(
        bg.crop.person, bg.crop.to_crop, portrait.shape[1::-1],
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderValue=0,
    )  # fmt: skip
    alpha = cv2.GaussianBlur(person, (0, 0), 2.0)[..., None]
    return (portrait * alpha + backdrop * (1 - alpha)).astype(np.uint8)


def test_plain_striped_and_coloured_backdrops(portrait, ctx):
    h, w = portrait.shape[:2]
    plain = _backdrop(portrait, ctx, np.full((h, w, 3), 235, np.float32))
    codes = _codes(plain)
    assert not codes & {D.BACKGROUND_BUSY, D.BACKGROUND, D.BACKGROUND_COLOUR}
    stripes = np.where((np.arange(w) // 12 % 2).astype(bool), 30.0, 220.0)
    busy = _backdrop(portrait, ctx, np.broadcast_to(stripes[None, :, None], (h, w, 3)))
    assert D.BACKGROUND_BUSY in _codes(busy)
    white = {"min_background_lightness": 80.0, "max_background_chroma": 10.0}
    assert D.BACKGROUND_COLOUR not in _codes(plain, **white)
    blue = _backdrop(portrait, ctx, np.broadcast_to(np.float32([40, 80, 200]), (h, w, 3)))
    assert D.BACKGROUND_COLOUR in _codes(blue, **white)
    assert D.BACKGROUND_COLOUR not in _codes(blue)  # the default profile asks for no colour
