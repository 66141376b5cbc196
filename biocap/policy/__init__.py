"""Policy: turns an assessment into accept / retake / exception under a threshold profile.

Cores measure and flag; only this package decides (DESIGN.md: "the verdict is policy").
"""

from .attempts import AttemptBook, AttemptOutcome
from .decide import Decision, Verdict, decide
from .live import AutoCapture, Kept
from .profiles import ModalityRules, Profile, StreamRules, load_profile, profile_names

__all__ = [
    "AttemptBook",
    "AttemptOutcome",
    "AutoCapture",
    "Decision",
    "Kept",
    "ModalityRules",
    "Profile",
    "StreamRules",
    "Verdict",
    "decide",
    "load_profile",
    "profile_names",
]
