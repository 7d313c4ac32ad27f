"""benchlib.stats.calibration against R psych (tests/reference/calib_icc.R, R 4.2.2) and the
published Krippendorff (2011) example."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchlib.stats.calibration import (
    CalibrationSummary,
    calibration_summary,
    evaluator_leniency,
    icc,
    koo_li_label,
    krippendorff_alpha,
)

REF = Path(__file__).parents[1] / "reference"
TOL = 1e-6
NA = np.nan
# Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", section C: 4 observers
# x 12 units, values 1-5, with missing data. Published: nominal 0.743, ordinal 0.815,
# interval 0.849, ratio 0.797 (also the doctests of the krippendorff package).
K2011 = [[1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],
         [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],
         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA]]


def _k2011_long() -> pd.DataFrame:
    rows = [{"recording_id": f"U{u + 1:02d}", "evaluator": f"O{o + 1}", "total": v}
            for o, vals in enumerate(K2011) for u, v in enumerate(vals)]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def ratings() -> pd.DataFrame:
    return pd.read_csv(REF / "calib_ratings.csv")


def test_icc_matches_psych(ratings: pd.DataFrame) -> None:
    # R: psych::ICC(complete, lmer = FALSE)$results[c("ICC2", "ICC2k"), ]
    r = pd.read_csv(REF / "calib_icc_r.csv").set_index("type")
    py = icc(ratings).set_index("type")
    for ours, theirs in (("ICC(2,1)", "ICC2"), ("ICC(2,k)", "ICC2k")):
        for col in ("icc", "F", "ci_low", "ci_high"):
            assert py.loc[ours, col] == pytest.approx(r.loc[theirs, col], abs=TOL)
        assert py.loc[ours, "p"] == pytest.approx(r.loc[theirs, "p"], rel=1e-6)
        assert py.loc[ours, "n_recordings"] == r.loc[theirs, "n_recordings"] == 10
        assert py.loc[ours, "n_dropped"] == r.loc[theirs, "n_dropped"] == 2
    assert py.loc["ICC(2,1)", "pingouin_type"] == "ICC(A,1)"
    # 0.904 -> excellent, but its CI (0.726 to 0.974) spans moderate to excellent
    assert py.loc["ICC(2,1)", "label"] == "excellent"
    assert py.loc["ICC(2,1)", "ci_label_low"] == "moderate"
    assert py.loc["ICC(2,1)", "ci_label_high"] == "excellent"


def test_icc_ci_not_rounded(ratings: pd.DataFrame) -> None:
    ci = icc(ratings)["ci_low"].to_numpy()
    assert not np.allclose(ci, np.round(ci, 2))


def test_koo_li_boundaries() -> None:
    assert koo_li_label(0.4999) == "poor" and koo_li_label(0.5) == "moderate"
    assert koo_li_label(0.75) == "good" and koo_li_label(0.9) == "good"
    assert koo_li_label(0.9001) == "excellent"


@pytest.mark.parametrize(("level", "expected"), [("nominal", 0.743), ("ordinal", 0.815),
                                                 ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_published_example(level: str, expected: float) -> None:
    r = krippendorff_alpha(_k2011_long(), level=level, n_boot=200).iloc[0]
    assert round(r["alpha"], 3) == expected
    assert r["n_recordings"] == 12 and r["n_evaluators"] == 4 and r["n_ratings"] == 41
    assert r["ci_low"] <= r["alpha"] <= r["ci_high"]


def test_krippendorff_bootstrap_is_reproducible(ratings: pd.DataFrame) -> None:
    a = krippendorff_alpha(ratings, n_boot=300)
    b = krippendorff_alpha(ratings, n_boot=300)
    pd.testing.assert_frame_equal(a, b)
    assert a["n_boot"].iloc[0] == 300
    c = krippendorff_alpha(ratings, n_boot=300, seed=1)
    assert c["ci_low"].iloc[0] != a["ci_low"].iloc[0]


def test_interval_bootstrap_equals_the_package_resample_by_resample() -> None:
    """The vectorised interval alpha of each resample = krippendorff.alpha on that resample."""
    import krippendorff

    from benchlib.stats.calibration import _interval_alpha_resampled

    rng = np.random.default_rng(7)
    mat = _k2011_long().pivot(index="recording_id", columns="evaluator",
                              values="total").to_numpy(float).T
    draws = [rng.integers(0, mat.shape[1], mat.shape[1]) for _ in range(200)]
    ours = _interval_alpha_resampled(mat, draws)
    ref = []
    for idx in draws:
        try:
            a = krippendorff.alpha(reliability_data=mat[:, idx], level_of_measurement="interval")
        except ValueError:
            continue
        if np.isfinite(a):
            ref.append(a)
    assert len(ours) == len(ref) > 150
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12)


def test_games_howell_quantile_equals_scipy() -> None:
    from scipy.stats import studentized_range

    from benchlib.stats.compare import studentized_range_ppf

    for k, df in [(2, 4.2), (3, 12.5), (5, 87.3), (10, 1500.0)]:
        assert studentized_range_ppf(0.95, k, df) == pytest.approx(
            studentized_range.ppf(0.95, k, df), abs=1e-10)


def test_leniency_matches_r(ratings: pd.DataFrame) -> None:
    # R: t.test(own - rowMeans(others, na.rm = TRUE))$conf.int per evaluator
    r = pd.read_csv(REF / "calib_leniency_r.csv")
    py = evaluator_leniency(ratings)
    m = py.merge(r, on="evaluator", suffixes=("", "_r"))
    assert len(m) == 5 and (m["n"] == m["n_r"]).all()
    for col in ("mean_dev", "sd", "ci_low", "ci_high"):
        np.testing.assert_allclose(m[col], m[f"{col}_r"], atol=TOL)
    top = py.sort_values("mean_dev").iloc[-1]
    assert top["evaluator"] == "E03"  # built lenient in items_make_fixtures.py


def test_summary_dataclass(ratings: pd.DataFrame) -> None:
    s = calibration_summary(ratings, n_boot=200)
    assert isinstance(s, CalibrationSummary)
    assert s.n_recordings == 10 and s.n_dropped == 2 and s.n_evaluators == 5
    assert s.icc2_1 == pytest.approx(0.904335471203035, abs=TOL)
    assert s.icc2_1_ci[0] < s.icc2_1 < s.icc2_1_ci[1]
    assert s.alpha_ci[0] < s.alpha_interval < s.alpha_ci[1]
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.label = "poor"  # type: ignore[misc]


def test_icc_needs_complete_recordings() -> None:
    d = pd.DataFrame({"recording_id": ["a", "a", "b"], "evaluator": ["E1", "E2", "E1"],
                      "total": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="complete"):
        icc(d)
