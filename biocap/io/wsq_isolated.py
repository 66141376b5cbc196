"""WSQ decoding in a long-lived child process that may crash.

The NBIS decoder behind the ``wsq`` package corrupts memory on malformed input: fuzzing found
segfaults and glibc heap aborts from truncated tables and mutated Huffman tables (about 1 in 100
mutated files). Such bytes must never run inside a service process, so decoding runs in a
minimal interpreter (``-I -S``, only the ``_wsq`` extension imported). Starting one per image
cost ~15 ms, as much as assessing the print, so each thread keeps its child and sends it one
length-prefixed file at a time. A child that crashes, hangs past ``TIMEOUT_S`` or refuses a file
(its heap may be damaged) is replaced for the next image; a healthy one is replaced after
``RECYCLE_AFTER`` images, which bounds what an undetected corruption could spoil.
"""

from __future__ import annotations

import contextlib
import os
import struct
import subprocess
import sys
import threading

import _wsq  # imported only to locate it: its decoder is never called in this process
import numpy as np

from biocap.errors import CorruptImageError

_WSQ_DIR = os.path.dirname(_wsq.__file__)
TIMEOUT_S = 10.0  # a 20000 px side WSQ decodes in a few seconds; more means a stuck decoder
RECYCLE_AFTER = 500
_REQUEST = struct.Struct("<Q")
#: reply header: width, height, ppi, payload length (width -1: the payload is an error message)
_REPLY = struct.Struct("<iiiQ")
_CHILD = """
import struct, sys
sys.path.insert(0, sys.argv[1])
import _wsq
src, out = sys.stdin.buffer, sys.stdout.buffer
while len(n := src.read(8)) == 8:
    data = src.read(struct.unpack("<Q", n)[0])
    try:
        b, w, h, p = _wsq.decompress(data)
    except Exception as e:
        b, w, h, p = str(e).encode(errors="replace")[:500], -1, 0, 0
    out.write(struct.pack("<iiiQ", w, h, p, len(b)))
    out.write(b)
    out.flush()
"""

_local = threading.local()


class _Child:
    """One decoder process, used by one thread."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _CHILD, _WSQ_DIR],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.used = 0
        self.owner = os.getpid()
        self.timed_out = False

    def decode(self, data: bytes) -> tuple[int, int, int, bytes]:
        """Raw reply; ``OSError``/``EOFError`` when the child died or was killed on time-out."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.used += 1
        watchdog = threading.Timer(TIMEOUT_S, self._kill_stuck)
        watchdog.start()
        try:
            self.proc.stdin.write(_REQUEST.pack(len(data)) + data)
            self.proc.stdin.flush()
            head = self.proc.stdout.read(_REPLY.size)
            if len(head) != _REPLY.size:
                raise EOFError
            w, h, ppi, n = _REPLY.unpack(head)
            payload = self.proc.stdout.read(n)
            if len(payload) != n:
                raise EOFError
            return w, h, ppi, payload
        finally:
            watchdog.cancel()

    def _kill_stuck(self) -> None:
        self.timed_out = True
        self.proc.kill()

    def close(self) -> None:
        if self.owner == os.getpid():  # a forked process only lets go of its copy of the pipes
            self.proc.kill()
            self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):  # unflushed bytes to a dead child
                    pipe.close()


def _child() -> _Child:
    child = getattr(_local, "child", None)
    if (
        child is None
        or child.owner != os.getpid()  # inherited through fork: the parent's, not ours
        or child.proc.poll() is not None
        or child.used >= RECYCLE_AFTER
    ):
        if child is not None:
            child.close()
        child = _local.child = _Child()
    return child


def _drop_child() -> None:
    child = getattr(_local, "child", None)
    if child is not None:
        child.close()
        _local.child = None


def decode_wsq(data: bytes, size: tuple[int, int]) -> tuple[np.ndarray, float | None]:
    """Pixels ``uint8 (h, w)`` and the NIST_COM ppi (``None`` when absent) of a WSQ file.

    ``size`` is the (width, height) the header declared and the limits accepted; a decoder
    answer of any other size is refused.
    """
    child = _child()
    try:
        w, h, ppi, payload = child.decode(data)
    except (OSError, EOFError):
        code = child.proc.wait()
        _drop_child()
        reason = "timeout" if child.timed_out else f"decoder exited with {code}"
        message = f"cannot decode WSQ: {reason}"
        raise CorruptImageError(message, format="WSQ", reason=reason) from None
    if w < 0:
        _drop_child()  # it refused the file: its heap may be damaged
        message = payload.decode(errors="replace")
        raise CorruptImageError(f"cannot decode WSQ: {message}", format="WSQ")
    width, height = size
    if (w, h) != (width, height) or len(payload) != width * height:
        _drop_child()
        raise CorruptImageError("WSQ frame size disagrees with its header", format="WSQ")
    pixels = np.frombuffer(payload, np.uint8).reshape(height, width).copy()
    return pixels, float(ppi) if ppi > 0 else None
