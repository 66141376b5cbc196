"""Golden values of open-iris' own encoder and matcher for ``tests/evaluation``'s conformance test.

open-iris pins numpy 1.24 / pydantic 1, so it runs in its own environment, without biocap:

    python3 -m venv /tmp/openiris && /tmp/openiris/bin/pip install open-iris==1.11.2
    /tmp/openiris/bin/python benchmarks/iris_openiris_golden.py

Prints, for the two sheets of ``tests/evaluation/iris_golden_sheets.py``: the sha256 (first 16
hex) of the packed iris and mask codes, the usable bits, two filter responses and the Hamming
distance with and without rotation shifts (what ``test_encoder_matches_open_iris_bit_for_bit``
asserts). Nothing is downloaded: these classes need no model.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "evaluation"))


def main() -> None:
    import iris
    from iris.io.dataclasses import NormalizedIris
    from iris.nodes.iris_response_refinement.fragile_bits_refinement import (
        FragileBitRefinement,
    )
    from iris_golden_sheets import golden_sheets

    def gabor(size, s_phi, s_rho, lam):
        return iris.GaborFilter(
            kernel_size=size, sigma_phi=s_phi, sigma_rho=s_rho, theta_degrees=90.0,
            lambda_phi=lam, dc_correction=True, to_fixpoints=True,
        )  # fmt: skip

    schema = iris.RegularProbeSchema(n_rows=16, n_cols=256)
    bank = iris.ConvFilterBank(
        maskisduplicated=False,
        filters=[gabor((41, 21), 7, 6.13, 28.0), gabor((17, 21), 2, 5.86, 8.0)],
        probe_schemas=[schema, schema],
    )
    fragile = FragileBitRefinement(
        value_threshold=[0.0001, 0.275, 0.08726646259971647],
        fragile_type="polar",
        maskisduplicated=False,
    )
    a, b, m = golden_sheets()
    templates = []
    for img in (a, b):
        r = bank.run(NormalizedIris(normalized_image=img, normalized_mask=m))
        t = iris.IrisEncoder().run(fragile.run(r))
        code, mask = np.stack(t.iris_codes), np.stack(t.mask_codes)
        sha = [hashlib.sha256(np.packbits(x).tobytes()).hexdigest()[:16] for x in (code, mask)]
        print("code", sha[0], "mask", sha[1], "usable", int(mask.sum()))
        print("  response[0][5, 7]", complex(r.iris_responses[0][5, 7]))
        print("  response[1][0, 100]", complex(r.iris_responses[1][0, 100]))
        templates.append(t)
    for shift in (15, 0):
        hd = iris.SimpleHammingDistanceMatcher(rotation_shift=shift, normalise=False)
        print(f"hamming, +-{shift} shifts:", hd.run(*templates))


if __name__ == "__main__":
    main()
