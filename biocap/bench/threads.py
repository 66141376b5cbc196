"""One thread per process: how a station runs the cores (one image at a time, one core each).

OpenMP, OpenBLAS, MKL, numexpr and OpenCV read their pool size from the environment when they
load, so the environment only reaches processes started after it is set (the throughput
workers, ``biocap score`` children of a script). Pools already loaded in this process are pinned
with ``cv2.setNumThreads`` and, when installed, threadpoolctl (BLAS/OpenMP): the bench workers
and the scripts in ``benchmarks/`` do both. onnxruntime
sessions are always built with one thread (:func:`biocap.models.onnx_session`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from biocap.runtime import SINGLE_THREAD_ENV


@contextmanager
def single_thread_env() -> Iterator[None]:
    """:data:`SINGLE_THREAD_ENV` in ``os.environ`` for the block (for children started in it)."""
    saved = {k: os.environ.get(k) for k in SINGLE_THREAD_ENV}
    os.environ.update(SINGLE_THREAD_ENV)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _blas_limit():  # -> threadpoolctl.ThreadpoolLimiter | None
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # not a biocap dependency (scikit-learn brings it)
        return None
    return threadpool_limits(1)


def pin_one_thread() -> None:
    """One thread for OpenCV and BLAS, and the station's allocator tuning, for the rest of the
    process (workers, scripts): measure what a station runs."""
    import cv2

    from biocap.runtime import tune_allocator

    tune_allocator()
    cv2.setNumThreads(1)
    _blas_limit()  # not restored: stays in force for the process


def thread_pools() -> str:
    """The pool sizes in force now, so a run that was not single-threaded says so."""
    import cv2

    try:
        from threadpoolctl import threadpool_info

        blas = "/".join(sorted({str(p["num_threads"]) for p in threadpool_info()})) or "none"
    except ImportError:
        blas = f"unknown (no threadpoolctl; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')})"
    return f"OpenCV {cv2.getNumThreads()}, BLAS/OpenMP {blas}, onnxruntime 1"
