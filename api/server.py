"""``biocap serve``: one uvicorn process (HTTP, attempts, metrics) and N assessment processes."""

from __future__ import annotations

import os

from biocap.runtime import SINGLE_THREAD_ENV


def serve(
    host: str = "127.0.0.1", port: int = 8000, workers: int = 1, log_level: str = "info"
) -> None:
    """Run the service (blocks). Loopback by default: a LAN deployment passes ``--host`` and
    sets ``BIOCAP_API_KEY``. ``workers`` assessment processes (about one per core) take the
    requests from one queue (``api.engine``)."""
    import uvicorn

    # The assessment processes inherit this before numpy loads: OpenBLAS/OpenMP pools of 2
    # threads per process on 2 cores fought each other (wrk, 16 stations: 48.9 fingerprints/s
    # with the default pools, 150.8/s with one thread each).
    os.environ.update(SINGLE_THREAD_ENV)
    os.environ["BIOCAP_WORKERS"] = str(max(1, workers))
    from api.settings import Settings  # after the thread environment: it loads numpy

    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,  # a station sends a frame every few hundred ms: keep logs for errors
        timeout_keep_alive=30,
        # live streams: the app refuses a frame over max_frame_bytes with an error event and
        # 1009 once it is in; the WebSocket layer cuts one over twice that while it comes (the
        # client, still sending, may see a reset). JPEG and PNG frames do not deflate, so
        # per-message compression would only cost CPU.
        ws_max_size=2 * Settings.from_env().max_frame_bytes,
        ws_per_message_deflate=False,
    )


def cmd_serve(args: object) -> int:
    """``biocap serve`` entry point (argparse namespace with host, port, workers, log_level)."""
    serve(args.host, args.port, args.workers, args.log_level)  # type: ignore[attr-defined]
    return 0
