"""The papermill → HTML path: offline HTML, clear failures, previous report kept on failure."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from benchlib.pipeline import run_pipeline
from benchlib.report import ReportError, build_wave_reports

from projects import copy_project


def test_unknown_wave_lists_valid_waves(example_project):
    proc = subprocess.run([sys.executable, "-m", "benchlib.cli", "report", "--wave", "2099-01"],
                          env={**os.environ, "BENCHLIB_ROOT": str(example_project)},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("error: config/waves.yaml: waves: unknown wave '2099-01'; "
                                   "valid waves: 2025-07, 2025-10, 2026-01, 2026-04, 2026-07, "
                                   "2026-10")


@pytest.mark.slow
def test_data_quality_report_is_offline_html(example_project):
    build_wave_reports("2026-04", root=example_project, only=["00_data_quality"])
    html = (example_project / "reports" / "2026-04" / "data_quality.html").read_text("utf-8")
    assert "Datenqualität – Welle 2026-04" in html
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "script-src 'none'" in html  # CSP: nothing can execute
    imgs = re.findall(r"<img[^>]*>", html)
    assert imgs and all('src="data:image/png;base64,' in i and 'alt="' in i for i in imgs)
    assert any('alt="Heatmap' in i for i in imgs)
    assert '<html lang="de">' in html
    assert "FH-202604-0016" in html  # the conflicting duplicate is listed in quarantine
    assert not (example_project / "reports" / "2026-04" / "_executed").exists()


@pytest.mark.slow
def test_failing_notebook_keeps_previous_report(tmp_path):
    root = copy_project(tmp_path)
    run_pipeline(root)
    build_wave_reports("2026-10", root=root, only=["00_data_quality"])
    out = root / "reports" / "2026-10" / "data_quality.html"
    before = out.read_bytes()
    nb_path = root / "notebooks" / "00_data_quality.ipynb"
    nb = json.loads(nb_path.read_text("utf-8"))
    nb["cells"][3]["source"] = "raise RuntimeError('boom in cell 3')"
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(ReportError, match=r"notebook 00_data_quality.ipynb failed in cell \d+ .*"
                                          r"RuntimeError: boom in cell 3"):
        build_wave_reports("2026-10", root=root, only=["00_data_quality"])
    assert out.read_bytes() == before
    leftovers = [p.name for p in (root / "reports").iterdir() if p.name.startswith(".")]
    assert leftovers == []
