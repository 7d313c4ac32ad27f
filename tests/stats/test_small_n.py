"""Two-part knockout interval against its definition in R (tests/reference/small_n.R)."""

import numpy as np
import pandas as pd
import pytest

from benchlib.stats.small_n import mean_ci_knockout, two_part_ci

A = np.array([0, 62, 71, 80, 55, 90, 0, 77, 68, 84, 73, 66.0])
NO_KO = np.array([58.5, 61, 70.25, 80, 44, 93.5, 77, 68, 84, 73])
TOL = 1e-9


def test_two_part_matches_r():
    r = two_part_ci(A)
    # R: MOVER of prop.test(2, 12, correct = FALSE) and t.test(rest) -> 39.5042618986866 71.465419810226
    assert r["ci_low"] == pytest.approx(39.5042618986866, abs=TOL)
    assert r["ci_high"] == pytest.approx(71.465419810226, abs=TOL)
    assert r["knockout_ci_low"] == pytest.approx(0.0469651421838538, abs=TOL)
    assert r["knockout_ci_high"] == pytest.approx(0.448030862252973, abs=TOL)
    assert r["ci_low"] < A.mean() < r["ci_high"]
    r = two_part_ci(NO_KO)
    # R: no knockouts observed, the Wilson upper limit 0.277532799862889 still widens the interval
    assert r["knockout_rate"] == 0 and r["knockout_ci_high"] == pytest.approx(0.277532799862889)
    assert r["ci_low"] == pytest.approx(49.5077821254379, abs=TOL)
    assert r["ci_high"] == pytest.approx(81.0163686114888, abs=TOL)


def test_methods_and_groups():
    d = pd.DataFrame({"company": np.repeat(["a", "b"], [12, 10]), "total": np.r_[A, NO_KO]})
    two = mean_ci_knockout(d, by="company")
    t = mean_ci_knockout(d, by="company", method="t").set_index("company")
    # R: t.test(x)$conf.int[1] -> 41.5538148005783
    assert t.loc["a", "ci_low"] == pytest.approx(41.5538148005783, abs=TOL)
    assert two["knockout_rate"].round(4).tolist() == [0.1667, 0.0]
    b1 = mean_ci_knockout(d, by="company", method="bca")
    b2 = mean_ci_knockout(d, by="company", method="bca")
    assert b1.equals(b2)  # fixed seed: reproducible
    assert (b1["ci_low"] < b1["mean"]).all() and (b1["mean"] < b1["ci_high"]).all()
    with pytest.raises(ValueError, match="method"):
        mean_ci_knockout(d, method="percentile")


def test_degenerate_groups():
    assert np.isnan(two_part_ci(np.array([0.0, 0, 50]))["ci_low"])  # one non-zero score
    assert np.isnan(two_part_ci(np.array([]))["knockout_rate"])
    r = mean_ci_knockout(pd.DataFrame({"total": [0.0, 0.0, 10.0, 12.0]}), by=None)
    assert r["n"].iloc[0] == 4 and np.isfinite(r["ci_low"].iloc[0])
