"""``biocap bench``: speed, memory and (with the shared images) utility of the modality cores.

One job per module, so the CLI, the scripts in ``benchmarks/`` and the pytest-benchmark suite
share one implementation:

- :mod:`~biocap.bench.threads`: one thread per process (environment, OpenCV, BLAS pools).
- :mod:`~biocap.bench.machine`: CPU, cores, versions, load, peak memory.
- :mod:`~biocap.bench.samples`: images as bytes in memory (generated, or read from a folder).
- :mod:`~biocap.bench.workers`: fresh single-threaded processes where all timing runs.
- :mod:`~biocap.bench.latency`: decode + assess per image, timed; per-stage times alongside.
- :mod:`~biocap.bench.stages`: the per-stage breakdown of those timings.
- :mod:`~biocap.bench.throughput`: images/s on one process and on every core.
- :mod:`~biocap.bench.accuracy`: where the shared data is; EDC per modality.
- :mod:`~biocap.bench.modalities`: the registry a modality plugs into (samples, stages, EDC).
- :mod:`~biocap.bench.report`, :mod:`~biocap.bench.plot`: human tables, strict JSON, the PNG.
- :mod:`~biocap.bench.run`: the whole ``biocap bench`` run.

Importing this package loads no numpy, OpenCV or onnxruntime, so a script can set the
single-thread environment (:data:`~biocap.bench.threads.SINGLE_THREAD_ENV`) first.
"""
