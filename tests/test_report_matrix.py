"""Reports adapt to what a study has (issue 11, point 6): every report notebook builds, in
German and English, for second studies (tests/fixture_study.py) without calibration, without a
mail channel, with chat, with one channel only, with two waves, without a training yet, with
two competitors, with one scenario, without knockouts, with the shop not the first company.

A section without data shows one sentence from the text resources saying why — never a
traceback. The notebooks run in this process (tests/inprocess.py) on one cleaned study per
axis, from one results.json per wave (computed once, as a report build does).
"""

from __future__ import annotations

import re

import pytest
from fixture_study import Axes, write_fixture_study
from inprocess import run_notebook

pytestmark = pytest.mark.slow

REPORTS = ("00_data_quality", "01_wave_report", "02_trend_report", "03_workshop",
           "04_calibration")


# one study per row; together they cover every axis of the issue
MATRIX = {
    # no calibration, no mail, chat, two waves, two competitors, shop not first (the defaults)
    "default": Axes(),
    "one_channel_one_scenario": Axes(one_channel=True, one_scenario=True),
    "no_training_no_knockouts": Axes(training=False, knockouts=False, shop_first=True),
    "mail_and_calibration_three_competitors": Axes(mail=True, calibration=True, chat=False,
                                                   competitors=3, waves=3),
    # every company (the shop too) below min_n: the wave report still builds and says why
    "shop_below_min_n": Axes(n_per_cell=2, one_scenario=True, chat=False, quirks=False),  # n = 4
}



@pytest.fixture(scope="module", params=sorted(MATRIX))
def study_root(request, tmp_path_factory):
    """One cleaned study per row of the matrix with every report notebook run for every wave
    and language: ``(name, root, fx, pages)``, ``pages[wave, lang, report]`` the HTML shown."""
    from benchlib.pipeline import run_pipeline

    root = tmp_path_factory.mktemp(request.param)
    fx = write_fixture_study(root, MATRIX[request.param])
    run_pipeline(root)
    pages = {}
    for wave in fx.waves:
        for lang in ("de", "en"):
            out_dir = root / "reports" / wave / lang
            out_dir.mkdir(parents=True, exist_ok=True)
            for report in REPORTS:
                pages[wave, lang, report] = run_notebook(
                    root / "notebooks" / f"{report}.ipynb", root, wave=wave, lang=lang,
                    out_dir=str(out_dir))
    return request.param, root, fx, pages


def _visible(html: str) -> str:
    text = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    text = re.sub(r'data:image/png;base64,[A-Za-z0-9+/=]+', " ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text)


def test_every_report_builds_in_both_languages(study_root):
    from benchlib.results import load

    name, root, fx, pages = study_root
    assert len(pages) == len(fx.waves) * 2 * len(REPORTS)
    for (wave, lang, report), html in pages.items():
        text = _visible(html)
        assert text.strip(), (name, wave, lang, report)
        assert "Traceback" not in text and "KeyError" not in text
        # ids of this study never appear as text (names and labels do)
        for ident in (*fx.dimensions, *fx.scenarios):
            assert not re.search(rf"(?<![\w-]){re.escape(ident)}(?![\w-])", text), \
                (name, wave, lang, report, ident)
    for wave in fx.waves:
        res = load(root / "reports" / wave / "results.json")  # one file for both languages
        assert res.wave == wave and res.shop == fx.shop


def test_missing_sections_say_why(study_root):
    """Each axis's missing part is named by its own sentence, in both languages."""
    from benchlib.i18n import t
    from benchlib.results import load

    name, root, fx, pages = study_root
    axes = MATRIX[name]
    last = fx.waves[-1]
    res = load(root / "reports" / last / "results.json")
    reasons = {k: v["reason"] for k, v in res.unavailable.items()}
    if not axes.mail:
        assert reasons["mail"] == "no_mail_response"
    if not axes.calibration:
        assert res.calibration is None
    if not axes.training:
        assert reasons["training"] == "no_training"
    first = load(root / "reports" / fx.waves[0] / "results.json")
    assert first.unavailable["change"]["reason"] == "first_wave"
    for lang in ("de", "en"):
        html = _visible(pages[last, lang, "01_wave_report"])
        if not axes.mail:
            assert t("res_unavailable_no_mail_response", lang) in html
        if not axes.training:
            assert t("res_unavailable_no_training", lang, wave=last) in html
        shop = res.name(res.shop)
        assert shop in html
        if name == "shop_below_min_n":
            assert not res.shop_comparable
            assert t("res_unavailable_shop_too_small", lang, shop=shop, wave=last,
                     min_n=res.min_n) in html


def test_shop_is_found_wherever_it_is_listed(study_root):
    from benchlib.results import load

    name, root, fx, _ = study_root
    res = load(root / "reports" / fx.waves[-1] / "results.json")
    order = res.meta["company_order"]
    assert res.shop == fx.shop and (order[0] == fx.shop) == MATRIX[name].shop_first
    assert res.companies["company"].iloc[0] == order[0]
    assert int(res.companies.loc[res.companies["company"] == fx.shop, "n"].iloc[0]) > 0
