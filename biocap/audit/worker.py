"""``score_batch(items, options) -> rows``: the one worker function both engines run.

Each call scores a batch of source files in whatever process runs it (a local pool worker or a
Dask worker) and returns plain row dicts; only the driver writes results, so a worker killed at
any moment loses nothing that was committed. Nothing here raises on bad input: an unreadable
file, a corrupt record or even a bug in a core becomes an error row and the batch goes on.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from typing import Any

from biocap.audit import nist
from biocap.audit.rows import flatten
from biocap.audit.sources import DEFAULT_MODALITY, Item, PathPattern, modality_from_path
from biocap.capture import Capture
from biocap.errors import BiocapError, ImageTooLargeError
from biocap.io import DEFAULT_LIMITS, decode

#: a container holds up to 10 prints + face + irises: allow more bytes than one image.
MAX_CONTAINER_BYTES = 16 * DEFAULT_LIMITS.max_bytes


class ModalityUnavailableError(BiocapError):
    """The capture's modality has no core installed yet (``biocap.records.assessors()``)."""

    code = "modality_unavailable"


class InternalError(BiocapError):
    """A bug, not bad input: recorded as a row so one image cannot stop a night's audit."""

    code = "internal_error"


class NoImagesError(BiocapError):
    code = "no_images"


@dataclass(frozen=True, slots=True)
class Options:
    """Everything a worker needs, picklable and small (sent with every batch)."""

    modality: str = "auto"  # auto | finger | face | iris
    profile: str = "default"
    ppi: float | None = None
    lang: str = "en"
    pattern: str | None = None
    run_id: str = ""
    engine_version: str = ""
    git_commit: str | None = None
    models: str = ""


_READY = False


def setup_worker() -> None:
    """Once per process: glibc allocator thresholds (~3 ms/image) and one OpenCV/BLAS thread
    (one image per worker thread is fastest). Pool initializer and Dask tasks both call it."""
    global _READY
    if _READY:
        return
    import cv2

    from biocap.runtime import tune_allocator

    tune_allocator()
    cv2.setNumThreads(1)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # optional: the env vars set before spawning already cover BLAS
        pass
    _READY = True


def _read_bytes(path: str, limit: int) -> bytes:
    size = os.stat(path).st_size
    if size > limit:
        raise ImageTooLargeError(f"{size} bytes, over the limit of {limit}", size=size)
    with open(path, "rb") as fh:
        return fh.read(limit + 1)


def _error_record(path: str, modality: str, err: BiocapError | OSError, ms: float):
    from biocap.records import from_error

    return from_error(path, modality, err, ms)


class _Scorer:
    """Per-process state for one batch: profile, assessors, pattern (cheap to rebuild)."""

    def __init__(self, options: Options) -> None:
        from biocap.policy import load_profile
        from biocap.records import assessors

        self.o = options
        self.profile = load_profile(options.profile)
        self.available = set(assessors())
        self.pattern = PathPattern(options.pattern) if options.pattern else None
        self.worker = f"{socket.gethostname()}:{os.getpid()}"

    def _base(self, item: Item, kind: str, record: int | None, fields: dict[str, Any]):
        ident = item.path if record is None else f"{item.path}#{record}"
        base = {
            "id": ident,
            "src": item.path,
            "record": record,
            "kind": kind,
            "engine_version": self.o.engine_version,
            "git_commit": self.o.git_commit,
            "models": self.o.models,
            "profile": self.profile.name,
            "run_id": self.o.run_id,
            "worker": self.worker,
        }
        for k in ("subject", "station", "operator", "day", "position", "attempt"):
            v = fields.get(k)
            base[k] = None if v is None else str(v)
        return base

    def _assess(self, capture: Capture, path: str, modality: str, t0: float) -> dict[str, Any]:
        from biocap.records import evaluate, from_assessment

        try:
            if modality not in self.available:
                raise ModalityUnavailableError(
                    f"no {modality} core installed (have {sorted(self.available)})",
                    modality=modality,
                )
            capture = _with_modality(capture, modality)
            a, verdict = evaluate(capture, self.profile)
        except BiocapError as e:
            return _error_record(path, modality, e, 1000 * (time.perf_counter() - t0))
        except Exception as e:
            err = InternalError(f"{type(e).__name__}: {e}")
            return _error_record(path, modality, err, 1000 * (time.perf_counter() - t0))
        return from_assessment(path, a, 1000 * (time.perf_counter() - t0), self.o.lang, verdict)

    def _row(self, base, record, capture: Capture | None) -> dict[str, Any]:
        row = flatten(record, base)
        if capture is not None:
            row.update(
                width=capture.width,
                height=capture.height,
                ppi=capture.ppi,
                ppi_source=capture.ppi_source,
                format=capture.format,
            )
        return row

    def image_modality(self, path: str, fields: dict[str, Any]) -> str:
        if self.o.modality != "auto":
            return self.o.modality
        return fields.get("modality") or modality_from_path(path) or DEFAULT_MODALITY

    def score(self, item: Item) -> list[dict[str, Any]]:
        fields = self.pattern.match(item.path) if self.pattern else {}
        fields.update(item.fields)  # a manifest's columns win over the path
        t0 = time.perf_counter()
        kind = item.kind
        try:
            limit = DEFAULT_LIMITS.max_bytes if kind == "image" else MAX_CONTAINER_BYTES
            data = _read_bytes(item.path, limit)
            if kind == "unknown":
                kind = _sniff_kind(data)
            if kind == "nist":
                entries = nist.read_transaction(data, item.path)
                return self._container(item, kind, entries, fields, t0)
            if kind == "iso":
                return self._container(item, kind, _iso_entries(data, item.path), fields, t0)
            modality = self.image_modality(item.path, fields)
            capture = decode(data, source=item.path, ppi=self.o.ppi, modality=_decodable(modality))
        except (BiocapError, OSError) as e:
            modality = self.image_modality(item.path, fields) if kind == "image" else None
            rec = _error_record(item.path, modality, e, 1000 * (time.perf_counter() - t0))
            return [self._row(self._base(item, kind, None, fields), rec, None)]
        except Exception as e:
            err = InternalError(f"{type(e).__name__}: {e}")
            rec = _error_record(item.path, None, err, 1000 * (time.perf_counter() - t0))
            return [self._row(self._base(item, kind, None, fields), rec, None)]
        slap = _slap_kind(capture, fields, item.path) if modality == "finger" else None
        if slap is not None:
            return self._slap_rows(self._base(item, kind, None, fields), capture, slap, t0)
        rec = self._assess(capture, item.path, modality, t0)
        return [self._row(self._base(item, kind, None, fields), rec, capture)]

    def _slap_rows(self, base, capture: Capture, slap, t0: float) -> list[dict[str, Any]]:
        """A slap image (ANSI/NIST FGP or ISO position 13-15, or named so): one row for the
        slap (its checks and decision) and one per finger found (``id`` + ``/position``)."""
        from biocap.finger.slap import assess_slap
        from biocap.policy.slap import decide_slap
        from biocap.slaprecords import slap_record

        try:
            a = assess_slap(capture, slap, self.profile.thresholds("finger"))
            rec = slap_record(base["id"], a, decide_slap(a, self.profile), 0.0, self.o.lang)
        except Exception as e:  # the batch path records a failure and carries on
            err = InternalError(f"{type(e).__name__}: {e}")
            rec = _error_record(base["id"], "finger", err, 1000 * (time.perf_counter() - t0))
            return [self._row(base, rec, capture)]
        rec["ms"] = round(1000 * (time.perf_counter() - t0), 3)
        rows = [self._row({**base, "position": str(a.slap_position)}, {**rec, "measures": {}},
                          capture)]  # fmt: skip
        for f in rec["fingers"]:
            finger = {**f, "modality": "finger", "error": None, "ms": 0.0}
            fb = {**base, "id": f"{base['id']}/{f['position']}", "position": str(f["position"])}
            rows.append(self._row(fb, finger, None))
        return rows

    def _container(self, item: Item, kind: str, entries, fields, t0: float):
        """One row per image record; the container's read and parse time is shared among them."""
        if self.o.modality != "auto":
            entries = [e for e in entries if e.modality == self.o.modality]
        rows = []
        share_ms = 1000 * (time.perf_counter() - t0) / max(1, len(entries))
        for e in entries:
            merged = {**e.meta, **{k: v for k, v in fields.items() if v is not None}}
            base = self._base(item, kind, e.index, merged)
            path = f"{item.path}#{e.index}"
            if e.capture is None:
                rec = _error_record(path, e.modality, e.error, 0.0)
            else:
                capture = e.capture
                if self.o.ppi is not None and capture.ppi is None:
                    capture = _with_ppi(capture, self.o.ppi)
                slap = _slap_kind(capture, {}, path) if e.modality == "finger" else None
                if slap is not None:
                    rows += self._slap_rows(base, capture, slap, time.perf_counter())
                    continue
                rec = self._assess(capture, path, e.modality, time.perf_counter())
            rec["ms"] = round(rec["ms"] + share_ms, 3)
            rows.append(self._row(base, rec, e.capture))
        if not rows:
            err = NoImagesError("no image record of the audited modality in this container")
            rec = _error_record(item.path, None, err, 1000 * (time.perf_counter() - t0))
            rows.append(self._row(self._base(item, kind, None, fields), rec, None))
        return rows


def _slap_kind(capture: Capture, fields: dict[str, Any], path: str):
    """The slap a finger image shows, when it is one: its record's position (ANSI/NIST
    Type-14 FGP or ISO/IEC 19794-4 position 13-15), else the path pattern's ``position``
    (13-15, right/left/thumbs), else a ``slap``/``slaps`` folder and ``_right``/``_left``/
    ``_thumbs`` in the file name."""
    from biocap.finger.slap import kind_of
    from biocap.finger.slap.positions import KIND_OF_POSITION
    from biocap.slaprecords import guess_kind

    if isinstance(capture.position, int) and capture.position in KIND_OF_POSITION:
        return KIND_OF_POSITION[capture.position]
    if fields.get("position") is not None:
        return kind_of(fields["position"])
    parts = {p.lower() for p in path.replace("\\", "/").split("/")[:-1]}
    return guess_kind(path) if parts & {"slap", "slaps"} else None


def _decodable(modality: str) -> str | None:
    from biocap.capture import Modality

    return modality if modality in Modality.__members__.values() else None


def _with_modality(capture: Capture, modality: str) -> Capture:
    from dataclasses import replace

    return capture if capture.modality == modality else replace(capture, modality=modality)


def _with_ppi(capture: Capture, ppi: float) -> Capture:
    from dataclasses import replace

    return replace(capture, ppi=ppi, ppi_source="caller")


def _sniff_kind(data: bytes) -> str:
    if nist.looks_like_nist(data):
        return "nist"
    iso = _iso_module()
    if iso is not None and iso.sniff(data) is not None:
        return "iso"
    return "image"


def _iso_module():
    """``biocap.io.iso19794`` when it exists (written alongside this; optional until then)."""
    try:
        from biocap.io import iso19794
    except ImportError:
        return None
    return iso19794


def _iso_entries(data: bytes, source: str) -> list[nist.Entry]:
    iso = _iso_module()
    if iso is None:
        raise UnsupportedContainerError("ISO/IEC 19794 records are not supported by this build")
    captures = iso.parse(data)
    out = []
    for i, c in enumerate(captures):
        header = (c.meta or {}).get("iso19794") or {}
        when = str(header.get("capture_datetime") or "")
        # 19794 headers carry no subject or station (the CBEFF/transaction around them does):
        # those come from --pattern. 2011 editions date each image; 2024-01-02T... -> a day.
        fields: dict[str, Any] = {"position": c.position, "day": when[:10] or None}
        out.append(nist.Entry(i, str(c.modality), capture=c, meta=fields))
    return out


class UnsupportedContainerError(BiocapError):
    code = "unsupported_format"


def score_batch(items: list[Item], options: Options) -> list[dict[str, Any]]:
    """Score every source file of ``items``; one row per image (>= 1 per file), never raises."""
    setup_worker()
    scorer = _Scorer(options)
    rows: list[dict[str, Any]] = []
    for item in items:
        rows.extend(scorer.score(item))
    return rows
