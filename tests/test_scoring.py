"""Scoring rules of docs/methodology.md: every scale type, N/A vs missing, coverage, knockouts,
and invariants checked with hypothesis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchlib.config import Item
from benchlib.scoring import ANSWERED, MISSING, NOT_APPLICABLE, item_points, score_contacts


def _item(scale, direction="higher_is_better", weight=1.0, knockout=False, thresholds=(),
          iid="x", dim="d"):
    return Item(iid, dim, "", "", ("call",), ("s",), scale, direction, weight, knockout,
                thresholds)


@pytest.mark.parametrize(("scale", "direction", "values", "expected"), [
    ("yes_no", "higher_is_better", [1, 0], [1.0, 0.0]),
    ("yes_no", "lower_is_better", [1, 0], [0.0, 1.0]),          # "customer interrupted: ja"
    ("yes_partly_no", "higher_is_better", [1, 0.5, 0], [1.0, 0.5, 0.0]),
    ("likert5", "higher_is_better", [1, 2, 3, 4, 5], [0.0, 0.25, 0.5, 0.75, 1.0]),
    ("likert5", "lower_is_better", [1, 5], [1.0, 0.0]),
    ("grade6", "lower_is_better", [1, 2, 3, 4, 5, 6], [1.0, 0.8, 0.6, 0.4, 0.2, 0.0]),
    ("scale10", "higher_is_better", [0, 7.5, 10], [0.0, 0.75, 1.0]),
])
def test_points_per_scale(scale, direction, values, expected):
    got = item_points(_item(scale, direction), np.array(values, dtype=float))
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_time_thresholds_are_inclusive():
    wait = _item("seconds", "lower_is_better", thresholds=((20, 1.0), (60, 0.5)))
    got = item_points(wait, np.array([0, 19.9, 20, 20.01, 60, 60.5, 600]))
    np.testing.assert_allclose(got, [1, 1, 1, 0.5, 0.5, 0, 0])
    mail = _item("hours", "lower_is_better", thresholds=((4, 1), (24, 0.67), (48, 0.33)))
    got = item_points(mail, np.array([4, 4.1, 24, 48, 48.1, np.inf]))
    np.testing.assert_allclose(got, [1, 0.67, 0.67, 0.33, 0, 0])


def _score(items, values, status, min_coverage=0.8):
    n = len(values[items[0].id])
    meta = pd.DataFrame({"wave": ["w"] * n, "channel": ["call"] * n, "scenario": ["s"] * n})
    v = pd.DataFrame(values, dtype=float)
    s = pd.DataFrame(status).astype("int8")
    dims = sorted({i.dimension for i in items})
    return score_contacts(v, s, meta, items, dims, min_coverage)[0]


def test_na_leaves_numerator_and_denominator_missing_does_not():
    items = [_item("yes_no", iid="a"), _item("yes_no", iid="b"), _item("likert5", iid="c")]
    sc = _score(items, {"a": [1, 1], "b": [np.nan, np.nan], "c": [5, 5]},
                {"a": [ANSWERED] * 2, "b": [NOT_APPLICABLE, MISSING], "c": [ANSWERED] * 2},
                min_coverage=0.6)
    assert sc["total"].tolist() == [100.0, 100.0]
    assert sc["coverage"].round(4).tolist() == [1.0, 0.6667]


def test_coverage_threshold_exactly_080_passes():
    items = [_item("yes_no", iid=f"i{k}") for k in range(5)]
    vals = {f"i{k}": [1.0] for k in range(5)}
    status = {f"i{k}": [ANSWERED] for k in range(4)} | {"i4": [MISSING]}
    sc = _score(items, vals, status)
    assert sc["coverage"].iloc[0] == pytest.approx(0.8) and bool(sc["scored"].iloc[0])
    status = {f"i{k}": [ANSWERED] for k in range(3)} | {"i3": [MISSING], "i4": [MISSING]}
    sc = _score(items, vals, status)
    assert not sc["scored"].iloc[0] and np.isnan(sc["total"].iloc[0])


def test_knockout_sets_total_to_zero_but_keeps_dimensions():
    items = [_item("yes_no", knockout=True, iid="reach", dim="reachability"),
             _item("likert5", iid="polite", dim="greeting")]
    sc = _score(items, {"reach": [0, 1], "polite": [5, 5]},
                {"reach": [ANSWERED] * 2, "polite": [ANSWERED] * 2})
    assert sc["total"].tolist() == [0.0, 100.0]
    assert sc["knockout"].tolist() == [True, False]
    assert sc["knockout_items"].tolist() == ["reach", ""]
    assert sc["dim_greeting"].tolist() == [100.0, 100.0]


def test_knockout_applies_before_coverage():
    items = [_item("yes_no", knockout=True, iid="reach")] + [_item("yes_no", iid=f"i{k}")
                                                             for k in range(5)]
    vals = {"reach": [0.0]} | {f"i{k}": [np.nan] for k in range(5)}
    status = {"reach": [ANSWERED]} | {f"i{k}": [MISSING] for k in range(5)}
    sc = _score(items, vals, status)
    assert sc["scored"].iloc[0] and sc["total"].iloc[0] == 0.0


def test_weighted_total_and_dimension_scores():
    items = [_item("yes_no", weight=3, iid="a", dim="d1"), _item("likert5", weight=1, iid="b",
                                                                   dim="d2")]
    sc = _score(items, {"a": [1.0], "b": [2.0]}, {"a": [ANSWERED], "b": [ANSWERED]})
    assert sc["total"].iloc[0] == pytest.approx(100 * (3 * 1 + 1 * 0.25) / 4)
    assert sc["dim_d1"].iloc[0] == 100.0 and sc["dim_d2"].iloc[0] == 25.0


def test_out_of_scope_items_are_ignored():
    items = [_item("yes_no", iid="a"),
             Item("m", "d", "", "", ("mail",), ("s",), "yes_no")]  # mail-only item
    sc = _score(items, {"a": [1.0], "m": [np.nan]}, {"a": [ANSWERED], "m": [MISSING]})
    assert sc["coverage"].iloc[0] == 1.0 and sc["total"].iloc[0] == 100.0


# ----------------------------------------------------------------------------- properties
SCALES = ["yes_no", "yes_partly_no", "likert5", "grade6", "scale10"]
LEGAL = {"yes_no": [0, 1], "yes_partly_no": [0, 0.5, 1], "likert5": [1, 2, 3, 4, 5],
         "grade6": [1, 2, 3, 4, 5, 6], "scale10": [0, 2.5, 5, 7, 10]}


@st.composite
def contacts(draw):
    k = draw(st.integers(1, 8))
    n = draw(st.integers(1, 6))
    items, values, status = [], {}, {}
    for j in range(k):
        scale = draw(st.sampled_from(SCALES))
        direction = "lower_is_better" if scale == "grade6" else draw(
            st.sampled_from(["higher_is_better", "lower_is_better"]))
        items.append(_item(scale, direction, weight=draw(st.floats(0.1, 5)), iid=f"i{j}",
                           dim=f"d{j % 3}"))
        values[f"i{j}"] = [float(draw(st.sampled_from(LEGAL[scale]))) for _ in range(n)]
        status[f"i{j}"] = [draw(st.sampled_from([ANSWERED, ANSWERED, ANSWERED, MISSING,
                                                 NOT_APPLICABLE])) for _ in range(n)]
    return items, values, status


@given(contacts())
def test_property_scores_within_0_100(case):
    items, values, status = case
    sc = _score(items, values, status)
    t = sc["total"].dropna()
    assert ((t >= 0) & (t <= 100)).all()
    for c in sc.columns:
        if c.startswith("dim_"):
            d = sc[c].dropna()
            assert ((d >= 0) & (d <= 100)).all()


@given(contacts(), st.floats(0.01, 100))
def test_property_scaling_all_weights_changes_nothing(case, factor):
    items, values, status = case
    scaled = [Item(**{**i.__dict__, "weight": i.weight * factor}) for i in items]
    a, b = _score(items, values, status), _score(scaled, values, status)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)


@given(contacts(), st.sampled_from(SCALES), st.floats(0.1, 5))
def test_property_adding_na_item_changes_nothing(case, scale, weight):
    items, values, status = case
    n = len(values["i0"])
    extra = _item(scale, "lower_is_better" if scale == "grade6" else "higher_is_better",
                  weight=weight, iid="extra", dim="d0")
    a = _score(items, values, status)
    b = _score([*items, extra], values | {"extra": [np.nan] * n},
               status | {"extra": [NOT_APPLICABLE] * n})
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)


@given(contacts())
def test_property_item_order_changes_nothing(case):
    items, values, status = case
    a = _score(items, values, status)
    b = _score(items[::-1], values, status)
    pd.testing.assert_frame_equal(a.drop(columns="knockout_items"),
                                  b.drop(columns="knockout_items"), check_exact=False, rtol=1e-9)
