"""The benchmark's scaled example study is a valid project (no timing here: see `make bench`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from benchlib.pipeline import run_pipeline

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_scaled_project_cleans_and_reconciles(tmp_path):
    scaledata = _load("scaledata")
    info = scaledata.make_project(tmp_path / "p", 5000)
    result = run_pipeline(tmp_path / "p", write=False)
    assert result.reconciled
    t = result.totals
    assert t["raw_rows"] == info["raw_rows"]
    assert 4800 <= t["contacts"] <= 5200
    assert set(result.contacts["channel"]) == {"call", "mail"}
    assert 0 < t["quarantined"] < 0.02 * t["raw_rows"]  # the example's quirks recur
    assert t["duplicates_dropped"] > 0


def test_bench_summary_rows():
    run = _load("run")
    s = {"median": 2.0, "min": 1.0, "max": 3.0, "runs": 3}
    rows = run.summary({"startup": {"help_s": s, "import_s": s, "python_bare_s": s}})
    assert rows[0][0] == "benchlib --help" and rows[0][3] == f"{2.0 / 0.3:.2f}"
