"""Design diagnostics and evaluator-clustered comparisons against R.

Reference: tests/reference/clustered.R (clubSandwich 0.5.8 coef_test(vcov = "CR2",
test = "Satterthwaite"), sandwich::vcovCL, R 4.2.2) on nested.csv wave 2026-07.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchlib.stats.clustered import cluster_contrast, clustered_comparison, design_diagnostics

HERE = Path(__file__).parents[1] / "reference"
TOL = 1e-8


@pytest.fixture(scope="module")
def nested07() -> pd.DataFrame:
    d = pd.read_csv(HERE / "nested.csv")
    return d[d["wave"] == "2026-07"]


def test_cr2_matches_clubsandwich(nested07):
    r = clustered_comparison(nested07).set_index("competitor")
    # R: coef_test(lm(total ~ company), "CR2", cluster = evaluator, test = "Satterthwaite")
    #    companyamperio: beta 9.92619047619046 (negated), SE 9.74754951606371, df 1.96413199426112
    assert r.loc["amperio", "diff"] == pytest.approx(-9.92619047619046, abs=TOL)
    assert r.loc["amperio", "se"] == pytest.approx(9.74754951606371, abs=TOL)
    assert r.loc["amperio", "df"] == pytest.approx(1.96413199426112, abs=TOL)
    assert r.loc["amperio", "p"] == pytest.approx(0.417326043592454, abs=TOL)
    assert r.loc["blitzmarkt", "se"] == pytest.approx(12.160211459488, abs=TOL)
    assert r.loc["kabelhaus", "df"] == pytest.approx(1.77634011090573, abs=TOL)  # R: df_Satt
    assert r.loc["kabelhaus", "p"] == pytest.approx(0.39014115821149, abs=TOL)
    assert (r["method"] == "CR2-BM").all() and (r["n_clusters"] == 8).all()


def test_cr1_cr3_and_covariates_match_r(nested07):
    # R: sqrt(vcovCL(m, ~evaluator, type = "HC1")) -> 7.35135134952492
    assert clustered_comparison(nested07, vcov="CR1").iloc[0]["se"] == pytest.approx(
        7.35135134952492, abs=TOL)
    assert clustered_comparison(nested07, vcov="CR1").iloc[0]["df"] == 7  # G - 1
    # R: vcovCR(m, type = "CR3") * (G - 1) / G -> 13.5673037031361
    assert clustered_comparison(nested07, vcov="CR3").iloc[0]["se"] == pytest.approx(
        13.5673037031361, abs=TOL)
    r = clustered_comparison(nested07, covariates=("scenario",)).set_index("competitor")
    # R: coef_test(lm(total ~ company + scenario), "CR2", ...) -> SE 13.5387194123088, df 2.470746057332
    assert r.loc["blitzmarkt", "se"] == pytest.approx(13.5387194123088, abs=TOL)
    assert r.loc["blitzmarkt", "df"] == pytest.approx(2.470746057332, abs=TOL)


def test_market_contrast_matches_r(nested07):
    r = clustered_comparison(nested07, market=True).iloc[0]
    # R: coef_test(lm(total ~ shop), "CR2", ...) -> -8.00952380952382, 9.57167057063173, 2.05365784397724
    assert r["competitor"] == "__market__"
    assert r["diff"] == pytest.approx(-8.00952380952382, abs=TOL)
    assert r["se"] == pytest.approx(9.57167057063173, abs=TOL)
    assert r["df"] == pytest.approx(2.05365784397724, abs=TOL)


def test_untested_pairs_and_holm(nested07):
    small = nested07[~((nested07.company == "kabelhaus") & (nested07.index % 2 == 0))]
    r = clustered_comparison(small, min_n=10).set_index("competitor")
    assert not r.loc["kabelhaus", "tested"] and np.isnan(r.loc["kabelhaus", "p"])
    assert r["p_holm"].notna().sum() == 2
    with pytest.raises(ValueError, match="vcov"):
        cluster_contrast(np.ones(3), np.ones((3, 1)), np.arange(3), np.ones((1, 1)), "HC3")


def test_design_diagnostics_nested_and_crossed(nested07):
    r = design_diagnostics(nested07)
    assert r.nested and r.purity == 1.0 and r.n_evaluators == 8
    assert r.cramers_v == pytest.approx(1.0) and r.shop_own_share == 1.0
    assert set(r.by_company.columns) == {"evaluator", "company", "n"}
    assert r.by_company["n"].sum() == len(nested07)
    assert set(r.by_scenario.columns) == {"evaluator", "scenario", "n"}
    assert (r.evaluators_per_company["n_evaluators"] == 2).all()
    rng = np.random.default_rng(0)
    crossed = nested07.assign(evaluator=rng.choice([f"E{i}" for i in range(8)], len(nested07)))
    c = design_diagnostics(crossed)
    assert not c.nested and c.purity < 0.6 and c.cramers_v < 0.4 and c.shop_own_share == 0.0


def test_shop_vs_market_chooses_by_design(nested07):
    from benchlib.stats.clustered import shop_vs_market
    from benchlib.stats.mixed import fit_random_intercept

    r = shop_vs_market(nested07).iloc[0]
    assert r["method"] == "CR2-BM"
    # R: coef_test(lm(total ~ shop), "CR2", ...) -> 9.57167057063173 (see test_market_contrast)
    assert r["se"] == pytest.approx(9.57167057063173, abs=TOL)
    rng = np.random.default_rng(1)
    crossed = nested07.assign(evaluator=rng.choice([f"E{i}" for i in range(8)], len(nested07)))
    c = shop_vs_market(crossed).iloc[0]
    assert c["method"] == "LMM" and np.isinf(c["df"])
    m = crossed.assign(side=np.where(crossed.company == "voltera", "shop", "market"))
    f = fit_random_intercept(m, "total ~ C(side, Treatment('shop'))", "evaluator")
    name = "C(side, Treatment('shop'))[T.market]"
    assert c["diff"] == pytest.approx(-f.fe[name]) and c["diff"] == pytest.approx(
        c["mean_shop"] - c["mean_comp"], abs=5)
    assert c["se"] == pytest.approx(np.sqrt(f.cov_fe.loc[name, name]))
    w = shop_vs_market(nested07.drop(columns="evaluator")).iloc[0]
    assert w["method"] == "welch" and w["diff"] == pytest.approx(w["mean_shop"] - w["mean_comp"])
    assert shop_vs_market(nested07, method="welch")["p"].iloc[0] == pytest.approx(w["p"])
    few = shop_vs_market(nested07, min_n=500).iloc[0]
    assert not few["tested"] and np.isnan(few["p"])
    with pytest.raises(ValueError, match="method"):
        shop_vs_market(nested07, method="ols")


def test_example_study_design_is_crossed_and_primary_uses_the_mixed_model(study):
    from benchlib.stats.clustered import shop_vs_market

    for wave in study.waves:
        w = study.wave_contacts(wave)
        dd = design_diagnostics(w, shop=study.shop)
        assert not dd.nested and dd.purity < 0.5, wave  # the agency rotates its shoppers
        assert dd.by_company["n"].sum() == len(w.dropna(subset=["evaluator"]))
        r = shop_vs_market(w, shop=study.shop).iloc[0]
        assert r["method"] == "LMM" and r["tested"], wave
