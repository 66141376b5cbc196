"""Generated inputs for the audit tests: small synthetic prints, bad files, NIST transactions."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image


@lru_cache(maxsize=8)
def print_png(seed: int, shape: tuple[int, int] = (220, 200)) -> bytes:
    """A synthetic fingerprint (biocap.finger.synthetic), PNG at 500 ppi."""
    from biocap.finger import synthetic

    buf = io.BytesIO()
    Image.fromarray(synthetic.fingerprint(shape, seed=seed)).save(buf, "PNG", dpi=(500, 500))
    return buf.getvalue()


def png(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PNG")
    return buf.getvalue()


def make_prints(root: Path, n: int, *, stations: int = 3, distinct: int = 4) -> list[Path]:
    """``n`` print files laid out as ``root/<station>/<subject>/<position>_<attempt>.png``."""
    paths = []
    for i in range(n):
        station, subject = f"st{i % stations}", f"s{i // 10:04d}"
        position, attempt = 1 + (i % 10), 1 + (i // 5) % 2
        p = root / station / subject / f"{position}_{attempt}.png"
        p.parent.mkdir(parents=True, exist_ok=True)
        if not p.exists():
            p.write_bytes(print_png(i % distinct))
            paths.append(p)
    return paths


def bad_files(root: Path) -> dict[str, str]:
    """Unreadable inputs -> the error code each must give."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "empty.png").write_bytes(b"")
    (root / "text.png").write_bytes(b"this is not an image\n")
    (root / "truncated.png").write_bytes(print_png(0)[:300])
    return {
        str(root / "empty.png"): "empty_body",
        str(root / "text.png"): "unsupported_format",
        str(root / "truncated.png"): "corrupt_image",
    }


def nist_transaction(
    *,
    subject: str = "SUBJ001",
    station: str = "ORI-STATION-7",
    corrupt_record: bool = False,
) -> bytes:
    """Type-1 + Type-14 prints (PNG at FGP 2, raw NONE at FGP 7) + Type-10 face + Type-17 iris."""
    import nistitl

    msg = nistitl.Message()
    msg.TOT = "CAR"
    msg[0].ORI = station
    msg[0].TCN = subject
    msg[0].DAT = "20261120"

    def type14(idc: int, fgp: int, data: bytes, cga: str, w: int, h: int) -> None:
        r = nistitl.AsciiRecord(14)
        r.IDC = idc
        r.IMP = 0
        r.SRC = "AGENCY"
        r.FCD = "20261123"
        r.HLL, r.VLL, r.SLC, r.THPS, r.TVPS = w, h, 1, 500, 500
        r.CGA, r.BPX, r.FGP = cga, 8, fgp
        r.DATA = data
        nonlocal msg
        msg += r

    from biocap.finger import synthetic

    raw = synthetic.fingerprint((200, 180), seed=3)
    type14(1, 2, print_png(1), "PNG", 200, 220)
    type14(2, 7, raw.tobytes(), "NONE", 180, 200)
    if corrupt_record:
        type14(3, 9, b"\x89PNG\r\n\x1a\n broken", "PNG", 200, 220)
    face = nistitl.AsciiRecord(10)
    face.IDC = 4
    face.IMT = "FACE"
    face.DATA = png(np.random.default_rng(0).integers(0, 256, (320, 240, 3), dtype=np.uint8))
    msg += face
    iris = nistitl.AsciiRecord(17)
    iris.IDC = 5
    iris._3 = 2  # FID: left eye
    iris.DATA = png(np.full((480, 640), 90, np.uint8))
    msg += iris
    return msg.NIST
