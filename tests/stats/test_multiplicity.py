"""The multiplicity policy: primary first, Holm per secondary family, BH for items."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from benchlib.stats.multiplicity import (
    DEFAULT_PRIMARY,
    PrimaryEndpoint,
    apply_policy,
    bh,
    primary_endpoint,
)


def table(p_primary: float) -> pd.DataFrame:
    return pd.DataFrame({
        "family": ["primary", "competitors", "competitors", "competitors", "dims", "dims",
                   "items", "items", "items"],
        "tier": ["primary"] + ["secondary"] * 5 + ["exploratory"] * 3,
        "p": [p_primary, 0.01, 0.03, np.nan, 0.02, 0.2, 0.001, 0.04, 0.5]})


def test_bh_matches_p_adjust():
    p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]
    # R 4.2.2: p.adjust(p, "BH") -> 0.01 0.04 0.084 0.084 0.084 0.1 0.105714285714286 0.216 0.216 0.216
    assert bh(p) == pytest.approx([0.01, 0.04, 0.084, 0.084, 0.084, 0.1, 0.105714285714286,
                                   0.216, 0.216, 0.216], abs=1e-12)
    assert bh(p) == pytest.approx(multipletests(p, method="fdr_bh")[1], abs=1e-12)
    assert len(bh([])) == 0


def test_policy_adjusts_per_family_and_gates():
    r = apply_policy(table(0.01))
    assert r["adjustment"].tolist() == ["none"] + ["holm"] * 5 + ["bh"] * 3
    comp = r[r.family == "competitors"]
    assert comp["p_adj"].iloc[:2].tolist() == pytest.approx([0.02, 0.03])  # Holm over 2 tested
    assert np.isnan(comp["p_adj"].iloc[2]) and not comp["claim"].iloc[2]
    dims = r[r.family == "dims"]["p_adj"].tolist()
    assert dims == pytest.approx([0.04, 0.2])
    items = r[r.family == "items"]
    assert items["p_adj"].tolist() == pytest.approx(bh([0.001, 0.04, 0.5]).tolist())
    assert (items["label"] == "exploratory").all()
    assert r["claim"].tolist() == [True, True, True, False, True, False, True, False, False]
    closed = apply_policy(table(0.2))  # primary not significant: no secondary claim
    assert not closed["gate_open"].any()
    assert not closed.loc[closed.tier != "exploratory", "claim"].any()
    assert closed.loc[closed.tier == "exploratory", "claim"].tolist() == [True, False, False]
    assert apply_policy(table(0.2), gatekeeping=False)["claim"].iloc[1]


def test_policy_errors():
    t = table(0.01)
    with pytest.raises(ValueError, match="exactly one primary"):
        apply_policy(t.assign(tier="secondary"))
    with pytest.raises(ValueError, match="unknown tier"):
        apply_policy(t.assign(tier="main"))
    with pytest.raises(ValueError, match="p-value"):
        apply_policy(t.assign(p=1.5))


def test_primary_endpoint_from_config():
    assert primary_endpoint(None) == DEFAULT_PRIMARY == PrimaryEndpoint("shop_vs_market", "total")

    class Settings:
        primary_endpoint = {"comparison": "training_effect", "dv": "dim_closing"}

    class Cfg:
        settings = Settings()

    assert primary_endpoint(Cfg()) == PrimaryEndpoint("training_effect", "dim_closing")
    assert primary_endpoint({"primary_endpoint": "change_vs_previous"}).dv == "total"

    class Empty:
        settings = None

    assert primary_endpoint(Empty()) == DEFAULT_PRIMARY
    with pytest.raises(ValueError, match="comparison"):
        primary_endpoint({"primary_endpoint": "best_of_all"})
    with pytest.raises(ValueError, match="unknown key"):
        primary_endpoint({"primary_endpoint": {"comparision": "shop_vs_market"}})


def test_adjustments_reject_invalid_and_skip_nan_like_r():
    from benchlib.stats._common import holm

    with pytest.raises(ValueError, match="p-values"):
        holm([0.2, 1.3])
    with pytest.raises(ValueError, match="p-values"):
        bh([-0.01])
    # R 4.2.2: p.adjust(c(0.01, NA, 0.03), "holm") -> 0.02 NA 0.03; "BH" -> 0.02 NA 0.03
    assert holm([0.01, np.nan, 0.03]).tolist()[::2] == pytest.approx([0.02, 0.03])
    assert np.isnan(holm([0.01, np.nan, 0.03])[1])
    assert bh([0.01, np.nan, 0.03]).tolist()[::2] == pytest.approx([0.02, 0.03])
