"""Repository hygiene: no unsafe loaders, notebooks without outputs, no real raw data in git."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from benchlib import devtools
from benchlib.devtools import (
    computation_problems,
    notebook_problems,
    pair_problems,
    report_notebook_problems,
)

from projects import ROOT

# yaml.load only with one of PyYAML's safe loaders named in the call
UNSAFE = re.compile(r"\bpickle\b|\beval\(|\bexec\(|yaml\.load\((?![^)]*Loader=yaml\.C?SafeLoader\))|"
                    r"yaml\.unsafe_load|"
                    r"read_pickle|allow_pickle\s*=\s*True|shell\s*=\s*True")


def test_no_unsafe_loaders_or_eval_in_the_library():
    hits = []
    for p in sorted((ROOT / "src" / "benchlib").rglob("*.py")):
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if UNSAFE.search(line):
                hits.append(f"{p.relative_to(ROOT)}:{n}: {line.strip()}")
    assert hits == []


def test_committed_notebooks_have_no_outputs():
    for p in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert notebook_problems(json.loads(p.read_text(encoding="utf-8"))) == [], p.name


def test_report_notebooks_compute_nothing():
    from benchlib.report import NOTEBOOKS

    checked = 0
    for name in NOTEBOOKS:
        p = ROOT / "notebooks" / f"{name}.ipynb"
        if p.is_file():
            assert report_notebook_problems(json.loads(p.read_text(encoding="utf-8"))) == [], name
            checked += 1
    assert checked >= 4


@pytest.mark.parametrize("code, problem", [
    ("from benchlib import stats\nstats.shop_vs_competitors(w)", "calls benchlib.stats"),
    ("import benchlib.stats as s", "imports benchlib.stats"),
    ("from benchlib.stats import change_vs_previous", "imports change_vs_previous"),
    ("gap = res.x - res.y", "arithmetic (Sub)"),
    ("pct = 100 * share", "arithmetic (Mult)"),
    ("n = 1 + len(x)", "arithmetic (Add)"),
    ("m = study.contacts.groupby('company')['total'].mean()", "pandas aggregation"),
    ("k = int(df['tested'].sum())", "pandas aggregation .sum()"),
    ("top = max(values)", "computes with max()"),
])
def test_computation_lint_catches(code, problem):
    found = computation_problems(code)
    assert any(problem in f for f in found), found


def test_computation_lint_allows_rendering():
    ok = ('from benchlib.stats import format_number, format_p\n'
          'html = "<h2>" + title + "</h2>"\n'
          'path = Path(out_dir) / "tables.xlsx"\n'
          'if len(res.games_howell) and res.trend["in_panel"].any():\n'
          '    viz.show_table(display.display_table(res, "companies"))\n'
          'prov = res.provenance | {"parameters": {}}\n')
    assert computation_problems(ok) == []


def test_check_notebooks_fails_on_a_computing_report_notebook(tmp_path, capsys):
    nb = json.loads((ROOT / "notebooks" / "01_wave_report.ipynb").read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                        "execution_count": None,
                        "source": "from benchlib import stats\nstats.describe_scores(w)"})
    (tmp_path / "01_wave_report.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    shutil.copy(ROOT / "notebooks" / "01_wave_report.py", tmp_path)
    assert devtools.main(["check-notebooks", str(tmp_path)]) == 1  # as `make lint` runs it
    assert "calls benchlib.stats.describe_scores" in capsys.readouterr().err


def test_notebooks_are_their_own_source_paired_with_py_percent():
    # R-free hygiene: every notebook has its reviewable jupytext twin and the two agree
    names = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert names and names == sorted(p.stem for p in (ROOT / "notebooks").glob("*.py"))
    for name in names:
        assert pair_problems(ROOT / "notebooks" / f"{name}.ipynb") == [], name
    assert not (ROOT / "tools").exists(), "notebooks are edited as notebooks, not generated"


def test_pair_check_names_the_cell_that_drifted(tmp_path):
    shutil.copy(ROOT / "notebooks" / "10_explore.ipynb", tmp_path)
    py = (ROOT / "notebooks" / "10_explore.py").read_text(encoding="utf-8")
    (tmp_path / "10_explore.py").write_text(py.replace("load_study()", "load_study(None)", 1),
                                            encoding="utf-8")
    problems = pair_problems(tmp_path / "10_explore.ipynb")
    assert len(problems) == 1 and problems[0].startswith("cell ")
    assert "jupytext --sync" in problems[0]
    (tmp_path / "10_explore.py").unlink()
    assert pair_problems(tmp_path / "10_explore.ipynb")[0].startswith("no jupytext pair")


def test_report_html_drops_analyst_cells(tmp_path):
    import nbformat

    from benchlib.report import ANALYST_TAG, _export_html

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("How to edit this notebook", metadata={"tags": [ANALYST_TAG]}),
        nbformat.v4.new_markdown_cell("Shown to stakeholders")])
    _export_html(nb, tmp_path / "r.html")
    body = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Shown to stakeholders" in body and "How to edit this notebook" not in body


def _git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git missing")
def test_check_raw_refuses_a_real_export(tmp_path):
    repo = tmp_path / "repo"
    (repo / "data" / "raw" / "2026-10").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "raw" / "example_truth.json", repo / "data" / "raw")
    example = "2026-10/feldhaus_anrufe_2026-10.csv"
    shutil.copy(ROOT / "data" / "raw" / example, repo / "data" / "raw" / example)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    cmd = [sys.executable, "-m", "benchlib.devtools", "check-raw"]
    ok = subprocess.run(cmd, cwd=repo, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr  # the example study's own files pass
    real = repo / "data" / "raw" / "2026-10" / "client_export.csv"
    real.write_text("Kontakt-ID;Unternehmen\n1;Voltera\n", encoding="utf-8")
    _git(repo, "add", "-f", str(real))
    bad = subprocess.run(cmd, cwd=repo, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "refusing: data/raw/2026-10/client_export.csv is not a file of the fictional" in bad.stderr
    (repo / "data" / "raw" / example).write_text("edited", encoding="utf-8")  # a changed file
    _git(repo, "add", "-A")
    bad = subprocess.run(cmd, cwd=repo, capture_output=True, text=True)
    assert f"refusing: data/raw/{example}" in bad.stderr


def test_gitignore_keeps_real_raw_data_and_outputs_out():
    ignored = ["data/raw/2026-10/client.csv", "data/raw/client/export.xlsx",
               "data/raw/calibration/other.csv", "data/processed/contacts.parquet",
               "reports/2026-10/wave_report.html", ".venv/bin/python"]
    out = subprocess.run(["git", "check-ignore", *ignored], cwd=ROOT, capture_output=True,
                         text=True)
    assert out.stdout.split() == ignored
    kept = subprocess.run(["git", "check-ignore", "data/raw/2026-10/feldhaus_anrufe_2026-10.csv"],
                          cwd=ROOT, capture_output=True, text=True)
    assert kept.returncode == 1  # the example study's exports are committed


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_j2_reports_runs_the_same_single_scheduler():
    """`make -j2 reports` can be no slower than `make reports`: both run one `benchlib
    reports` (the pool over every wave x language x notebook), make has nothing to split."""
    def recipe(*flags: str) -> list[str]:
        done = subprocess.run(["make", "-n", "--no-print-directory", *flags, "reports"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return [line.split("/")[-1] for line in done.stdout.splitlines()
                if line.split() and line.split()[0].endswith("/benchlib")]

    serial = recipe()
    assert serial == recipe("-j2") == recipe("-j8")
    assert [line.split()[:2] for line in serial] == [["benchlib", "clean"],
                                                      ["benchlib", "reports"]]
