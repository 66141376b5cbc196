"""What runs in the assessment processes: bytes + request -> Capture -> evaluate -> record.

The HTTP process parses requests, keeps the attempt book and the metrics, and hands the CPU
work to these functions in ``Settings.workers`` processes fed from one queue (see
:mod:`api.engine`). Everything here is a module-level function of picklable arguments, so the
same code runs in a worker process or, with ``workers = 0``, in a thread of the HTTP process.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import dataclasses
import importlib
import io
import os
import signal
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from biocap import catalogue
from biocap.assessment import Assessment
from biocap.capture import Capture
from biocap.errors import InvalidParameterError
from biocap.io import Limits, decode, iso19794
from biocap.policy import Profile, Verdict, load_profile
from biocap.records import assessors, evaluate, from_assessment

EYES = ("left", "right")

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
#: what this process's warm-up measured, per modality (ms)
_WARM_MS: dict[str, float] = {}


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


@dataclass(frozen=True, slots=True)
class Assessed:
    """A worker's answer: the record, and what the HTTP process's attempt book needs."""

    record: dict[str, Any]
    quality: int
    verdict: Verdict
    position: int | str | None
    seconds: float  # decode + assess + decide


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


def capture_of(data: bytes, req: AssessRequest, limits: Limits) -> Capture:
    """The request's image: a plain file, or the matching image of an ISO/IEC 19794 record."""
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
            limits=limits,
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


def evaluated(
    data: bytes, req: AssessRequest, limits: Limits, default_profile: str
) -> tuple[Capture, Assessment, Verdict, Profile, tuple[float, float, float]]:
    """Decode, assess and decide; with the clock before, after decoding and after deciding."""
    t0 = time.perf_counter()
    profile = load_profile(req.profile or default_profile)
    capture = capture_of(data, req, limits)
    t1 = time.perf_counter()
    a, verdict = evaluate(capture, profile)
    return capture, a, verdict, profile, (t0, t1, time.perf_counter())


def assess(data: bytes, req: AssessRequest, limits: Limits, default_profile: str) -> Assessed:
    """Decode, assess and decide one capture (the policy's verdict, before any attempt book)."""
    capture, a, verdict, profile, (t0, t1, t2) = evaluated(data, req, limits, default_profile)
    rec = from_assessment("", a, 1000 * (t2 - t0), req.lang, verdict)
    for key in ("path", "ms", "error"):
        rec.pop(key, None)
    rec["position"] = capture.position
    rec["profile"] = profile.name
    rec["image"] = {
        "width": capture.width,
        "height": capture.height,
        "colour": capture.is_colour,
        "format": capture.format,
        "ppi": capture.ppi,
        "ppi_source": capture.ppi_source,
    }
    if req.modality == "finger" and req.position is None and iso19794.sniff(data) == "finger":
        rec["fingers"] = every_finger(data, req, profile)
    if req.with_map:
        full = a.to_dict(with_map=True)
        rec["quality_map"] = _labelled(full.get("quality_map"), req.lang)
        rec["overlay"] = full.get("overlay") or {}
        rec["preview"] = _preview(capture)
    rec["latency_ms"] = {
        "decode": round(1000 * (t1 - t0), 3),
        "assess": round(1000 * (t2 - t1), 3),
    }
    return Assessed(rec, int(a.quality), verdict, capture.position, t2 - t0)


def _labelled(qmap: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """The map's regions with their names in the operator's language, for the page to write."""
    if qmap is None:
        return None
    for r in qmap.get("regions", []):
        modality = r["code"].split(".")[0]
        r["label"] = catalogue.label(r["code"], lang)
        r["place_label"] = catalogue.label(f"{modality}.place.{r['place']}", lang)
    return qmap


def every_finger(data: bytes, req: AssessRequest, profile) -> list[dict[str, Any]]:
    """Each image of an ISO/IEC 19794-4 record scored on its own (a ten-print record holds
    several fingers): single fingers by the finger core, slap images (positions 13-15)
    segmented and each of their fingers scored (:mod:`biocap.finger.slap`)."""
    from biocap.finger.slap import assess_slap
    from biocap.finger.slap.positions import KIND_OF_POSITION
    from biocap.policy.slap import decide_slap
    from biocap.slaprecords import slap_record

    out = []
    for cap in iso19794.parse(data):
        if req.ppi is not None:
            cap = dataclasses.replace(cap, ppi=float(req.ppi), ppi_source="caller")
        t0 = time.perf_counter()
        kind = KIND_OF_POSITION.get(cap.position if isinstance(cap.position, int) else 0)
        if kind is not None:
            slap = assess_slap(cap, kind, profile.thresholds("finger"))
            ms = 1000 * (time.perf_counter() - t0)
            rec = slap_record("", slap, decide_slap(slap, profile), ms, req.lang)
        else:
            a, verdict = evaluate(cap, profile)
            rec = from_assessment("", a, 1000 * (time.perf_counter() - t0), req.lang, verdict)
            rec["position"] = cap.position
        rec.pop("path", None)
        out.append(rec)
    return out


def face_token(data: bytes, fmt: str, limits: Limits) -> bytes:
    """The ICAO token image of a face capture (PNG or JPEG bytes)."""
    from biocap import face

    return face.token_image(decode(data, modality="face", limits=limits), fmt=fmt)


def start_worker(parent_pid: int) -> None:
    """A worker process's start: bound to the HTTP process's life, one thread per library,
    then :func:`warm_up`."""
    import cv2

    from biocap.runtime import tune_allocator

    _die_with(parent_pid)

    tune_allocator()  # glibc would otherwise return image buffers to the OS (~3 ms/image)
    cv2.setNumThreads(1)  # one image per process: OpenCV's pool only adds hand-off cost here
    warm_up()


def _die_with(parent_pid: int) -> None:
    """Linux: SIGTERM when the HTTP process goes, even by SIGKILL (orphaned workers would keep
    their models in memory and the port's clients' pipes open)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: graceful shutdown still stops the pool
        return
    if os.getppid() != parent_pid:  # it went before the prctl
        os._exit(0)


def warm_up() -> dict[str, float]:
    """Run every core once and decode one small file of each format: model sessions load and
    the WSQ decoder process starts now, not on a station's first capture."""
    for data in _warm_files():  # per call: the WSQ decoder process is per thread
        with contextlib.suppress(Exception):
            decode(data, source="warm-up")
    if _WARM_MS:
        return _WARM_MS
    rng = np.random.default_rng(0)
    for modality in sorted(assessors()):
        t0 = time.perf_counter()
        pixels = _warm_image(modality, rng)
        # a core that cannot assess noise must still not stop the service
        with contextlib.suppress(Exception):
            evaluate(Capture(pixels, modality, 500.0, "caller"), load_profile("default"))
        _WARM_MS[modality] = round(1000 * (time.perf_counter() - t0), 1)
    return _WARM_MS


def warm_report(pause_s: float = 0.05) -> tuple[int, dict[str, float]]:
    """This worker's pid and warm-up times; the pause lets a burst of these spread over all
    the workers (the engine waits until each has answered once)."""
    time.sleep(pause_s)
    return os.getpid(), warm_up()


def _preview(capture: Capture) -> str:
    """The decoded capture as a JPEG data URL: browsers cannot show WSQ, TIFF or JPEG 2000, and
    the overlay's pixel coordinates are the decoded image's."""
    import cv2

    px = capture.pixels[..., ::-1] if capture.is_colour else capture.pixels  # RGB -> BGR
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(px), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode() if ok else ""


def _warm_files() -> list[bytes]:
    """A 64x64 ramp in every format the service decodes."""
    from PIL import Image

    ramp = Image.fromarray(np.add.outer(np.arange(64), np.arange(64)).astype(np.uint8))
    out = []
    for fmt, options in (("PNG", {}), ("JPEG", {}), ("TIFF", {}), ("BMP", {}),
                         ("JPEG2000", {"irreversible": False}), ("WSQ", {}), ("WEBP", {}),
                         ("GIF", {})):  # fmt: skip
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
