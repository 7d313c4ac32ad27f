"""shop_vs_competitors / welch_anova / games_howell against R 4.2.2 (tests/reference/compare.R)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.oneway import anova_oneway

from benchlib.stats._common import welch
from benchlib.stats.compare import games_howell, shop_vs_competitors, welch_anova

TOL = 1e-6


@pytest.fixture(scope="module")
def res(wave04):
    return shop_vs_competitors(wave04).set_index("competitor")


def test_welch_matches_r(res):
    a = res.loc["amperio"]
    # R 4.2.2: t.test(shop, amperio)$statistic -> 1.69548698058374; $parameter -> 23.2221036157376
    assert a["t"] == pytest.approx(1.69548698058374, abs=TOL)
    assert a["df"] == pytest.approx(23.2221036157376, abs=TOL)
    # R: $p.value -> 0.103351765187758; $conf.int -> -1.32412577616096 13.39174482378
    assert a["p"] == pytest.approx(0.103351765187758, abs=TOL)
    assert a["ci_low"] == pytest.approx(-1.32412577616096, abs=TOL)
    assert a["ci_high"] == pytest.approx(13.39174482378, abs=TOL)
    # R: t.test(shop, blitzmarkt)$conf.int[2] -> 10.8414924681141
    assert res.loc["blitzmarkt", "ci_high"] == pytest.approx(10.8414924681141, abs=TOL)


def test_holm_over_tested_only(res):
    # kabelhaus has 5 scored contacts (< min_n = 10): shown, not tested, not in the Holm family
    k = res.loc["kabelhaus"]
    assert not k["tested"] and np.isnan(k["p"]) and np.isnan(k["p_holm"]) and k["n_comp"] == 5
    # R: p.adjust(c(p_amperio, p_blitzmarkt), "holm") -> 0.206703530375516 0.679883848141148
    assert res.loc["amperio", "p_holm"] == pytest.approx(0.206703530375516, abs=TOL)
    assert res.loc["blitzmarkt", "p_holm"] == pytest.approx(0.679883848141148, abs=TOL)


def test_hedges_g_matches_hand_formula_in_r(res):
    # R (hedges() in compare.R, Hedges & Olkin J and normal-theory SE) -> g, lower, upper
    assert res.loc["amperio", "hedges_g"] == pytest.approx(0.619798757926862, abs=TOL)
    assert res.loc["amperio", "g_ci_low"] == pytest.approx(-0.160756304580366, abs=TOL)
    assert res.loc["blitzmarkt", "g_ci_high"] == pytest.approx(0.879435756678378, abs=TOL)


def test_shop_inferred_and_diff_sign(res, wave04):
    assert set(res["shop"]) == {"voltera"}
    x = wave04.loc[wave04.company == "voltera", "total"].mean()
    y = wave04.loc[wave04.company == "amperio", "total"].mean()
    assert res.loc["amperio", "diff"] == pytest.approx(x - y)


def test_scipy_agrees(wave04):
    x = wave04.loc[wave04.company == "voltera", "total"].dropna()
    y = wave04.loc[wave04.company == "amperio", "total"].dropna()
    r = shop_vs_competitors(wave04).set_index("competitor").loc["amperio"]
    assert r["p"] == pytest.approx(stats.ttest_ind(x, y, equal_var=False).pvalue, abs=1e-12)



def _scipy_welch(x, y, alpha):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns about samples under two values
        r = stats.ttest_ind(x, y, equal_var=False)
        ci = r.confidence_interval(1 - alpha)
    diff = np.mean(x) - np.mean(y) if len(x) and len(y) else np.nan
    return {"diff": diff, "ci_low": ci.low, "ci_high": ci.high, "t": r.statistic,
            "df": r.df, "p": r.pvalue}


def test_closed_form_welch_is_scipys_to_the_last_bit():
    """welch() skips scipy's wrapper (~1 ms a call); its values are scipy's, bit for bit, on
    bounded skewed scores, constant, tiny, empty and NaN samples."""
    rng = np.random.default_rng(1)
    cases = []
    for _ in range(400):
        nx, ny = rng.integers(2, 60, 2)
        x, y = np.round(rng.beta(5, 2, nx) * 100), np.round(rng.beta(4, 2, ny) * 100)
        cases.append((x / 7 if rng.random() < 0.3 else x, y, rng.choice([0.01, 0.05, 0.1])))
    cases += [(np.ones(5), np.ones(7), 0.05), (np.ones(5), np.zeros(7), 0.05),
              (np.array([1.0, 2]), np.ones(3), 0.05), (np.array([1.0]), np.arange(3.0), 0.05),
              (np.array([]), np.arange(2.0), 0.05), (np.array([1, np.nan, 3]), np.ones(3), 0.05),
              (np.array([0, 0, 1.0]), np.zeros(3), 0.05), (np.array([1e9, 1e9 + 1]), np.ones(2), 0.1)]
    for x, y, alpha in cases:
        got, want = welch(x, y, alpha), _scipy_welch(x, y, alpha)
        for key, value in want.items():
            assert np.array_equal(got[key], value, equal_nan=True), (key, x, y, alpha)

def test_welch_anova_matches_r_and_statsmodels(wave04):
    r = welch_anova(wave04).iloc[0]
    # R: oneway.test(total ~ company, d, var.equal=FALSE) -> F 1.07911052259153, df 3, 15.8196848823563
    assert r["F"] == pytest.approx(1.07911052259153, abs=TOL)
    assert r["df1"] == 3 and r["df2"] == pytest.approx(15.8196848823563, abs=TOL)
    assert r["p"] == pytest.approx(0.386323139132351, abs=TOL)  # R: $p.value
    d = wave04.dropna(subset=["total"])
    sm = anova_oneway(d["total"], d["company"], use_var="unequal")
    assert r["F"] == pytest.approx(sm.statistic, rel=1e-10)
    assert r["p"] == pytest.approx(sm.pvalue, rel=1e-8)


def test_games_howell_matches_r(wave04):
    r = games_howell(wave04).set_index(["A", "B"])
    # R (compare.R, by hand): ptukey(|t| * sqrt(2), k = 4, df, lower.tail = FALSE)
    assert r.loc[("amperio", "voltera"), "p"] == pytest.approx(0.348534477409973, abs=1e-5)
    assert r.loc[("kabelhaus", "voltera"), "p"] == pytest.approx(0.685069276106353, abs=1e-5)
    # R: diff - qtukey(0.95, 4, df) / sqrt(2) * se -> -15.8748310542384
    assert r.loc[("amperio", "voltera"), "ci_low"] == pytest.approx(-15.8748310542384, abs=1e-5)
    assert r.loc[("blitzmarkt", "kabelhaus"), "ci_low"] == pytest.approx(-14.8946739288552,
                                                                         abs=1e-5)



def test_games_howell_equals_pingouin_on_fieldwork_shaped_data():
    """Ours computes p with the fixed-rule studentized range (pingouin: scipy's adaptive
    integration, ~10 ms a pair); every column equals pingouin's within 1e-10 — bounded
    skewed scores, knockout zeros, a constant group, unequal cells, a categorical's order."""
    import warnings

    import pingouin as pg

    rng = np.random.default_rng(3)
    for rep in range(10):  # pingouin's p costs ~10 ms a pair: ten designs, ~100 pairs
        k = int(rng.integers(2, 7))
        names = [f"c{i}" for i in range(k)]
        d = pd.DataFrame({"company": np.repeat(names, rng.integers(2, 60, k))})
        d["total"] = np.round(rng.beta(5, 2, len(d)) * 100) * rng.choice([1, 0], len(d),
                                                                         p=[0.9, 0.1])
        if rep % 4 == 0:
            d.loc[d["company"] == "c0", "total"] = 50.0
        if rep % 3 == 0:
            d["company"] = pd.Categorical(d["company"], categories=names[::-1])
        ours = games_howell(d)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pingouin's own deprecation notices
            ref = pg.pairwise_gameshowell(data=d, dv="total", between="company")
        assert ours["A"].tolist() == ref["A"].tolist() and ours["B"].tolist() == ref["B"].tolist()
        for col, theirs in [("mean_A", "mean_A"), ("mean_B", "mean_B"), ("diff", "diff"),
                            ("se", "se"), ("t", "T"), ("df", "df"), ("p", "pval"),
                            ("hedges_g", "hedges")]:
            np.testing.assert_allclose(ours[col], ref[theirs], rtol=0, atol=1e-10,
                                       err_msg=f"{col} (case {rep})")

def test_errors():
    d = pd.DataFrame({"company": ["a", "a"], "role": ["shop", "shop"], "total": [1.0, 2.0]})
    with pytest.raises(ValueError, match="at least 2 groups"):
        shop_vs_competitors(d)
    d2 = pd.DataFrame({"company": ["a", "b"], "role": ["competitor"] * 2, "total": [1.0, 2]})
    with pytest.raises(ValueError, match="cannot infer the shop"):
        shop_vs_competitors(d2)


def test_holm_equals_statsmodels_and_r():
    from statsmodels.stats.multitest import multipletests

    from benchlib.stats._common import holm

    p = np.array([0.2, 0.001, 0.04, 0.04, 0.9, 0.012])
    assert holm(p) == pytest.approx(multipletests(p, method="holm")[1], abs=1e-15)
    # R 4.2.2: p.adjust(c(.2, .001, .04, .04, .9, .012), "holm") -> 0.4 0.006 0.16 0.16 0.9 0.06
    assert holm(p) == pytest.approx([0.4, 0.006, 0.16, 0.16, 0.9, 0.06], abs=1e-12)


# --------------------------------------------------------------------------- studentized range
SR_GRID = [(k, df, q) for k in (2, 5, 12, 20) for df in (2.0, 12.5, 87.3, 5e4)
           for q in (0.3, 2.5, 3.5, 7.0)]


def test_studentized_range_cdf_equals_scipy_and_a_finer_rule(monkeypatch):
    """The fixed quadrature rule against scipy's adaptive integration, and against the same
    rule with about twice the nodes in both directions (its own error)."""
    from benchlib.stats import compare

    ours = np.array([compare.studentized_range_cdf(q, k, df) for k, df, q in SR_GRID])
    ref = np.array([stats.studentized_range.cdf(q, k, df) for k, df, q in SR_GRID])
    assert np.abs(ours - ref).max() <= 5e-11
    z = np.linspace(-10.0, 10.0, 801)
    monkeypatch.setattr(compare, "_SR_Z", z)
    monkeypatch.setattr(compare, "_SR_PHI", np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi) * (z[1] - z[0]))
    monkeypatch.setattr(compare, "_SR_NDTR", stats.norm.cdf(z))
    monkeypatch.setattr(compare, "_SR_NODES", 481)
    finer = np.array([compare.studentized_range_cdf(q, k, df) for k, df, q in SR_GRID])
    assert np.abs(ours - finer).max() <= 1e-13


def test_studentized_range_matches_r():
    from benchlib.stats.compare import studentized_range_cdf, studentized_range_ppf

    # R 4.2.2: print(ptukey(3.5, 4, 23.2), digits = 15) -> 0.909284737773726
    assert studentized_range_cdf(3.5, 4, 23.2) == pytest.approx(0.909284737773726, abs=1e-9)
    # R: ptukey(4.5, 8, 1500) -> 0.96785789128245
    assert studentized_range_cdf(4.5, 8, 1500) == pytest.approx(0.96785789128245, abs=1e-9)
    # R: qtukey(0.95, 3, 9.7) -> 3.89653569343665; qtukey(0.95, 10, 1500) -> 4.48090762564523
    # (R's qtukey stops its secant at eps = 1e-4 on the probability scale: good to ~1e-6)
    assert studentized_range_ppf(0.95, 3, 9.7) == pytest.approx(3.89653569343665, abs=1e-6)
    assert studentized_range_ppf(0.95, 10, 1500) == pytest.approx(4.48090762564523, abs=1e-6)
    assert studentized_range_ppf(0.95, 10, 1500) == pytest.approx(
        stats.studentized_range.ppf(0.95, 10, 1500), abs=1e-10)
    # outside the rule's checked range the function is scipy's
    for k, df in ((30, 50.0), (5, 1e5), (5, 1.5)):
        assert studentized_range_cdf(3.0, k, df) == stats.studentized_range.cdf(3.0, k, df)
