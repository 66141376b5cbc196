"""Latency at a given load: 16 stations sending FVC prints at a fixed total rate (open loop).

    .venv/bin/python benchmarks/service_rate.py [--stations 16] [--rate 150] [--duration 30]
        [--workers 2] [--url http://127.0.0.1:8000] [--json out/bench/service_rate.json]

``service_wrk.py`` runs the stations closed-loop (each sends again the moment it has its answer),
which measures the most the server can do; its latency is then just stations / throughput. A
counter does not work that way: a station sends when a finger is on the scanner. Here each
station sends on a fixed schedule (station k at ``k / rate`` plus every ``stations / rate`` s,
so together they offer ``--rate`` requests/s), never more than one request at a time. Latency is
measured from the scheduled send, so an answer that comes late also delays the station's next
request in the numbers (no coordinated omission, as wrk2 does). ``--rate 0`` runs closed-loop.

The client is raw HTTP/1.1 keep-alive on asyncio streams (pre-built request bytes, a
Content-Length read): it costs a few percent of one core at 150/s, where an httpx client took
a large share of the two cores the server runs on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from bench_env import data_root, describe, load_average, machine_info
from service_common import REPO, percentiles, start_server

PATH = "/v1/finger/assess"


def request_bytes(host: str, body: bytes) -> bytes:
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/octet-stream\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, req: bytes
) -> tuple[int, bytes]:
    """One request on a kept-alive connection: status and body."""
    writer.write(req)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = dict(ln.lower().split(":", 1) for ln in lines[1:] if ":" in ln)
    length = int(fields["content-length"])
    return status, await reader.readexactly(length)


async def station(
    k: int, host: str, port: int, bodies: list[bytes], args: argparse.Namespace, out: list
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    await exchange(reader, writer, bodies[k % len(bodies)])  # connect and warm (not counted)
    period = args.stations / args.rate if args.rate else 0.0
    start = out[0]
    due = start + k * period / args.stations
    i = k * 7
    while due < start + args.duration:
        if period:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
        sent = time.perf_counter()
        scheduled = due if period else sent
        try:
            status, body = await exchange(reader, writer, bodies[i % len(bodies)])
            ok = status == 200 and "quality" in json.loads(body)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            status, ok = f"client:{type(exc).__name__}", False
            writer.close()
            reader, writer = await asyncio.open_connection(host, port)
        done = time.perf_counter()
        out.append((status, ok, 1000 * (done - scheduled), 1000 * (done - sent), done, k))
        i += 1
        due = due + period if period else done
    writer.close()


async def run(url: str, bodies: list[bytes], args: argparse.Namespace) -> dict:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    reqs = [request_bytes(f"{host}:{port}", b) for b in bodies]
    out: list = [time.perf_counter() + 1.0]  # a common start, after every station has connected
    await asyncio.gather(*(station(k, host, port, reqs, args, out) for k in range(args.stations)))
    rows = out[1:]
    elapsed = max(r[4] for r in rows) - out[0]
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[str(r[0])] = statuses.get(str(r[0]), 0) + 1
    good = [r for r in rows if r[1]]
    per_station = [
        float(np.mean([r[3] for r in good if r[5] == k] or [np.nan])) for k in range(args.stations)
    ]
    return {
        "requests": len(rows),
        "elapsed_s": round(elapsed, 2),
        "throughput_per_s": round(len(rows) / elapsed, 1),
        "statuses": statuses,
        "errors": len(rows) - len(good),
        "errors_5xx": sum(n for s, n in statuses.items() if s.startswith("5")),
        "latency_from_schedule_ms": percentiles([r[2] for r in good]),
        "service_time_ms": percentiles([r[3] for r in good]),
        # uvicorn's workers share the listening socket: a station stays on the worker that
        # accepted its connection, so an uneven split shows as a spread here
        "station_mean_service_ms": [round(v, 1) for v in per_station],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stations", type=int, default=16)
    ap.add_argument("--rate", type=float, default=150.0, help="total requests/s; 0 = closed loop")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--url", default=None, help="use a running server instead of starting one")
    ap.add_argument("--json", type=Path, default=REPO / "out" / "bench" / "service_rate.json")
    args = ap.parse_args()
    files = sorted(data_root().glob("finger/fvc2002_db*_b/*.tif"))
    if not files:
        print(f"skipped: no FVC 2002 prints under {data_root()}/finger")
        return 0
    bodies = [f.read_bytes() for f in files]
    server = start_server(args.workers, args.url)
    try:
        load_before = load_average()
        load = asyncio.run(run(server.url, bodies, args))
        result = {
            "stations": args.stations,
            "offered_rate_per_s": args.rate or "closed loop",
            "duration_s": args.duration,
            "images": len(files),
            "server": {"workers": args.workers, "url": server.url, "rss_mib": server.rss_mib()},
            **load,
            "machine": machine_info(),
            "load_average_before": load_before,
            "load_average_after": load_average(),
        }
    finally:
        server.stop()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1))
    lat, svc = result["latency_from_schedule_ms"], result["service_time_ms"]
    print(describe(result["machine"]))
    print(f"load average before {load_before}, after {result['load_average_after']}")
    print(
        f"{args.stations} stations, offered {args.rate or 'closed loop'}/s, {args.workers} "
        f"workers, {len(files)} FVC prints: {result['throughput_per_s']}/s, latency from "
        f"schedule p50 {lat.get('p50')} p95 {lat.get('p95')} p99 {lat.get('p99')} max "
        f"{lat.get('max')} ms (service time p50 {svc.get('p50')} p99 {svc.get('p99')}), "
        f"errors {result['errors']} (5xx {result['errors_5xx']})"
    )
    spread = result["station_mean_service_ms"]
    print(f"mean service time per station: {min(spread)} .. {max(spread)} ms")
    print(f"wrote {args.json}")
    return 1 if result["errors_5xx"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
