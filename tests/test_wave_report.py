"""The wave report end to end: papermill → HTML + results.json + tables.xlsx (slow)."""

from __future__ import annotations

import html as html_lib
import json
import math
import os
import re
import shutil

import openpyxl
import pytest

from benchlib.report import build_wave_reports

from projects import REPORT_EPOCH

pytestmark = pytest.mark.slow

WAVE = "2026-10"
EPOCH = REPORT_EPOCH  # 2026-01-01T00:00:00Z, as the session's build (tests/conftest.py)


def _build(root, lang, dest):
    """Build 01_wave_report for WAVE with SOURCE_DATE_EPOCH set; copy the outputs to dest."""
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        built = build_wave_reports(WAVE, lang, root=root, only=["01_wave_report"])
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    dest.mkdir(parents=True)
    out = root / "reports" / WAVE
    for name in ("wave_report.html", "tables.xlsx"):
        shutil.copy2(out / lang / name, dest / name)
    shutil.copy2(out / "results.json", dest / "results.json")
    return dest, built[0].seconds


@pytest.fixture(scope="module")
def builds(example_project, example_reports, tmp_path_factory):
    """The session's build of WAVE (de, en) and a second build of the German wave report."""
    base = tmp_path_factory.mktemp("wave_builds")
    out = {}
    for lang in ("de", "en"):
        out[lang] = base / lang
        out[lang].mkdir()
        for name in ("wave_report.html", "tables.xlsx"):
            shutil.copy2(example_reports / WAVE / lang / name, out[lang] / name)
        shutil.copy2(example_reports / WAVE / "results.json", out[lang] / "results.json")
    out["de2"], out["seconds"] = _build(example_project, "de", base / "de2")
    return out


def _same(a, b, path="$"):
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), path
        for k in a:
            _same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, (int, float)) and isinstance(b, (int, float)), path
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), (path, a, b)
    else:
        assert a == b and type(a) is type(b), (path, a, b)


def test_outputs_exist(builds, example_project):
    for lang in ("de", "en"):
        for name in ("wave_report.html", "results.json", "tables.xlsx"):
            assert (builds[lang] / name).stat().st_size > 0
    assert (example_project / "reports" / WAVE / "de" / "wave_report.html").is_file()
    assert (example_project / "reports" / WAVE / "en" / "wave_report.html").is_file()
    print(f"01_wave_report rebuilt in {builds['seconds']:.1f} s")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_results_json_equals_compute_wave(builds, study, lang, monkeypatch, wave_result):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    built = json.loads((builds[lang] / "results.json").read_text(encoding="utf-8"))
    expected = json.loads(json.dumps(wave_result(WAVE).to_json_dict()))
    for doc in (built, expected):  # the commit may differ (a test run on a dirty tree)
        doc["provenance"].pop("git_commit")
    _same(built, expected)
    assert "lang" not in built and built["provenance"]["built_at"] == "2026-01-01T00:00:00Z"


def test_results_json_is_language_independent(builds):
    # German and English reports render one results.json, computed once per wave
    assert (builds["de"] / "results.json").read_bytes() == \
        (builds["en"] / "results.json").read_bytes()


def test_two_builds_are_byte_identical(builds):
    for name in ("results.json", "tables.xlsx"):
        assert (builds["de"] / name).read_bytes() == (builds["de2"] / name).read_bytes(), name


@pytest.mark.parametrize("lang", ["de", "en"])
def test_html_is_offline_and_safe(builds, study, lang):
    page = (builds[lang] / "wave_report.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*https?://""", page, re.I)
    assert not re.search(r"AG-[0-9a-f]{10}", page)  # no agent pseudonym anywhere
    # comment text never appears as live markup (the wave report shows none; if it ever
    # does, it must be escaped)
    comments = study.wave_contacts(WAVE, scored_only=False)["comment"].dropna()
    for c in comments[comments.str.contains(r"[<>&]")]:
        assert c not in page or html_lib.escape(c) == c
    assert 'class="bl-summary"' in page
    assert page.index('class="bl-summary"') < page.index('class="bl-toc"')
    assert page.count('class="bl-headline"') == 1  # one headline, before the first screen
    assert page.index('class="bl-headline"') < page.index('class="bl-summary"')


@pytest.mark.parametrize("lang", ["de", "en"])
def test_first_screen_then_details_then_appendix(builds, lang):
    page = (builds[lang] / "wave_report.html").read_text(encoding="utf-8")
    glance = "Auf einen Blick" if lang == "de" else "At a glance"
    details = "Ergebnisse je Unternehmen" if lang == "de" else "Results per company"
    appendix = "Anhang – statistische Details" if lang == "de" else "Appendix – statistical details"
    games = "Games"
    first = page.index(glance)
    assert first < page.index(details) < page.index(f'id="{_slug(appendix)}"')
    # every Games–Howell pair is in the appendix, not in the main body
    assert page.index(f'id="{_slug(appendix)}"') < page.index(games, page.index(details))
    screen = page[first:page.index("</ul>", first)]
    shop_market = "Abstand von Voltera zum Markt" if lang == "de" else "Gap of Voltera to the market"
    assert shop_market in screen and "2025-07" in screen and WAVE in screen
    # the attribution verdict of the last training (stats.attribution), not a generic caveat
    assert ("Dem Training nicht zuzuschreiben, weil" if lang == "de"
            else "Not attributable to the training, because") in screen


def _slug(text: str) -> str:
    from benchlib.viz import slug

    return slug(text)


def _company_table(page: str, heading: str) -> str:
    start = page.index(heading)
    return page[start:page.index("</table>", start)]


def test_german_build_has_decimal_commas(builds):
    page = (builds["de"] / "wave_report.html").read_text(encoding="utf-8")
    table = _company_table(page, "Ergebnisse je Unternehmen")
    assert re.search(r"<td[^>]*>\d{2},\d</td>", table)
    assert not re.search(r"<td[^>]*>\d{2}\.\d</td>", table)
    assert "Auf einen Blick" in page and "Methodenhinweis" in page


def test_english_build_is_english(builds):
    page = (builds["en"] / "wave_report.html").read_text(encoding="utf-8")
    table = _company_table(page, "Results per company")
    assert re.search(r"<td[^>]*>\d{2}\.\d</td>", table)
    assert "At a glance" in page and "Auf einen Blick" not in page


def test_tables_xlsx_has_no_formulas(builds):
    wb = openpyxl.load_workbook(builds["de"] / "tables.xlsx")
    assert {"companies", "shop_vs_competitors", "items", "net_change_vs_market_did", "trend",
            "calibration"} <= set(wb.sheetnames)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


@pytest.mark.parametrize("lang", ["de", "en"])
def test_table_of_contents_links_resolve(builds, lang):
    import re

    page = (builds[lang] / "wave_report.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="#([^"]+)"', page)
    assert len(links) >= 10
    for anchor in links:
        assert f'id="{anchor}"' in page, anchor
