"""Files: the size limit is checked on stat, before reading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import biocap.io.read as read_module
from biocap.errors import BiocapError
from biocap.io import Limits, read
from tests.io.images import encode, ridges


def test_read_sets_source_and_passes_options(tmp_path):
    path = tmp_path / "print.wsq"  # a misleading extension: the bytes decide
    path.write_bytes(encode(ridges(64, 64), "PNG"))
    capture = read(path, ppi=500, modality="finger", position=1)
    assert (capture.source, capture.format, capture.ppi_source) == (str(path), "PNG", "caller")


def test_oversized_file_is_refused_without_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.png"
    path.write_bytes(bytes(2000))

    def refuse(*args, **kwargs):
        raise AssertionError("file was opened")

    monkeypatch.setattr(read_module, "open", refuse, raising=False)
    with pytest.raises(BiocapError) as info:
        read(path, limits=Limits(max_bytes=1000))
    assert info.value.code == "image_too_large"


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read(tmp_path / "absent.png")


@pytest.mark.shared_data
@pytest.mark.parametrize("folder", ["fvc2002_db1_b", "nbis_rs_test"])
def test_real_images(shared_data: Path, folder: str):
    paths = sorted(p for p in (shared_data / "finger" / folder).iterdir() if p.is_file())
    if not paths:
        pytest.skip(f"{folder} is empty")
    for path in paths:
        capture = read(path)
        with Image.open(path) as im:
            width, height = im.size
        assert capture.pixels.dtype == np.uint8, path
        assert capture.pixels.shape[:2] == (height, width), path
        assert capture.pixels.ndim == 2 or capture.pixels.shape[2] == 3, path
        assert capture.source == str(path)
