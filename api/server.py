"""``biocap serve``: uvicorn running the app factory in one or more worker processes."""

from __future__ import annotations

import os
import tempfile

from biocap.runtime import SINGLE_THREAD_ENV


def serve(
    host: str = "127.0.0.1", port: int = 8000, workers: int = 1, log_level: str = "info"
) -> None:
    """Run the service (blocks). Loopback by default: a LAN deployment passes ``--host`` and
    sets ``BIOCAP_API_KEY``. Each worker process builds its own app (``create_app``), which
    tunes the allocator and OpenCV's threads for that process."""
    import uvicorn

    # Worker processes inherit this before numpy loads: OpenBLAS/OpenMP pools of 2 threads per
    # worker on 2 cores fought each other (wrk, 16 stations: 48.9 fingerprints/s with the
    # default pools, 150.8/s with one thread each).
    os.environ.update(SINGLE_THREAD_ENV)
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # counters of all workers are merged by /metrics from files in this folder
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="biocap-metrics-")
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,  # a station sends a frame every few hundred ms: keep logs for errors
        timeout_keep_alive=30,
    )


def cmd_serve(args: object) -> int:
    """``biocap serve`` entry point (argparse namespace with host, port, workers, log_level)."""
    serve(args.host, args.port, args.workers, args.log_level)  # type: ignore[attr-defined]
    return 0
