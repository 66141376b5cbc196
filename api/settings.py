"""Service settings: defaults for a station laptop, overridable by ``BIOCAP_*`` variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields

from biocap.io import DEFAULT_LIMITS, Limits


def _env(name: str, default: object) -> object:
    raw = os.environ.get(f"BIOCAP_{name.upper()}")
    if raw is None or raw == "":
        return default
    if isinstance(default, bool):
        return raw.lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the app factory needs; :meth:`from_env` reads ``BIOCAP_<FIELD>``."""

    #: header ``X-API-Key`` must carry it on /v1 when set (LAN use); None: loopback trust
    api_key: str | None = None
    #: request bodies over this are refused (413) while streaming, before they are all read
    max_body_bytes: int = 20 * 1024 * 1024
    #: per-request budget for decode + assess (a 503 ``timeout`` answer past it)
    timeout_s: float = 10.0
    #: assessment processes behind the one HTTP process (about one per core); 0 runs the
    #: assessments in one thread of the HTTP process (tests, one-off use). Threads do not scale:
    #: the core holds the GIL for part of each image (2 x 2 threads on 2 cores: 71.6
    #: fingerprints/s against 103.7/s for 2 x 1, benchmarks/service_load.py, 2026-11-24).
    workers: int = 0
    #: policy profile used when a request names none
    profile: str = "default"
    #: attempt memory: subjects kept and idle time before they are forgotten
    max_subjects: int = 10_000
    subject_ttl_s: float = 3600.0
    #: station language of operator messages and the page (BIOCAP_LANG), when a request names
    #: none (``lang=``) and its ``Accept-Language`` names no shipped one
    lang: str = "en"
    #: live streams (WS /v1/<modality>/stream): bytes per frame (larger: closed with 1009),
    #: open streams at once (more: refused with 1013 ``busy``), seconds without a frame before
    #: a stream is closed
    max_frame_bytes: int = 4 * 1024 * 1024
    max_streams: int = 8
    stream_idle_s: float = 30.0
    #: pixel/side limits checked from the header before any pixel is decoded
    limits: Limits = field(default=DEFAULT_LIMITS)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        values: dict[str, object] = {}
        for f in fields(cls):
            if f.name == "limits":
                continue
            default = getattr(cls(), f.name)
            values[f.name] = _env(f.name, "" if default is None else default) or default
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
