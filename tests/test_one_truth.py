"""One truth across reports: every report of two waves is built, and every quantity shown in
more than one place (wave report, trend report, calibration, data quality, results.json,
tables.xlsx) is the same number on the same, labelled basis (slow: real builds)."""

from __future__ import annotations

import html as html_lib
import json
import re

import openpyxl
import pytest

from benchlib.results import from_json_dict, view
from benchlib.stats import format_number

pytestmark = pytest.mark.slow

WAVES = ("2026-01", "2026-10")  # 2026-01: the grid changed (core ≠ full grid); 2026-10: not
LANG = "en"


def _text(page: str) -> str:
    page = re.sub(r"<style.*?</style>", "", page, flags=re.S)
    page = re.sub(r"<img[^>]*>", " ", page)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture(scope="module")
def built(example_reports):
    out = {}
    for wave in WAVES:  # the session's build (tests/conftest.py): every report of the wave
        folder = example_reports / wave  # results.json: shared by the languages
        doc = json.loads((folder / "results.json").read_text(encoding="utf-8"))
        pages = {p.stem: _text(p.read_text(encoding="utf-8"))
                 for p in (folder / LANG).glob("*.html")}
        out[wave] = {"doc": doc, "pages": pages, "xlsx": folder / LANG / "tables.xlsx"}
    return out


def _fn(x: float, digits: int = 1) -> str:
    return format_number(x, LANG, digits)


def _row(doc: dict, table: str, **match) -> dict:
    rows = [r for r in doc["tables"][table]["rows"]
            if all(r[k] == v for k, v in match.items())]
    assert len(rows) == 1, (table, match, len(rows))
    return rows[0]


@pytest.mark.parametrize("wave", WAVES)
def test_every_report_was_built(built, wave):
    assert set(built[wave]["pages"]) >= {"data_quality", "wave_report", "trend_report",
                                         "calibration", "workshop"}


@pytest.mark.parametrize("wave", WAVES)
def test_shop_change_is_one_number_on_the_comparable_core(built, wave):
    doc, pages = built[wave]["doc"], built[wave]["pages"]
    ch = _row(doc, "change", company=doc["shop"])
    diff, lo, hi = _fn(ch["diff"]), _fn(ch["ci_low"]), _fn(ch["ci_high"])
    sentence_ci = f"{lo} to {hi}"
    # wave report: the change table and the summary; trend report: its summary
    assert f"{diff} {lo} to {hi}" in pages["wave_report"]
    for report in ("wave_report", "trend_report"):
        assert sentence_ci in pages[report], report
        assert "Comparable core of both waves" in pages[report], report
    if wave == "2026-01":  # the grid changed: the full-grid value is shown beside, labelled
        assert doc["comparability"]["score"] == "core"
        assert _fn(ch["diff_full"]) in pages["wave_report"]
        assert "full grid" in pages["wave_report"].lower()
    # tables.xlsx holds the same unrounded numbers as results.json
    ws = openpyxl.load_workbook(built[wave]["xlsx"])["change"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2, values_only=True):
        r = dict(zip(header, row, strict=True))
        if r["company"] == doc["shop"]:
            assert r["diff"] == pytest.approx(ch["diff"], abs=1e-12)
            assert r["p"] == pytest.approx(ch["p"], abs=1e-15)


@pytest.mark.parametrize("wave", WAVES)
def test_training_effect_is_one_number(built, wave):
    doc, pages = built[wave]["doc"], built[wave]["pages"]
    te = doc["training"]
    est = f"{_fn(te['estimate'])} points" if abs(te["estimate"]) >= 0.05 else None
    ci = f"{_fn(te['ci_low'])} to {_fn(te['ci_high'])}"
    wr = pages["wave_report"]
    assert ci in wr and (est is None or _fn(abs(te["estimate"])) in wr)
    first_screen = wr[wr.index("At a glance"):wr.index("Contents")]
    assert ci in first_screen  # the first screen shows the report's DiD, not another one
    ws = openpyxl.load_workbook(built[wave]["xlsx"])["net_change_vs_market_did"]
    header = [c.value for c in ws[1]]
    values = dict(zip(header, next(ws.iter_rows(min_row=2, values_only=True)), strict=True))
    assert values["estimate"] == pytest.approx(te["estimate"], abs=1e-12)
    assert values["p_adj"] == pytest.approx(te["p_adj"], abs=1e-15)


@pytest.mark.parametrize("wave", WAVES)
def test_evaluator_share_and_calibration_are_one_fit(built, wave):
    doc, pages = built[wave]["doc"], built[wave]["pages"]
    share = _fn(100 * doc["evaluator_variance"]["evaluator_share"])
    assert f"{share}%" in pages["wave_report"].replace(" %", "%")
    assert f"{share}%" in pages["calibration"].replace(" %", "%")
    for r in doc["tables"]["leniency"]["rows"]:  # BLUPs: the calibration report's table
        blup = _row(doc, "evaluator_blups", evaluator=r["evaluator"])["blup"]
        assert r["field_blup"] == pytest.approx(blup, abs=1e-12)
    if doc["calibration"] is not None:
        icc = _fn(doc["calibration"]["icc2_1"], 2)
        assert f"ICC(2,1) = {icc}" in pages["wave_report"]
        assert f"ICC(2,1) = {icc}" in pages["calibration"]


@pytest.mark.parametrize("wave", WAVES)
def test_counts_and_company_levels_agree(built, wave, example_project):
    import benchlib

    doc, pages = built[wave]["doc"], built[wave]["pages"]
    c = doc["counts"]
    headline = (f"{c['raw_rows']} raw rows, {c['contacts']} contacts kept, "
                f"{c['quarantined']} quarantined")
    assert headline in pages["data_quality"]
    study = benchlib.load_study(example_project)
    res = view(from_json_dict(doc), study.config, LANG)
    for r in doc["tables"]["companies"]["rows"]:
        name = res.name(r["company"])
        assert f"{name} " in pages["wave_report"]
        # the data-quality report's scored count is the n of the wave report
        out = _row(doc, "outcome_counts", company=r["company"])
        assert out["scored"] == r["n"]
    # the trend report's level of the shop in this wave is on the core of all waves shown,
    # and says so; the wave report's is on this wave's full grid, and says so
    shop = _row(doc, "trend", company=doc["shop"], wave=wave)
    assert f"{_fn(shop['mean'])} points on the comparable core" in pages["trend_report"]
    assert "full grid of this wave" in pages["wave_report"]


def test_gap_to_market_is_the_same_in_both_waves(built):
    """The shop-vs-market line of 2026-10's first screen repeats 2026-01's values for the
    waves both show only where the basis is the same (the comparable core of all waves up
    to the report's wave) — so each report labels its basis, and the values come from its
    own results.json."""
    for wave in WAVES:
        doc, wr = built[wave]["doc"], built[wave]["pages"]["wave_report"]
        gaps = [r for r in doc["tables"]["market_trend"]["rows"] if r["group"] == "shop"]
        assert gaps and gaps[-1]["wave"] == wave
        line = "; ".join(f"{r['wave']}: {_fn(r['gap_to_market'])}" for r in gaps)
        assert line in wr and "comparable core" in wr


@pytest.mark.parametrize("wave", WAVES)
def test_primary_comparison_and_its_method_are_one_truth(built, wave):
    """The shop-vs-market number, the method chosen from the design diagnostics and the
    diagnostics themselves: the same in the wave report, results.json and tables.xlsx."""
    doc, wr = built[wave]["doc"], built[wave]["pages"]["wave_report"]
    svm, design = doc["shop_vs_market"], doc["design"]
    assert svm["method"] == design["method"] == "LMM"  # the example's evaluators are crossed
    ci = f"{_fn(svm['ci_low'])} to {_fn(svm['ci_high'])}"
    headline = wr[:wr.index("At a glance")]
    assert ci in headline and f"p = {_fn(svm['p'], 3)}" in headline  # the headline's claim
    purity = f"only {_fn(100 * design['purity'], 0)}% of the contacts"
    assert purity in wr and f"Cramér's V = {_fn(design['cramers_v'], 2)}" in wr
    assert "the comparison with the market uses a mixed model with the evaluators" in wr
    assert design["competitor_method"] == "welch"
    assert "each competitor use the Welch test with Holm correction" in wr
    assert "Who rated what: contacts per evaluator and company" in wr
    for r in doc["tables"]["shop_vs_competitors"]["rows"]:
        assert f"{_fn(r['ci_low'])} to {_fn(r['ci_high'])}" in wr
    wb = openpyxl.load_workbook(built[wave]["xlsx"])
    for sheet, ref in (("design", design), ("shop_vs_market", svm)):
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        values = dict(zip(header, next(ws.iter_rows(min_row=2, values_only=True)), strict=True))
        for key in ("purity", "cramers_v") if sheet == "design" else ("diff", "p", "se"):
            assert values[key] == pytest.approx(ref[key], abs=1e-12), (sheet, key)
        assert values["method"] == "LMM"
    ws = wb["design_by_company"]
    header = [c.value for c in ws[1]]
    cells = {(r[0], r[1]): r[2] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert header[:3] == ["evaluator", "company", "n"]
    assert cells == {(r["evaluator"], r["company"]): r["n"]
                     for r in doc["tables"]["design_by_company"]["rows"]}


@pytest.mark.parametrize("wave", WAVES)
def test_attribution_and_headings(built, wave):
    """The training section is headed "Net change vs the market (DiD)"; its attribution
    sentence is the first screen's, from results.json's verdict."""
    doc, wr = built[wave]["doc"], built[wave]["pages"]["wave_report"]
    a = doc["attribution"]
    assert not a["consistent"] and a["reasons"]
    assert "Net change vs the market (DiD)" in wr
    for banned in ("Training effect", "training effect (", "Net training effect"):
        assert banned not in wr, banned
    first_screen = wr[wr.index("At a glance"):wr.index("Contents")]
    section = wr[wr.index("Can the net change be attributed to the training?"):]
    for text in (first_screen, section):
        assert "Not attributable to the training, because" in text
        assert "Consistent with a training effect:" not in text  # the verdict sentence
    assert "did_not" not in wr and "placebo_time" not in wr  # keys never shown
    ws = openpyxl.load_workbook(built[wave]["xlsx"])["attribution_checks"]
    status = [r[1] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert status == [c["status"] for c in doc["tables"]["attribution_checks"]["rows"]]
