"""Face assessment latency on one core: median / p95 per image size, and the stage split.

    .venv/bin/python benchmarks/face_speed_report.py [--rounds 100] [--repeat 3] [--cpu 1]

Single-threaded (OpenCV, BLAS, onnxruntime) as a station runs one process per core; ``--cpu``
pins the process to one core. Prints the load average around each repeat: on a shared machine,
report the quietest run (the last line gives the best median over the repeats). Each median is
given as wall-clock time and as the thread's CPU time (``time.thread_time``), which other
processes on the core do not inflate: compare code versions by the CPU time.
"""

from __future__ import annotations

import argparse
import os
import time

import bench_env
import numpy as np

from biocap.bench.face.samples import portrait
from biocap.capture import Capture
from biocap.face import assess
from biocap.face.context import FaceContext
from biocap.face.measures import compute_measures
from biocap.face.segment import person_crop


def timed(fn, rounds: int) -> tuple[np.ndarray, np.ndarray]:
    """Wall-clock and CPU milliseconds of each of ``rounds`` calls."""
    wall, cpu = [], []
    for _ in range(rounds):
        t, c = time.perf_counter(), time.thread_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.thread_time() - c)
    return np.array(wall) * 1000, np.array(cpu) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=1, help="runs of --rounds each")
    ap.add_argument("--cpu", type=int, help="pin to this core (like taskset -c)")
    args = ap.parse_args()
    bench_env.single_core()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.repeat):
        for size, (med, cpu) in run(args.rounds).items():
            b = best.get(size, (np.inf, np.inf))
            best[size] = (min(b[0], med), min(b[1], cpu))
    print(
        "best assess median over repeats: "
        + ", ".join(f"{k} {w:.2f} ms (CPU {c:.2f} ms)" for k, (w, c) in best.items())
    )


def run(rounds: int) -> dict[str, tuple[float, float]]:
    """One pass over both sizes: prints the split, returns the assess wall and CPU medians."""
    out = {}
    print(f"load average before: {os.getloadavg()}")
    for w, h in ((600, 800), (1200, 1600)):
        cap = Capture(portrait(w, h))
        for _ in range(5):
            assess(cap)
        total, total_cpu = timed(lambda cap=cap: assess(cap), rounds)
        models, models_cpu = timed(lambda cap=cap: FaceContext.build(cap.pixels), rounds)
        ctx = FaceContext.build(cap.pixels)
        shared = {k: v for k, v in vars(ctx).items() if not k.startswith("_")}

        def measures(shared=shared) -> None:
            # a fresh context with the models' answers: only the measures' own work is timed
            keep = ("rgb", "grey_pixels", "colour_file", "faces", "mesh", "eye_left_img",
                    "eye_right_img", "small_rgb", "small_factor")  # fmt: skip
            compute_measures(FaceContext(**{k: shared[k] for k in keep}))

        rest, rest_cpu = timed(measures, rounds)
        _, seg_cpu = timed(
            lambda c=ctx: person_crop(c.rgb, c.small_rgb, c.small_factor, c.eye_centres), rounds
        )
        out[f"{w}x{h}"] = (float(np.median(total)), float(np.median(total_cpu)))
        print(
            f"{w}x{h}: assess median {np.median(total):.2f} ms  p95 {np.percentile(total, 95):.2f}"
            f"  min {total.min():.2f} | detection+mesh+iris median {np.median(models):.2f} ms"
            f" | measures median {np.median(rest):.2f} ms\n"
            f"  CPU: assess median {np.median(total_cpu):.2f} ms  min {total_cpu.min():.2f}"
            f" | detection+mesh+iris {np.median(models_cpu):.2f}"
            f" | measures {np.median(rest_cpu):.2f} (of which person segmentation"
            f" {np.median(seg_cpu):.2f})"
        )
    print(f"load average after: {os.getloadavg()}")
    return out


if __name__ == "__main__":
    main()
