"""benchlib.stats.survival against R (tests/reference/surv_km.R, R 4.2.2, survival 3.x)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.survfunc import SurvfuncRight

from benchlib.stats.survival import (
    km_curves,
    logrank_shop_vs_competitors,
    r_quantile,
    response_summary,
)

REF = Path(__file__).parents[1] / "reference"
TOL = 1e-6


@pytest.fixture(scope="module")
def mail() -> pd.DataFrame:
    return pd.read_csv(REF / "surv_mail.csv")


@pytest.mark.parametrize("conf_type", ["log", "log-log"])
def test_km_matches_r(mail: pd.DataFrame, conf_type: str) -> None:
    # R: summary(survfit(Surv(response_h, event) ~ 1, conf.type = conf_type)) per company
    r = pd.read_csv(REF / "surv_km_r.csv")
    r = r[r["conf_type"] == conf_type]
    py = km_curves(mail, conf_type=conf_type)
    py = py[py["time"] > 0]
    m = py.merge(r, on=["company", "time"], suffixes=("", "_r"), how="outer", indicator=True)
    assert (m["_merge"] == "both").all() and len(m) == len(r)
    assert (m["at_risk"] == m["at_risk_r"]).all() and (m["events"] == m["events_r"]).all()
    for col in ("surv", "ci_low", "ci_high"):
        np.testing.assert_allclose(m[col], m[f"{col}_r"], atol=TOL, equal_nan=True)


def test_km_curve_starts_at_one(mail: pd.DataFrame) -> None:
    py = km_curves(mail)
    first = py.groupby("company").head(1)
    assert (first["time"] == 0).all() and (first["surv"] == 1).all()
    assert (first["at_risk"] == mail.groupby("company").size().sort_index().to_numpy()).all()


def test_calls_are_dropped() -> None:
    d = pd.DataFrame({"company": "a", "response_h": [1.0, 2, np.nan],
                      "mail_answered": pd.array([True, True, pd.NA], dtype="boolean")})
    assert km_curves(d)["at_risk"].iloc[0] == 2


def test_response_summary_matches_r(mail: pd.DataFrame) -> None:
    # R: quantile(survfit(...), probs = 0.5) (median + CI, log bands);
    #    1 - summary(fit, times = c(4, 24), extend = FALSE)$surv / $upper / $lower
    r = pd.read_csv(REF / "surv_summary_r.csv")
    py = response_summary(mail)
    m = py.merge(r, on="company", suffixes=("", "_r"))
    assert len(m) == len(r) == 5
    assert (m["n"] == m["n_r"]).all() and (m["answered"] == m["answered_r"]).all()
    cols = ["median_h", "median_ci_low", "median_ci_high", "share_4h", "share_4h_ci_low",
            "share_4h_ci_high"]
    for col in cols:
        np.testing.assert_allclose(m[col], m[f"{col}_r"], atol=TOL, equal_nan=True)
    # 24 h: R drops times beyond follow-up; we agree except where every mail was answered
    all_answered = m["n"] == m["answered"]
    for col in ("share_24h", "share_24h_ci_low", "share_24h_ci_high"):
        np.testing.assert_allclose(m.loc[~all_answered, col], m.loc[~all_answered, f"{col}_r"],
                                   atol=TOL, equal_nan=True)
    done = m[all_answered & m["share_24h_r"].isna()]
    assert len(done) == 2 and (done["share_24h"] == 1).all()
    assert done["share_24h_ci_low"].isna().all()


def test_median_flat_stretch_r_rule(mail: pd.DataFrame) -> None:
    # comp_flat: S = 0.5 exactly (up to rounding) on [5, 8):
    # R: quantile(survfit(Surv(t, e) ~ 1), 0.5)$quantile -> 6.5 (midpoint of 5 and 8)
    r = response_summary(mail).set_index("company")
    assert r.loc["comp_flat", "median_h"] == 6.5
    # statsmodels' own rule (first time with S < 0.5) gives 8: documented difference
    g = mail[mail["company"] == "comp_flat"]
    sm = SurvfuncRight(g["response_h"].to_numpy(), g["mail_answered"].astype(int).to_numpy())
    assert sm.quantile(0.5) == 8


def test_r_quantile_flat_to_end() -> None:
    # S stays exactly 0.5 until the last (censored) follow-up at 10 -> (2 + 10) / 2
    assert r_quantile(np.array([1.0, 2.0]), np.array([0.75, 0.5]), 10.0) == 6.0


def test_logrank_matches_r(mail: pd.DataFrame) -> None:
    # R: survdiff(Surv(response_h, event) ~ is_shop); p.adjust(p[pairs], "holm")
    r = pd.read_csv(REF / "surv_logrank_r.csv")
    py = logrank_shop_vs_competitors(mail)
    m = py.merge(r, on="competitor", suffixes=("", "_r"))
    assert len(m) == 5 and m["tested"].all()
    for col in ("chisq", "p", "p_holm"):
        np.testing.assert_allclose(m[col], m[f"{col}_r"], rtol=1e-6, atol=1e-12)


def test_logrank_small_group_untested(mail: pd.DataFrame) -> None:
    py = logrank_shop_vs_competitors(mail, min_n=11).set_index("competitor")
    assert not py.loc["comp_c", "tested"] and np.isnan(py.loc["comp_c", "p_holm"])
    assert py.loc["comp_a", "tested"]
