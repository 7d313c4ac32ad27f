"""training_effect / event_study against R 4.2.2 (tests/reference/did.R: lm + sandwich HC3 +
lmtest::coeftest / coefci; clubSandwich CR2; glm fractional logit + vcovHC HC0)."""

import numpy as np
import pandas as pd
import pytest

from benchlib.stats.did import event_study, training_effect, training_effect_by_dimension

TOL = 1e-6


@pytest.fixture(scope="module")
def did(contacts):
    return training_effect(contacts, before="2026-04", after="2026-07", fixed_effects=False)


@pytest.fixture(scope="module")
def did_fe(contacts):
    return training_effect(contacts, before="2026-04", after="2026-07", covariates_by_wave=False)


def test_default_did_has_covariates_by_wave(contacts):
    r = training_effect(contacts, "2026-04", "2026-07")
    # R: lm(total ~ company + after + scenario + channel + scenario:after + channel:after + shop:after); HC3
    assert r.covariates_by_wave and r.fixed_effects
    assert r.estimate == pytest.approx(-6.06263994052098, abs=TOL)
    assert r.se == pytest.approx(3.92044954189725, abs=TOL)
    assert r.p == pytest.approx(0.124903045303071, abs=TOL)
    assert r.df == 109


def test_two_way_fe_did_matches_r(did_fe):
    # R: mf <- lm(total ~ company + after + shop:after + scenario + channel, two); HC3
    assert did_fe.fixed_effects and did_fe.vcov == "HC3"
    assert did_fe.estimate == pytest.approx(-5.49760419837139, abs=TOL)
    assert did_fe.se == pytest.approx(3.82645339206863, abs=TOL)
    assert did_fe.p == pytest.approx(0.153555944691152, abs=TOL)
    assert did_fe.df == 113  # R: mf$df.residual
    assert did_fe.ci_low == pytest.approx(-13.0784985049534, abs=TOL)


def test_fe_did_cr2_matches_clubsandwich(contacts):
    r = training_effect(contacts, "2026-04", "2026-07", vcov="CR2")
    # R: coef_test(mb, "CR2", cluster = two$evaluator, test = "Satterthwaite")["after:shop", ]
    assert r.se == pytest.approx(3.77788013582879, abs=TOL)
    assert r.df == pytest.approx(4.46226254377872, abs=TOL)
    assert r.p == pytest.approx(0.176421098363018, abs=TOL)
    with pytest.raises(ValueError, match="vcov"):
        training_effect(contacts, "2026-04", "2026-07", vcov="HC1")


def test_did_weights(did_fe, contacts):
    w = did_fe.weights.set_index("company")
    assert w.loc["voltera", "weight"] == pytest.approx(1.0)
    assert w.drop("voltera")["weight"].sum() == pytest.approx(-1.0)
    assert (w.drop("voltera")["weight"] < 0).all()
    # without covariates: competitor weight = precision h_c / sum(h), h = (1/n_b + 1/n_a)^-1
    r = training_effect(contacts, "2026-04", "2026-07", covariates=())
    assert not r.covariates_by_wave
    w = r.weights.set_index("company").drop("voltera")
    h = 1 / (1 / w["n_before"] + 1 / w["n_after"])
    assert (-w["weight"]).to_numpy() == pytest.approx((h / h.sum()).to_numpy(), abs=1e-12)
    assert {"n_before", "n_after"} <= set(w.columns)


def test_fe_event_study_pretrend_and_logit_match_r(contacts):
    from benchlib.stats.attribution import training_effect_logit
    from benchlib.stats.did import pretrend_test

    r = event_study(contacts, reference_wave="2026-04", after="2026-07").set_index("wave")
    # R: lm(total ~ wave + company + ev01 + ev07 + scenario + channel), HC3
    assert r.loc["2026-01", "estimate"] == pytest.approx(-5.5976762415744, abs=TOL)
    assert r.loc["2026-01", "se"] == pytest.approx(4.34973987752417, abs=TOL)
    assert r.loc["2026-07", "estimate"] == pytest.approx(-4.40357795849451, abs=TOL)
    assert r.loc["2026-07", "p"] == pytest.approx(0.261189380196167, abs=TOL)
    assert r["period"].tolist() == ["lead", "reference", "lag"]
    pt = pretrend_test(contacts, "2026-04", "2026-07")
    # R: b^2 / Vfe["ev01", "ev01"] -> 1.65610923911624; pf(F, 1, df) -> 0.199809925575803
    assert pt["tested"] and pt["leads"] == ("2026-01",)
    assert pt["F"] == pytest.approx(1.65610923911624, abs=TOL)
    assert pt["p"] == pytest.approx(0.199809925575803, abs=TOL)
    assert not pretrend_test(contacts, "2026-01", "2026-04")["tested"]
    lg = training_effect_logit(contacts, "2026-04", "2026-07")
    # R: glm(share ~ company + after + ... + scenario:after + channel:after + shop:after,
    #        binomial); vcovHC(g, "HC0")
    assert lg["estimate"] == pytest.approx(-0.293915263439301, abs=1e-6)
    assert lg["se"] == pytest.approx(0.17455521002985, abs=1e-6)


def test_did_matches_r(did):
    # R: m <- lm(total ~ shop * after + scenario + channel, two); coeftest(m, vcovHC(m, "HC3"))
    assert did.estimate == pytest.approx(-4.85259265775858, abs=TOL)
    assert did.se == pytest.approx(3.75616481837003, abs=TOL)
    assert did.t == pytest.approx(-1.2919008862514, abs=TOL)
    assert did.p == pytest.approx(0.198981723727237, abs=TOL)
    assert did.df == 115  # R: m$df.residual
    # R: coefci(m, vcov. = V)["shop:after", ] -> -12.2928322556151 2.58764694009798
    assert did.ci_low == pytest.approx(-12.2928322556151, abs=TOL)
    assert did.ci_high == pytest.approx(2.58764694009798, abs=TOL)


def test_naive_and_market(did, contacts):
    # R: t.test(shop after, shop before) -> diff 0.547017543859653, p 0.875502761223927
    assert did.naive_change == pytest.approx(0.547017543859653, abs=TOL)
    assert did.naive_p == pytest.approx(0.875502761223927, abs=TOL)
    assert did.naive_ci_low == pytest.approx(-6.51760009300369, abs=TOL)
    d = contacts.dropna(subset=["total"])
    comp = d[d.role == "competitor"]
    m = (comp.loc[comp.wave == "2026-07", "total"].mean()
         - comp.loc[comp.wave == "2026-04", "total"].mean())
    assert did.market_change == pytest.approx(m)
    assert (did.n_shop_before, did.n_shop_after) == (15, 19)
    assert did.tested and did.covariates == ("scenario", "channel")


def test_by_dimension(contacts):
    r = training_effect_by_dimension(contacts, "2026-04", "2026-07",
                                     fixed_effects=False).set_index("dimension")
    assert list(r.index) == ["total", "needs", "closing"]
    # R: m2 <- lm(dim_closing ~ shop * after + scenario + channel, two) -> 17.6717282125562, HC3 SE 8.56843975684791
    assert r.loc["closing", "estimate"] == pytest.approx(17.6717282125562, abs=TOL)
    assert r.loc["closing", "se"] == pytest.approx(8.56843975684791, abs=TOL)
    assert r.loc["total", "estimate"] == pytest.approx(-4.85259265775858, abs=TOL)
    fe = training_effect_by_dimension(contacts, "2026-04", "2026-07",
                                      covariates_by_wave=False).set_index("dimension")
    # R: lm(dim_closing ~ company + after + shop:after + scenario + channel) -> 18.0029120082165, HC3 SE 8.806866569449
    assert fe.loc["closing", "estimate"] == pytest.approx(18.0029120082165, abs=TOL)
    assert fe.loc["closing", "se"] == pytest.approx(8.806866569449, abs=TOL)
    # the dimensions are one Holm family; the total is not in it
    assert np.isnan(fe.loc["total", "p_holm"])
    p = fe.loc[["needs", "closing"], "p"].to_numpy()
    assert fe.loc[["needs", "closing"], "p_holm"].to_numpy() == pytest.approx(
        np.minimum(1, np.maximum.accumulate(np.sort(p) * [2, 1]))[np.argsort(np.argsort(p))])


def test_event_study_matches_r(contacts):
    r = event_study(contacts, reference_wave="2026-04", fixed_effects=False).set_index("wave")
    # R: lm(total ~ wave + shop + shop:wave + scenario + channel), wave ref "2026-04", HC3
    assert r.loc["2026-01", "estimate"] == pytest.approx(-5.21662442858566, abs=TOL)
    assert r.loc["2026-01", "se"] == pytest.approx(4.18145199741222, abs=TOL)
    assert r.loc["2026-07", "p"] == pytest.approx(0.291526308963095, abs=TOL)
    assert r.loc["2026-04", "estimate"] == 0 and np.isnan(r.loc["2026-04", "se"])
    assert r.loc["2026-04", "reference"]


def test_withheld_when_cell_small(contacts):
    # kabelhaus alone as control: 5 scored contacts in 2026-04 < min_n
    d = contacts[contacts.company.isin(["voltera", "kabelhaus"])]
    r = training_effect(d, "2026-04", "2026-07")
    assert not r.tested and np.isnan(r.p) and np.isfinite(r.estimate)


def test_errors(contacts):
    with pytest.raises(ValueError, match="not found"):
        training_effect(contacts, "2026-04", "2099-01")
    only_shop = contacts[contacts.role == "shop"]
    with pytest.raises(ValueError, match="competitor"):
        training_effect(only_shop, "2026-04", "2026-07")
    with pytest.raises(ValueError, match="reference_wave"):
        event_study(contacts, reference_wave="1999-01")
    assert isinstance(training_effect(contacts, "2026-04", "2026-07").to_dict(), dict)
    assert isinstance(pd.DataFrame([training_effect(contacts, "2026-04", "2026-07").to_dict()]),
                      pd.DataFrame)


def _patsy_formula(dv, covariates, by_wave, fixed_effects):
    """The DiD model in formula notation, as the library fitted it with patsy before
    :func:`did_design` (the reference the design is checked against)."""
    rhs = "".join(f" + C({c})" for c in covariates)
    if fixed_effects:
        rhs += "".join(f" + C({c}):post" for c in covariates) if by_wave else ""
        return f"{dv} ~ C(company) + post + treated:post{rhs}"
    return f"{dv} ~ treated * post{rhs}"


@pytest.mark.parametrize("seed", range(12))
def test_did_design_is_patsys_design_to_the_bit(seed):
    """did_design gives patsy's columns, names, order and values for every DiD model shape
    (two-way FE with and without covariates by wave, pooled), on unbalanced random panels,
    one with a categorical column that has an unused level (patsy keeps it as a column); the
    OLS fit on it is the formula fit, bit for bit."""
    import patsy
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    from benchlib.stats.did import did_design

    rng = np.random.default_rng(seed)
    n = int(rng.integers(30, 120))
    d = pd.DataFrame({"company": rng.choice(["shop", "b", "a", "zz"], n),
                      "post": rng.integers(0, 2, n).astype(float),
                      "scenario": rng.choice(["s10", "s2", "S3"], n),
                      "channel": rng.choice(["call", "mail"], n),
                      "total": rng.gamma(9, 8, n).clip(0, 100)})
    if seed % 3 == 0:
        d["channel"] = pd.Categorical(d["channel"], categories=["mail", "chat", "call"])
    d["treated"] = (d["company"] == "shop").astype(float)
    for fe, by_wave, cov in [(True, True, ["scenario", "channel"]), (True, False, ["scenario"]),
                             (False, False, ["channel", "scenario"]), (True, False, [])]:
        formula = _patsy_formula("total", cov, by_wave, fe)
        _, ref = patsy.dmatrices(formula, d, return_type="dataframe")
        y, X = did_design(d, "total", cov, by_wave, "company", fe)
        assert list(X.columns) == list(ref.columns), formula
        assert np.array_equal(X.to_numpy(), ref.to_numpy()), formula
        if np.linalg.matrix_rank(X.to_numpy()) == X.shape[1]:
            a = smf.ols(formula, data=d).fit(cov_type="HC3", use_t=True)
            b = sm.OLS(y, X).fit(cov_type="HC3", use_t=True)
            assert np.array_equal(a.params.to_numpy(), b.params.to_numpy()), formula
            assert np.array_equal(a.bse.to_numpy(), b.bse.to_numpy()), formula
