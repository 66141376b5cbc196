"""A one-line progress bar on stderr: files done, images/s, ETA (no dependency).

On a terminal the line is redrawn in place (at most 4 times a second); into a log file or pipe a
plain line is written every ``log_every_s`` seconds, so an overnight log stays short. Sources are
streamed, so the total is unknown at first: ``total`` is ``None`` until a counting thread
(:func:`biocap.audit.run.audit`) sets it, and the line shows files found so far without an ETA.
Files already committed by an earlier run count as done (``skipped``) but not into the rate.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    if seconds != seconds or seconds == float("inf"):  # NaN or inf
        return "--:--"
    s = int(seconds)
    h, rem = divmod(s, 3600)
    return f"{h}:{rem // 60:02d}:{rem % 60:02d}" if h else f"{rem // 60:02d}:{rem % 60:02d}"


class Progress:
    def __init__(
        self,
        total: int | None = None,
        *,
        stream: TextIO | None = None,
        enabled: bool = True,
        log_every_s: float = 10.0,
    ) -> None:
        self.total, self.files, self.images, self.errors = total, 0, 0, 0
        self.skipped = 0  # files committed by an earlier run, found while streaming
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = 0.25 if self.tty else log_every_s
        self.t0 = time.perf_counter()
        self._last = 0.0

    def rate(self) -> float:
        """Images per second since the start."""
        dt = time.perf_counter() - self.t0
        return self.images / dt if dt > 0 else 0.0

    def line(self) -> str:
        dt = time.perf_counter() - self.t0
        done = self.files + self.skipped
        files_rate = self.files / dt if dt > 0 else 0.0
        tail = (
            f"{self.images} images  {self.rate():6.1f} img/s  {self.errors} errors  "
            f"elapsed {_clock(dt)}"
        )
        skipped = f" ({self.skipped} done before)" if self.skipped else ""
        if self.total is None:
            return f"{done} files{skipped} (counting...)  {tail}"
        total = max(self.total, done)
        frac = done / total if total else 1.0
        width = 24
        bar = "#" * int(width * frac) + "-" * (width - int(width * frac))
        eta = (total - done) / files_rate if files_rate > 0 else float("inf")
        return (
            f"[{bar}] {done}/{total} files{skipped} {100 * frac:5.1f}%  {tail}  ETA {_clock(eta)}"
        )

    def update(self, files: int, images: int, errors: int) -> None:
        self.files += files
        self.images += images
        self.errors += errors
        now = time.perf_counter()
        if self.enabled and now - self._last >= self.every:
            self._last = now
            self._emit()

    def _emit(self) -> None:
        if self.tty:
            self.stream.write("\r" + self.line())
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._emit()
            if self.tty:
                self.stream.write("\n")
            self.stream.flush()
