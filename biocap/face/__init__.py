"""Face core (ICAO 9303 / ISO/IEC 29794-5 measure names): ``assess(capture) -> Assessment``."""

from .core import assess
from .defects import CODES, DefectThresholds
from .measures import MEASURES
from .token import token_image

__all__ = ["CODES", "MEASURES", "DefectThresholds", "assess", "token_image"]
