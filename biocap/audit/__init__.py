"""Batch QA audit: score stored captures on a process pool or Dask, resumably, into Parquet.

Entry points: :func:`biocap.audit.run.audit` (the ``biocap audit`` command) and
:func:`biocap.audit.query.query` (DuckDB over the results). Submodules are imported lazily by
the CLI so ``biocap score`` never loads pyarrow, DuckDB or Dask.
"""
