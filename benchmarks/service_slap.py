"""Service latency for slaps: ``POST /v1/finger/slap/assess`` on ``biocap serve`` (2 workers).

    .venv/bin/python benchmarks/service_slap.py [--slaps 24] [--rounds 4] [--workers 2]
        [--stations 1] [--json out/bench/service_slap.json]

Generated slaps (held-out style, from the shared prints; synthetic prints when absent) are
encoded as PNG once, then sent one after another by each of ``--stations`` concurrent clients
(a station waits for each answer). Reports client latency p50/p95 (decode, segmentation, the
finger core on every finger, policy and the HTTP hop), the server-side assess time, and the
machine's load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from pathlib import Path

import cv2
import httpx
import numpy as np
from bench_env import load_average
from service_common import REPO, percentiles, start_server

from biocap.finger.slap import generate as G

SETS = ("fvc2002_db1_b", "fvc2002_db3_b", "fvc2002_db4_b", "altered_haq", "nfiq2_examples")


def slaps(n: int) -> list[tuple[str, bytes]]:
    root = Path(os.environ.get("BIOCAP_SHARED_DATA", REPO.parent / "shared" / "data")) / "finger"
    sources = G.load_sources(root, SETS) if root.is_dir() else G.synthetic_sources(16)
    out = []
    for i in range(n):
        rng = np.random.default_rng([4242, i])
        kind = ("right", "left", "thumbs")[i % 3]
        slap = G.generate_slap(kind, G.pick_prints(sources, rng, 6), rng, G.HELD_OUT_STYLE)
        out.append((kind, cv2.imencode(".png", slap.image)[1].tobytes()))
    return out


async def station(client: httpx.AsyncClient, url: str, items, rounds: int, lat, srv) -> None:
    for _ in range(rounds):
        for kind, body in items:
            t0 = time.perf_counter()
            r = await client.post(url, params={"slap": kind}, content=body)
            lat.append(1000 * (time.perf_counter() - t0))
            r.raise_for_status()
            srv.append(r.json()["latency_ms"]["assess"])


async def run(url: str, items, rounds: int, stations: int):
    lat, srv = [], []
    async with httpx.AsyncClient(timeout=60) as client:
        await station(client, url, items[:3], 1, [], [])  # warm the workers
        await asyncio.gather(*(station(client, url, items, rounds, lat, srv)
                               for _ in range(stations)))  # fmt: skip
    return lat, srv


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--slaps", type=int, default=24)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--stations", type=int, default=1)
    ap.add_argument("--url", default=None)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    items = slaps(args.slaps)
    server = start_server(args.workers, args.url)
    try:
        before = load_average()
        lat, srv = asyncio.run(
            run(server.url + "/v1/finger/slap/assess", items, args.rounds, args.stations)
        )
        result = {
            "requests": len(lat),
            "workers": args.workers,
            "stations": args.stations,
            "client_ms": percentiles(lat),
            "server_assess_ms": percentiles(srv),
            "png_kib_median": round(float(np.median([len(b) for _, b in items])) / 1024, 1),
            "load_average_before": before,
            "load_average_after": load_average(),
        }
    finally:
        server.stop()
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
