"""Evaluator calibration: the same recordings rated by every evaluator.

Input: the calibration table, one row per recording × evaluator (``recording_id, evaluator,
total, …``). Ratings may be missing (NaN).

* ICC(2,1) / ICC(2,k) (Shrout & Fleiss 1979; McGraw & Wong 1996 "A,1" / "A,k": two-way
  random effects, absolute agreement) by ``pingouin.intraclass_corr`` (types ``ICC(A,1)``,
  ``ICC(A,k)``; = R ``psych::ICC(lmer = FALSE)`` ICC2 / ICC2k), with its F-based 95 % CI
  (pingouin fixes the level at 95 %). The ANOVA needs complete data: **recordings with any
  missing rating are dropped** (listwise) and ``n_dropped`` says how many.
  Labels (Koo & Li 2016) apply to the point estimate: poor < .5 ≤ moderate < .75 ≤ good ≤ .9 <
  excellent; ``ci_label_low`` / ``ci_label_high`` label the CI ends (what the CI spans).
* Krippendorff's alpha by the ``krippendorff`` package (missing ratings allowed) with a
  percentile bootstrap over recordings (units), fixed seed.
* Leniency: per evaluator, the mean deviation of its rating from the mean of the *other*
  evaluators on the same recording, with a t CI.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import krippendorff
import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats

from benchlib.stats._common import DEFAULT_ALPHA, check_alpha, require_columns

__all__ = ["CalibrationSummary", "calibration_summary", "evaluator_leniency", "icc",
           "koo_li_label", "krippendorff_alpha"]


def koo_li_label(value: float) -> str:
    """Koo & Li (2016) label of an ICC value.

    Examples
    --------
    >>> [koo_li_label(v) for v in (0.3, 0.5, 0.75, 0.9, 0.95, float("nan"))]
    ['poor', 'moderate', 'good', 'good', 'excellent', 'n/a']
    """
    if value is None or np.isnan(value):
        return "n/a"
    if value < 0.5:
        return "poor"
    if value < 0.75:
        return "moderate"
    return "good" if value <= 0.9 else "excellent"


def _wide(data: pd.DataFrame, targets: str, raters: str, ratings: str) -> pd.DataFrame:
    require_columns(data, [targets, raters, ratings])
    if data.duplicated([targets, raters]).any():
        raise ValueError(f"more than one rating per {targets} × {raters}")
    return data.pivot(index=targets, columns=raters, values=ratings).astype(float)


def icc(
    data: pd.DataFrame,
    targets: str = "recording_id",
    raters: str = "evaluator",
    ratings: str = "total",
) -> pd.DataFrame:
    """ICC(2,1) and ICC(2,k) with 95 % CI and Koo & Li labels.

    Recordings lacking any evaluator's rating are dropped first (pingouin needs balanced
    data); ``n_dropped`` counts them. Needs at least 2 complete recordings and 2 raters.

    Returns
    -------
    DataFrame
        Two rows (``ICC(2,1)``, ``ICC(2,k)``): ``type, pingouin_type, icc, ci_low, ci_high,
        F, df1, df2, p, label, ci_label_low, ci_label_high, n_recordings, n_evaluators,
        n_dropped``.

    Examples
    --------
    >>> d = pd.DataFrame({"recording_id": np.repeat(["a", "b", "c", "d"], 2),
    ...                   "evaluator": ["E1", "E2"] * 4,
    ...                   "total": [50, 52, 60, 61, 70, 69, 80, 83.0]})
    >>> r = icc(d)
    >>> r[["type", "label", "n_recordings"]].to_dict("records")[0]
    {'type': 'ICC(2,1)', 'label': 'excellent', 'n_recordings': 4}
    """
    wide = _wide(data, targets, raters, ratings)
    complete = wide.dropna(how="any")
    if len(complete) < 2 or wide.shape[1] < 2:
        raise ValueError("ICC needs at least 2 complete recordings and 2 evaluators")
    long = complete.rename_axis(columns=raters).stack().rename(ratings).reset_index()
    old = pg.options.get("round.column.CI95")
    pg.options["round.column.CI95"] = None
    try:
        with warnings.catch_warnings():  # pingouin 0.7 on pandas 3: "inplace" deprecation
            warnings.filterwarnings("ignore", message=".*inplace keyword.*")
            res = pg.intraclass_corr(long, targets=targets, raters=raters, ratings=ratings)
    finally:
        pg.options["round.column.CI95"] = old
    res = res.set_index("Type").loc[["ICC(A,1)", "ICC(A,k)"]].reset_index()
    ci = np.vstack(res["CI95"].to_numpy())
    out = pd.DataFrame({"type": ["ICC(2,1)", "ICC(2,k)"], "pingouin_type": res["Type"],
                        "icc": res["ICC"].astype(float), "ci_low": ci[:, 0],
                        "ci_high": ci[:, 1], "F": res["F"].astype(float),
                        "df1": res["df1"], "df2": res["df2"], "p": res["pval"].astype(float)})
    out["label"] = out["icc"].map(koo_li_label)
    out["ci_label_low"] = out["ci_low"].map(koo_li_label)
    out["ci_label_high"] = out["ci_high"].map(koo_li_label)
    out["n_recordings"] = len(complete)
    out["n_evaluators"] = wide.shape[1]
    out["n_dropped"] = len(wide) - len(complete)
    return out


def krippendorff_alpha(
    data: pd.DataFrame,
    targets: str = "recording_id",
    raters: str = "evaluator",
    ratings: str = "total",
    level: str = "interval",
    alpha: float = DEFAULT_ALPHA,
    n_boot: int = 1000,
    seed: int = 20261126,
) -> pd.DataFrame:
    """Krippendorff's alpha (``krippendorff`` package; missing ratings allowed) with a
    percentile bootstrap CI over recordings.

    The bootstrap resamples recordings (units) with replacement, ``n_boot`` times with a
    fixed ``seed``; resamples where alpha is undefined (no variation) are skipped. This is a
    plain unit bootstrap, not Krippendorff's (2011) own bootstrap of pairable values.

    Returns
    -------
    DataFrame
        One row: ``level, alpha, ci_low, ci_high, n_recordings, n_evaluators, n_ratings,
        n_boot, seed``.

    Examples
    --------
    >>> d = pd.DataFrame({"recording_id": np.repeat(list("abcde"), 2),
    ...                   "evaluator": ["E1", "E2"] * 5,
    ...                   "total": [1, 1, 2, 2, 3, 3, 4, 5, 5, np.nan]})
    >>> r = krippendorff_alpha(d, n_boot=50)
    >>> round(float(r["alpha"].iloc[0]), 4), int(r["n_ratings"].iloc[0])
    (0.9369, 9)
    """
    check_alpha(alpha)
    if level not in ("interval", "ordinal", "nominal", "ratio"):
        raise ValueError(f"unknown level {level!r}")
    mat = _wide(data, targets, raters, ratings).to_numpy().T  # raters × units
    est = float(krippendorff.alpha(reliability_data=mat, level_of_measurement=level))
    rng = np.random.default_rng(seed)
    draws = [rng.integers(0, mat.shape[1], mat.shape[1]) for _ in range(n_boot)]
    if level == "interval":
        boots = list(_interval_alpha_resampled(mat, draws))
    else:
        boots = []
        for idx in draws:
            with np.errstate(divide="ignore", invalid="ignore"):
                try:
                    a = krippendorff.alpha(reliability_data=mat[:, idx],
                                           level_of_measurement=level)
                except ValueError:  # a resample with a single distinct value
                    continue
            if np.isfinite(a):
                boots.append(float(a))
    lo, hi = (np.quantile(boots, [alpha / 2, 1 - alpha / 2]) if boots else (np.nan, np.nan))
    return pd.DataFrame([{"level": level, "alpha": est, "ci_low": float(lo),
                          "ci_high": float(hi), "n_recordings": mat.shape[1],
                          "n_evaluators": mat.shape[0], "n_ratings": int(np.isfinite(mat).sum()),
                          "n_boot": len(boots), "seed": seed}])


def _interval_alpha_resampled(mat: np.ndarray, draws: list[np.ndarray]) -> np.ndarray:
    """Interval Krippendorff's alpha of every resample of units ``mat[:, idx]``, at once.

    With m_u pairable ratings of unit u, n = Σ m_u and SS the sums of squares about the unit
    and the pooled mean, alpha = 1 − (n−1)/n · Σ_u m_u·SS_u/(m_u−1) / SS_total — the
    coincidence-matrix definition for δ² = (c−k)², so resample b only needs each unit's count.
    Units with fewer than two ratings are not pairable; undefined resamples are dropped.

    Examples
    --------
    >>> m = np.array([[1.0, 2, 3, 4], [1, 2, 4, np.nan]])
    >>> round(float(_interval_alpha_resampled(m, [np.arange(4)])[0]), 6)
    0.878049
    >>> round(float(krippendorff.alpha(reliability_data=m, level_of_measurement="interval")), 6)
    0.878049
    """
    ok = np.isfinite(mat)
    m = ok.sum(axis=0).astype(float)
    x = np.where(ok, mat, 0.0)
    s1, s2 = x.sum(axis=0), (x * x).sum(axis=0)
    pair = m >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        within = np.where(pair, m * (s2 - np.where(pair, s1 * s1 / m, 0)) / (m - 1), 0.0)
    m, s1, s2 = (np.where(pair, v, 0.0) for v in (m, s1, s2))
    counts = np.stack([np.bincount(idx, minlength=mat.shape[1]) for idx in draws]).astype(float)
    n, w, t1, t2 = counts @ m, counts @ within, counts @ s1, counts @ s2
    with np.errstate(divide="ignore", invalid="ignore"):
        ss_total = t2 - t1 * t1 / n
        a = 1 - (n - 1) / n * w / ss_total
    keep = (n > 1) & (ss_total > 1e-12 * np.maximum(t2, 1.0)) & np.isfinite(a)
    return a[keep]


def evaluator_leniency(
    data: pd.DataFrame,
    targets: str = "recording_id",
    raters: str = "evaluator",
    ratings: str = "total",
    alpha: float = DEFAULT_ALPHA,
) -> pd.DataFrame:
    """Per evaluator: mean deviation from the mean of the *other* evaluators' ratings of the
    same recording (positive = more lenient), with a t confidence interval.

    A rating counts when the recording has at least one other rating. ``n`` is the number of
    recordings used; the CI needs ``n >= 2``.

    Returns
    -------
    DataFrame
        ``evaluator, n, mean_dev, sd, ci_low, ci_high`` (column named after ``raters``).

    Examples
    --------
    >>> d = pd.DataFrame({"recording_id": np.repeat(["a", "b"], 3),
    ...                   "evaluator": ["E1", "E2", "E3"] * 2,
    ...                   "total": [60, 50, 52, 70, 60, 62.0]})
    >>> evaluator_leniency(d)[["evaluator", "n", "mean_dev"]].to_dict("records")[0]
    {'evaluator': 'E1', 'n': 2, 'mean_dev': 9.0}
    """
    check_alpha(alpha)
    wide = _wide(data, targets, raters, ratings)
    total = wide.sum(axis=1, skipna=True)
    count = wide.notna().sum(axis=1)
    rows = []
    for ev in wide.columns:
        own = wide[ev]
        others = (total - own) / (count - 1)
        dev = (own - others)[own.notna() & (count >= 2)].to_numpy(float)
        n = len(dev)
        mean = float(dev.mean()) if n else np.nan
        sd = float(dev.std(ddof=1)) if n >= 2 else np.nan
        half = stats.t.ppf(1 - alpha / 2, n - 1) * sd / np.sqrt(n) if n >= 2 else np.nan
        rows.append({raters: ev, "n": n, "mean_dev": mean, "sd": sd,
                     "ci_low": mean - half, "ci_high": mean + half})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class CalibrationSummary:
    """Headline reliability of one calibration round (see :func:`calibration_summary`)."""

    icc2_1: float
    icc2_1_ci: tuple[float, float]
    icc2_k: float
    icc2_k_ci: tuple[float, float]
    label: str
    alpha_interval: float
    alpha_ci: tuple[float, float]
    n_recordings: int
    n_evaluators: int
    n_dropped: int


def calibration_summary(
    data: pd.DataFrame,
    targets: str = "recording_id",
    raters: str = "evaluator",
    ratings: str = "total",
    n_boot: int = 1000,
    seed: int = 20261126,
) -> CalibrationSummary:
    """ICC(2,1), ICC(2,k) (complete recordings only), their Koo & Li label (of ICC(2,1)) and
    interval Krippendorff's alpha (all ratings) in one frozen dataclass.

    ``n_recordings`` counts the recordings in the ICC; ``n_dropped`` those left out of it.

    Examples
    --------
    >>> d = pd.DataFrame({"recording_id": np.repeat(["a", "b", "c", "d"], 2),
    ...                   "evaluator": ["E1", "E2"] * 4,
    ...                   "total": [50, 52, 60, 61, 70, 69, 80, 83.0]})
    >>> s = calibration_summary(d, n_boot=20)
    >>> s.label, s.n_recordings, s.n_dropped
    ('excellent', 4, 0)
    """
    ic = icc(data, targets, raters, ratings).set_index("type")
    ka = krippendorff_alpha(data, targets, raters, ratings, "interval", n_boot=n_boot,
                            seed=seed).iloc[0]
    one, k = ic.loc["ICC(2,1)"], ic.loc["ICC(2,k)"]
    return CalibrationSummary(
        icc2_1=float(one["icc"]), icc2_1_ci=(float(one["ci_low"]), float(one["ci_high"])),
        icc2_k=float(k["icc"]), icc2_k_ci=(float(k["ci_low"]), float(k["ci_high"])),
        label=str(one["label"]), alpha_interval=float(ka["alpha"]),
        alpha_ci=(float(ka["ci_low"]), float(ka["ci_high"])),
        n_recordings=int(one["n_recordings"]), n_evaluators=int(one["n_evaluators"]),
        n_dropped=int(one["n_dropped"]))
