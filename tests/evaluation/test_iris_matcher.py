"""The evaluation iris matcher: open-iris' encoder reproduced bit for bit, Hamming distances
that tell one eye from another, masks that remove occluded bits."""

from __future__ import annotations

import hashlib

import cv2
import numpy as np
import pytest

from biocap.evaluation import iris_code as C
from biocap.evaluation.iris_match import NO_MATCH, all_pairs, hamming_distance
from biocap.evaluation.iris_pairs import fnmr_at, threshold_at_fmr
from biocap.iris import synthetic as S
from biocap.iris.core import analyse

from .iris_golden_sheets import golden_sheets


def _sha(bits: np.ndarray) -> str:
    return hashlib.sha256(np.packbits(bits).tobytes()).hexdigest()[:16]


def test_encoder_matches_open_iris_bit_for_bit():
    """Golden values from open-iris 1.11.2 (``ConvFilterBank`` with the pipeline's two Gabor
    filters, ``FragileBitRefinement`` polar, ``IrisEncoder``, ``SimpleHammingDistanceMatcher``
    with 15 shifts, not normalised) on these two sheets, run in a separate environment."""
    a, b, m = golden_sheets()
    ca, cb = C.encode(a, m), C.encode(b, m)
    assert (_sha(C.unpack(ca.code)), _sha(C.unpack(ca.mask))) == (
        "4c0e0053b14fdd82",
        "42db91972cbf8016",
    )
    assert (_sha(C.unpack(cb.code)), _sha(C.unpack(cb.mask))) == (
        "4de0e5f5c2408823",
        "5f33cfc5f31e99e4",
    )
    assert (ca.usable_bits, cb.usable_bits) == (8875, 8927)
    resp = C.filter_responses(a, m)
    np.testing.assert_allclose(resp[0][0][5, 7], 0.2690044343471527 - 0.09385083615779877j, 1e-6)
    np.testing.assert_allclose(resp[1][0][0, 100], 0.11776474118232727 - 0.05766903981566429j, 1e-6)
    assert hamming_distance(ca, cb) == pytest.approx(0.013151544401544401, abs=1e-12)


def test_rotation_is_undone_by_the_shifts():
    a, b, m = golden_sheets()
    ca, cb = C.encode(a, m), C.encode(b, m)
    # 6 sheet columns = 3 code columns: the best shift finds it, shift 0 sees another eye
    bits = C.unpack(ca.code) != C.unpack(cb.code)
    both = C.unpack(ca.mask) & C.unpack(cb.mask)
    assert bits[both].mean() == pytest.approx(0.45900137425561155, abs=1e-12)
    assert hamming_distance(ca, cb) < 0.05


def test_packing_round_trips():
    rng = np.random.default_rng(0)
    bits = rng.random((2, C.PROBE_ROWS, C.PROBE_COLS, 2)) < 0.5
    assert np.array_equal(C.unpack(C._pack(bits)), bits)
    words = C._pack(bits)
    assert C.popcount(words).sum() == bits.sum()


def test_gabor_kernels_are_dc_free_and_unit_norm():
    for params in C.GABOR:
        k = C.gabor_kernel(*params)
        assert k.shape == (params[1], params[0])
        # DC correction: every row of the real part sums to ~0 (flat grey gives no bit)
        assert np.abs(k.real.sum(1)).max() < 1e-3 * np.abs(k.real).sum(1).max()
        assert np.linalg.norm(k.real) == pytest.approx(2**15, rel=1e-3)
        assert np.linalg.norm(k.imag) == pytest.approx(2**15, rel=1e-3)


def _code(img: np.ndarray) -> C.IrisCode | None:
    ctx = analyse(img)
    return C.iris_code(img, ctx.seg, ctx.sheet)


def _turned(img: np.ndarray, deg: float) -> np.ndarray:
    h, w = img.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def test_same_eye_matches_other_eyes_do_not():
    eye = S.eye(seed=1)
    same = _code(eye)
    turned = _code(_turned(eye, 8.0))  # head tilt within the +-21 deg of the shifts
    other = _code(S.eye(seed=2))
    assert same is not None and turned is not None and other is not None
    assert hamming_distance(same, same) == 0.0
    assert hamming_distance(same, turned) < 0.25
    assert hamming_distance(same, other) > 0.4
    d = all_pairs([same, turned, other, None])
    assert d[0, 1] == pytest.approx(hamming_distance(same, turned))
    assert d[0, 3] == NO_MATCH and d[2, 3] == NO_MATCH and np.isnan(d[1, 0])


def test_eyelid_bits_are_masked():
    open_eye = _code(S.eye(seed=3))
    covered = _code(S.eye(seed=3, lid_cover=0.35))
    assert open_eye is not None and covered is not None
    assert covered.usable_bits < 0.85 * open_eye.usable_bits
    # what stays visible still matches the open eye
    assert hamming_distance(open_eye, covered) < 0.25


def test_missing_template_is_a_non_match():
    assert hamming_distance(None, _code(S.eye(seed=4))) == NO_MATCH


def test_threshold_at_fmr():
    impostor = np.linspace(0.3, 0.5, 1000)  # 1 in 1000 at or below 0.3
    t = threshold_at_fmr(impostor, 1e-3)
    assert np.mean(impostor <= t) <= 1e-3 and t > 0.3 - 1e-6
    assert fnmr_at(np.array([0.2, 0.31, 0.4]), 0.3) == pytest.approx(2 / 3)
