"""What the benchmark suite and scripts share: one-core threads, the data folder, the machine.

Import this module before numpy, OpenCV or onnxruntime: importing it sets the thread-count
environment variables those libraries read when they load (and that child processes, such as the
``biocap`` CLI run by ``finger_speed_report.py``, inherit). ``single_core()`` then also pins the
pools that are already loaded.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: thread pools of OpenMP, OpenBLAS, MKL, numexpr and OpenCV (read when each library loads).
SINGLE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "OPENCV_FOR_THREADS_NUM": "1",
}
os.environ.update(SINGLE_THREAD_ENV)


def single_core() -> None:
    """One thread for OpenCV and BLAS in this process (onnxruntime sessions are built with 1)."""
    import cv2
    from threadpoolctl import threadpool_limits

    cv2.setNumThreads(1)
    threadpool_limits(1)  # not a context manager here: stays in force for the process


def data_root(arg: str | Path | None = None) -> Path:
    """``--data``, else ``$BIOCAP_SHARED_DATA``, else ``../shared/data`` (as tests/conftest.py)."""
    if arg is not None:
        return Path(arg)
    return Path(os.environ.get("BIOCAP_SHARED_DATA", REPO.parent / "shared" / "data"))


def missing_data_message(root: Path) -> str | None:
    if (root / "finger").is_dir():
        return None
    return f"real images not found at {root} (set BIOCAP_SHARED_DATA or pass --data)"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, object]:
    """Stable facts only (pytest-benchmark compare warns when machine_info differs)."""
    import cv2
    import numpy
    import onnxruntime
    from threadpoolctl import threadpool_info

    blas = sorted({str(p["num_threads"]) for p in threadpool_info()}) or ["none"]
    return {
        "cpu_model": _cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "numpy": numpy.__version__,
        "opencv": cv2.__version__,
        "onnxruntime": onnxruntime.__version__,
        # actual pool sizes, so a run that was not single-core says so
        "threads": f"OpenCV {cv2.getNumThreads()}, BLAS/OpenMP {'/'.join(blas)}, onnxruntime 1",
    }


def describe(info: dict[str, object]) -> str:
    return (
        f"{info['cpu_model']}, {info['logical_cores']} logical cores "
        f"({info['usable_cores']} usable), Python {info['python']}, numpy {info['numpy']}, "
        f"OpenCV {info['opencv']}, onnxruntime {info['onnxruntime']}, threads {info['threads']}"
    )


def load_average() -> tuple[float, float, float] | None:
    try:
        return os.getloadavg()
    except OSError:
        return None


def _machine_busy_s() -> float | None:
    """CPU seconds all processes have used since boot (/proc/stat, Linux), or None."""
    try:
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # minus idle, iowait


def _own_s() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class OtherLoad:
    """How many cores other processes kept busy, on average, since this object was made.

    The noise gauge of a run on a shared machine: near 0 is a quiet run.
    """

    def __init__(self) -> None:
        self.t0, self.busy0, self.own0 = time.monotonic(), _machine_busy_s(), _own_s()

    def cores(self) -> float | None:
        busy = _machine_busy_s()
        if busy is None or self.busy0 is None:
            return None
        own = _own_s() - self.own0
        return max(0.0, (busy - self.busy0 - own) / (time.monotonic() - self.t0))


def write_json(path: Path, obj: object) -> Path:
    """Strict JSON (NaN -> null), so any reader can load the numbers."""

    def clean(x: object) -> object:
        if isinstance(x, float) and x != x:
            return None
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        return x

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(clean(obj), indent=2, allow_nan=False) + "\n")
    return path
