"""The machine a run was made on, how busy it was, and how much memory the run took."""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
from pathlib import Path

from biocap.bench.threads import thread_pools
from biocap.runtime import usable_cores


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, object]:
    """Stable facts only (pytest-benchmark compare warns when machine_info differs).

    Keys: cpu_model, logical_cores, usable_cores, python, platform, biocap, numpy, opencv,
    onnxruntime, pillow (versions) and threads (the pool sizes in force when called).
    """
    import cv2
    import numpy
    import onnxruntime
    import PIL

    from biocap import __version__

    return {
        "cpu_model": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": usable_cores(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "biocap": __version__,
        "numpy": numpy.__version__,
        "opencv": cv2.__version__,
        "onnxruntime": onnxruntime.__version__,
        "pillow": PIL.__version__,
        "threads": thread_pools(),
    }


def describe(info: dict[str, object]) -> str:
    return (
        f"{info['cpu_model']}, {info['logical_cores']} logical cores "
        f"({info['usable_cores']} usable), Python {info['python']}, numpy {info['numpy']}, "
        f"OpenCV {info['opencv']}, onnxruntime {info['onnxruntime']}, "
        f"Pillow {info.get('pillow', '?')}, threads {info['threads']}"
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
        return max(0.0, (busy - self.busy0 - own) / max(time.monotonic() - self.t0, 1e-9))


def maxrss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory (``getrusage`` ru_maxrss: KiB on Linux, bytes on macOS) in MiB.

    ``RUSAGE_CHILDREN`` is the largest of the children waited for, not their sum.
    """
    rss = resource.getrusage(who).ru_maxrss
    return rss / (1 << 20) if sys.platform == "darwin" else rss / 1024


def peak_memory() -> dict[str, float]:
    return {
        "self_peak_rss_mib": maxrss_mib(resource.RUSAGE_SELF),
        "children_peak_rss_mib": maxrss_mib(resource.RUSAGE_CHILDREN),
    }
