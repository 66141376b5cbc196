"""Minutiae templates and the matcher behind the slap sequence check (synthetic prints)."""

from __future__ import annotations

import cv2
import numpy as np

from biocap.finger.slap.match import match
from biocap.finger.slap.minutiae import extract, thin
from biocap.finger.synthetic import fingerprint


def test_thinning_leaves_one_pixel_lines():
    img = np.zeros((40, 60), bool)
    img[15:22, 5:55] = True  # a bar 7 px thick
    skel = thin(img)
    assert skel[:, 10:50].sum(axis=0).max() == 1  # one pixel across
    assert 40 <= skel.sum() <= 55  # and nearly as long as the bar


def test_template_of_a_print_and_of_nothing():
    t = extract(fingerprint((360, 320), seed=3))
    assert t.dtype == np.float32 and t.shape[1] == 3 and 10 <= len(t) <= 80
    assert (t[:, 2] >= 0).all() and (t[:, 2] < np.pi).all()
    assert len(extract(np.full((300, 300), 200, np.uint8))) == 0


def test_match_same_print_moved_beats_another_print():
    grey = fingerprint((360, 320), seed=5)
    m = cv2.getRotationMatrix2D((160, 180), 8.0, 1.0)
    m[:, 2] += (12, -9)
    moved = cv2.warpAffine(grey, m, (320, 360), borderValue=int(np.median(grey)))
    a, b = extract(grey), extract(moved)
    c = extract(fingerprint((360, 320), seed=6))
    assert match(a, b) > 3 * max(match(a, c), 0.01)
    assert match(a, b) == match(a, b)  # deterministic
    assert match(a, np.zeros((0, 3), np.float32)) == 0.0
