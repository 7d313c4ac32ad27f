"""One formatter: every number, CI, percentage and p-value of the reports written one way
per language, and the statistics' sentences agree with it."""

from __future__ import annotations

import math

import pytest

from benchlib import fmt, stats, viz


@pytest.mark.parametrize(("x", "lang", "digits", "text"), [
    (3.14159, "de", 2, "3,14"), (3.14159, "en", 2, "3.14"), (-2.5, "de", 1, "−2,5"),
    (-0.04, "en", 1, "0.0"), (1234.5, "de", 1, "1234,5"), (12345.5, "de", 1, "12.345,5"),
    (12345.5, "en", 1, "12,345.5"), (9999.96, "de", 1, "10.000,0"), (0, "en", 0, "0"),
    (None, "de", 1, "–"), (math.nan, "en", 1, "–"), (float("inf"), "en", 0, "inf"),
])
def test_number(x, lang, digits, text):
    assert fmt.number(x, lang, digits) == text


def test_one_way_for_ci_percent_p():
    assert fmt.ci(1.25, 5.55, "de") == "1,2 bis 5,5"  # binary 1.25 rounds half to even
    assert fmt.ci(-3, 2, "en", 0, label=True) == "95% CI −3 to 2"
    assert fmt.ci(0.1, 0.2, "de", 0, scale=100, label=True) == "95-%-KI 10 bis 20"
    assert fmt.percent(0.5, "de") == "50\u00a0%" and fmt.percent(0.5, "en") == "50%"
    assert fmt.p_value(0.0004, "en") == "p < 0.001"
    assert fmt.p_value(0.04996, "de", alpha=0.05) == "p = 0,04996"  # never across alpha
    assert fmt.p_value(None, "de") == fmt.MISSING
    with pytest.raises(ValueError):
        fmt.p_value(1.5, "en")
    with pytest.raises(ValueError):
        fmt.number(1, "fr")


def test_statistics_sentences_use_the_same_notation():
    r = {"diff": -3.44, "ci_low": -5.61, "ci_high": -1.27, "p_holm": 0.004, "shop": "S",
         "competitor": "C"}
    for lang in ("de", "en"):
        sentence = stats.describe_comparison(r, lang=lang)
        assert fmt.ci(r["ci_low"], r["ci_high"], lang, label=True) in sentence
        assert fmt.p_value(r["p_holm"], lang) in sentence
        assert stats.format_number(-1234.56, lang) == fmt.number(-1234.56, lang)


def test_viz_tables_use_the_formatter():
    import pandas as pd

    html = viz.table_html(pd.DataFrame({"share": [0.456], "n": [12345], "mean": [-2.25]}),
                          lang="de", percent=("share",))
    assert "45,6\u00a0%" in html and "12.345" in html and "−2,2" in html
    assert html.startswith(f'<div class="{viz.TABLE_BOX_CLASS}">')  # scrolls in its box
    assert viz.fmt_number(12345.5, "en") == fmt.number(12345.5, "en")
