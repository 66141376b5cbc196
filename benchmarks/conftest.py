"""Benchmarks run on one core; the machine goes into the benchmark JSON; real images or skip."""

from __future__ import annotations

import bench_env  # first: sets OMP_NUM_THREADS=1 etc. before numpy/OpenCV/onnxruntime load
import pytest


def pytest_configure(config: pytest.Config) -> None:
    bench_env.single_core()


def pytest_benchmark_update_machine_info(config: pytest.Config, machine_info: dict) -> None:
    machine_info["biocap_bench"] = bench_env.machine_info()


@pytest.fixture(scope="session")
def shared_data():
    root = bench_env.data_root()
    reason = bench_env.missing_data_message(root)
    if reason:
        pytest.skip(reason)
    return root
