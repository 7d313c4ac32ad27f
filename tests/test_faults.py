"""Nothing half-written: a run killed in the middle of a write leaves the previous outputs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from benchlib.atomic import replace_dir
from benchlib.pipeline import run_pipeline
from benchlib.report import build_wave_reports

from projects import copy_project

KILL_ON_REPLACE = textwrap.dedent("""
    import os, signal, sys
    import benchlib.atomic as atomic
    target, count = sys.argv[1], int(sys.argv[2])
    real, seen = os.replace, [0]
    def replace(src, dst, *a, **k):
        if os.path.basename(str(dst)) == target:
            seen[0] += 1
            if seen[0] == count:
                os.kill(os.getpid(), signal.SIGKILL)   # die right before the rename
        return real(src, dst, *a, **k)
    atomic.os.replace = replace
    real_ex = atomic._renameat2_exchange
    def exchange(a, b):
        if os.path.basename(str(b)) == target:
            os.kill(os.getpid(), signal.SIGKILL)       # die right before the swap
        return real_ex(a, b)
    atomic._renameat2_exchange = exchange
    {call}
""")


def _run_killed(root, target, call, count=1):
    code = KILL_ON_REPLACE.replace("{call}", call)
    proc = subprocess.run([sys.executable, "-c", code, target, str(count)],
                          env={**os.environ, "BENCHLIB_ROOT": str(root)}, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize("target", ["contacts.parquet", "items.parquet", "quarantine.csv"])
def test_killed_clean_keeps_previous_tables(tmp_path, target):
    root = copy_project(tmp_path)
    run_pipeline(root)
    processed = root / "data" / "processed"
    path = processed / target
    # an 'old' version that differs from what the killed run is about to write
    if target.endswith(".parquet"):
        pd.read_parquet(path).iloc[:10].to_parquet(path)
    else:
        pd.read_csv(path).iloc[:3].to_csv(path, index=False)
    old = path.read_bytes()
    _run_killed(root, target, "from benchlib.pipeline import run_pipeline; run_pipeline()")
    assert path.read_bytes() == old  # the file being replaced is untouched
    for table in processed.glob("*.parquet"):
        pd.read_parquet(table)  # every visible table is complete and readable
    leftovers = [p.name for p in processed.iterdir() if p.name.startswith(".")]
    assert leftovers and all(n.endswith(".tmp") for n in leftovers)  # hidden, not a table name
    run_pipeline(root)  # the next run cleans up after it
    assert not [p for p in processed.iterdir() if p.name.startswith(".")]
    assert len(pd.read_parquet(processed / "contacts.parquet")) == 2390


@pytest.mark.slow
def test_killed_report_build_keeps_previous_report(tmp_path):
    root = copy_project(tmp_path)
    run_pipeline(root)
    build_wave_reports("2026-10", root=root, only=["00_data_quality"])
    report = root / "reports" / "2026-10" / "de"
    marker = report / "data_quality.html"
    marker.write_text("previous report", encoding="utf-8")
    _run_killed(root, "de", "from benchlib.report import build_wave_reports; "
                "build_wave_reports('2026-10', only=['00_data_quality'])")
    assert marker.read_text(encoding="utf-8") == "previous report"
    build_wave_reports("2026-10", root=root, only=["00_data_quality"])
    assert "previous report" not in marker.read_text(encoding="utf-8")
    assert not [p for p in (root / "reports" / "2026-10").iterdir() if p.name.startswith(".")]


def test_replace_dir_swaps_complete_folders(tmp_path):
    final, new = tmp_path / "final", tmp_path / "new"
    final.mkdir()
    (final / "a.txt").write_text("old")
    new.mkdir()
    (new / "a.txt").write_text("new")
    (new / "b.txt").write_text("new")
    replace_dir(new, final)
    assert sorted(p.name for p in final.iterdir()) == ["a.txt", "b.txt"]
    assert (final / "a.txt").read_text() == "new" and not new.exists()
