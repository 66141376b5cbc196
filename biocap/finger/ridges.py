"""Binary ridge map and a fast minutiae-count proxy.

A minutiae extractor (mindtct, FingerJet) thins the ridge map and walks it: tens of ms. Each ridge
*segment* ends in two ridge endings and each valley segment in two bifurcations (a bifurcation
ends a valley), so counting connected ridge and valley segments inside the foreground estimates
the minutiae count in about a millisecond. Small specks are counted apart: they are what dry,
dusty or noisy prints add, and what a real extractor turns into false minutiae. Per block, the
share of ridge pixels that lie in short fragments tells where ridges are broken into dots
(dry skin, :mod:`biocap.finger.regions`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .fields import Fields

#: segments shorter than this (px, at 500 ppi: about 1.5 ridge periods) are specks, not ridges.
MIN_SEGMENT_PX = 24
#: ridge pieces smaller than this (px: a ridge ~6 px wide and < 2 ridge periods long) are
#: fragments: the dots and dashes of dry, broken ridges.
FRAGMENT_PX = 128


@dataclass(frozen=True, slots=True)
class RidgeCounts:
    ridge_segments: int
    valley_segments: int
    specks: int
    foreground_px: int
    #: ``(rows, cols)`` float32: per block of the eroded foreground, the share of its ridge
    #: pixels in fragments smaller than :data:`FRAGMENT_PX` (0 elsewhere).
    fragment_share: np.ndarray

    @property
    def minutiae_estimate(self) -> int:
        return 2 * (self.ridge_segments + self.valley_segments)


#: half-size (px) of the box filter whose local mean splits ridge (dark) from valley pixels.
_LOCAL_MEAN_HALF_PX = 7


def eroded_foreground(fields: Fields) -> np.ndarray:
    """Foreground blocks eroded by one block, so that the artificial ridge ends at the print
    border are not counted."""
    fg = fields.foreground.astype(np.uint8)
    return cv2.erode(fg, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0)


def foreground_mask(fields: Fields) -> np.ndarray:
    """Pixel mask ``(h, w)`` of :func:`eroded_foreground`."""
    b = fields.block_px
    mask = np.repeat(np.repeat(eroded_foreground(fields), b, axis=0), b, axis=1)
    return mask[: fields.height, : fields.width]


def count_segments(fields: Fields) -> RidgeCounts:
    """Ridge/valley segment counts inside the eroded foreground (no per-pixel Python).

    Works on the bounding box of the eroded foreground (about half a plain impression): pixels
    outside it are never counted, and the local mean inside it reads the same pixels as on the
    whole image (the filter runs on the image up to the box's far edge plus its half-size).
    """
    b = fields.block_px
    fg = eroded_foreground(fields)
    fragments = np.zeros(fg.shape, np.float32)
    rows, cols = np.flatnonzero(fg.any(1)), np.flatnonzero(fg.any(0))
    if rows.size == 0:
        return RidgeCounts(0, 0, 0, 0, fragments)
    y0, x0 = int(rows[0]) * b, int(cols[0]) * b
    y1, x1 = min((int(rows[-1]) + 1) * b, fields.height), min((int(cols[-1]) + 1) * b, fields.width)
    if y1 <= y0 or x1 <= x0:
        return RidgeCounts(0, 0, 0, 0, fragments)
    box = (slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1))
    fg = fg[box]
    inside = np.repeat(np.repeat(fg.view(bool), b, axis=0), b, axis=1)[: y1 - y0, : x1 - x0]
    fg_px = int(np.count_nonzero(inside))
    # The box filter keeps running sums from the top left corner: it runs from there (not from
    # the box) so that its rounding, and with it every pixel equal to its local mean in flat
    # saturated areas, stays as on the whole image.
    m = _LOCAL_MEAN_HALF_PX
    above = fields.smooth[: min(y1 + m, fields.height), : min(x1 + m, fields.width)]
    local = cv2.blur(above, (2 * m + 1, 2 * m + 1))
    dark = above[y0:y1, x0:x1] < local[y0:y1, x0:x1]
    counts = []
    specks = 0
    for k, binary in enumerate((dark & inside, ~dark & inside)):
        n, labels = cv2.connectedComponents(binary.view(np.uint8), connectivity=8, ltype=cv2.CV_16U)
        # a histogram of the 16-bit labels, without np.bincount's conversion to int64 first
        hist = cv2.calcHist([labels], [0], None, [n], [0, n]).ravel()
        area = hist[1:]
        counts.append(int((area >= MIN_SEGMENT_PX).sum()))
        specks += int((area < MIN_SEGMENT_PX).sum())
        if k == 0:  # ridges (dark)
            fragments[box] = _fragment_share(labels, hist, binary, b)
    return RidgeCounts(counts[0], counts[1], specks, fg_px, fragments)


def _fragment_share(labels: np.ndarray, area: np.ndarray, ridge: np.ndarray, b: int) -> np.ndarray:
    """Per ``b x b`` block of the box ``labels`` covers, the share of its ridge pixels
    (``ridge``) that lie in components smaller than :data:`FRAGMENT_PX` (``area[k]``: the size
    of component ``k``, 0 = not ridge). The box's last row / column of blocks may pass the
    image edge: they are padded with non-ridge pixels.

    Read on every other pixel of every other row (a block's ~500 ridge pixels give ~125
    samples, a share to about +-0.05): the per-pixel look-up of the labels is the cost here.
    Masks are 0/255 ``uint8`` so that OpenCV's area resize gives block means to 1/255.
    """
    small = np.where(area < FRAGMENT_PX, 255, 0).astype(np.uint8)
    small[0] = 0
    labels, ridge, b = labels[::2, ::2], ridge[::2, ::2], b // 2
    h, w = labels.shape
    rows, cols = -(-h // b), -(-w // b)

    def block_mean(mask: np.ndarray) -> np.ndarray:
        mask = cv2.copyMakeBorder(mask, 0, rows * b - h, 0, cols * b - w, cv2.BORDER_CONSTANT)
        return cv2.resize(mask, (cols, rows), interpolation=cv2.INTER_AREA).astype(np.float32)

    frag = block_mean(np.take(small, labels))
    total = block_mean(np.multiply(ridge.view(np.uint8), 255, dtype=np.uint8))
    return frag / np.maximum(total, 1.0)
