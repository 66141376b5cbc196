"""Prometheus metrics: requests, latency per modality, decisions, errors.

All counted in the one HTTP process (the assessment processes only report back), so a scrape
sees the whole service.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

disable_created_metrics()  # the *_created gauges only add noise to every scrape

_LATENCY_BUCKETS = (0.002, 0.004, 0.006, 0.008, 0.010, 0.015, 0.020, 0.030, 0.050, 0.075)
_LATENCY_BUCKETS += (0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "biocap_requests",
    "HTTP requests answered, by route and status code",
    ["route", "status"],
)
LATENCY = Histogram(
    "biocap_assess_seconds",
    "Decode + assess + decide time per image, by modality",
    ["modality"],
    buckets=_LATENCY_BUCKETS,
)
DECISIONS = Counter(
    "biocap_decisions",
    "Decisions answered, by modality and decision (accept, retake, exception)",
    ["modality", "decision"],
)
ERRORS = Counter("biocap_errors", "Refused requests, by error code", ["code"])


def assessed(modality: str, seconds: float, decision: str) -> None:
    """One image decoded, assessed and decided (assess route and MOSIP checkQuality)."""
    LATENCY.labels(modality).observe(seconds)
    DECISIONS.labels(modality, decision).inc()


def render() -> tuple[bytes, str]:
    """The exposition text."""
    return generate_latest(), CONTENT_TYPE_LATEST
