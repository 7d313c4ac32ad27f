"""training_effect / event_study against R 4.2.2 (tests/reference/did.R: lm + sandwich HC3 +
lmtest::coeftest / coefci)."""

import numpy as np
import pandas as pd
import pytest

from benchlib.stats.did import event_study, training_effect, training_effect_by_dimension

TOL = 1e-6


@pytest.fixture(scope="module")
def did(contacts):
    return training_effect(contacts, before="2026-04", after="2026-07")


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
    r = training_effect_by_dimension(contacts, "2026-04", "2026-07").set_index("dimension")
    assert list(r.index) == ["total", "needs", "closing"]
    # R: m2 <- lm(dim_closing ~ shop * after + scenario + channel, two) -> 17.6717282125562, HC3 SE 8.56843975684791
    assert r.loc["closing", "estimate"] == pytest.approx(17.6717282125562, abs=TOL)
    assert r.loc["closing", "se"] == pytest.approx(8.56843975684791, abs=TOL)
    assert r.loc["total", "estimate"] == pytest.approx(-4.85259265775858, abs=TOL)


def test_event_study_matches_r(contacts):
    r = event_study(contacts, reference_wave="2026-04").set_index("wave")
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
