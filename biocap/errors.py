"""Typed errors with stable machine-readable codes.

Front doors (CLI, HTTP) turn these into error records / 4xx answers; the code string is the
contract, the message is for humans.
"""


class BiocapError(Exception):
    """Base class: every error biocap raises on bad input carries a stable ``code``."""

    code = "biocap_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, **self.details}

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled whole, details included: errors cross from assessment processes."""
        return _rebuild, (type(self), self.message, self.details)


def _rebuild(cls: type[BiocapError], message: str, details: dict[str, object]) -> BiocapError:
    return cls(message, **details)


class EmptyInputError(BiocapError):
    code = "empty_body"


class UnsupportedFormatError(BiocapError):
    code = "unsupported_format"


class CorruptImageError(BiocapError):
    code = "corrupt_image"


class ImageTooLargeError(BiocapError):
    """Byte size over the limit: refused before any decoding."""

    code = "image_too_large"


class DecompressionBombError(BiocapError):
    """Declared pixel count over the limit: refused before pixels are decoded."""

    code = "decompression_bomb"


class ImageTooSmallError(BiocapError):
    code = "image_too_small"


class InvalidParameterError(BiocapError):
    code = "invalid_parameter"
