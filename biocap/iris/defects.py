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
    min_pupil_edge_share: float = 0.6
    min_pupil_contrast: float = 15.0
    #: eye gate: mean radial grey step at the limbus, lateral sectors (levels per working px)
    min_limbus_edge: float = 0.6
    #: eye gate: an iris smaller than this (input px) is not an iris image (a face, a scene)
    min_iris_radius_px: float = 20.0
    #: usable iris area (%) below which the eye is closed or covered (ISO/IEC 29794-6: >= 70)
    occluded_usable_area: float = 50.0
    #: off-axis gaze (deg) or pupil-iris concentricity (%) beyond which the eye looks away
    looking_away_gaze_deg: float = 25.0
    looking_away_concentricity: float = 80.0
    #: iris diameter (input px) below which the camera is too far (ISO: >= 150 wanted)
    too_far_diameter_px: float = 120.0
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


def not_an_eye(evidence: dict[str, float], t: DefectThresholds = DEFAULT_THRESHOLDS) -> bool:
    """The eye gate: a round dark pupil, an iris ring around it with a limbus edge."""
    return (
        evidence["pupil_edge_share"] < t.min_pupil_edge_share
        or evidence["pupil_contrast"] < t.min_pupil_contrast
        or evidence["limbus_edge"] < t.min_limbus_edge
        or evidence["iris_radius_px"] < t.min_iris_radius_px
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
    if (
        m["off_axis_gaze"] > t.looking_away_gaze_deg
        or m["iris_pupil_concentricity"] < t.looking_away_concentricity
    ):
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
