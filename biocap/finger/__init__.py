"""Fingerprint core (ISO/IEC 29794-4, NFIQ 2 feature names): ``assess(capture) -> Assessment``."""

from .core import analyse, assess
from .defects import CODES, DefectThresholds
from .measures import MEASURES

__all__ = ["CODES", "MEASURES", "DefectThresholds", "analyse", "assess"]
