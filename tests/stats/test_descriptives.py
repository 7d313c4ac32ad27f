"""describe_scores / by_dimension against R 4.2.2 (tests/reference/descriptives.R)."""

import numpy as np
import pandas as pd
import pytest

from benchlib.stats.descriptives import by_dimension, describe_scores

TOL = 1e-6


def test_describe_matches_r(wave04):
    r = describe_scores(wave04, by="company").set_index("company")
    # R 4.2.2: x <- na.omit(total[company=="voltera" & wave=="2026-04"]); mean(x) -> 72.3266666666667
    assert r.loc["voltera", "mean"] == pytest.approx(72.3266666666667, abs=TOL)
    # R: sd(x) -> 7.76001350023371
    assert r.loc["voltera", "sd"] == pytest.approx(7.76001350023371, abs=TOL)
    # R: t.test(x)$conf.int -> 68.0293144279431 76.6240189053903
    assert r.loc["voltera", "ci_low"] == pytest.approx(68.0293144279431, abs=TOL)
    assert r.loc["voltera", "ci_high"] == pytest.approx(76.6240189053903, abs=TOL)
    # R: blitzmarkt t.test(x)$conf.int[1] -> 62.2658364130551 (n = 16)
    assert r.loc["blitzmarkt", "ci_low"] == pytest.approx(62.2658364130551, abs=TOL)
    # R: kabelhaus n = 5, t.test(x)$conf.int -> 53.016209798823 79.783790201177
    assert r.loc["kabelhaus", "n"] == 5
    assert r.loc["kabelhaus", "ci_high"] == pytest.approx(79.783790201177, abs=TOL)


def test_unscored_and_too_few(wave04):
    r = describe_scores(wave04, by="company").set_index("company")
    assert r.loc["kabelhaus", "too_few"] and not r.loc["voltera", "too_few"]
    assert r.loc["kabelhaus", "n_unscored"] == 1  # 6 contacts, 1 unscored
    assert (r["n"] + r["n_unscored"]).sum() == len(wave04)


def test_single_contact_has_nan_ci():
    d = pd.DataFrame({"company": ["a", "b", "b"], "total": [50.0, 60, 70]})
    r = describe_scores(d, by="company").set_index("company")
    assert r.loc["a", "mean"] == 50 and np.isnan(r.loc["a", "ci_low"]) and r.loc["a", "too_few"]


def test_default_by_company_wave(contacts):
    r = describe_scores(contacts)
    assert list(r.columns[:2]) == ["company", "wave"] and len(r) == 12


def test_by_dimension_matches_r(wave07):
    r = by_dimension(wave07, by="company").set_index(["dimension", "company"])
    # R: x <- dim_closing[wave=="2026-07" & company=="voltera"]; t.test(x)$conf.int[1] -> 61.6952424425743
    assert r.loc[("closing", "voltera"), "ci_low"] == pytest.approx(61.6952424425743, abs=TOL)
    assert r.loc[("closing", "voltera"), "n"] == 18  # R: sum(!is.na(x)) -> 18
    assert set(r.index.get_level_values("dimension")) == {"needs", "closing"}


def test_errors():
    with pytest.raises(ValueError, match="missing column"):
        describe_scores(pd.DataFrame({"total": [1.0]}), by="company")
    with pytest.raises(ValueError, match="no dim_"):
        by_dimension(pd.DataFrame({"total": [1.0], "company": ["a"]}), by="company")
