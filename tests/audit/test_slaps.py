"""Slap images in the audit: ANSI/NIST-ITL Type-14 slap records (FGP 13-15) and plain slap
files in a ``slaps`` folder give one row per slap and one per finger found."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from biocap.audit.run import audit
from biocap.finger.slap import generate as G
from tests.api.conftest import png

PLAIN = dataclasses.replace(G.DEV_STYLE, p_missing=0.0, p_edge=0.0, p_over_rotated=0.0)


def _slap(kind: str, seed: int) -> np.ndarray:
    sources = G.synthetic_sources(6, seed=70)
    rng = np.random.default_rng(seed)
    return G.generate_slap(kind, G.pick_prints(sources, rng, 6), rng, PLAIN).image


def _type14_slap(image: np.ndarray, fgp: int) -> bytes:
    import nistitl

    msg = nistitl.Message()
    msg.TOT = "CAR"
    msg[0].ORI = "STATION"
    msg[0].TCN = "SUBJ-SLAP"
    msg[0].DAT = "20261201"
    r = nistitl.AsciiRecord(14)
    r.IDC = 1
    r.IMP = 0
    r.SRC = "AGENCY"
    r.FCD = "20261201"
    r.HLL, r.VLL, r.SLC, r.THPS, r.TVPS = image.shape[1], image.shape[0], 1, 500, 500
    r.CGA, r.BPX, r.FGP = "PNG", 8, fgp
    r.DATA = png(image)
    msg += r
    return msg.NIST


def test_audit_of_slap_records_and_slap_files(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "slaps").mkdir(parents=True)
    (src / "tenprint.an2").write_bytes(_type14_slap(_slap("right", 1), 13))
    (src / "slaps" / "s1_thumbs.png").write_bytes(png(_slap("thumbs", 2)))
    out = tmp_path / "out"
    audit([str(src)], out, workers=1, progress=False)
    rows = pq.ParquetDataset(sorted((out / "parts").glob("part-*.parquet"))).read().to_pylist()
    by_id = {r["id"]: r for r in rows}
    nist = [r for i, r in by_id.items() if i.startswith(str(src / "tenprint.an2"))]
    slap = [r for r in nist if r["modality"] == "slap"]
    assert len(slap) == 1 and slap[0]["position"] == "13" and slap[0]["decision"] is not None
    fingers = sorted(r["position"] for r in nist if r["modality"] == "finger")
    assert fingers and set(fingers) <= {"2", "3", "4", "5"}
    assert all(r["quality"] is not None for r in nist if r["modality"] == "finger")
    thumbs = [r for i, r in by_id.items() if "s1_thumbs" in i]
    assert {r["position"] for r in thumbs} >= {"15"}
    assert {r["position"] for r in thumbs if r["modality"] == "finger"} <= {"11", "12"}
