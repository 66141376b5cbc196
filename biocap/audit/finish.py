"""Outputs derived from the committed parts (rebuilt whole at the end of every run)."""

from __future__ import annotations

from pathlib import Path

from biocap.audit import nfiq2_csv, recapture, report


def derive_outputs(out: Path, profile: str = "default") -> dict[str, str]:
    """Write ``nfiq2.csv``, ``recapture.csv`` and ``report.html`` (each atomically)."""
    recapture_csv, found = recapture.write_csv(out)
    return {
        "nfiq2_csv": str(nfiq2_csv.write(out)),
        "recapture_csv": str(recapture_csv),
        "report_html": str(report.write(out, found, profile)),
    }
