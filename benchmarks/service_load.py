"""Load test of ``biocap serve``: N concurrent stations sending mixed real images.

    .venv/bin/python benchmarks/service_load.py [--stations 16] [--duration 30] [--workers 2]
        [--url http://127.0.0.1:8000] [--json out/bench/service_load.json]

A second process (this one, an async httpx client) drives the server on loopback. Each station
sends one image, waits for the answer, sends the next (a station does not pipeline). The mix is
mostly fingerprints (FVC 2002 DB1/DB3/DB4 from ../shared/data), plus face and iris images when
those cores are registered; generated images when the shared data is absent.

Reports throughput, p50/p95/p99 client latency per modality, error and 5xx counts, server RSS
before/after, the machine and its load, and the service overhead: one station sending the same
~150 KB FVC print sequentially, client latency minus the in-process decode + assess time of the
same bytes (both medians).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx
from bench_env import describe, load_average, machine_info
from service_common import (
    REPO,
    generated,
    image_files,
    percentiles,
    start_server,
)

from biocap.records import assessors

MIX = {"finger": 0.8, "face": 0.1, "iris": 0.1}


def load_images(only: list[str] | None) -> dict[str, list[tuple[str, bytes]]]:
    """Decodable real images per registered modality (files that do not decode are left out,
    so every error in the report is the service's)."""
    from biocap.errors import BiocapError
    from biocap.io import decode

    def decodes(data: bytes, modality: str) -> bool:
        try:
            decode(data, modality=modality)
        except BiocapError:
            return False
        return True

    out: dict[str, list[tuple[str, bytes]]] = {}
    for modality in only or assessors():
        files = image_files(modality, 240 if modality == "finger" else 60)
        if modality == "finger":
            files = [f for f in files if "fvc2002" in str(f)] or files
        pairs = [(f.name, f.read_bytes()) for f in files]
        pairs = [(n, d) for n, d in pairs if decodes(d, modality)]
        if pairs:
            out[modality] = pairs
        else:
            out[modality] = [(f"gen{i}.png", b) for i, b in enumerate(generated(modality))]
    return out


def plan(images: dict[str, list], total: int) -> list[tuple[str, str, bytes]]:
    """A fixed interleaved sequence of (modality, name, bytes) following MIX."""
    weights = {m: MIX.get(m, 0.1) for m in images}
    norm = sum(weights.values())
    seq, credit = [], dict.fromkeys(images, 0.0)
    index = dict.fromkeys(images, 0)
    for _ in range(total):
        for m in images:
            credit[m] += weights[m] / norm
        m = max(credit, key=credit.get)
        credit[m] -= 1
        name, data = images[m][index[m] % len(images[m])]
        index[m] += 1
        seq.append((m, name, data))
    return seq


async def station(client, url, seq, start, stop_at, results, offset) -> None:
    i = offset
    while time.perf_counter() < stop_at:
        modality, _, data = seq[i % len(seq)]
        i += 1
        params = {"position": "left"} if modality == "iris" else {}
        t0 = time.perf_counter()
        try:
            r = await client.post(f"{url}/v1/{modality}/assess", content=data, params=params)
            status = r.status_code
            server_ms = r.json().get("latency_ms", {}).get("total") if status == 200 else None
        except httpx.HTTPError as exc:
            status, server_ms = f"client:{type(exc).__name__}", None
        results.append((modality, status, 1000 * (time.perf_counter() - t0), server_ms, t0 - start))


async def run_load(url: str, stations: int, duration: float, seq) -> dict:
    limits = httpx.Limits(max_connections=stations, max_keepalive_connections=stations)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        # warm every connection and worker first (not counted)
        await asyncio.gather(
            *(client.post(f"{url}/v1/finger/assess", content=seq[0][2]) for _ in range(stations))
        )
        results: list = []
        start = time.perf_counter()
        stop_at = start + duration
        await asyncio.gather(
            *(station(client, url, seq, start, stop_at, results, k * 7) for k in range(stations))
        )
        elapsed = time.perf_counter() - start
    by_mod: dict[str, list] = defaultdict(list)
    statuses = Counter()
    for modality, status, ms, server_ms, _ in results:
        statuses[str(status)] += 1
        by_mod[modality].append((status, ms, server_ms))
    report = {
        "stations": stations,
        "duration_s": round(elapsed, 2),
        "requests": len(results),
        "throughput_per_s": round(len(results) / elapsed, 1),
        "statuses": dict(statuses),
        "errors": sum(n for s, n in statuses.items() if s != "200"),
        "errors_5xx": sum(n for s, n in statuses.items() if s.startswith("5")),
        "modalities": {},
    }
    for modality, rows in sorted(by_mod.items()):
        ok = [ms for s, ms, _ in rows if s == 200]
        server = [sm for s, _, sm in rows if s == 200 and sm is not None]
        report["modalities"][modality] = {
            "requests": len(rows),
            "throughput_per_s": round(len(rows) / elapsed, 1),
            "errors": sum(1 for s, _, _ in rows if s != 200),
            "latency_ms": percentiles(ok),
            "server_ms": percentiles(server),
        }
    return report


def overhead(url: str, data: bytes, name: str, n: int = 300) -> dict:
    """Service overhead for one station sending one print sequentially.

    Interleaves, on each round, an in-process ``decode + evaluate`` of the bytes and one HTTP
    request of the same bytes (stdlib ``http.client``, keep-alive: a light client, so its own
    cost stays small), so both medians see the same machine load. Overhead = client latency
    minus in-process core time.
    """
    import http.client
    from urllib.parse import urlsplit

    import cv2

    from biocap.io import decode
    from biocap.policy import load_profile
    from biocap.records import evaluate
    from biocap.runtime import tune_allocator

    tune_allocator()
    cv2.setNumThreads(1)
    profile = load_profile()
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Content-Type": "application/octet-stream"}

    def request() -> dict:
        conn.request("POST", "/v1/finger/assess", body=data, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        assert resp.status == 200, body[:200]
        return json.loads(body)["latency_ms"]

    for _ in range(20):
        request()
        evaluate(decode(data, modality="finger"), profile)
    core, client_ms, server_ms, server_core = [], [], [], []
    for _ in range(n):
        t0 = time.perf_counter()
        evaluate(decode(data, modality="finger"), profile)
        t1 = time.perf_counter()
        lat = request()
        t2 = time.perf_counter()
        core.append(1000 * (t1 - t0))
        client_ms.append(1000 * (t2 - t1))
        server_ms.append(lat["total"])
        server_core.append(lat["decode"] + lat["assess"])
    conn.close()
    med = statistics.median
    return {
        "image": name,
        "bytes": len(data),
        "rounds": n,
        "core_in_process_ms": percentiles(core),
        "client_ms": percentiles(client_ms),
        "server_total_ms": percentiles(server_ms),
        "server_core_ms": percentiles(server_core),
        "overhead_p50_ms": round(med(client_ms) - med(core), 2),
        "overhead_in_server_p50_ms": round(med(server_ms) - med(server_core), 2),
        "overhead_same_worker_p50_ms": round(med(client_ms) - med(server_core), 2),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stations", type=int, default=16)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--url", default=None, help="use a running server instead of starting one")
    ap.add_argument("--no-overhead", action="store_true")
    ap.add_argument(
        "--modality",
        action="append",
        choices=sorted(assessors()),
        help="restrict the mix (repeat); default: every registered modality, 80 %% finger",
    )
    ap.add_argument("--json", type=Path, default=REPO / "out" / "bench" / "service_load.json")
    args = ap.parse_args()

    images = load_images(args.modality)
    seq = plan(images, 2000)
    server = start_server(args.workers, args.url)
    try:
        load_before = load_average()
        rss_before = server.rss_mib()
        result = {"machine": machine_info(), "load_average_before": load_before}
        result["server"] = {"workers": args.workers, "url": server.url}
        result["images"] = {m: len(v) for m, v in images.items()}
        result["mix"] = {m: MIX.get(m, 0.1) for m in images}
        if not args.no_overhead and "finger" in images:
            # the print closest to 150 KB (the reference size)
            name, data = min(images["finger"], key=lambda f: abs(len(f[1]) - 150_000))
            result["overhead"] = overhead(server.url, data, name)
        result["load"] = asyncio.run(run_load(server.url, args.stations, args.duration, seq))
        result["server"]["rss_mib_before"] = round(rss_before, 1)
        result["server"]["rss_mib_after"] = round(server.rss_mib(), 1)
        result["load_average_after"] = load_average()
    finally:
        server.stop()
    print_report(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2))
    print(f"\nwrote {args.json}")
    return 1 if result["load"]["errors_5xx"] else 0


def print_report(r: dict) -> None:
    print(describe(r["machine"]) if callable(describe) else r["machine"])
    print(f"load average before {r['load_average_before']}, after {r['load_average_after']}")
    if "overhead" in r:
        o = r["overhead"]
        print(
            f"\noverhead, one station, {o['image']} ({o['bytes'] // 1024} KB), medians: "
            f"client {o['client_ms']['p50']} ms, in-process decode+assess "
            f"{o['core_in_process_ms']['p50']} ms -> overhead {o['overhead_p50_ms']} ms "
            f"(in server: {o['overhead_in_server_p50_ms']} ms; client - server core: "
            f"{o['overhead_same_worker_p50_ms']} ms)"
        )
    ld = r["load"]
    print(
        f"\nload: {ld['stations']} stations, {ld['duration_s']} s, {ld['requests']} requests, "
        f"{ld['throughput_per_s']}/s, errors {ld['errors']} (5xx {ld['errors_5xx']}), "
        f"server {r['server']['workers']} workers, RSS {r['server']['rss_mib_before']} -> "
        f"{r['server']['rss_mib_after']} MiB"
    )
    print(f"{'modality':<8} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'errors':>6}  (ms)")
    for m, s in ld["modalities"].items():
        lat = s["latency_ms"]
        print(
            f"{m:<8} {s['throughput_per_s']:>7} {lat.get('p50', '-'):>7} {lat.get('p95', '-'):>7} "
            f"{lat.get('p99', '-'):>7} {s['errors']:>6}"
        )


if __name__ == "__main__":
    os.chdir(REPO)
    raise SystemExit(main())
