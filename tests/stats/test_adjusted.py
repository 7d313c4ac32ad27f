"""mix_adjusted (OLS + HC3 + emmeans) and leniency_adjusted (LMM) against R 4.2.2.

Reference: tests/reference/adjusted.R (lm + sandwich::vcovHC(type = "HC3") + emmeans 1.8;
lme4::lmer REML). Wave 2026-07 of tests/reference/contacts.csv.
"""

import numpy as np
import pytest
import statsmodels.formula.api as smf

from benchlib.stats.adjusted import leniency_adjusted, mix_adjusted
from benchlib.stats.mixed import CROSS_CHECK, OPTIMIZERS

TOL = 1e-6


@pytest.fixture(scope="module")
def mix(wave07):
    return mix_adjusted(wave07)


def test_emm_matches_emmeans(mix):
    e = mix.emm.set_index("company")
    # R: emmeans(m, "company", vcov. = vcovHC(m, type = "HC3")) -> voltera 71.034425957056, SE 2.25565976694154
    assert e.loc["voltera", "emm"] == pytest.approx(71.034425957056, abs=TOL)
    assert e.loc["voltera", "se"] == pytest.approx(2.25565976694154, abs=TOL)
    assert e.loc["voltera", "ci_low"] == pytest.approx(66.5295623280624, abs=TOL)  # lower.CL
    assert e.loc["blitzmarkt", "emm"] == pytest.approx(78.5001625809549, abs=TOL)
    assert e.loc["kabelhaus", "se"] == pytest.approx(2.00535648694933, abs=TOL)
    assert (e["df"] == 65).all()  # R: df 65


def test_contrasts_match_emmeans(mix):
    c = mix.contrasts.set_index("competitor")
    # R: contrast(emm, "trt.vs.ctrl", ref = 1), negated -> shop - blitzmarkt -7.46573662389888, SE 3.64450849835997
    assert c.loc["blitzmarkt", "estimate"] == pytest.approx(-7.46573662389888, abs=TOL)
    assert c.loc["blitzmarkt", "se"] == pytest.approx(3.64450849835997, abs=TOL)
    assert c.loc["blitzmarkt", "t"] == pytest.approx(-2.0484892893674, abs=TOL)
    assert c.loc["blitzmarkt", "p"] == pytest.approx(0.0445545836233914, abs=TOL)
    assert c.loc["blitzmarkt", "ci_low"] == pytest.approx(-14.7443227034304, abs=TOL)
    # R: adjust = "holm" -> 0.133663750870174 / 0.655969590360991
    assert c.loc["blitzmarkt", "p_holm"] == pytest.approx(0.133663750870174, abs=TOL)
    assert c.loc["amperio", "p_holm"] == pytest.approx(0.655969590360991, abs=TOL)
    assert c.loc["kabelhaus", "estimate"] == pytest.approx(1.46929786275302, abs=TOL)


def test_contrast_equals_coefficient_in_additive_model(mix, wave07):
    # in an additive model the equal-weight EMM contrast is the company coefficient
    fit = smf.ols("total ~ C(company, Treatment('voltera')) + C(scenario) + C(channel)",
                  data=wave07).fit(cov_type="HC3", use_t=True)
    b = fit.params["C(company, Treatment('voltera'))[T.amperio]"]
    assert mix.contrasts.set_index("competitor").loc["amperio", "estimate"] == pytest.approx(-b)


def test_single_level_covariate_dropped(wave07):
    r = mix_adjusted(wave07[wave07.channel == "call"])
    assert r.covariates == ("scenario",)


@pytest.fixture(scope="module")
def lmm(wave07):
    return leniency_adjusted(wave07)


def test_lmm_matches_lmer(lmm):
    c = lmm.contrasts.set_index("competitor")
    # R: lmer(total ~ company + scenario + channel + (1|evaluator), REML = TRUE)
    #    -fixef(mm)["companyamperio"] -> 5.51126691605594; sqrt(diag(vcov(mm))) -> 2.86570656803144
    # Tolerance 1e-4: two different optimisers (our bounded Brent on the profiled REML, lme4
    # bobyqa with rhoend = 1e-10) stop at slightly different points of the same REML surface.
    assert c.loc["amperio", "estimate"] == pytest.approx(5.51126691605594, abs=1e-4)
    assert c.loc["amperio", "se"] == pytest.approx(2.86570656803144, abs=1e-4)
    assert c.loc["blitzmarkt", "estimate"] == pytest.approx(-6.58326486744765, abs=1e-4)
    assert c.loc["kabelhaus", "se"] == pytest.approx(2.96914069038184, abs=1e-4)
    # R: as.data.frame(VarCorr(mm))$vcov -> 21.6459157349103, 68.8696582169844
    assert lmm.evaluator_var == pytest.approx(21.6459157349103, rel=1e-5)
    assert lmm.residual_var == pytest.approx(68.8696582169844, rel=1e-5)
    assert lmm.icc == pytest.approx(21.6459157349103 / (21.6459157349103 + 68.8696582169844),
                                    rel=1e-5)
    # R: ranef(mm)$evaluator["E01", 1] -> -5.23817245506374
    b = lmm.blups.set_index("evaluator")["blup"]
    assert b["E01"] == pytest.approx(-5.23817245506374, abs=1e-4)


def test_lmm_conditional_se_differs_from_statsmodels_bse(lmm, wave07):
    # statsmodels bse_fe (joint Hessian) is ~2 % larger here; we report lme4's conditional SE
    name = "C(company, Treatment('voltera'))[T.amperio]"
    d = wave07.dropna(subset=["total"])
    sm = smf.mixedlm("total ~ C(company, Treatment('voltera')) + C(scenario) + C(channel)",
                     d, groups=d["evaluator"]).fit(reml=True, method="bfgs", gtol=1e-10)
    se = lmm.contrasts.set_index("competitor").loc["amperio", "se"]
    assert sm.bse_fe[name] > se
    assert sm.bse_fe[name] == pytest.approx(se, rel=0.05)
    # the exact profiled REML equals statsmodels' REML log-likelihood at its optimum
    assert lmm.reml == pytest.approx(sm.llf, abs=1e-6)
    assert lmm.converged and not lmm.boundary


def test_lmm_z_reference(lmm):
    c = lmm.contrasts.iloc[0]
    assert c["ci_high"] - c["estimate"] == pytest.approx(1.959963984540054 * c["se"])
    assert np.isfinite(c["p_holm"])


def test_evaluator_keyword_and_the_statsmodels_cross_check(wave07, lmm):
    """The default runs the exact search alone; with statsmodels' optimisers beside it (and
    the evaluator column under another name) the fit is the same: the exact search wins."""
    assert list(lmm.fit.candidates["optimizer"]) == ["profile"] == list(OPTIMIZERS)
    r = leniency_adjusted(wave07.rename(columns={"evaluator": "shopper"}), evaluator="shopper",
                          optimizers=CROSS_CHECK)
    assert list(r.fit.candidates["optimizer"]) == list(CROSS_CHECK)
    assert r.optimizer == "profile" and r.reml == lmm.reml
    assert r.evaluator_var == pytest.approx(lmm.evaluator_var, rel=1e-12)
    assert "shopper" in r.blups.columns
