"""Response shapes (pydantic), for the OpenAPI document.

Handlers return ready JSON (no second validation pass on the hot path); these models say what
that JSON holds, and the API tests check real answers against them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    code: str = Field(description="stable machine-readable code, e.g. unsupported_format")
    message: str
    details: dict[str, Any] | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


class MeasureOut(BaseModel):
    raw: float | None = Field(description="raw value in its unit (null: not computable)")
    score: int | None = Field(None, description="0-100 component score")
    unit: str = ""


class DefectOut(BaseModel):
    code: str = Field(description="<modality>.<defect>, e.g. finger.too_light")
    severity: str = Field(description="warning or error")
    evidence: dict[str, float] = {}
    place: str | None = Field(
        None, description="local defects: core, upper, lower, left or right (of the print)"
    )
    message: str
    action: str


class ReasonOut(BaseModel):
    code: str
    message: str
    action: str


class ImageOut(BaseModel):
    width: int
    height: int
    colour: bool
    format: str
    ppi: float | None
    ppi_source: str


class AttemptOut(BaseModel):
    attempt: int
    quality: int
    decision: str
    reasons: list[str]


class AttemptsOut(BaseModel):
    decision: str = Field(description="accept, retake or exception (best attempt kept)")
    reasons: list[str]
    attempt: int
    max_attempts: int
    best_attempt: int
    best_quality: int
    attempts: list[AttemptOut]


class RegionOut(BaseModel):
    code: str = Field(description="the local defect, e.g. finger.smudged_region")
    severity: str = Field(description="error when it covers the core, else warning")
    place: str = Field(description="core, upper, lower, left or right")
    share: float = Field(description="share of the foreground blocks it covers")
    blocks: int
    box: list[float] = Field(description="[x0, y0, x1, y1] in the decoded image's pixels")
    outline: list[list[list[float]]] = Field(description="polygons of [x, y] image pixels")
    label: str = Field(description="short name of the defect, in the request's language")
    place_label: str = Field(description="the place, in the request's language")


class QualityMapOut(BaseModel):
    block_px: float | None = Field(description="a block's side in the decoded image's pixels")
    values: list[list[int]] = Field(description="per block 0-100, 255 = background")
    regions: list[RegionOut] = Field(
        [], description="local defects on the map (smudged, dry-broken, worn regions)"
    )


class LatencyOut(BaseModel):
    decode: float
    assess: float
    total: float = Field(description="server time from request start to answer, ms")


class AssessResponse(BaseModel):
    modality: str
    quality: int = Field(description="0-100, higher is better; 255 when it cannot be computed")
    failure_reason: str | None
    decision: str = Field(description="accept, retake, or exception (with a subject)")
    reasons: list[ReasonOut]
    message: str = Field(description="one line for the operator")
    action: str
    defects: list[DefectOut]
    measures: dict[str, MeasureOut]
    position: int | str | None
    profile: str
    image: ImageOut
    attempts: AttemptsOut | None = None
    quality_map: QualityMapOut | None = None
    overlay: dict[str, Any] | None = None
    preview: str | None = Field(
        None, description="with map=true: the decoded image as a JPEG data URL (for display)"
    )
    latency_ms: LatencyOut


class SeriesOut(BaseModel):
    modality: str
    position: str
    attempts: list[AttemptOut]
    best_attempt: int
    best_quality: int
    decision: str | None


class SubjectState(BaseModel):
    subject: str
    series: list[SeriesOut]
    expires_in_s: float


class Forgotten(BaseModel):
    subject: str
    forgotten: bool


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    ready: bool
    modalities: list[str]
    warm_up_ms: dict[str, float]


# ---------------------------------------------------------------- MOSIP BioSDK check-quality


class MosipRequest(BaseModel):
    """MOSIP biosdk-service envelope: ``request`` is base64(JSON of CheckQualityRequestDto)
    (``{"sample": BiometricRecord, "modalitiesToCheck": [...], "flags": {}}``); the decoded
    object itself is accepted too."""

    version: str | None = None
    request: str | dict[str, Any]


class MosipError(BaseModel):
    modalityName: str | None = None
    errorCode: str
    errorMessage: str


class MosipScore(BaseModel):
    score: float
    errors: list[MosipError]
    analyticsInfo: dict[str, str]


class MosipQualityCheck(BaseModel):
    scores: dict[str, MosipScore]
    analyticsInfo: dict[str, str]


class MosipInner(BaseModel):
    statusCode: int
    statusMessage: str | None
    response: MosipQualityCheck | None


class MosipResponse(BaseModel):
    version: str
    responsetime: str
    response: MosipInner
    errors: list[dict[str, str]]
