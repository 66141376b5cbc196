"""Face test images: scikit-image's public-domain astronaut, degraded in code."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from biocap.capture import Capture

skimage = pytest.importorskip("skimage")


@pytest.fixture(scope="session")
def portrait() -> np.ndarray:
    from biocap.bench.face.samples import portrait

    return portrait(600, 800)


@pytest.fixture(scope="session")
def portrait_capture(portrait) -> Capture:
    return Capture(portrait, source="astronaut")


def rotate(img: np.ndarray, deg: float) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)
    return cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
