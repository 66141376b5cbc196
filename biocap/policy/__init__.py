"""Policy: turns an assessment into accept / retake / exception under a threshold profile.

Cores measure and flag; only this package decides (DESIGN.md: "the verdict is policy").
"""

from .attempts import AttemptBook, AttemptOutcome
from .decide import Decision, Verdict, decide
from .profiles import ModalityRules, Profile, load_profile, profile_names

__all__ = [
    "AttemptBook",
    "AttemptOutcome",
    "Decision",
    "ModalityRules",
    "Profile",
    "Verdict",
    "decide",
    "load_profile",
    "profile_names",
]
