"""planning against R 4.2.2 power.t.test / power.prop.test (tests/reference/planning.R)."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.power import TTestIndPower

from benchlib.stats.planning import (
    minimum_detectable_change,
    n_for_proportions,
    n_per_group,
    plan_next_wave,
    pooled_sd,
)


def test_n_per_group_matches_r():
    # R 4.2.2: power.t.test(delta = 3, sd = 15, power = 0.8, strict = TRUE, tol = 1e-12)$n
    #    -> 393.405695019557
    assert n_per_group(3, 15) == 394
    # R: delta = 5 -> 142.246249950736 (strict = FALSE: 142.246595877127, same after rounding)
    assert n_per_group(5, 15) == 143
    # R: delta = 8 -> 56.1639964517471
    assert n_per_group(8, 15) == 57
    raw = TTestIndPower().solve_power(effect_size=5 / 15, alpha=0.05, power=0.8)
    assert raw == pytest.approx(142.246249950736, abs=1e-6)


def test_mdc_matches_r():
    # R: power.t.test(n = 50, sd = 15, power = 0.8, strict = TRUE, tol = 1e-12)$delta -> 8.48823365633248
    assert minimum_detectable_change(50, 15) == pytest.approx(8.48823365633248, abs=1e-6)
    # R: power.t.test(n = 17, sd = 12, sig.level = 0.01, power = 0.9, strict = TRUE,
    #    tol = 1e-12)$delta -> 16.7587813666547 (default tol: 16.7587930959801)
    assert minimum_detectable_change(17, 12, alpha=0.01, power=0.9) == pytest.approx(
        16.7587813666547, abs=1e-6)


def test_proportions_vs_r():
    # R: power.prop.test(p1 = .6, p2 = .5, power = .8, strict = TRUE)$n -> 387.337660479378
    #    (strict = FALSE -> 387.338516695594); arcsine (Cohen's h) gives 387.17: both round to 388
    assert n_for_proportions(0.6, 0.5) == 388
    assert n_for_proportions(0.6, 0.5, method="pooled") == 388
    # R: power.prop.test(p1 = .9, p2 = .7, power = .8, strict = TRUE)$n -> 61.5987434225129
    assert n_for_proportions(0.9, 0.7, method="pooled") == 62
    assert n_for_proportions(0.9, 0.7) == 60  # arcsine (Cohen h): 60, see docs/methodology.md


def test_plan_next_wave(wave04):
    r = plan_next_wave(wave04)
    assert r["target_change"].tolist() == [3, 5, 8]
    assert r["n_per_company"].is_monotonic_decreasing
    sd = pooled_sd(wave04, by=["company"])
    assert r["sd_pooled"].iloc[0] == pytest.approx(sd)
    assert r["current_median_n"].iloc[0] == 14.5  # 14, 16, 5, 15 scored contacts
    assert r["mdc_at_current_n"].iloc[0] == pytest.approx(minimum_detectable_change(14.5, sd))


def test_pooled_sd_equals_ols_residual_sd(wave04):
    import statsmodels.formula.api as smf

    d = wave04.dropna(subset=["total"])
    fit = smf.ols("total ~ C(company)", data=d).fit()
    assert pooled_sd(d) == pytest.approx(np.sqrt(fit.scale))


def test_errors():
    with pytest.raises(ValueError):
        n_per_group(0, 10)
    with pytest.raises(ValueError):
        n_for_proportions(0.5, 0.5)
    with pytest.raises(ValueError):
        n_for_proportions(0.6, 0.5, method="exact")
    with pytest.raises(ValueError):
        minimum_detectable_change(1, 10)
    assert isinstance(plan_next_wave(pd.DataFrame({"company": list("aabb"),
                                                   "total": [1.0, 2, 3, 5]})), pd.DataFrame)


def test_honest_planning_matches_r():
    from benchlib.stats.planning import design_effect, n_did, n_holm, n_with_clustering, sd_upper

    # R: 15 * sqrt(60 / qchisq(0.2, 60)) -> 16.3274132901392
    assert sd_upper(15, 60) == pytest.approx(16.3274132901392, abs=1e-10)
    assert sd_upper(15, 60, 0.5) > 15 and sd_upper(15, 6000) == pytest.approx(15, rel=0.01)
    # R: power.t.test(delta = 5, sd = 15, sig.level = 0.05/4, power = .8, strict = TRUE)$n -> 202.285507715286
    assert n_holm(5, 15, 4) == 203
    # R: power.t.test(delta = 5, sd = 15 * sqrt(1.25), power = .8, strict = TRUE)$n -> 177.564844600844
    assert n_did(5, 15, 4) == 178
    assert design_effect(0.0, 30) == 1.0 and design_effect(0.05, 21) == pytest.approx(2.0)
    n = n_with_clustering(50, 0.05, 4)  # N / (1 + (N/4 - 1) 0.05) = 50
    assert n / design_effect(0.05, n / 4) == pytest.approx(50)
    assert n_with_clustering(50, 0.0, 2) == 50 and n_with_clustering(100, 0.05, 4) == np.inf
    with pytest.raises(ValueError):
        sd_upper(15, 0)
    with pytest.raises(ValueError):
        n_holm(5, 15, 0)


def test_plan_next_wave_honest_columns(wave04):
    r = plan_next_wave(wave04, icc=0.05)
    assert (r["sd_upper"] > r["sd_pooled"]).all()
    assert (r["n_sd_upper"] >= r["n_per_company"]).all()
    assert (r["n_holm"] > r["n_sd_upper"]).all() and (r["n_tests"] == 3).all()
    assert (r["n_did"] > r["n_sd_upper"]).all()
    assert (r["deff"] > 1).all() and (r["n_holm_clustered"] > r["n_holm"]).all()
    assert np.isnan(plan_next_wave(wave04)["deff"]).all()
