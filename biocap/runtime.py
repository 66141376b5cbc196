"""Process tuning for the real-time path, applied by front doors (never on import).

glibc hands freed buffers above its mmap/trim thresholds back to the kernel, so every image
faults its working set in again: measured ~1200 minor page faults and ~3-4 ms per FVC image in a
fresh process (decode + assess 10.8 -> 7.8 ms for ``biocap score`` with the thresholds raised).
Keeping freed memory in the process costs at most the largest image's working set (~20 MB).
The arena count is capped too: each thread of a serving pool otherwise gets its own arena, and
with trimming raised every arena keeps its own high-water mark (memory grows in steps).
"""

from __future__ import annotations

import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1  # glibc <malloc.h>
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
ARENA_MAX = 2
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 256 << 20


def tune_allocator() -> bool:
    """Raise glibc's mmap and trim thresholds; ``False`` where there is no glibc ``mallopt``."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # musl and others: nothing to tune
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return all(
        mallopt(option, value)
        for option, value in (
            (_M_MMAP_THRESHOLD, MMAP_THRESHOLD),
            (_M_TRIM_THRESHOLD, TRIM_THRESHOLD),
            (_M_ARENA_MAX, ARENA_MAX),
        )
    )


#: thread pools of OpenMP, OpenBLAS, MKL, numexpr and OpenCV (read when each library loads): a
#: worker process scores one image at a time, and one thread per process is fastest at this size.
SINGLE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "OPENCV_FOR_THREADS_NUM": "1",
}


def usable_cores() -> int:
    """Cores this process may run on (CPU affinity, e.g. a container's cpuset), else all."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
