"""Decoders: bytes or files -> :class:`biocap.capture.Capture` (decode once, never read again)."""

from biocap.io.decode import decode
from biocap.io.limits import DEFAULT_LIMITS, Limits
from biocap.io.read import read
from biocap.io.resample import resample_to_ppi
from biocap.io.sniff import SUPPORTED_FORMATS

__all__ = ["DEFAULT_LIMITS", "SUPPORTED_FORMATS", "Limits", "decode", "read", "resample_to_ppi"]
