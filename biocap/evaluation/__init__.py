"""Utility evaluation of quality scores: error-versus-discard (EDC) against a real matcher."""

from biocap.evaluation.edc import (
    EdcSummary,
    bootstrap_auc,
    bootstrap_auc_difference,
    edc_auc,
    edc_curve,
    fraction_grid,
    gain,
    oracle_auc,
    random_auc,
    summarize,
)

__all__ = [
    "EdcSummary",
    "bootstrap_auc",
    "bootstrap_auc_difference",
    "edc_auc",
    "edc_curve",
    "fraction_grid",
    "gain",
    "oracle_auc",
    "random_auc",
    "summarize",
]
