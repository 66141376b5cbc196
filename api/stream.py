"""One live stream (``WS /v1/{modality}/stream``): newest frame first, light verdicts, auto-capture.

Two tasks per connection. The reader takes every message off the socket at once and keeps only
the newest frame in a one-frame slot (a frame overwritten there is *dropped* and counted); the
scorer sends the slot's frame to the assessment queue, answers it with a light verdict and feeds
:class:`biocap.policy.AutoCapture`. So a client sending faster than frames can be scored gets an
answer to its newest frame, never a growing backlog. When the policy keeps a frame, that frame
is assessed in full once (the ``POST /v1/{modality}/assess`` answer, with the attempt book when
a subject is given) and sent as a ``captured`` event.

Memory per connection is bounded by frames of at most ``max_frame_bytes``: the slot, the one
being scored, the two the policy may keep (:attr:`AutoCapture.keep`), and the one message the
server's WebSocket layer holds before the reader takes it (cut there at twice the limit, see
``api.server``): about six frames, 24 MiB at the 4 MiB default, times ``max_streams``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import time
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketDisconnected

from api import frames
from api.engine import Engine
from api.errors import ApiError
from api.routes.common import to_json
from api.work import AssessRequest
from biocap import catalogue
from biocap.errors import BiocapError
from biocap.policy import AutoCapture, Decision, Kept, StreamRules

#: WebSocket close codes (RFC 6455 section 7.4.1)
CLOSE_NORMAL, CLOSE_POLICY, CLOSE_TOO_BIG, CLOSE_INTERNAL, CLOSE_TRY_LATER = (
    1000,
    1008,
    1009,
    1011,
    1013,
)
#: what sending to a client that has gone raises (Starlette, uvicorn's ClientDisconnected)
_GONE = (WebSocketDisconnect, WebSocketDisconnected, OSError)
log = logging.getLogger("biocap.api")

FRAMES = Counter(
    "biocap_stream_frames",
    "Live-stream frames by modality and outcome: scored, dropped (a newer frame came before "
    "it was scored), error (did not decode, or the queue refused it)",
    ["modality", "outcome"],
)
VERDICT_SECONDS = Histogram(
    "biocap_stream_verdict_seconds",
    "Live stream: frame received to light verdict sent, by modality",
    ["modality"],
    buckets=(0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.2, 0.5, 1.0, 5.0),
)
CAPTURES = Counter(
    "biocap_stream_captures",
    "Frames kept by auto-capture, by modality and trigger (stable, timeout)",
    ["modality", "trigger"],
)
OPEN = Gauge("biocap_stream_open", "Live streams open now")


class Streams:
    """The connection cap: ``max_streams`` open at once for the whole service."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0

    def enter(self) -> bool:
        if self.open >= self.limit:
            return False
        self.open += 1
        OPEN.set(self.open)
        return True

    def leave(self) -> None:
        self.open -= 1
        OPEN.set(self.open)


class Session:
    """One connection's state. :meth:`run` returns when the client goes or the stream ends."""

    def __init__(
        self,
        ws: WebSocket,
        engine: Engine,
        req: AssessRequest,
        rules: StreamRules,
    ) -> None:
        self.ws, self.engine, self.req, self.rules = ws, engine, req, rules
        self.settings = engine.settings
        self.tracker = AutoCapture(rules)
        self.received = 0
        self.dropped = 0
        self.pending: tuple[int, bytes, float] | None = None  # seq, frame, when received
        self.kept: dict[int, bytes] = {}
        self.wake = asyncio.Event()
        self.send_lock = asyncio.Lock()
        self.closing = False

    async def run(self) -> None:
        await self.send(self.hello())
        tasks = [asyncio.create_task(self.read()), asyncio.create_task(self.score())]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                exc = task.exception()
                # a send to a client that has gone: the end of the stream, not a fault
                if exc is not None and not isinstance(exc, _GONE) and not self.closing:
                    log.error("stream %s failed", self.req.modality, exc_info=exc)
                    await self.close(CLOSE_INTERNAL, "internal_error", type(exc).__name__)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(BaseException):
                    await task

    def hello(self) -> dict[str, Any]:
        r = self.rules
        return {
            "type": "ready",
            "modality": self.req.modality,
            "profile": self.req.profile or self.settings.profile,
            "lang": self.req.lang,
            "max_frame_bytes": self.settings.max_frame_bytes,
            "capture": {
                "frames": r.frames,
                "max_quality_spread": r.max_quality_spread,
                "timeout_s": r.timeout_s,
            },
        }

    # ---------------------------------------------------------------- reader

    async def read(self) -> None:
        """Every message off the socket as it comes; frames go to the one-frame slot."""
        while True:
            try:
                msg = await asyncio.wait_for(self.ws.receive(), self.settings.stream_idle_s)
            except TimeoutError:
                idle = self.settings.stream_idle_s
                await self.close(CLOSE_NORMAL, "idle", f"no frame for {idle:g} s")
                return
            if msg["type"] == "websocket.disconnect":
                return
            data = msg.get("bytes")
            if data is not None:
                if not await self.take(data):
                    return
            elif msg.get("text") is not None:
                await self.control(msg["text"])

    async def take(self, data: bytes) -> bool:
        self.received += 1
        if len(data) > self.settings.max_frame_bytes:
            await self.close(
                CLOSE_TOO_BIG,
                "frame_too_large",
                f"frame {self.received} has {len(data)} bytes, over the limit of "
                f"{self.settings.max_frame_bytes}",
            )
            return False
        if self.pending is not None:
            self.dropped += 1
            FRAMES.labels(self.req.modality, "dropped").inc()
        self.pending = (self.received, data, time.perf_counter())
        self.wake.set()
        return True

    async def control(self, text: str) -> None:
        """``{"type": "reset"}`` starts the next capture; anything else is answered an error."""
        kind = None
        if len(text) <= 1024:  # a control message is a few bytes: never parse a big one
            with contextlib.suppress(ValueError, AttributeError):
                kind = json.loads(text).get("type")
        if kind == "reset":
            self.tracker.reset()
            self.kept.clear()
            self.wake.set()  # the scorer's wait for a time-out changes
            await self.send({"type": "reset"})
        else:
            await self.send(_error(None, "invalid_message", 'text messages: {"type": "reset"}'))

    # ---------------------------------------------------------------- scorer

    async def score(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.tracker.remaining_s())
            self.wake.clear()
            if self.pending is None:  # a time-out (or a reset) woke us
                kept = self.tracker.expired()
                if kept is not None:
                    await self.capture(kept)
                continue
            seq, data, received = self.pending
            self.pending = None
            await self.verdict(seq, data, received)

    async def verdict(self, seq: int, data: bytes, received: float) -> None:
        modality = self.req.modality
        s = self.settings
        try:
            fs: frames.FrameScore = await self.engine.run(
                frames.score, data, self.req, s.limits, s.profile
            )
        except (BiocapError, ApiError) as exc:
            FRAMES.labels(modality, "error").inc()
            await self.send(_error(seq, exc.code, exc.message))
            return
        FRAMES.labels(modality, "scored").inc()
        kept = self.tracker.observe(seq, fs.quality, fs.decision)
        self.hold(seq, data)
        code = fs.top_code()
        done = self.tracker.done
        if done is not None:  # until the next capture the operator is told what was kept
            said = "stream.captured" if done.trigger == "stable" else "stream.timeout"
        elif fs.decision is Decision.ACCEPT:
            said = "stream.hold_still"
        else:
            said = code or "service.retake"
        words = catalogue.lookup(said, self.req.lang)
        server_ms = round(1000 * (time.perf_counter() - received), 3)
        await self.send(
            {
                "type": "verdict",
                "seq": seq,
                "quality": fs.quality,
                "decision": str(fs.decision),
                "code": code,
                "message": words["message"],
                "action": words["action"],
                "run": self.rules.frames if done and done.trigger == "stable" else self.tracker.run,
                "needed": self.rules.frames,
                "captured": done is not None,
                "dropped": self.dropped,
                "image": {"width": fs.width, "height": fs.height},
                "overlay": fs.overlay,
                "quality_map": fs.quality_map,
                "ms": {
                    "decode": fs.decode_ms,
                    "assess": fs.assess_ms,
                    "cpu": fs.cpu_ms,
                    "server": server_ms,
                },
            }
        )
        VERDICT_SECONDS.labels(modality).observe(server_ms / 1000)
        if kept is not None:
            await self.capture(kept)

    def hold(self, seq: int, data: bytes) -> None:
        """Keep the pixels of the frames the policy may still keep, and only those."""
        keep = self.tracker.keep
        if seq in keep:
            self.kept[seq] = data
        for old in [k for k in self.kept if k not in keep]:
            del self.kept[old]

    async def capture(self, kept: Kept) -> None:
        """The kept frame, assessed in full (map, overlay, preview; attempts with a subject)."""
        data = self.kept.pop(kept.seq, None)
        self.kept.clear()
        if data is None:  # cannot happen while hold() follows every observe(); never guess
            self.tracker.reset()
            return
        t0 = time.perf_counter()
        try:
            result = await self.engine.assess(data, dataclasses.replace(self.req, with_map=True))
        except (BiocapError, ApiError) as exc:  # e.g. a full queue: start this capture again
            self.tracker.reset()
            await self.send(_error(kept.seq, exc.code, exc.message))
            return
        result["latency_ms"]["total"] = round(1000 * (time.perf_counter() - t0), 3)
        CAPTURES.labels(self.req.modality, kept.trigger).inc()
        said = "stream.captured" if kept.trigger == "stable" else "stream.timeout"
        words = catalogue.lookup(said, self.req.lang)
        await self.send(
            {
                "type": "captured",
                "seq": kept.seq,
                "trigger": kept.trigger,
                "message": words["message"],
                "action": words["action"],
                "result": result,
            }
        )

    # ---------------------------------------------------------------- sending

    async def send(self, body: dict[str, Any]) -> None:
        async with self.send_lock:
            if not self.closing:
                await self.ws.send_text(to_json(body))

    async def close(self, code: int, error: str, message: str) -> None:
        """Say why in an ``error`` event, then close with ``code`` (the reason is the code)."""
        with contextlib.suppress(*_GONE):
            await self.send(_error(None, error, message))
        async with self.send_lock:
            self.closing = True
            with contextlib.suppress(*_GONE):
                await self.ws.close(code, error)


def _error(seq: int | None, code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "seq": seq, "code": code, "message": message}
