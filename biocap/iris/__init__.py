"""Iris core (ISO/IEC 29794-6 measures): ``assess(capture) -> Assessment``."""

from .core import analyse, assess
from .defects import CODES, DefectThresholds
from .measures import MEASURES

__all__ = ["CODES", "MEASURES", "DefectThresholds", "analyse", "assess"]
