"""The evaluator mixed model: never degenerate, boundary explicit, lme4 at the boundary.

Reference: tests/reference/lmm_boundary.R (lme4 1.1-31, R 4.2.2) on lmm_boundary.csv.
"""

import numpy as np
import pandas as pd
import pytest

from benchlib.stats.adjusted import leniency_adjusted
from benchlib.stats.mixed import CROSS_CHECK, fit_random_intercept, reml_criterion

REF = pd.read_csv(__import__("pathlib").Path(__file__).parents[1] / "reference"
                  / "lmm_boundary_r.csv").set_index("key")["value"]
FORMULA = "total ~ C(company, Treatment('voltera')) + C(scenario)"


@pytest.fixture(scope="module")
def boundary_fit():
    d = pd.read_csv(__import__("pathlib").Path(__file__).parents[1] / "reference"
                    / "lmm_boundary.csv")
    return d, leniency_adjusted(d, covariates=("scenario",), optimizers=CROSS_CHECK)


def test_boundary_matches_lme4(boundary_fit):
    _, r = boundary_fit
    # R: isSingular(m) -> TRUE; VarCorr evaluator variance -> 0
    assert REF["boundary:singular"] == 1
    assert r.boundary and r.converged
    assert r.evaluator_var == 0.0 and r.icc == 0.0
    assert REF["boundary:evaluator_var"] == pytest.approx(0.0, abs=1e-8)
    # R: as.data.frame(VarCorr(m))$vcov[2] -> residual variance (= OLS sigma^2 at the boundary)
    assert r.residual_var == pytest.approx(REF["boundary:residual_var"], rel=1e-6)
    assert r.residual_var == pytest.approx(REF["boundary:ols_sigma2"], rel=1e-9)
    # R: -REMLcrit(m) / 2
    assert r.reml == pytest.approx(REF["boundary:reml_loglik"], abs=1e-6)
    c = r.contrasts.set_index("competitor")
    for co in ("amperio", "blitzmarkt", "kabelhaus"):  # R: -fixef(m), sqrt(diag(vcov(m)))
        assert c.loc[co, "estimate"] == pytest.approx(REF[f"boundary:{co}:estimate"], abs=1e-5)
        assert c.loc[co, "se"] == pytest.approx(REF[f"boundary:{co}:se"], abs=1e-5)


def test_boundary_candidates_listed_and_best_kept(boundary_fit):
    d, r = boundary_fit
    cand = r.fit.candidates
    assert cand["optimizer"].tolist() == list(CROSS_CHECK)
    assert r.reml >= cand["reml"].max() - 1e-9
    # statsmodels BFGS stops inside the space here, below the boundary maximum
    bfgs = cand.set_index("optimizer").loc["bfgs"]
    assert bfgs["theta"] > 0 and bfgs["reml"] < r.reml
    assert reml_criterion(d, FORMULA, "evaluator", 0.0) == pytest.approx(r.reml, abs=1e-12)


def test_interior_reml_matches_lme4(wave07):
    r = leniency_adjusted(wave07)
    assert r.reml == pytest.approx(REF["interior:reml_loglik"], abs=1e-6)  # R: -REMLcrit/2
    assert not r.boundary and r.converged


def test_every_example_wave_fits_without_degeneracy(study):
    """Every wave, with statsmodels' optimisers beside the exact search: none beats it, so
    the default (the exact search alone) gives the same fit."""
    shares = {}
    for wave in study.waves:
        w = study.wave_contacts(wave)
        w = w[w["scored"]] if "scored" in w else w
        r = leniency_adjusted(w, shop=study.shop, optimizers=CROSS_CHECK)
        cand = r.fit.candidates.set_index("optimizer")
        shares[wave] = r.icc
        assert r.converged, wave
        assert r.reml >= cand["reml"].max() - 1e-9, wave  # best REML kept
        assert cand.loc["profile", "reml"] >= cand["reml"].max() - 1e-9, wave
        assert r.reml == leniency_adjusted(w, shop=study.shop).reml, wave
        # a degenerate fit has evaluator variance equal to the residual variance (share 0.5)
        assert abs(r.evaluator_var - r.residual_var) > 1e-3 * r.residual_var, wave
        assert r.boundary == (r.evaluator_var == 0.0), wave
        # the REML does not rise by moving the variance ratio from the estimate either way
        theta = r.evaluator_var / r.residual_var
        for t in (theta * 0.9, theta * 1.1 + 1e-6):
            assert reml_criterion_of(w, study.shop, t) <= r.reml + 1e-9, wave
    assert len(shares) == len(study.waves) and all(0 <= s < 0.5 for s in shares.values())


def reml_criterion_of(w: pd.DataFrame, shop: str, theta: float) -> float:
    d = w.dropna(subset=["total", "company", "evaluator", "scenario", "channel"])
    rhs = " + C(channel)" if d["channel"].nunique() > 1 else ""
    return reml_criterion(d, f"total ~ C(company, Treatment({shop!r})) + C(scenario){rhs}",
                          "evaluator", theta)


def test_pure_noise_is_a_boundary_fit():
    rng = np.random.default_rng(5)
    d = pd.DataFrame({"g": np.repeat(list("abcdefgh"), 12), "y": rng.normal(0, 1, 96)})
    f = fit_random_intercept(d, "y ~ 1", "g", optimizers=CROSS_CHECK)
    assert f.reml >= f.candidates["reml"].max() - 1e-9
    assert f.share < 0.1 and f.share != 0.5


def test_all_optimisers_failing_is_an_error():
    d = pd.DataFrame({"g": list("ab"), "y": [1.0, 2.0]})
    with pytest.raises(ValueError, match="need more rows"):
        fit_random_intercept(d, "y ~ C(g)", "g", optimizers=("profile",))
    d = pd.DataFrame({"g": list("aabb"), "y": [1.0, 1.0, 2.0, 2.0]})  # exact fit: sigma² = 0
    with pytest.raises(ValueError, match="every optimiser failed"):
        fit_random_intercept(d, "y ~ C(g)", "g", optimizers=("profile",))


def test_design_from_categories_equals_patsy_on_the_text(wave07):
    """The text columns go to patsy as categoricals (fast); the design is patsy's own on the
    text columns: the same columns, in the same order, with the same values."""
    from patsy import dmatrices

    from benchlib.stats.mixed import _design

    d = wave07.dropna(subset=["total", "company", "scenario", "channel", "evaluator"])
    formula = "total ~ C(company, Treatment('voltera')) + C(scenario) + C(channel)"
    ours = _design(d, formula, "evaluator")
    y, X = dmatrices(formula, d, return_type="dataframe", NA_action="raise")
    assert ours.names == list(X.columns) and len(ours.names) == 8
    assert np.array_equal(ours.X, X.to_numpy(float)) and np.array_equal(ours.y, y["total"])
    # the per-evaluator sums the criterion reuses at every θ
    by_group = X.groupby(d["evaluator"].to_numpy(), sort=True).sum().to_numpy()
    np.testing.assert_allclose(ours.sX, by_group, rtol=1e-12)
    assert ours.levels == sorted(d["evaluator"].unique())
