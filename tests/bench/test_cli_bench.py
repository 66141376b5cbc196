"""``biocap bench``: a short run on generated samples and one on a folder, through the CLI."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import pytest

from biocap.bench.finger.samples import generated
from biocap.cli import build_parser, main
from biocap.records import assessors


@pytest.fixture(scope="module")
def generated_run(tmp_path_factory) -> tuple[dict, str, Path]:
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(["bench", "--duration", "1", "--json", str(out), "--no-accuracy"])
    assert code == 0
    return json.loads(out.read_text()), stdout.getvalue(), out


def test_json_has_every_section(generated_run) -> None:
    r, _, _ = generated_run
    assert r["schema"] == "biocap-bench/1"
    assert set(r) >= {"settings", "machine", "modalities", "memory", "accuracy", "plot"}
    assert r["accuracy"] is None  # --no-accuracy
    m = r["machine"]
    for key in ("cpu_model", "logical_cores", "usable_cores", "python", "numpy", "opencv"):
        assert m[key], key
    assert {"onnxruntime", "pillow", "load_average_before", "load_average_after"} <= set(m)
    assert m["threads"].startswith("OpenCV 1,")  # the run was single-threaded
    assert list(r["modalities"]) == sorted(assessors())


def test_latency_percentiles_are_ordered(generated_run) -> None:
    f = generated_run[0]["modalities"]["finger"]
    assert f["samples"]["count"] == len(generated()) and not f["samples"]["decode_errors"]
    lat = f["latency_ms"]
    for part in ("decode_assess", "decode", "assess", "cpu"):
        s = lat[part]
        assert 0 < s["min"] <= s["p50"] <= s["p95"] <= s["p99"] <= s["max"], part
    assert lat["runs"] == len(lat["samples_ms"]) >= lat["images"]
    assert lat["decode_assess"]["p50"] < 1000  # ms: a sanity bound, not a target


def test_stage_times_are_positive_and_add_up(generated_run) -> None:
    f = generated_run[0]["modalities"]["finger"]
    b = f["stages_ms"]
    assert b["images"] > 0
    names = list(b["stages"])
    assert names[0] == "decode" and names[-1] == "rest"
    assert {"segmentation", "fields", "measures", "model"} <= set(names)
    for name, s in b["stages"].items():
        if name != "rest":  # rest = assess - stages timed apart: noise may dip below 0
            assert s["p50"] > 0 and s["mean"] > 0, name
    assert sum(s["share"] for s in b["stages"].values()) == pytest.approx(1.0, abs=1e-6)


def test_throughput_single_and_all_cores(generated_run) -> None:
    r = generated_run[0]
    t = r["modalities"]["finger"]["throughput"]
    assert t["single"]["processes"] == 1
    assert t["all_cores"]["processes"] == r["machine"]["usable_cores"]
    for run in (t["single"], t["all_cores"]):
        assert run["images_per_s"] > 0 and run["images"] > 0 and run["peak_rss_mib"] > 0
    assert t["scaling"] == pytest.approx(
        t["all_cores"]["images_per_s"] / t["single"]["images_per_s"]
    )
    assert r["memory"]["self_peak_rss_mib"] > 0 and r["memory"]["children_peak_rss_mib"] > 0


def test_table_and_plot(generated_run) -> None:
    r, out, path = generated_run
    for heading in ("latency, decode + assess", "stages, finger", "throughput", "memory:"):
        assert heading in out
    assert "accuracy: not run" in out
    png = path.with_suffix(".png")
    assert r["plot"] == str(png) and r["plot_skipped"] is None
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_modality_choices_come_from_the_assessors() -> None:
    bench = build_parser()._subparsers._group_actions[0].choices["bench"]  # type: ignore[union-attr]
    (action,) = [a for a in bench._actions if a.dest == "modality"]
    assert sorted(action.choices) == sorted(assessors())


def test_folder_run_reports_bad_files_and_skips_what_it_cannot_do(
    tmp_path, capsys, monkeypatch
) -> None:
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    samples = generated()
    (data / "a.png").write_bytes(samples[0].data)
    (data / "sub" / "b.png").write_bytes(samples[1].data)
    (data / "broken.png").write_bytes(b"not an image")
    (data / "notes.txt").write_text("not picked up")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    out = tmp_path / "r.json"
    argv = ["bench", "--data", str(data), "--duration", "0.5", "--json", str(out)]
    code = main([*argv, "--shared", str(tmp_path / "none"), "--modality", "finger"])
    assert code == 0
    r = json.loads(out.read_text())
    s = r["modalities"]["finger"]["samples"]
    assert s["source"] == f"folder {data}" and s["count"] == 2
    assert [e["name"] for e in s["decode_errors"]] == ["broken.png"]
    assert s["decode_errors"][0]["code"] == "unsupported_format"
    assert r["plot"] is None and "matplotlib" in r["plot_skipped"]
    assert not out.with_suffix(".png").exists()
    assert r["accuracy"]["finger"]["skipped"].startswith("shared data not found")
    text = capsys.readouterr().out
    assert "matplotlib is not installed" in text
    assert "accuracy, finger: skipped: shared data not found" in text


def test_bad_arguments(tmp_path, capsys) -> None:
    assert main(["bench", "--data", str(tmp_path / "missing")]) == 2
    assert main(["bench", "--data", str(tmp_path)]) == 2  # no image files
    for bad in (["--duration", "0"], ["--n-boot", "-1"], ["--modality", "nose"]):
        with pytest.raises(SystemExit):
            main(["bench", *bad])
    capsys.readouterr()
