"""benchlib.stats.ordinal against R (tests/reference/ordinal_mwu.R, R 4.2.2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from benchlib.stats.ordinal import compare_ordinal, mann_whitney, ordinal_distribution

REF = Path(__file__).parents[1] / "reference"
TOL = 1e-6


@pytest.fixture(scope="module")
def items() -> pd.DataFrame:
    return pd.read_csv(REF / "ordinal_items.csv")


def test_compare_matches_r(items: pd.DataFrame) -> None:
    # R: wilcox.test(x, y, exact=FALSE, correct=TRUE); rbc = 2*W/(n1*n2) - 1;
    #    p.adjust(p[tested], "BH")
    r = pd.read_csv(REF / "ordinal_compare_r.csv")
    py = compare_ordinal(items, shop="voltera")
    m = py.merge(r, on=["item", "competitor"], suffixes=("", "_r"))
    assert len(m) == len(r) == len(py) == 6
    assert (m["tested"] == m["tested_r"]).all()
    for col in ("n_shop", "n_comp", "median_shop", "median_comp"):
        np.testing.assert_allclose(m[col], m[f"{col}_r"])
    t = m[m["tested"]]
    for col in ("u", "p", "rbc", "p_fdr"):
        np.testing.assert_allclose(t[col], t[f"{col}_r"], atol=TOL)
    assert m.loc[~m["tested"], ["u", "p", "p_fdr"]].isna().all().all()


def test_rbc_better_direction(items: pd.DataFrame) -> None:
    py = compare_ordinal(items, shop="voltera").dropna(subset=["p"])
    likert = py[py["scale"] == "likert5"]
    grade = py[py["scale"] == "grade6"]
    # the shop is better on both items: higher Likert, lower (= better) grade
    assert (likert["rbc"] > 0).all() and (likert["rbc_better"] == likert["rbc"]).all()
    assert (grade["rbc"] < 0).all() and (grade["rbc_better"] == -grade["rbc"]).all()


def test_rbc_sign_matches_pingouin() -> None:
    rng = np.random.default_rng(1)
    x = rng.integers(1, 6, 25).astype(float)
    y = rng.integers(1, 5, 30).astype(float)
    ours = mann_whitney(x, y)
    ref = pg.mwu(x, y, alternative="two-sided")
    assert ours["rbc"] == pytest.approx(float(ref["RBC"].iloc[0]), abs=1e-12)
    assert ours["u"] == pytest.approx(float(ref["U_val"].iloc[0]))


def test_small_example_matches_r() -> None:
    # R 4.2.2: wilcox.test(c(1,2,3,4,5,5), c(1,1,2,2,3), exact=FALSE)
    #          -> W = 23.5, p-value = 0.1349
    r = mann_whitney(np.array([1, 2, 3, 4, 5, 5.0]), np.array([1, 1, 2, 2, 3.0]))
    assert r["u"] == 23.5
    assert r["p"] == pytest.approx(0.1349, abs=5e-5)


def test_distribution_matches_r(items: pd.DataFrame) -> None:
    # R: table(factor(v, levels = 1:5 or 1:6)), prop.table, median(v)
    r = pd.read_csv(REF / "ordinal_distribution_r.csv")
    py = ordinal_distribution(items, by=["item", "company"])
    m = py.merge(r, on=["item", "company", "category"], suffixes=("", "_r"))
    assert len(m) == len(r) == len(py)
    assert (m["count"] == m["count_r"]).all() and (m["n"] == m["n_r"]).all()
    np.testing.assert_allclose(m["share"], m["share_r"], atol=1e-12)
    np.testing.assert_allclose(m["median"], m["median_r"])


def test_distribution_labels_and_zero_categories() -> None:
    d = pd.DataFrame({"item": "f", "company": "a", "scale": "likert5", "value": [5, 5, 4],
                      "status": ["answered", "answered", "missing"]})
    r = ordinal_distribution(d, by=["item", "company"])
    assert r["category"].tolist() == [1, 2, 3, 4, 5]
    assert r["count"].tolist() == [0, 0, 0, 0, 2]
    assert r["label"].iloc[-1] == "5 (best)" and (r["n"] == 2).all()
    assert "mean" not in r.columns
