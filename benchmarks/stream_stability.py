"""How much quality jitters from frame to frame of a still subject: does auto-capture's
``max_quality_spread`` (the profiles' ``[<modality>.stream]``) let a still, good capture through?

    .venv/bin/python benchmarks/stream_stability.py [--frames 10] [--per-set 40]

A still subject in front of a live sensor still gives different frames: sensor noise, a pixel of
sway, the encoder. Each real image of ``../shared/data`` becomes ``--frames`` such frames
(Gaussian noise of 2 grey levels, a random shift of up to 1 px, JPEG q 85 for faces as the page
sends them), each is assessed, and for the profile's run length N it reports the quality spread
(max - min) over every window of N consecutive frames: its median, 95th and 99th percentile, and
the share of windows of *accepted* frames within each candidate spread. A spread the still
windows exceed often would keep good subjects waiting for the time-out.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import bench_env  # noqa: F401  (one thread per library, before numpy loads)
import numpy as np
from bench_env import REPO, data_root, describe, load_average, machine_info, write_json

from biocap.io import decode
from biocap.policy import Decision, load_profile
from biocap.records import evaluate

SETS = {
    "finger": ["finger/fvc2002_db1_b/*.tif", "finger/fvc2002_db3_b/*.tif"],
    "face": ["face/deepface/img*.jpg", "face/face_recognition/*.jpg"],
    "iris": ["iris/casia_interval/*.jpg", "iris/casia_v1/*.jpg", "iris/mmu2/*.bmp"],
}
SPREADS = (5, 8, 10, 15, 20)


def still_frames(pixels: np.ndarray, n: int, rng: np.random.Generator, jpeg: bool) -> list:
    """``n`` frames of the same still scene: noise, a sub-2-pixel sway, the encoder."""
    import cv2
    from PIL import Image

    out = []
    h, w = pixels.shape[:2]
    for _ in range(n):
        dx, dy = rng.uniform(-1, 1, 2)
        m = np.float32([[1, 0, dx], [0, 1, dy]])
        moved = cv2.warpAffine(pixels, m, (w, h), borderMode=cv2.BORDER_REFLECT)
        noisy = np.clip(moved + rng.normal(0, 2, moved.shape), 0, 255).astype(np.uint8)
        if jpeg:
            buf = io.BytesIO()
            Image.fromarray(noisy).save(buf, "JPEG", quality=85)
            out.append(buf.getvalue())
        else:
            buf = io.BytesIO()
            Image.fromarray(noisy).save(buf, "PNG")
            out.append(buf.getvalue())
    return out


def modality_report(modality: str, files: list[Path], frames: int, seed: int) -> dict:
    profile = load_profile("default")
    n = profile.rules(modality).stream.frames
    rng = np.random.default_rng(seed)
    spreads, accepted_spreads, images = [], [], 0
    for f in files:
        try:
            cap = decode(f.read_bytes(), modality=modality)
        except Exception:
            continue
        if modality == "face" and max(cap.width, cap.height) > 1280:
            continue  # a webcam frame is at most 1280 px wide
        images += 1
        scored = []
        for data in still_frames(cap.pixels, frames, rng, jpeg=modality == "face"):
            a, verdict = evaluate(decode(data, modality=modality), profile)
            scored.append((a.quality, verdict.decision))
        for i in range(len(scored) - n + 1):
            window = scored[i : i + n]
            q = [s[0] for s in window]
            if 255 in q:
                continue
            spreads.append(max(q) - min(q))
            if all(s[1] is Decision.ACCEPT for s in window):
                accepted_spreads.append(max(q) - min(q))
    a = np.asarray(spreads or [0])
    acc = np.asarray(accepted_spreads or [0])
    return {
        "modality": modality,
        "run_frames": n,
        "max_quality_spread": profile.rules(modality).stream.max_quality_spread,
        "images": images,
        "windows": len(spreads),
        "accepted_windows": len(accepted_spreads),
        "spread_p50": float(np.percentile(a, 50)),
        "spread_p95": float(np.percentile(a, 95)),
        "spread_p99": float(np.percentile(a, 99)),
        "accepted_windows_within": {
            str(s): round(float(np.mean(acc <= s)), 3) if accepted_spreads else None
            for s in SPREADS
        },
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=10, help="still frames per image")
    ap.add_argument("--per-set", type=int, default=40, help="images per set")
    ap.add_argument("--json", type=Path, default=REPO / "out" / "bench" / "stream_stability.json")
    args = ap.parse_args()
    root = data_root()
    if not root.is_dir():
        print(f"skipped: no shared data at {root}")
        return 0
    load = load_average()
    reports = []
    for modality, patterns in SETS.items():
        files = [f for p in patterns for f in sorted(root.glob(p))[: args.per_set]]
        r = modality_report(modality, files, args.frames, seed=0)
        reports.append(r)
        print(
            f"{modality:6s} N={r['run_frames']} images {r['images']:3d} windows {r['windows']:4d}"
            f" spread p50 {r['spread_p50']:.0f} p95 {r['spread_p95']:.0f} "
            f"p99 {r['spread_p99']:.0f}; accepted windows {r['accepted_windows']} within "
            + ", ".join(f"{s}: {v}" for s, v in r["accepted_windows_within"].items()),
            flush=True,
        )
    info = machine_info()
    write_json(args.json, {"runs": reports, "load_average": load, "machine": info})
    print(describe(info))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
