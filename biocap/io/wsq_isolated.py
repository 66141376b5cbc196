"""WSQ decoding in a throw-away child process.

The NBIS decoder behind the ``wsq`` package corrupts memory on malformed input: fuzzing found
segfaults and glibc heap aborts from truncated tables and mutated Huffman tables (about 1 in 100
mutated files). Such bytes must never run inside a service process, so each decode runs in a
minimal interpreter (``-I -S``, only the ``_wsq`` extension imported; ~15 ms overhead) that
can crash or hang without harming the caller.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys

import _wsq  # imported only to locate it: its decoder is never called in this process
import numpy as np

from biocap.errors import CorruptImageError

_WSQ_DIR = os.path.dirname(_wsq.__file__)
TIMEOUT_S = 10.0  # a 20000 px side WSQ decodes in a few seconds; more means a stuck decoder
_HEADER = struct.Struct("<iii")
_CHILD = (
    "import struct,sys;sys.path.insert(0,sys.argv[1]);import _wsq;"
    "b,w,h,p=_wsq.decompress(sys.stdin.buffer.read());"
    "sys.stdout.buffer.write(struct.pack('<iii',w,h,p)+b)"
)


def decode_wsq(data: bytes, size: tuple[int, int]) -> tuple[np.ndarray, float | None]:
    """Pixels ``uint8 (h, w)`` and the NIST_COM ppi (``None`` when absent) of a WSQ file.

    ``size`` is the (width, height) the header declared and the limits accepted; a decoder
    answer of any other size is refused.
    """
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", _CHILD, _WSQ_DIR],
            input=data,
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CorruptImageError("WSQ decoder timed out", format="WSQ", reason="timeout") from exc
    width, height = size
    out = done.stdout
    if done.returncode != 0 or len(out) != _HEADER.size + width * height:
        reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["bad output"]
        raise CorruptImageError(
            f"cannot decode WSQ: {reason[0]}", format="WSQ", returncode=done.returncode
        )
    w, h, ppi = _HEADER.unpack_from(out)
    if (w, h) != (width, height):
        raise CorruptImageError("WSQ frame size disagrees with its header", format="WSQ")
    pixels = np.frombuffer(out, np.uint8, offset=_HEADER.size).reshape(height, width).copy()
    return pixels, float(ppi) if ppi > 0 else None
