"""Iris defect codes: what is wrong with an eye image, in terms the operator can act on.

Thresholds are parameters (a frozen dataclass, overridden by policy profiles by field name);
the operator messages live in the message catalogue (``biocap/catalogue/en/iris.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass

from biocap.assessment import Defect, Measure, Severity

NOT_AN_EYE = "iris.not_an_eye"
OCCLUDED = "iris.occluded"
LOOKING_AWAY = "iris.looking_away"
TOO_FAR = "iris.too_far"
TOO_CLOSE = "iris.too_close"
BLURRED = "iris.blurred"
SPECULAR_REFLECTION = "iris.specular_reflection"
PUPIL_DILATED = "iris.pupil_dilated"
PUPIL_CONSTRICTED = "iris.pupil_constricted"

CODES = (
    NOT_AN_EYE,
    OCCLUDED,
    LOOKING_AWAY,
    TOO_FAR,
    TOO_CLOSE,
    BLURRED,
    SPECULAR_REFLECTION,
    PUPIL_DILATED,
    PUPIL_CONSTRICTED,
)


@dataclass(frozen=True, slots=True)
class DefectThresholds:
    #: eye gate: share of rays crossing a clear pupil edge, and the disk's contrast (grey levels)
    min_pupil_edge_share: float = 0.5
    min_pupil_contrast: float = 10.0
    #: eye gate: mean radial grey step at the limbus, lateral sectors (levels per working px);
    #: eyes measured >= 1.36 (0.5th percentile 2.4), two Yale faces 0.8-1.1
    min_limbus_edge: float = 1.2
    #: eye gate: an iris smaller than this (input px) is not an iris image (a face, a scene)
    min_iris_radius_px: float = 20.0
    #: eye gate: a "pupil" wider than this share of the iris radius must be a dark, clear
    #: pupil (contrast, grey levels) or it is a fingerprint's core: eyes measured <= 0.6
    #: (one mis-segmented MMU2 frame 0.73), two FVC2002 prints 0.74-0.78 at contrast 51-56;
    #: a dilated eye (generated, 0.78) has contrast ~150 and stays an eye (pupil_dilated)
    oversized_pupil_ratio: float = 0.72
    oversized_pupil_min_contrast: float = 80.0
    #: eye gate: the weaker lateral limbus edge (levels per working px); an iris has a limbus
    #: on both sides, a blob at the edge of hair or a finger does not
    min_limbus_edge_side: float = -0.5
    #: eye gate: ring evidence around the pupil (``segment.RingEvidence``) combined as
    #: floor - 0.5 spread - 0.1 range: ~0.7 on an eye, < 0 on hair, nostrils, smudges
    min_ring_score: float = -0.7
    #: eye gate: share of textured blocks with one sharp spectral peak (fingerprint ridges)
    max_ridge_periodicity: float = 0.25
    #: eye gate: mean colour chroma (grey levels); a NIR iris frame is grey
    max_chroma: float = 10.0
    #: eye gate: share of the frame clipped white (>= 245); eye frames measured <= 0.45,
    #: fingerprint cards and studio faces are mostly white background
    max_saturated_share: float = 0.5
    #: eye gate: a frame a third clipped white is a studio or paper background or an
    #: overexposed eye; in an eye the iris ring stays even, so it must also score at least this
    bright_frame_share: float = 0.3
    bright_frame_min_ring_score: float = -0.4
    #: usable iris area (%) below which the eye is closed or covered (ISO/IEC 29794-6: >= 70)
    occluded_usable_area: float = 50.0
    #: looking away: an off-axis eye shows an elliptical pupil (gaze, deg) AND a pupil shifted
    #: inside the limbus (concentricity, %); either alone is mostly edge-finder noise on small
    #: pupils (MMU2 frontal eyes read 15-40 deg), so both must agree ...
    looking_away_gaze_deg: float = 25.0
    looking_away_concentricity_with_gaze: float = 90.0
    #: ... or the pupil is grossly off the limbus centre on its own
    looking_away_concentricity: float = 75.0
    #: iris diameter (input px) below which the camera is too far: ISO/IEC 19794-6 wants
    #: >= 150 px (200 good) and counts 100-149 px as marginal; below 100 px iris codes degrade
    #: fast. 100 px lets MMU2's ~115 px irises through (a policy profile can raise it)
    too_far_diameter_px: float = 100.0
    #: margin adequacy (%) below which the iris is too close to the frame or cut off
    too_close_margin: float = 30.0
    #: focus RMS (grey levels) below which, or motion blur above which, the image is blurred
    blurred_sharpness: float = 120.0
    blurred_motion: float = 0.75
    #: share of the iris (%) covered by specular reflections (glasses, lamps)
    reflection_share: float = 8.0
    #: pupil/iris ratio (%) bounds (ISO/IEC 29794-6 accepts 20-70)
    pupil_dilated_ratio: float = 70.0
    pupil_constricted_ratio: float = 20.0


DEFAULT_THRESHOLDS = DefectThresholds()


def ring_score(evidence: dict[str, float]) -> float:
    """How evenly a lighter iris ring surrounds the pupil (see ``min_ring_score``)."""
    return (
        evidence["ring_floor"]
        - 0.5 * min(evidence["ring_spread"], 2.0)
        - 0.1 * min(evidence["ring_range"], 10.0)
    )


def not_an_eye(evidence: dict[str, float], t: DefectThresholds = DEFAULT_THRESHOLDS) -> bool:
    """The eye gate: a grey image without fingerprint ridges, a round dark pupil, an even
    lighter iris ring around it, a limbus edge on both sides."""
    return (
        evidence["chroma"] > t.max_chroma
        or evidence["ridge_periodicity"] >= t.max_ridge_periodicity
        or evidence["saturated_share"] >= t.max_saturated_share
        or evidence["pupil_edge_share"] < t.min_pupil_edge_share
        or evidence["pupil_contrast"] < t.min_pupil_contrast
        or evidence["limbus_edge"] < t.min_limbus_edge
        or evidence["limbus_edge_min_side"] < t.min_limbus_edge_side
        or evidence["iris_radius_px"] < t.min_iris_radius_px
        or (
            evidence["pupil_iris_ratio"] > t.oversized_pupil_ratio
            and evidence["pupil_contrast"] < t.oversized_pupil_min_contrast
        )
        or ring_score(evidence) < t.min_ring_score
        or (
            evidence["saturated_share"] >= t.bright_frame_share
            and ring_score(evidence) < t.bright_frame_min_ring_score
        )
    )


def find_defects(
    measures: dict[str, Measure],
    reflection_share: float,
    t: DefectThresholds = DEFAULT_THRESHOLDS,
) -> list[Defect]:
    """Defects of an image that passed the eye gate, most actionable first."""
    m = {k: v.raw for k, v in measures.items()}
    out: list[Defect] = []
    if m["margin_adequacy"] < t.too_close_margin:
        out.append(Defect(TOO_CLOSE, Severity.ERROR, {"margin_adequacy": m["margin_adequacy"]}))
    if m["iris_diameter_px"] < t.too_far_diameter_px:
        out.append(Defect(TOO_FAR, Severity.ERROR, {"iris_diameter_px": m["iris_diameter_px"]}))
    if m["usable_iris_area"] < t.occluded_usable_area:
        out.append(Defect(OCCLUDED, Severity.ERROR, {"usable_iris_area": m["usable_iris_area"]}))
    gaze, conc = m["off_axis_gaze"], m["iris_pupil_concentricity"]
    if (
        gaze > t.looking_away_gaze_deg and conc < t.looking_away_concentricity_with_gaze
    ) or conc < t.looking_away_concentricity:
        ev = {k: m[k] for k in ("off_axis_gaze", "iris_pupil_concentricity")}
        out.append(Defect(LOOKING_AWAY, Severity.ERROR, ev))
    if m["sharpness"] < t.blurred_sharpness or m["motion_blur"] > t.blurred_motion:
        ev = {k: m[k] for k in ("sharpness", "motion_blur")}
        out.append(Defect(BLURRED, Severity.ERROR, ev))
    if reflection_share > t.reflection_share:
        out.append(
            Defect(SPECULAR_REFLECTION, Severity.WARNING, {"reflection_share": reflection_share})
        )
    if m["pupil_iris_ratio"] > t.pupil_dilated_ratio:
        out.append(
            Defect(PUPIL_DILATED, Severity.WARNING, {"pupil_iris_ratio": m["pupil_iris_ratio"]})
        )
    elif m["pupil_iris_ratio"] < t.pupil_constricted_ratio:
        out.append(
            Defect(PUPIL_CONSTRICTED, Severity.WARNING, {"pupil_iris_ratio": m["pupil_iris_ratio"]})
        )
    return out
