"""benchlib.stats.proportions against R (tests/reference/items_proportions.R, R 4.2.2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchlib.stats.proportions import (
    compare_proportions,
    compare_proportions_vs_previous,
    item_proportions,
    two_proportions,
)

REF = Path(__file__).parents[1] / "reference"
TOL = 1e-6


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    return pd.read_csv(REF / "items_yesno.csv")


def test_wilson_single_case() -> None:
    d = pd.DataFrame({"item": "x", "value": [1] * 12 + [0] * 28})
    r = item_proportions(d, by=["item"]).iloc[0]
    # R 4.2.2: prop.test(12, 40, correct=FALSE)$conf.int -> 0.1807484523 0.4543001882
    assert r["ci_low"] == pytest.approx(0.1807484523, abs=1e-9)
    assert r["ci_high"] == pytest.approx(0.4543001882, abs=1e-9)


def test_item_proportions_match_r(items: pd.DataFrame) -> None:
    # R: prop.test(x, n, correct = FALSE)$conf.int per wave x item x company
    r = pd.read_csv(REF / "items_proportions_r.csv")
    py = item_proportions(items, by=["wave", "item", "company"])
    m = py.merge(r, on=["wave", "item", "company"], suffixes=("", "_r"))
    assert len(m) == len(r) == len(py) == 24
    assert (m["n"] == m["n_r"]).all() and (m["successes"] == m["successes_r"]).all()
    for col in ("share", "ci_low", "ci_high"):
        np.testing.assert_allclose(m[col], m[f"{col}_r"], atol=TOL)
    assert m.loc[m["company"] == "comp_c", "too_few"].all()
    assert not m.loc[m["company"] != "comp_c", "too_few"].any()


def test_only_answered_rows_count() -> None:
    d = pd.DataFrame({"item": "x", "value": [1, 0, np.nan, 1],
                      "status": ["answered", "answered", "missing", "not_applicable"]})
    r = item_proportions(d, by=["item"], min_n=1).iloc[0]
    assert (r["n"], r["successes"]) == (2, 1)


def test_non_binary_values_raise() -> None:
    d = pd.DataFrame({"item": "x", "value": [1, 0.5, 0]})
    with pytest.raises(ValueError, match="yes_no"):
        item_proportions(d, by=["item"])


def test_newcombe_published_example() -> None:
    # Newcombe (1998) Stat Med 17:873, Table II, example (a): 56/70 - 48/80 -> 0.0524 to 0.3339
    r = two_proportions(56, 70, 48, 80)
    assert r["ci_low"] == pytest.approx(0.0524, abs=5e-5)
    assert r["ci_high"] == pytest.approx(0.3339, abs=5e-5)
    # R (items_proportions.R, newcombe() from Wilson limits): 0.0524314724023649 0.3338726540369059
    assert r["ci_low"] == pytest.approx(0.0524314724023649, abs=1e-9)
    assert r["ci_high"] == pytest.approx(0.3338726540369059, abs=1e-9)


def test_newcombe_boundary_cases_match_r() -> None:
    # R: newcombe() in items_proportions.R (Wilson limits from prop.test(correct=FALSE))
    r = pd.read_csv(REF / "items_newcombe_edge_r.csv")
    for row in r.itertuples():
        py = two_proportions(row.x1, row.n1, row.x2, row.n2)
        assert py["ci_low"] == pytest.approx(row.ci_low, abs=1e-9)
        assert py["ci_high"] == pytest.approx(row.ci_high, abs=1e-9)


def test_compare_matches_r(items: pd.DataFrame) -> None:
    # R: chisq.test(tab, correct=FALSE) if all expected >= 5 else fisher.test(tab);
    # Newcombe CI from prop.test Wilson limits; p.adjust(p[tested], "BH")
    r = pd.read_csv(REF / "items_compare_r.csv")
    py = compare_proportions(items, shop="voltera")
    keys = ["wave", "item", "competitor"]
    m = py.merge(r, on=keys, suffixes=("", "_r"))
    assert len(m) == len(r) == len(py) == 18
    assert (m["tested"] == m["tested_r"]).all()
    assert (m["n_shop"] == m["n_shop_r"]).all() and (m["x_comp"] == m["x_comp_r"]).all()
    np.testing.assert_allclose(m["diff"], m["diff_r"], atol=TOL)
    t = m[m["tested"]]
    assert (t["test"] == t["test_r"]).all()
    assert set(t["test"]) == {"chi2", "fisher"}
    for col in ("ci_low", "ci_high", "p", "p_fdr"):
        np.testing.assert_allclose(t[col], t[f"{col}_r"], atol=TOL)
    chi = t[t["test"] == "chi2"]
    np.testing.assert_allclose(chi["statistic"], chi["statistic_r"], atol=TOL)
    u = m[~m["tested"]]
    assert u["p"].isna().all() and u["p_fdr"].isna().all() and u["ci_low"].isna().all()


def test_vs_previous_matches_r(items: pd.DataFrame) -> None:
    r = pd.read_csv(REF / "items_vs_previous_r.csv")
    py = compare_proportions_vs_previous(items, "2026-04")
    assert (py["previous"] == "2026-01").all() and (py["company"] == "voltera").all()
    m = py.merge(r, on="item", suffixes=("", "_r"))
    assert len(m) == 3
    assert (m["test"] == m["test_r"]).all()
    for col in ("diff", "ci_low", "ci_high", "p", "p_fdr"):
        np.testing.assert_allclose(m[col], m[f"{col}_r"], atol=TOL)


def test_fisher_small_table() -> None:
    # R 4.2.2: fisher.test(matrix(c(9, 1, 3, 7), 2, byrow=TRUE))$p.value -> 0.0197666110979
    r = two_proportions(9, 10, 3, 10)
    assert r["test"] == "fisher"
    assert r["p"] == pytest.approx(0.0197666110979, abs=1e-12)


def test_chi2_case() -> None:
    # R 4.2.2: chisq.test(matrix(c(56,14,48,32),2,byrow=TRUE), correct=FALSE)
    #          -> X-squared = 7.0234, p-value = 0.008045
    r = two_proportions(56, 70, 48, 80)
    assert r["test"] == "chi2"
    assert r["statistic"] == pytest.approx(7.0234, abs=5e-5)
    assert r["p"] == pytest.approx(0.008045, abs=5e-7)


def test_missing_shop_group_is_untested() -> None:
    d = pd.DataFrame({"item": ["x"] * 20 + ["y"] * 40,
                      "company": ["b"] * 20 + ["s"] * 20 + ["b"] * 20,
                      "role": ["competitor"] * 20 + ["shop"] * 20 + ["competitor"] * 20,
                      "value": [1, 0] * 30})
    r = compare_proportions(d)
    x = r[r["item"] == "x"].iloc[0]
    assert x["n_shop"] == 0 and not x["tested"] and np.isnan(x["p"])
    y = r[r["item"] == "y"].iloc[0]
    assert y["tested"] and y["p_fdr"] == pytest.approx(y["p"])


def test_pearson_2x2_is_scipys_chi2_contingency_to_the_last_bit():
    """two_proportions' chi-square skips scipy's wrapper; statistic and p are scipy's
    ``chi2_contingency(correction=False)``, bit for bit, on 500 tables it applies to."""
    from scipy import stats

    from benchlib.stats.proportions import _pearson_2x2

    rng = np.random.default_rng(0)
    checked = 0
    while checked < 500:
        na, nb = rng.integers(1, 300, 2)
        table = np.array([[x := rng.integers(0, na + 1), na - x],
                          [y := rng.integers(0, nb + 1), nb - y]])
        expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
        if (expected < 5).any():
            continue  # two_proportions uses Fisher's test there
        chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
        assert _pearson_2x2(table, expected) == (chi2, p), table
        checked += 1
