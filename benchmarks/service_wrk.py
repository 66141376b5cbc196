"""Service throughput with a light C client: wrk, 16 stations cycling through real FVC prints.

    .venv/bin/python benchmarks/service_wrk.py [--stations 16] [--duration 30] [--workers 2]
        [--url http://127.0.0.1:8000] [--json out/bench/service_wrk.json]

``service_load.py`` drives the server with an async httpx client, which itself takes a good part
of one of the two cores; wrk (Debian package ``wrk``) costs little, so this run shows what the
server does when the stations are other machines. Each connection is one station: it sends the
next of the 240 FVC 2002 DB1/DB3/DB4 prints, waits for the answer, sends the next.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench_env import data_root, describe, load_average, machine_info
from service_common import REPO, start_server

LUA = """
local paths = {%s}
local bodies = {}
local i = 0
init = function(args)
  for k, p in ipairs(paths) do
    local f = io.open(p, "rb"); bodies[k] = f:read("*a"); f:close()
  end
end
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/octet-stream"}, bodies[i])
end
"""


def parse(out: str) -> dict[str, object]:
    """Requests/s, latency percentiles (ms) and error counts from wrk's ``--latency`` output."""

    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    pct = {f"p{p}": ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "latency_ms": pct,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stations", type=int, default=16)
    ap.add_argument("--duration", type=int, default=30, help="seconds")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--url", default=None, help="use a running server instead of starting one")
    ap.add_argument("--json", type=Path, default=REPO / "out" / "bench" / "service_wrk.json")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        print("skipped: wrk is not installed (apt-get install wrk)")
        return 0
    files = sorted(data_root().glob("finger/fvc2002_db*_b/*.tif"))
    if not files:
        print(f"skipped: no FVC 2002 prints under {data_root()}/finger")
        return 0
    server = start_server(args.workers, args.url)
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(LUA % ", ".join(json.dumps(str(f)) for f in files))
        load_before = load_average()
        cmd = ["wrk", "-t1", f"-c{args.stations}", f"-d{args.duration}s", "--latency"]
        out = subprocess.run(
            [*cmd, "-s", lua.name, server.url + "/v1/finger/assess"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result = {
            "stations": args.stations,
            "duration_s": args.duration,
            "server": {"workers": args.workers, "url": server.url, "rss_mib": server.rss_mib()},
            "images": len(files),
            **parse(out),
            "machine": machine_info(),
            "load_average_before": load_before,
            "load_average_after": load_average(),
        }
    finally:
        server.stop()
        Path(lua.name).unlink(missing_ok=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1))
    lat = result["latency_ms"]
    print(describe(result["machine"]))
    print(
        f"wrk, {args.stations} stations, {args.workers} workers, {len(files)} FVC prints: "
        f"{result['requests_per_s']:.1f} req/s, p50 {lat['p50']:.1f} ms, p90 {lat['p90']:.1f} "
        f"ms, p99 {lat['p99']:.1f} ms, non-2xx {result['non_2xx']}, socket errors "
        f"{result['socket_errors'] or 0}"
    )
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
