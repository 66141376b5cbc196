"""Soak ``biocap serve`` with fuzzed requests and check it neither fails nor grows.

    .venv/bin/python benchmarks/service_fuzz.py [--requests 10000] [--concurrency 8]
        [--workers 2] [--url URL] [--json out/bench/service_fuzz.json]

Requests: mutated and truncated real images (byte flips, cuts, swapped magic), random bytes,
images declared with absurd sizes, ISO/IEC 19794 records with broken headers, MOSIP envelopes
with garbage, random query strings, wrong methods and paths, malformed multipart. Reports
the count per status code, every 5xx (there must be none), and the server's RSS (all worker
processes) after a warm-up and at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import struct
import time
from collections import Counter
from pathlib import Path

import httpx
from bench_env import load_average, machine_info
from service_common import REPO, generated, image_files, start_server

from biocap.io.iso19794 import RecordImage, build


def seeds() -> list[bytes]:
    files = image_files("finger", 40) + image_files("face", 10) + image_files("iris", 10)
    out = [f.read_bytes() for f in files if f.stat().st_size < 2_000_000]
    return out or generated("finger", 8)


def png_bomb(w: int, h: int) -> bytes:
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def fuzz_case(rng: random.Random, pool: list[bytes]) -> tuple[str, str, dict, bytes, dict]:
    """(method, path, params, body, headers)"""
    base = rng.choice(pool)
    kind = rng.randrange(12)
    params: dict = {}
    headers: dict = {}
    path = "/v1/finger/assess"
    if kind <= 3:  # byte flips
        b = bytearray(base)
        for _ in range(rng.randint(1, 40)):
            b[rng.randrange(min(len(b), 4096 if rng.random() < 0.7 else len(b)))] = rng.randrange(
                256
            )
        body = bytes(b)
    elif kind == 4:  # truncation
        body = base[: rng.randrange(len(base))]
    elif kind == 5:  # random bytes
        body = rng.randbytes(rng.randrange(0, 5000))
    elif kind == 6:  # bombs and tiny images
        body = png_bomb(rng.choice([1, 8, 40_000, 65_535]), rng.choice([1, 9, 30_000, 65_535]))
    elif kind == 7:  # raw frames with wrong sizes
        w, h = rng.randint(1, 3000), rng.randint(1, 3000)
        params = {"width": w, "height": h}
        body = rng.randbytes(min(w * h + rng.randint(-3, 3), 3_000_000)) if w * h < 3e6 else b"x"
    elif kind == 8:  # ISO records with broken headers
        payload = base if base.startswith(b"\x89PNG") else rng.randbytes(64 * 64)
        rec = bytearray(build("finger", [RecordImage(payload, 64, 64, 1)]))
        for _ in range(rng.randint(1, 6)):
            rec[rng.randrange(min(60, len(rec)))] = rng.randrange(256)
        body = bytes(rec)
    elif kind == 9:  # MOSIP envelopes
        path = "/v1/mosip/check-quality"
        seg = {"bdbInfo": {"type": [rng.choice(["Finger", "Iris", "Face", "x"])]}}
        seg["bdb"] = base64.urlsafe_b64encode(rng.randbytes(rng.randrange(200))).decode()
        dto = {"sample": {"segments": [seg] * rng.randint(0, 3)}, "modalitiesToCheck": ["FINGER"]}
        inner = base64.b64encode(json.dumps(dto).encode()).decode()
        body = json.dumps(
            {"version": "1", "request": rng.choice([inner, inner[:-7], "%%"])}
        ).encode()
    elif kind == 10:  # random query strings
        body = base
        keys = ["ppi", "position", "profile", "subject", "width", "height", "map", "lang", "zz"]
        for k in rng.sample(keys, rng.randint(1, 4)):
            params[k] = rng.choice(["", "-1", "0", "1e309", "nan", "left", "x" * 200, "3", "true"])
    else:  # paths, methods and headers
        body = base[:1000]
        path = rng.choice(["/v1/palm/assess", "/v1/subjects/" + "a" * 300, "/v1/finger/assess"])
        headers = rng.choice(
            [
                {"Content-Type": "multipart/form-data; boundary=zz"},
                {"Content-Type": "multipart/form-data"},
            ]
        )
    method = "POST" if rng.random() < 0.97 else rng.choice(["GET", "PUT", "DELETE"])
    return method, path, params, body, headers


async def soak(url: str, n: int, concurrency: int, seed: int, pool: list[bytes]) -> Counter:
    rng = random.Random(seed)
    cases = [fuzz_case(rng, pool) for _ in range(n)]
    statuses: Counter = Counter()
    bad: list = []
    queue: asyncio.Queue = asyncio.Queue()
    for c in cases:
        queue.put_nowait(c)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            method, path, params, body, headers = queue.get_nowait()
            try:
                r = await client.request(
                    method, url + path, params=params, content=body, headers=headers
                )
                statuses[r.status_code] += 1
                if r.status_code >= 500:
                    bad.append((path, params, r.status_code, r.text[:200]))
                elif r.status_code >= 400 and "error" not in r.json():
                    bad.append((path, params, r.status_code, "not the error shape"))
            except Exception as exc:  # a client-side refusal is counted, not fatal
                statuses[f"client:{type(exc).__name__}"] += 1

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    statuses["_bad"] = len(bad)
    for b in bad[:10]:
        print("BAD:", b)
    return statuses


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--url", default=None)
    ap.add_argument("--json", type=Path, default=REPO / "out" / "bench" / "service_fuzz.json")
    args = ap.parse_args()
    pool = seeds()
    server = start_server(args.workers, args.url)
    try:
        asyncio.run(soak(server.url, 500, args.concurrency, 1, pool))  # warm-up, not counted
        rss_warm = server.rss_mib()
        t0 = time.perf_counter()
        statuses: Counter = Counter()
        rss_curve = []  # RSS after each tenth of the run: flat means no leak
        step = max(1, args.requests // 10)
        for k, start in enumerate(range(0, args.requests, step)):
            n = min(step, args.requests - start)
            statuses.update(asyncio.run(soak(server.url, n, args.concurrency, 2 + k, pool)))
            rss_curve.append(round(server.rss_mib(), 1))
        elapsed = time.perf_counter() - t0
        rss_end = server.rss_mib()
        alive = httpx.get(server.url + "/healthz", timeout=5).status_code == 200
    finally:
        server.stop()
    result = {
        "machine": machine_info(),
        "load_average_after": load_average(),
        "requests": args.requests,
        "seconds": round(elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))},
        "errors_5xx": sum(v for k, v in statuses.items() if isinstance(k, int) and k >= 500),
        "bad_answers": statuses["_bad"],
        "rss_mib_after_warmup": round(rss_warm, 1),
        "rss_mib_end": round(rss_end, 1),
        "rss_mib_every_tenth": rss_curve,
        "alive_after": alive,
    }
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=1))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))
    ok = result["errors_5xx"] == 0 and result["bad_answers"] == 0 and alive
    return 0 if ok else 1


if __name__ == "__main__":
    os.chdir(REPO)
    raise SystemExit(main())
