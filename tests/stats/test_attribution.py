"""attribution(): the verdict is 'consistent' only when every check passes; reasons as keys."""

import json

import numpy as np
import pandas as pd
import pytest

from benchlib.stats.attribution import (
    REASONS,
    attribution,
    placebo_competitors,
    regression_to_mean,
)

COMPANIES = ["shop", "b", "c", "d"]


def panel(effect: float = 10.0, jump: dict | None = None, dip: float = 0.0,
          waves=("w1", "w2", "w3", "w4"), after: str = "w4", n: int = 40,
          seed: int = 0) -> pd.DataFrame:
    """Scores per company and wave; the training is between w3 and w4 (``effect`` on shop)."""
    rng = np.random.default_rng(seed)
    rows = []
    for wi, w in enumerate(waves):
        for i, c in enumerate(COMPANIES):
            mu = 60 + 3 * i + 1.0 * wi + (effect if (c == "shop" and w >= after) else 0.0)
            mu += (jump or {}).get((c, w), 0.0) + (dip if (c == "shop" and w == "w3") else 0.0)
            rows.append(pd.DataFrame({
                "company": c, "role": "shop" if c == "shop" else "competitor", "wave": w,
                "scenario": rng.choice(["s1", "s2"], n), "channel": "call",
                "total": np.clip(rng.normal(mu, 8, n), 0, 100)}))
    return pd.concat(rows, ignore_index=True)


def test_clean_design_is_consistent():
    a = attribution(panel(), "w3", "w4")
    assert a.consistent and a.reasons == () and a.verdict == "consistent_with_training_effect"
    assert a.checks["check"].tolist() == ["did", "pretrend", "placebo_competitors",
                                          "placebo_time", "regression_to_mean", "logit_scale"]
    assert (a.checks["status"] == "pass").all()
    doc = json.loads(json.dumps(a.to_dict()))
    assert doc["verdict"] == "consistent_with_training_effect" and doc["reasons"] == []


def test_no_effect_is_not_attributed():
    a = attribution(panel(effect=0.0), "w3", "w4")
    assert not a.consistent and a.reasons[0] in ("did_not_significant", "did_negative")


def test_regression_to_the_mean_flag():
    d = panel(dip=-12.0)
    r = regression_to_mean(d, "w3")
    assert r["tested"] and r["flag"] and r["gap_before"] == min(r["gaps"].values())
    a = attribution(d, "w3", "w4")
    assert "regression_to_mean" in a.reasons and not a.consistent


def test_competitor_placebo_and_pretrend_fail():
    d = panel(jump={("c", "w4"): 14.0, ("shop", "w1"): -12.0})
    pc = placebo_competitors(d, "w3", "w4")
    assert pc.set_index("competitor").loc["c", "p_holm"] < 0.05
    a = attribution(d, "w3", "w4")
    assert {"placebo_competitor_failed", "pretrend_failed"} <= set(a.reasons)


def test_placebo_in_time_fails_on_an_earlier_shift():
    d = panel(jump={("shop", "w3"): 12.0, ("shop", "w4"): 12.0})  # shop rose before training
    a = attribution(d, "w3", "w4")
    assert "placebo_time_failed" in a.reasons


def test_without_earlier_waves_everything_untestable_is_a_reason():
    d = panel(waves=("w3", "w4"))
    a = attribution(d, "w3", "w4")
    assert not a.consistent
    assert {"no_pretraining_wave", "placebo_time_untestable",
            "regression_to_mean_untestable"} <= set(a.reasons)
    assert set(a.reasons) <= set(REASONS)
    st = a.checks.set_index("check")["status"]
    assert st["pretrend"] == st["placebo_time"] == st["regression_to_mean"] == "untestable"


@pytest.mark.parametrize("bad", ["x"])
def test_unknown_wave_is_an_error(bad):
    with pytest.raises(ValueError, match="not found"):
        attribution(panel(), "w3", bad)


def test_a_reported_did_is_judged_not_refitted():
    """``did=``: the DiD check judges the number a report states (adjusted p, claim), so the
    verdict cannot disagree with the report's DiD; the other checks are unchanged."""
    from benchlib.stats.did import training_effect

    d = panel()
    te = training_effect(d, "w3", "w4")
    free = attribution(d, "w3", "w4")
    same = attribution(d, "w3", "w4", did={"estimate": te.estimate, "p": te.p, "tested": True})
    pd.testing.assert_frame_equal(free.checks, same.checks)
    adjusted = attribution(d, "w3", "w4", did={"estimate": te.estimate, "p": 0.08,
                                                "tested": True})
    assert adjusted.reasons == ("did_not_significant",)
    assert adjusted.checks.loc[0, "p"] == 0.08 and adjusted.checks.loc[0, "estimate"] == \
        te.estimate
    gated = attribution(d, "w3", "w4", did={"estimate": te.estimate, "p": te.p,
                                             "tested": True, "claim": False})
    assert gated.reasons == ("did_gated",) and "did_gated" in REASONS
    untested = attribution(d, "w3", "w4", did={"estimate": 3.0, "p": None, "tested": False})
    assert untested.reasons == ("did_not_tested",)


def test_placebo_in_time_needs_a_training_free_pair():
    """A training before w3 too: the DiD w2 → w3 spans a real training, no placebo."""
    d = panel()
    a = attribution(d, "w3", "w4", trained_waves=["w3", "w4"])
    assert a.reasons == ("placebo_time_trained",) and not a.consistent
    row = a.checks.set_index("check").loc["placebo_time"]
    assert row["status"] == "untestable" and np.isnan(row["p"])
    assert attribution(d, "w3", "w4", trained_waves=["w4"]).consistent  # w2 → w3 was clean


def test_logit_did_shares_the_did_set_up():
    """training_effect_logit builds its rows and terms with did's helpers (_did_data,
    did_design): the same covariate × wave terms as the OLS DiD, numbers unchanged by those
    refactors (values measured on this panel before them; R reference in test_did.py)."""
    from benchlib.stats.attribution import training_effect_logit
    from benchlib.stats.did import DID_TERM, training_effect

    d = panel()
    te = training_effect(d, "w3", "w4")
    assert DID_TERM in te.model.model.exog_names
    assert "C(scenario)[T.s2]:post" in te.model.model.exog_names and te.covariates_by_wave
    lg = training_effect_logit(d, "w3", "w4")
    assert lg["estimate"] == pytest.approx(0.369312458438675, abs=1e-12)
    assert lg["se"] == pytest.approx(0.0931275097950759, abs=1e-12)
    assert te.estimate == pytest.approx(8.066850262024715, abs=1e-12)


def test_stats_attribution_is_the_function_however_its_module_was_imported():
    import importlib

    import benchlib.stats as stats

    importlib.import_module("benchlib.stats.attribution")
    assert callable(stats.attribution) and stats.attribution.__name__ == "attribution"
