"""Sequence check of a ten-print: the same hand (or finger) captured twice across slaps.

A 4-4-2 capture can go wrong without any single slap looking wrong: the operator takes the
right hand again where the left was due, or a finger of one slap turns up in another. The
slaps' fingertips are compared by their minutiae templates (:mod:`.minutiae`, :mod:`.match`):

- ``slap.same_hand_twice``: two slaps share ``HAND_PAIRS`` or more finger pairs scoring above
  ``PAIR_THRESHOLD`` (the matcher's score at a false match rate of ``PAIR_FMR`` per pair,
  fixed on FVC 2002 DB1/DB3/DB4 impostor pairs: ``benchmarks/slap_sequence.py``);
- ``slap.finger_repeated``: one finger pair between two slaps above ``REPEAT_THRESHOLD``, a
  stricter threshold (no FVC impostor pair reaches it), naming both positions.

Two different fingers of one hand are as unlike as two fingers of different people at the
minutiae level, which is what the FVC impostor pairs measure. Templates hold no pixels, so the
attempt book may keep them for a subject's later slaps (``api``: one small array per finger).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .match import match

#: per finger pair: the false match rate the pair threshold is set at ...
PAIR_FMR = 0.001
#: ... the matcher's score there on pooled FVC 2002 DB1/DB3/DB4 impostors (0.141)
PAIR_THRESHOLD = 0.14
#: finger pairs above it that make two slaps one hand captured twice
HAND_PAIRS = 2
#: a single pair this alike is one finger captured twice (pooled FVC impostor maximum: 0.196)
REPEAT_THRESHOLD = 0.22

SAME_HAND = "slap.same_hand_twice"
REPEATED = "slap.finger_repeated"


@dataclass(frozen=True, slots=True)
class SequenceFinding:
    """One finding: ``code``, the two slaps and the finger pairs (position a, position b,
    score) behind it."""

    code: str
    slap_a: str
    slap_b: str
    pairs: tuple[tuple[int, int, float], ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "slaps": [self.slap_a, self.slap_b],
            "pairs": [
                {"position_a": a, "position_b": b, "score": round(s, 3)} for a, b, s in self.pairs
            ],
        }


def check(templates: dict[str, dict[int, np.ndarray]]) -> list[SequenceFinding]:
    """Findings across the slaps of one subject: ``{slap kind: {position: template}}``."""
    found: list[SequenceFinding] = []
    for ka, kb in combinations(sorted(templates), 2):
        scored = [
            (pa, pb, match(ta, tb))
            for pa, ta in templates[ka].items()
            for pb, tb in templates[kb].items()
        ]
        strong = sorted((p for p in scored if p[2] > PAIR_THRESHOLD), key=lambda p: -p[2])
        if len(strong) >= HAND_PAIRS:
            found.append(SequenceFinding(SAME_HAND, ka, kb, tuple(strong)))
        elif strong and strong[0][2] > REPEAT_THRESHOLD:
            found.append(SequenceFinding(REPEATED, ka, kb, (strong[0],)))
    return found
