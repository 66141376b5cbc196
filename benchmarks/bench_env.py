"""What the benchmark suite and scripts share, from ``biocap.bench``: one-core threads, the data
folder, the machine.

Import this module before numpy, OpenCV or onnxruntime: importing it sets the thread-count
environment variables those libraries read when they load (and that child processes, such as the
``biocap`` CLI run by ``finger_speed_report.py``, inherit). ``single_core()`` then also pins the
pools that are already loaded.
"""

from __future__ import annotations

import os
from pathlib import Path

from biocap.bench.threads import SINGLE_THREAD_ENV  # imports no numpy

os.environ.update(SINGLE_THREAD_ENV)

from biocap.bench.accuracy import REPO  # after the environment, on purpose
from biocap.bench.accuracy import shared_root as data_root
from biocap.bench.finger.accuracy import missing_data_message as _missing
from biocap.bench.machine import OtherLoad, describe, load_average, machine_info
from biocap.bench.report import write_json
from biocap.bench.threads import pin_one_thread as single_core

__all__ = [
    "REPO",
    "SINGLE_THREAD_ENV",
    "OtherLoad",
    "data_root",
    "describe",
    "load_average",
    "machine_info",
    "missing_data_message",
    "single_core",
    "write_json",
]


def missing_data_message(root: Path) -> str | None:
    reason = _missing(root)
    return None if reason is None else f"{reason} (set BIOCAP_SHARED_DATA or pass --data)"
