"""Kill-and-resume: SIGKILL the real ``biocap audit`` at random moments; nothing lost or doubled.

5 kill points here (about 20 s); ``benchmarks/audit_kill_resume.py`` runs the full 20.
"""

from __future__ import annotations

from pathlib import Path

from tests.audit.helpers import bad_files, make_prints
from tests.audit.kill_resume import kill_and_resume


def test_sigkill_at_random_moments_loses_and_doubles_nothing(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    make_prints(inputs, 200, distinct=6)
    bad_files(inputs / "zz_broken")
    rep = kill_and_resume(inputs, tmp_path / "work", kills=5, seed=7)
    assert rep.images == 203
    assert rep.kills == 5
    assert rep.lost == 0 and rep.duplicated == 0 and rep.changed == 0, rep
    assert rep.unreadable_parts == 0, rep
