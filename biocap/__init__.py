"""biocap: biometric capture quality engine (fingerprint, face, iris)."""

__version__ = "0.1.0"
