"""Binary ridge map and a fast minutiae-count proxy.

A minutiae extractor (mindtct, FingerJet) thins the ridge map and walks it: tens of ms. Each ridge
*segment* ends in two ridge endings and each valley segment in two bifurcations (a bifurcation
ends a valley), so counting connected ridge and valley segments inside the foreground estimates
the minutiae count in about a millisecond. Small specks are counted apart: they are what dry,
dusty or noisy prints add, and what a real extractor turns into false minutiae.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .fields import Fields

#: segments shorter than this (px, at 500 ppi: about 1.5 ridge periods) are specks, not ridges.
MIN_SEGMENT_PX = 24


@dataclass(frozen=True, slots=True)
class RidgeCounts:
    ridge_segments: int
    valley_segments: int
    specks: int
    foreground_px: int

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
    rows, cols = np.flatnonzero(fg.any(1)), np.flatnonzero(fg.any(0))
    if rows.size == 0:
        return RidgeCounts(0, 0, 0, 0)
    y0, x0 = int(rows[0]) * b, int(cols[0]) * b
    y1, x1 = min((int(rows[-1]) + 1) * b, fields.height), min((int(cols[-1]) + 1) * b, fields.width)
    if y1 <= y0 or x1 <= x0:
        return RidgeCounts(0, 0, 0, 0)
    fg = fg[int(rows[0]) : int(rows[-1]) + 1, int(cols[0]) : int(cols[-1]) + 1]
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
    for binary in (dark & inside, ~dark & inside):
        n, labels = cv2.connectedComponents(binary.view(np.uint8), connectivity=8, ltype=cv2.CV_16U)
        # a histogram of the 16-bit labels, without np.bincount's conversion to int64 first
        area = cv2.calcHist([labels], [0], None, [n], [0, n]).ravel()[1:]
        counts.append(int((area >= MIN_SEGMENT_PX).sum()))
        specks += int((area < MIN_SEGMENT_PX).sum())
    return RidgeCounts(counts[0], counts[1], specks, fg_px)
