"""Bundled iris samples, generated at run time (``biocap.iris.synthetic``), PNG-encoded so that
decoding is timed: 640x480 station frames and 320x280 CASIA-sized ones, plain and degraded."""

from __future__ import annotations

from functools import lru_cache

from biocap.bench.samples import Sample, png_bytes


@lru_cache(maxsize=1)
def generated() -> tuple[Sample, ...]:
    from biocap.iris import synthetic as S

    images = []
    for seed in range(6):
        images.append(
            (
                f"eye_640x480_{seed}",
                S.eye((480, 640), iris_r=110 + 10 * seed, pupil_r=40 + 3 * seed, seed=seed),
            )
        )
        images.append(
            (
                f"eye_320x280_{seed}",
                S.eye((280, 320), iris_r=90 + 4 * seed, pupil_r=30 + 2 * seed, seed=seed),
            )
        )
    base = S.eye((480, 640), iris_r=120, pupil_r=45, seed=9)
    images += [
        ("lid_640x480", S.eye((480, 640), iris_r=120, pupil_r=45, lid_cover=0.3, seed=10)),
        (
            "reflections_640x480",
            S.eye((480, 640), iris_r=120, pupil_r=45, reflections=8, reflection_r=8, seed=11),
        ),
        ("blurred_640x480", S.blurred(base, 5.0)),
        ("motion_640x480", S.motion(base, 21)),
    ]
    return tuple(Sample(f"{name}.png", png_bytes(img)) for name, img in images)
