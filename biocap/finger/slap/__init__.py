"""Ten-print slaps (4-4-2): segment a slap into distal phalanges and score each finger."""

from .assess import CODES, SlapAssessment, SlapFinger, assess_slap
from .positions import ORDER, SLAP_POSITION, SlapKind, kind_of

__all__ = [
    "CODES",
    "ORDER",
    "SLAP_POSITION",
    "SlapAssessment",
    "SlapFinger",
    "SlapKind",
    "assess_slap",
    "kind_of",
]
