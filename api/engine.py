"""The service's one piece of glue: bytes + query -> Capture -> evaluate -> answer dict.

Runs in a bounded thread pool (the core is sync CPU work: the event loop never runs it) under a
per-request time limit. Pixel limits are enforced by ``biocap.io`` before decoding, WSQ is
decoded in a child process, so no request can hang a worker; the time limit bounds how long a
station waits for an answer when the machine is overloaded.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import importlib
import io
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import cv2
import numpy as np

from api import metrics
from api.errors import ApiError
from api.settings import Settings
from biocap import catalogue
from biocap.capture import Capture
from biocap.errors import InvalidParameterError
from biocap.io import decode, iso19794
from biocap.policy import AttemptBook, Decision, load_profile
from biocap.records import assessors, evaluate, from_assessment

T = TypeVar("T")

EYES = ("left", "right")


@dataclass(frozen=True, slots=True)
class AssessRequest:
    modality: str
    ppi: float | None = None
    position: str | None = None
    profile: str | None = None
    subject: str | None = None
    width: int | None = None
    height: int | None = None
    with_map: bool = False
    lang: str = "en"


def parse_position(modality: str, position: str | int | None) -> int | str | None:
    """Finger: ISO/IEC 19794-4 position 0-10 (0 = unknown); iris: left/right; else a label."""
    if position is None or position == "":
        return None
    text = str(position).strip().lower()
    if modality == "finger":
        if not text.isdigit() or not 0 <= int(text) <= 10:
            raise InvalidParameterError(
                "finger position must be an ISO/IEC 19794-4 position 0-10", position=str(position)
            )
        return int(text)
    if modality == "iris":
        if text not in EYES:
            raise InvalidParameterError("iris position must be left or right", position=text)
        return text
    return text


class Engine:
    """Per-process state: the thread pool, the attempt book, readiness."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.book = AttemptBook(settings.max_subjects, settings.subject_ttl_s)
        self.pool = ThreadPoolExecutor(max(1, settings.threads), thread_name_prefix="assess")
        self.modalities: list[str] = sorted(assessors())
        self.ready = False
        self.closed = False
        self.warm_ms: dict[str, float] = {}
        load_profile(settings.profile)  # a bad default profile fails at start, not per request

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.closed = True

    def _executor(self) -> ThreadPoolExecutor:
        if self.closed:  # the app was started again after a shutdown (tests do)
            self.pool = ThreadPoolExecutor(max(1, self.settings.threads), "assess")
            self.closed = False
        return self.pool

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in the pool, answered within ``timeout_s`` (503 ``timeout`` past it)."""
        future = self._executor().submit(fn, *args)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.settings.timeout_s)
        except TimeoutError:
            future.cancel()  # dropped if still queued; a running one finishes unobserved
            raise ApiError(
                503,
                "timeout",
                f"no answer within {self.settings.timeout_s:g} s (overloaded or pathological)",
                timeout_s=self.settings.timeout_s,
            ) from None

    def warm_up(self) -> None:
        """Import every core and run it once, and decode one small file of each format (model
        sessions load and the WSQ decoder process starts here, not on a station's first
        capture); ``/readyz`` answers 200 after this. Runs on the pool's thread, whose WSQ
        decoder the requests then use."""
        self._executor().submit(self._warm).result()
        self.ready = True

    def _warm(self) -> None:
        rng = np.random.default_rng(0)
        for data in _warm_files():
            with contextlib.suppress(Exception):
                decode(data, source="warm-up", limits=self.settings.limits)
        for modality in self.modalities:
            t0 = time.perf_counter()
            pixels = _warm_image(modality, rng)
            # a core that cannot assess noise must still not stop the service
            with contextlib.suppress(Exception):
                evaluate(Capture(pixels, modality, 500.0, "caller"), load_profile("default"))
            self.warm_ms[modality] = round(1000 * (time.perf_counter() - t0), 1)

    # ------------------------------------------------------------------ assessment (thread)

    def capture(self, data: bytes, req: AssessRequest) -> Capture:
        position = parse_position(req.modality, req.position)
        kind = iso19794.sniff(data)
        if kind is None:
            return decode(
                data,
                source="request",
                ppi=req.ppi,
                width=req.width,
                height=req.height,
                modality=req.modality,
                position=position,
                limits=self.settings.limits,
            )
        if kind != req.modality:
            raise InvalidParameterError(
                f"an ISO/IEC 19794 {kind} record was sent to the {req.modality} endpoint",
                record=kind,
            )
        caps = iso19794.parse(data)
        if not caps:
            raise InvalidParameterError("the record holds no image")
        cap = next((c for c in caps if position is not None and c.position == position), caps[0])
        changes: dict[str, Any] = {}
        if req.ppi is not None:
            changes |= {"ppi": float(req.ppi), "ppi_source": "caller"}
        if position is not None:
            changes["position"] = position
        return dataclasses.replace(cap, **changes) if changes else cap

    def assess(self, data: bytes, req: AssessRequest) -> dict[str, Any]:
        t0 = time.perf_counter()
        profile = load_profile(req.profile or self.settings.profile)
        capture = self.capture(data, req)
        t1 = time.perf_counter()
        a, verdict = evaluate(capture, profile)
        t2 = time.perf_counter()
        rec = from_assessment("", a, 1000 * (t2 - t0), req.lang, verdict)
        for key in ("path", "ms", "error"):
            rec.pop(key, None)
        decision = verdict.decision
        if req.subject is not None:
            outcome = self.book.record(
                req.subject,
                req.modality,
                capture.position,
                a,
                verdict,
                profile.rules(req.modality),
            )
            decision = outcome.decision
            rec["decision"] = str(decision)
            rec["attempts"] = outcome.to_dict()
        rec["position"] = capture.position
        rec["profile"] = profile.name
        rec["message"], rec["action"] = _operator_message(rec, decision, req.lang)
        rec["image"] = {
            "width": capture.width,
            "height": capture.height,
            "colour": capture.is_colour,
            "format": capture.format,
            "ppi": capture.ppi,
            "ppi_source": capture.ppi_source,
        }
        if req.with_map:
            full = a.to_dict(with_map=True)
            rec["quality_map"] = full.get("quality_map")
            rec["overlay"] = full.get("overlay") or {}
            rec["preview"] = _preview(capture)
        rec["latency_ms"] = {
            "decode": round(1000 * (t1 - t0), 3),
            "assess": round(1000 * (t2 - t1), 3),
        }
        metrics.LATENCY.labels(req.modality).observe(t2 - t0)
        metrics.DECISIONS.labels(req.modality, str(decision)).inc()
        return rec


def _preview(capture: Capture) -> str:
    """The decoded capture as a JPEG data URL: browsers cannot show WSQ, TIFF or JPEG 2000, and
    the overlay's pixel coordinates are the decoded image's."""
    px = capture.pixels[..., ::-1] if capture.is_colour else capture.pixels  # RGB -> BGR
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(px), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode() if ok else ""


def _operator_message(rec: dict[str, Any], decision: Decision, lang: str) -> tuple[str, str]:
    """One line for the operator: what happened and what to do next."""
    if decision is Decision.ACCEPT:
        entry = catalogue.lookup("service.accept", lang)
    elif decision is Decision.EXCEPTION:
        entry = catalogue.lookup("service.exception", lang)
        best = rec.get("attempts", {}).get("best_attempt")
        return entry["message"].replace("{best}", str(best)), entry["action"]
    elif rec["reasons"]:
        first = rec["reasons"][0]
        return first["message"], first["action"]
    else:
        entry = catalogue.lookup("service.retake", lang)
    return entry["message"], entry["action"]


def _warm_files() -> list[bytes]:
    """A 64x64 ramp in every format the service decodes."""
    from PIL import Image

    ramp = Image.fromarray(np.add.outer(np.arange(64), np.arange(64)).astype(np.uint8))
    out = []
    for fmt, options in (("PNG", {}), ("JPEG", {}), ("TIFF", {}), ("BMP", {}),
                         ("JPEG2000", {"irreversible": False}), ("WSQ", {})):  # fmt: skip
        buf = io.BytesIO()
        with contextlib.suppress(Exception):  # a missing encoder only costs its warm-up
            ramp.save(buf, fmt, **options)
            out.append(buf.getvalue())
    return out


def _warm_image(modality: str, rng: np.random.Generator) -> np.ndarray:
    if modality == "finger":
        try:
            return importlib.import_module("biocap.finger.synthetic").fingerprint()
        except Exception:
            pass
    shape = (480, 640, 3) if modality == "face" else (480, 640)
    return rng.integers(0, 256, shape, dtype=np.uint8)
