"""Live streams (``WS /v1/{modality}/stream``): verdicts/s, frame-to-verdict latency, drops.

    .venv/bin/python benchmarks/stream_bench.py [--duration 20] [--fps 30]
        [--only capacity,face,mix,flood] [--json out/bench/stream.json]

Four runs, each against a fresh ``biocap serve``:

1. ``capacity``: per modality, one stream closed-loop (the next frame goes when the verdict for
   the last one is in), server and its one worker pinned to core 1 with ``taskset``, the client
   on core 0: the most verdicts/s one core sustains, and the server's CPU time per verdict.
2. ``face``: one face stream at ``--fps`` (a webcam's 30 by default), 640x480 JPEG frames, the
   same one core: verdicts/s, latency from the frame's send to its verdict (p50/p99), frames
   the server dropped. Target: >= 25 verdicts/s, p99 <= 60 ms.
3. ``mix``: 2 face + 1 finger + 1 iris streams at ``--fps`` each, server with 2 workers and the
   client all on the 2 cores. Target: every stream >= 10 verdicts/s, 0 errors.
4. ``flood``: 4 streams of 2.4 MiB raw frames sent as fast as the socket takes them: the
   server's memory (sampled every 0.5 s) must stay flat, whatever the client sends.

Frames are real images from ``../shared/data`` (generated ones without it): faces from the
deepface set cropped to 4:3 and scaled to 640x480 JPEG (q 85, what the page sends); FVC 2002
DB1 prints as raw 8-bit grey 388x374 (a scanner SDK's frame); CASIA-Interval eyes as their
320x280 JPEG files. Each image is held for ``--hold`` frames, then the client sends
``{"type": "reset"}`` (the next person), so auto-captures happen and cost what they cost.
Latency is wall time on a shared machine: the load average is recorded beside every run, and
the CPU time per verdict (server + workers, from /proc) is the figure that does not move with
the neighbours.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import resource
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import psutil
from bench_env import data_root, describe, load_average, machine_info, write_json
from service_common import REPO, percentiles, start_server

FACE_SIZE = (640, 480)


@dataclass
class Frames:
    modality: str
    frames: list[bytes]
    query: str = ""
    what: str = ""


@dataclass
class Tally:
    """One stream's record."""

    modality: str
    sent: dict[int, float] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    verdicts: int = 0
    errors: int = 0
    error_codes: dict[str, int] = field(default_factory=dict)
    captures: int = 0
    dropped: int = 0
    frames_sent: int = 0
    assess_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    def summary(self, seconds: float) -> dict[str, object]:
        return {
            "modality": self.modality,
            "frames_sent": self.frames_sent,
            "verdicts": self.verdicts,
            "verdicts_per_s": round(self.verdicts / seconds, 1),
            "dropped": self.dropped,
            "errors": self.errors,
            "error_codes": self.error_codes,
            "captures": self.captures,
            "frame_to_verdict_ms": percentiles(self.latencies_ms),
            "assess_ms_p50": round(float(np.median(self.assess_ms)), 2) if self.assess_ms else None,
            # the worker's CPU per frame (decode + assess + decide): wall time on an idle core
            "worker_cpu_ms": percentiles(self.cpu_ms),
        }


def _jpeg(rgb: np.ndarray, quality: int = 85) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def face_frames(n: int = 12) -> Frames:
    """Real photos, centre-cropped to 4:3 and scaled to 640x480 (a webcam frame)."""
    from PIL import Image

    files = sorted((data_root() / "face" / "deepface").glob("img*.jpg"))
    out = []
    for f in files:
        im = Image.open(f).convert("RGB")
        w, h = im.size
        cw, ch = min(w, h * 4 // 3), min(h, w * 3 // 4)
        box = ((w - cw) // 2, (h - ch) // 2, (w - cw) // 2 + cw, (h - ch) // 2 + ch)
        out.append(_jpeg(np.asarray(im.crop(box).resize(FACE_SIZE, Image.BILINEAR))))
        if len(out) == n:
            break
    if out:
        return Frames("face", out, what=f"{len(out)} deepface photos as 640x480 JPEG")
    rng = np.random.default_rng(0)
    noise = [_jpeg(rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)) for _ in range(4)]
    return Frames("face", noise, what="generated 640x480 noise (no shared data)")


def finger_frames(n: int = 24) -> Frames:
    from PIL import Image

    files = sorted((data_root() / "finger" / "fvc2002_db1_b").glob("*.tif"))[:n]
    pixels = [np.asarray(Image.open(f).convert("L")) for f in files]
    pixels = [p for p in pixels if p.shape == (374, 388)]
    if not pixels:
        from biocap.finger.synthetic import fingerprint

        pixels = [fingerprint(seed=i) for i in range(4)]
    h, w = pixels[0].shape
    pixels = [p for p in pixels if p.shape == (h, w)]
    return Frames(
        "finger",
        [p.tobytes() for p in pixels],
        f"width={w}&height={h}",
        f"{len(pixels)} prints as raw grey {w}x{h}",
    )


def iris_frames(n: int = 24) -> Frames:
    files = sorted((data_root() / "iris" / "casia_interval").glob("*.jpg"))[:n]
    if files:
        return Frames("iris", [f.read_bytes() for f in files], what=f"{len(files)} CASIA JPEGs")
    rng = np.random.default_rng(0)
    grey = [_jpeg(rng.integers(0, 256, (280, 320), dtype=np.uint8)) for _ in range(4)]
    return Frames("iris", grey, what="generated 320x280 noise (no shared data)")


async def stream(
    url: str, source: Frames, tally: Tally, fps: float, hold: int, until: float
) -> None:
    """One stream: frames at ``fps`` (0: closed loop) until ``until``; verdicts tallied."""
    from websockets.asyncio.client import connect

    parts = urlsplit(url)
    ws_url = f"ws://{parts.netloc}/v1/{source.modality}/stream?{source.query}"
    async with connect(ws_url, max_size=2**24, compression=None) as ws:
        ready = json.loads(await ws.recv())
        assert ready["type"] == "ready", ready
        answered = asyncio.Event()

        async def receive() -> None:
            async for raw in ws:
                ev = json.loads(raw)
                kind = ev["type"]
                if kind == "verdict":
                    sent = tally.sent.pop(ev["seq"], None)
                    if sent is not None and time.perf_counter() < until:
                        tally.verdicts += 1
                        tally.latencies_ms.append(1000 * (time.perf_counter() - sent))
                        tally.assess_ms.append(ev["ms"]["assess"])
                        tally.cpu_ms.append(ev["ms"]["cpu"])
                    tally.dropped = ev["dropped"]
                    answered.set()
                elif kind == "captured":
                    tally.captures += 1
                elif kind == "error":
                    tally.errors += 1
                    tally.error_codes[ev["code"]] = tally.error_codes.get(ev["code"], 0) + 1
                    answered.set()

        receiver = asyncio.create_task(receive())
        seq, start = 0, time.perf_counter()
        while time.perf_counter() < until:
            if seq and seq % hold == 0:
                await ws.send('{"type": "reset"}')
            frame = source.frames[(seq // hold) % len(source.frames)]
            answered.clear()
            seq += 1
            tally.sent[seq] = time.perf_counter()
            tally.frames_sent += 1
            await ws.send(frame)
            if fps:
                await asyncio.sleep(max(0.0, start + seq / fps - time.perf_counter()))
            else:
                try:
                    await asyncio.wait_for(answered.wait(), 10.0)
                except TimeoutError:
                    tally.errors += 1
                    tally.error_codes["client_timeout"] = (
                        tally.error_codes.get("client_timeout", 0) + 1
                    )
        await asyncio.sleep(0.2)  # the last answers, not counted
        receiver.cancel()


def cpu_seconds(proc: psutil.Process) -> tuple[float, float]:
    """User + system CPU of the HTTP process and of its children (the assessment workers)."""
    totals = []
    for group in ([proc], proc.children(recursive=True)):
        total = 0.0
        for p in group:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        totals.append(total)
    return totals[0], totals[1]


def run(
    name: str,
    sources: list[Frames],
    *,
    workers: int,
    cpus: str,
    client_cpus: set[int],
    fps: float,
    hold: int,
    duration: float,
) -> dict[str, object]:
    os.sched_setaffinity(0, client_cpus)
    server = start_server(workers, cpus=cpus)
    try:
        # warm the path (decoders, first-frame costs) before the timed window
        asyncio.run(_streams(server.url, sources, 0, hold, 1.0))
        root = psutil.Process(server.proc.pid) if server.proc else None
        cpu0 = cpu_seconds(root) if root else (float("nan"),) * 2
        me0 = resource.getrusage(resource.RUSAGE_SELF)
        load = load_average()
        rss_samples: list[float] = []
        done = threading.Event()
        sampler = threading.Thread(target=_sample_rss, args=(server, rss_samples, done))
        sampler.start()
        t0 = time.perf_counter()
        try:
            tallies = asyncio.run(_streams(server.url, sources, fps, hold, duration))
        finally:
            done.set()
            sampler.join()
        seconds = time.perf_counter() - t0 - 0.2
        me1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu1 = cpu_seconds(root) if root else (float("nan"),) * 2
        http_cpu, worker_cpu = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
        rss = server.rss_mib()
    finally:
        server.stop()
    summaries = [t.summary(seconds) for t in tallies]
    verdicts = sum(t.verdicts for t in tallies)
    return {
        "run": name,
        "workers": workers,
        "server_cpus": cpus,
        "client_cpus": sorted(client_cpus),
        "offered_fps": fps or "closed loop",
        "duration_s": round(seconds, 2),
        "load_average_before": load,
        "load_average_after": load_average(),
        "streams": summaries,
        "server_cpu_ms_per_verdict": _per(http_cpu + worker_cpu, verdicts),
        "http_process_cpu_ms_per_verdict": _per(http_cpu, verdicts),
        "worker_cpu_ms_per_verdict": _per(worker_cpu, verdicts),
        "client_cpu_s": round(me1.ru_utime + me1.ru_stime - me0.ru_utime - me0.ru_stime, 2),
        "server_rss_mib": round(rss, 1),
        "server_rss_mib_min_max": [round(min(rss_samples), 1), round(max(rss_samples), 1)]
        if rss_samples
        else None,
        "frames": {s.modality: s.what for s in sources},
    }


def _sample_rss(server: object, out: list[float], done: threading.Event) -> None:
    """The server's resident memory (HTTP process + workers) every half second."""
    while not done.wait(0.5):
        out.append(server.rss_mib())  # type: ignore[attr-defined]


def _per(seconds: float, n: int) -> float | None:
    return round(1000 * seconds / n, 2) if n else None


async def _streams(
    url: str, sources: list[Frames], fps: float, hold: int, duration: float
) -> list[Tally]:
    until = time.perf_counter() + duration
    tallies = [Tally(s.modality) for s in sources]
    await asyncio.gather(
        *(stream(url, s, t, fps, hold, until) for s, t in zip(sources, tallies, strict=True))
    )
    return tallies


def _line(r: dict[str, object]) -> str:
    out = [f"{r['run']}: {r['workers']} worker(s) on cpus {r['server_cpus']}, "
           f"offered {r['offered_fps']}, load {r['load_average_before']}"]  # fmt: skip
    for s in r["streams"]:  # type: ignore[union-attr]
        lat = s["frame_to_verdict_ms"]
        p50, p99 = lat.get("p50", float("nan")), lat.get("p99", float("nan"))
        out.append(
            f"  {s['modality']:6s} {s['verdicts_per_s']:6.1f} verdicts/s  p50 {p50:6.1f} ms  "
            f"p99 {p99:6.1f} ms  dropped {s['dropped']:4d}  errors {s['errors']}  "
            f"captures {s['captures']}  assess p50 {s['assess_ms_p50']} ms  worker CPU "
            f"p50 {s['worker_cpu_ms'].get('p50')} p99 {s['worker_cpu_ms'].get('p99')} ms"
        )
    out.append(
        f"  server CPU {r['server_cpu_ms_per_verdict']} ms/verdict (HTTP process "
        f"{r['http_process_cpu_ms_per_verdict']}, workers {r['worker_cpu_ms_per_verdict']}), "
        f"RSS {r['server_rss_mib']} MiB"
    )
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=20.0, help="seconds per run")
    ap.add_argument("--fps", type=float, default=30.0, help="frames/s offered per stream")
    ap.add_argument("--hold", type=int, default=30, help="frames per image before a reset")
    ap.add_argument("--only", default="capacity,face,mix,flood")
    ap.add_argument("--json", type=Path, default=REPO / "out" / "bench" / "stream.json")
    args = ap.parse_args()
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        print("skipped: needs 2 cores (one for the server, one for the client)")
        return 0
    one, other = str(cores[1]), {cores[0]}
    both = ",".join(str(c) for c in cores[:2])
    rng = np.random.default_rng(1)
    big = rng.integers(0, 256, (1600, 1600), dtype=np.uint8)
    flood = Frames("finger", [big.tobytes()], "width=1600&height=1600", "raw grey 1600x1600 noise")
    info = machine_info()  # before this process pins itself to the client's core
    face, finger, iris = face_frames(), finger_frames(), iris_frames()
    common = {"hold": args.hold, "duration": args.duration}
    results = []
    wanted = set(args.only.split(","))
    if "capacity" in wanted:
        for src in (face, finger, iris):
            r = run(f"capacity-{src.modality}", [src], workers=1, cpus=one, client_cpus=other,
                    fps=0, **common)  # fmt: skip
            print(_line(r), flush=True)
            results.append(r)
    if "face" in wanted:
        r = run("face-1-core", [face], workers=1, cpus=one, client_cpus=other, fps=args.fps,
                **common)  # fmt: skip
        print(_line(r), flush=True)
        results.append(r)
    if "mix" in wanted:
        r = run("mix-4-streams-2-cores", [face, face, finger, iris], workers=2, cpus=both,
                client_cpus=set(cores[:2]), fps=args.fps, **common)  # fmt: skip
        print(_line(r), flush=True)
        results.append(r)
    if "flood" in wanted:  # memory: 4 streams of 2.4 MiB frames as fast as the socket takes them
        r = run("flood-4-streams-2.4MiB-frames", [flood] * 4, workers=2, cpus=both,
                client_cpus=set(cores[:2]), fps=1000, **common)  # fmt: skip
        print(_line(r), f"RSS min/max {r['server_rss_mib_min_max']} MiB", flush=True)
        results.append(r)
    write_json(args.json, {"runs": results, "machine": info})
    print(describe(info))
    print(f"-> {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
