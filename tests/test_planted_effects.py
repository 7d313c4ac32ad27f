"""The statistics find what the example study planted (truth file), and nothing that is not."""

from __future__ import annotations

import numpy as np
import pytest

from benchlib import stats
from benchlib.stats._common import welch


@pytest.fixture(scope="module")
def scored(study):
    return study.contacts[study.contacts["scored"]]


def _training(truth, after):
    return next(t for t in truth["trainings"] if t["after"] == after)


def test_training_effect_recovered_net_of_market(scored, truth):
    tr = truth["effective_training"]
    te = stats.training_effect(scored, before=tr["before"], after=tr["after"])
    true_did = _training(truth, tr["after"])["total"]["did"]
    assert te.ci_low <= true_did <= te.ci_high
    assert te.ci_low > 0 and te.p < 0.05  # the training worked, net of the market


def test_training_effect_by_dimension_recovered(scored, truth):
    tr = truth["effective_training"]
    by = stats.training_effect_by_dimension(scored, before=tr["before"], after=tr["after"])
    by = by.set_index(by.columns[0])
    for dim in ("closing", "complaint"):
        row = by.loc[[i for i in by.index if dim in str(i)][0]]
        true_did = _training(truth, tr["after"])[f"dim_{dim}"]["did"]
        assert row["ci_low"] <= true_did <= row["ci_high"], dim
        assert row["ci_low"] > 0, dim


def test_market_shift_fools_the_naive_comparison_not_the_did(scored, truth):
    ms = truth["market_shift"]
    te = stats.training_effect(scored, before=ms["before"], after=ms["after"])
    t = _training(truth, ms["after"])["total"]
    # naive before/after: a significant drop that the truth attributes to the market
    assert te.naive_ci_high < 0 and te.naive_p < 0.05
    assert te.naive_ci_low <= t["naive_change_shop"] <= te.naive_ci_high
    # difference-in-differences: no effect, and the truth inside the CI
    assert te.ci_low <= t["did"] <= te.ci_high and te.ci_low < 0 < te.ci_high
    assert te.market_ci_high < 0  # the competitors dropped too


@pytest.mark.parametrize("after", ["2026-01", "2026-04", "2026-10"])
def test_ineffective_trainings_are_not_credited(scored, truth, after):
    t = _training(truth, after)
    te = stats.training_effect(scored, before=t["before"], after=after)
    assert te.ci_low <= t["total"]["did"] <= te.ci_high


def test_shop_starts_below_market(scored, truth):
    first = scored[scored["wave"] == "2025-07"]
    res = stats.shop_vs_competitors(first)
    assert (res["diff"] < 0).all()
    gap = truth["shop_gap_to_market"]["2025-07"]
    shop = first.loc[first["role"] == "shop", "total"].to_numpy()
    comp = first.loc[first["role"] == "competitor", "total"].to_numpy()
    w = welch(shop, comp)
    assert w["ci_low"] <= gap <= w["ci_high"] and w["ci_high"] < 0


def test_lenient_evaluator_recovered(scored, truth):
    lenient = truth["evaluator_leniency"]["evaluator"]
    true_gap = truth["evaluator_leniency"]["total_points_vs_others"]
    x = scored.loc[scored["evaluator"] == lenient, "total"].to_numpy()
    y = scored.loc[scored["evaluator"] != lenient, "total"].to_numpy()
    w = welch(x, y)
    assert w["ci_low"] <= true_gap <= w["ci_high"] and w["ci_low"] > 0
    mixed = stats.leniency_adjusted(scored)
    blups = mixed.blups.set_index("evaluator")["blup"]
    assert blups.idxmax() == lenient
    est = blups[lenient] - blups.drop(lenient).mean()
    assert abs(est - true_gap) < 2.0  # shrunken BLUP, within 2 points of the planted gap


def test_calibration_finds_the_lenient_evaluator(study, truth):
    lenient = truth["evaluator_leniency"]["evaluator"]
    len_tab = stats.evaluator_leniency(study.calibration)
    top = len_tab.sort_values("mean_dev", ascending=False).iloc[0]
    assert top["evaluator"] == lenient and top["ci_low"] > 0
    others = len_tab[len_tab["evaluator"] != lenient]
    assert (others["ci_low"] < 0).all()  # nobody else is flagged as lenient
    summary = stats.calibration_summary(study.calibration)
    assert 0 < summary.icc2_1 < 1 and np.isfinite(summary.alpha_interval)
