"""Bundled fingerprint samples, generated at run time: nothing external is needed to bench.

Plain impressions from :func:`biocap.finger.synthetic.fingerprint` at the sizes of the FVC 2002
sets, plus one of each capture defect, PNG-encoded at 500 ppi (pHYs) so that decoding is timed
and the file's resolution is read as a scanner's file would give it.
"""

from __future__ import annotations

from functools import lru_cache

from biocap.bench.samples import Sample, png_bytes

#: (height, width) px at 500 ppi: FVC 2002 DB1 (388x374), DB3 (300x300), DB4 (288x384), and
#: the generator's default.
SHAPES = ((374, 388), (300, 300), (384, 288), (400, 380))
N_PLAIN = 18
PPI = 500.0


@lru_cache(maxsize=1)
def generated() -> tuple[Sample, ...]:
    """18 plain prints and 6 degraded ones (dry, wet, worn, partial, off-centre, scarred).

    Deterministic (seeded); ~0.1 s per print to grow, cached for the process.
    """
    from biocap.finger import synthetic as S

    prints = []
    for seed in range(N_PLAIN):
        h, w = SHAPES[seed % len(SHAPES)]
        prints.append((f"plain_{seed:02d}_{w}x{h}", S.fingerprint((h, w), seed=seed)))
    degraded = [
        ("dry", S.dry(prints[0][1], seed=0)),
        ("wet", S.wet(prints[1][1])),
        ("worn", S.worn(prints[2][1], seed=2)),
        ("partial", S.partial(prints[3][1])),
        ("off_centre", S.off_centre(prints[4][1])),
        ("scarred", S.scar(prints[5][1], seed=5)),
    ]
    images = prints + [(f"{name}_{i:02d}", img) for i, (name, img) in enumerate(degraded)]
    return tuple(Sample(f"{name}.png", png_bytes(img, PPI)) for name, img in images)
