"""The iris as a rubber sheet, and what covers it: eyelids, eyelashes, specular reflections.

Daugman's normalisation samples the annulus between the pupil and the limbus on a polar grid
(``ANGLES`` x ``RINGS``, one ``remap``); every occlusion test is then a whole-array comparison
on that small sheet. Eyelids are found where occlusion reaches in from the limbus along a ray,
and fitted with a parabola per lid, so the operator page can draw them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .polar import median, sample_cells
from .segment import Segmentation

ANGLES = 128
RINGS = 16
#: grey levels beyond the iris median (at least; or 3 MADs) that mark skin/eyelid or eyelashes
BRIGHT_MARGIN = 30.0
DARK_MARGIN = 35.0
#: share of a ray's outer part that must be occluded for an eyelid to reach that far in
LID_SHARE = 0.6


@dataclass(frozen=True, slots=True)
class IrisSheet:
    """The normalised iris (``ANGLES x RINGS``, angle 0 = right, y down) and its masks.

    grey: ``float32`` samples of the working image; rho: ``(RINGS,)`` normalised radius 0
    (pupil) - 1 (limbus); weight: ``(RINGS,)`` cell area (proportional to radius in px);
    radius_px: ``(ANGLES, RINGS)`` and limbus_px: ``(ANGLES,)`` distances from the pupil centre.
    lid, lash, reflection (glints only), usable: ``bool`` masks. lid_rho: ``(ANGLES,)``
    normalised radius where an eyelid starts (1 = none). median, mad: grey statistics of the
    visible iris.
    """

    grey: np.ndarray
    rho: np.ndarray
    weight: np.ndarray
    radius_px: np.ndarray
    limbus_px: np.ndarray
    lid: np.ndarray
    lash: np.ndarray
    reflection: np.ndarray
    usable: np.ndarray
    lid_rho: np.ndarray
    median: float
    mad: float

    def share(self, mask: np.ndarray) -> float:
        """Area-weighted share of the annulus where ``mask`` holds (0-1)."""
        w = np.broadcast_to(self.weight, mask.shape)
        return float((w * mask).sum() / w.sum())


_ANGLES = np.linspace(0, 2 * np.pi, ANGLES, endpoint=False)


def _angles() -> np.ndarray:
    return _ANGLES


def unwrap(
    seg: Segmentation,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(grey, bright spots, glints, rho, radius per cell, limbus distance per angle): the
    rubber sheet between the two circles.

    Bright spots are every spot the segmentation removed (glints, but also skin between
    lashes and a wet lid edge): not usable iris. Only glints count as specular reflection.

    Pupil and limbus need not be concentric: each ray runs from the pupil circle to the
    limbus circle along the same angle from the pupil centre.
    """
    p, i = seg.pupil, seg.iris
    a = _angles()
    rho = (np.arange(RINGS, dtype=np.float32) + 0.5) / RINGS
    # distance from the pupil centre to the limbus along each angle (ray-circle intersection)
    dx, dy = p.x - i.x, p.y - i.y
    c, s = np.cos(a), np.sin(a)
    b = dx * c + dy * s
    r_out = -b + np.sqrt(np.maximum(b * b - (dx * dx + dy * dy - i.r * i.r), 0.0))
    r_out = np.maximum(r_out, p.r + 1.0)
    radius = p.r + rho[None, :] * (r_out[:, None] - p.r)  # (ANGLES, RINGS)
    grey = sample_cells(seg.work.astype(np.float32), p.x, p.y, radius)
    # both masks in one remap: (a, r, 2) = removed bright spots, glints
    spots = sample_cells(
        cv2.merge([seg.reflections.view(np.uint8), seg.glints.view(np.uint8)]).astype(np.float32),
        p.x,
        p.y,
        radius,
    )
    return grey, spots[..., 0] > 0.25, spots[..., 1] > 0.25, rho, radius, r_out.astype(np.float32)


def _lid_rho(occluded: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Per angle, the smallest normalised radius from which the ray's outer part is occluded
    at least ``LID_SHARE`` (1.0 where the limbus end is clear)."""
    tail = np.cumsum(occluded[:, ::-1], axis=1)[:, ::-1]  # occluded cells from ring j outward
    n_out = np.arange(RINGS, 0, -1)[None, :]
    covered = (tail / n_out >= LID_SHARE) & occluded[:, -1:]  # the limbus end itself covered
    first = np.where(covered.any(1), covered.argmax(1), RINGS)
    edges = np.append(rho - 0.5 / RINGS, 1.0)
    return edges[first]


def iris_sheet(seg: Segmentation) -> IrisSheet:
    """Unwrap the iris and mark eyelids, eyelashes and specular reflections on it."""
    grey, refl, glints, rho, radius, r_out = unwrap(seg)
    a = _angles()
    # reference texture: the lower lateral sectors, mid radii: eyelids and lashes rarely reach
    lower = (np.sin(a) > 0.15)[:, None] & ((rho > 0.15) & (rho < 0.75))[None, :]
    ref = grey[lower & ~refl]
    if ref.size < 8:
        ref = grey[~refl] if (~refl).sum() >= 8 else grey.ravel()
    med = median(ref)
    mad = median(np.abs(ref - med)) * 1.4826
    smooth = cv2.blur(grey, (1, 3))  # along the angle axis (rows are angles)
    bright = smooth > med + max(BRIGHT_MARGIN, 3.0 * mad)
    dark = smooth < med - max(DARK_MARGIN, 3.0 * mad)
    lid_rho = _lid_rho(bright | dark, rho)
    # a lid is a run of angles: median over 9 neighbours kills single lash-ray spikes
    wrapped = np.concatenate([lid_rho[-4:], lid_rho, lid_rho[:4]])
    windows = np.lib.stride_tricks.sliding_window_view(wrapped, 9)
    lid_rho = np.partition(windows, 4, axis=1)[:, 4].astype(np.float32)
    lid = rho[None, :] >= lid_rho[:, None]
    lash = dark & ~lid
    usable = ~(lid | lash | refl)
    weight = radius.mean(0).astype(np.float32)
    return IrisSheet(
        grey=grey,
        rho=rho,
        weight=weight,
        radius_px=radius,
        limbus_px=r_out,
        lid=lid,
        lash=lash,
        reflection=glints & ~lid,
        usable=usable,
        lid_rho=lid_rho,
        median=med,
        mad=mad,
    )


def eyelid_curves(seg: Segmentation, sheet: IrisSheet) -> dict[str, list[list[float]]]:
    """Upper and lower eyelid edges across the iris as polylines (working px), fitted with a
    parabola ``y = a x^2 + b x + c`` through the lid's edge points; empty where no lid."""
    p = seg.pupil
    a = _angles()
    r = p.r + sheet.lid_rho * (sheet.limbus_px - p.r)
    x = p.x + r * np.cos(a)
    y = p.y + r * np.sin(a)
    out: dict[str, list[list[float]]] = {}
    for name, side in (("upper", np.sin(a) < -0.2), ("lower", np.sin(a) > 0.2)):
        pts = side & (sheet.lid_rho < 1.0)
        if pts.sum() < 6:
            out[name] = []
            continue
        # least squares in x centred on the iris (well conditioned), normal equations 3x3
        u = x[pts] - seg.iris.x
        v = np.stack([u * u, u, np.ones_like(u)], 1)
        coef = np.linalg.solve(v.T @ v + 1e-9 * np.eye(3), v.T @ y[pts])
        xs = np.linspace(-seg.iris.r, seg.iris.r, 9)
        ys = coef[0] * xs * xs + coef[1] * xs + coef[2]
        out[name] = [[float(a + seg.iris.x), float(b)] for a, b in zip(xs, ys, strict=True)]
    return out
