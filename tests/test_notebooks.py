"""Every notebook in notebooks/ runs top to bottom on the example study (papermill), and
every committed notebook is clean: no outputs, exactly one typed `parameters` cell."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPECTED_PARAMETERS = {"wave": ("str", "2026-10"), "lang": ("str", "de"), "out_dir": ("str", "")}


def test_expected_notebooks_exist():
    names = {p.stem for p in NOTEBOOKS}
    assert {"00_data_quality", "02_trend_report", "03_workshop", "04_calibration",
            "10_explore"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_is_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.get("outputs", []) == [], f"{path.name} cell {i} has outputs"
            assert cell.get("execution_count") is None, f"{path.name} cell {i} was executed"
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: expected exactly one `parameters` cell"
    assert tagged[0].cell_type == "code"
    tree = ast.parse(tagged[0].source)
    found = {}
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), f"{path.name}: untyped parameter: " \
                                                f"{ast.unparse(node)}"
        found[node.target.id] = (ast.unparse(node.annotation), ast.literal_eval(node.value))
    assert found == EXPECTED_PARAMETERS


def _run(project: Path, name: str, tmp: Path, **parameters) -> nbformat.NotebookNode:
    import papermill as pm

    src = project / "notebooks" / f"{name}.ipynb"
    out = tmp / f"{name}-{parameters['wave']}-{parameters['lang']}.ipynb"
    old = os.environ.get("BENCHLIB_ROOT")
    os.environ["BENCHLIB_ROOT"] = str(project)
    try:
        pm.execute_notebook(str(src), str(out), parameters=parameters, kernel_name="python3",
                            cwd=str(src.parent), progress_bar=False)
    finally:
        if old is None:
            os.environ.pop("BENCHLIB_ROOT", None)
        else:
            os.environ["BENCHLIB_ROOT"] = old
    return nbformat.read(out, as_version=4)


def _text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            parts.append(str(data.get("text/html", "")) + str(data.get("text/plain", ""))
                         + str(o.get("text", "")))
    return "\n".join(parts)


def _page(reports: Path, wave: str, lang: str, name: str) -> str:
    """A page of the session's report build (tests/conftest.py, ``example_reports``), its
    embedded base64 data (images, the template's icons) cut (random letters and digits that may spell a code)."""
    page = (reports / wave / lang / f"{name}.html").read_text(encoding="utf-8")
    return re.sub(r"(data:[\w/+.-]+;base64,)[A-Za-z0-9+/=]+", r"\1…", page)


@pytest.mark.slow
@pytest.mark.parametrize("name", [p.stem for p in NOTEBOOKS])
def test_notebook_runs(example_reports, name):
    """A report notebook ran top to bottom for every wave and language of the session's build
    (a failing cell fails the build); any other notebook is run by a test of its own."""
    from benchlib.report import NOTEBOOKS as REPORTS

    from projects import REPORT_UNITS

    if name not in REPORTS:
        assert name == "10_explore", f"{name}: a notebook that no test runs"
        return  # test_explore_prints_the_numbers_of_results_json runs it
    html = REPORTS[name]
    for wave, langs in REPORT_UNITS.items():
        for lang in langs:
            page = (example_reports / wave / lang / html).read_text(encoding="utf-8")
            assert "<h1" in page and 'class="bl-headline"' in page, (wave, lang, name)
            assert "Traceback" not in page, (wave, lang, name)  # no error output
            assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page, (wave, lang, name)


@pytest.mark.slow
def test_trend_report_content(example_reports):
    html = _page(example_reports, "2026-10", "en", "trend_report")
    assert "Trend across waves – up to wave 2026-10" in html
    assert "Kabelkraft left the panel after 2026-01" in html
    assert "Nordlicht Elektro joined the panel in 2026-04" in html
    assert "Call-back offered" in html and "scale" in html  # grid footnote, labelled
    assert "yes_partly_no" not in html and "callback_offered" not in html  # no ids
    assert "data:image/png;base64," in html  # figures are PNG images, not text
    first = _page(example_reports, "2025-07", "de", "trend_report")
    assert "erste Welle" in first


@pytest.mark.slow
def test_workshop_is_anonymous(example_project, example_reports):
    import benchlib

    html = _page(example_reports, "2026-10", "de", "workshop")
    assert "Wettbewerber A" in html and "Wettbewerber D" in html
    study = benchlib.load_study(example_project)
    for c in study.config.companies:
        if c.role == "competitor":
            assert c.name not in html, c.name
    assert "AG-" not in html  # no agent pseudonym
    for ev in study.contacts["evaluator"].unique():
        assert ev not in html, ev
    # the injection strings are present only escaped
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "&lt;img src=x onerror" in html and "<img src=x" not in html
    # the focus comes from the data (benchlib.focus): headline, one printed page per topic
    assert ('<p class="bl-headline">Als Nächstes trainieren: „Rückruf angeboten“, „Antwortzeit '
            "der Mail“ und „Struktur (Schulnote)“") in html
    assert html.count('class="bl-page-break"') == 5
    assert "Das letzte Training (2026-08-26: Einwandbehandlung) galt Abschlussorientierung." in html


@pytest.mark.slow
def test_workshop_before_any_training(example_reports):
    html = _page(example_reports, "2025-07", "en", "workshop")
    assert "There has been no training in this study yet." in html
    assert '<p class="bl-headline">Train next: ' in html
    assert "Wettbewerber" not in html and "Competitor A" in html


@pytest.mark.slow
def test_calibration_without_calibration_ratings(example_reports):
    html = _page(example_reports, "2026-07", "en", "calibration")
    assert "There are no calibration ratings for wave 2026-07" in html
    assert "E01" in html and "E08" in html  # field-data leniency table, codes only
    assert "ICC(2,1) =" not in html
    full = _page(example_reports, "2026-10", "en", "calibration")
    assert "ICC(2,1)" in full and "Krippendorff" in full and "E08" in full


@pytest.mark.slow
@pytest.mark.parametrize("wave", ["2026-01", "2026-10"])
def test_explore_prints_the_numbers_of_results_json(example_project, tmp_path, wave, wave_view):
    """10_explore uses the reports' results: every sentence and table it prints is the one
    results.json gives (2026-01: a change on the comparable core)."""
    import benchlib
    from benchlib.results import display_table, wording

    nb = _run(example_project, "10_explore", tmp_path, wave=wave, lang="en", out_dir="")
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    text = _text(nb)
    printed = "\n".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
                        if o.output_type == "stream")
    study = benchlib.load_study(example_project)
    res = wave_view(wave, "en")
    assert wording.headline(res) in printed
    for sentence in wording.executive_summary(res):
        assert sentence in printed, sentence
    assert wording.change_sentence(res) in printed and wording.training_sentence(res) in printed
    companies = display_table(res, "companies")
    for cell in companies["Mean"].tolist() + companies["95% CI"].tolist():
        assert f">{cell}<" in text, cell
    assert "comparable core" in printed
    if wave == "2026-01":
        assert "basis of the change: comparable core" in printed
        assert "Call-back offered" in printed  # named, not by id
    assert "image/png" in str([o.get("data", {}).keys() for c in nb.cells
                               for o in c.get("outputs", [])])  # it shows charts
    for c in study.config.companies:  # names, never company ids, in what it prints
        assert f" {c.id} " not in printed and f"{c.id}:" not in printed
