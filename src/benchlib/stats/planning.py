"""Sample-size planning: contacts per company for a target change, minimum detectable change."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import brentq
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import (
    proportion_effectsize,
    samplesize_proportions_2indep_onetail,
)

from ._common import DEFAULT_ALPHA, check_alpha, require_columns

__all__ = ["n_per_group", "n_for_proportions", "minimum_detectable_change", "plan_next_wave",
           "pooled_sd", "sd_upper", "n_holm", "n_did", "design_effect", "n_with_clustering",
           "SD_CONFIDENCE"]

SD_CONFIDENCE: float = 0.8
"""One-sided confidence of the SD's upper limit used for planning (Browne 1995 recommends an
upper confidence limit of the pilot SD; 80 % keeps the planned power at least nominal in
about 80 % of studies)."""


_TT = TTestIndPower()


def _t_power(es: float, n: float, alpha: float) -> float:
    return float(_TT.power(effect_size=es, nobs1=n, alpha=alpha, alternative="two-sided"))


def _solve_increasing(f, lo: float, hi: float, xtol: float) -> float:
    """Root of increasing ``f`` above ``lo``: double ``hi`` until ``f(hi) >= 0``, then brentq."""
    while not f(hi) >= 0:
        lo, hi = hi, 2 * hi
        if hi > 1e9:
            raise ValueError("no solution below 1e9")
    return float(brentq(f, lo, hi, xtol=xtol))


def n_per_group(delta: float, sd: float, alpha: float = DEFAULT_ALPHA,
                power: float = 0.8) -> int:
    """Contacts per group for a two-sided two-sample t test to detect a mean change ``delta``.

    statsmodels ``TTestIndPower`` (both tails count toward power, i.e. R ``power.t.test(...,
    strict = TRUE)``), rounded up.

    Examples
    --------
    >>> n_per_group(5, 15)  # R: power.t.test(delta=5, sd=15, power=.8, strict=TRUE)$n -> 142.25
    143
    """
    check_alpha(alpha)
    if delta == 0 or sd <= 0:
        raise ValueError(f"need delta != 0 and sd > 0, got delta={delta}, sd={sd}")
    es = abs(delta) / sd
    if _t_power(es, 2, alpha) >= power:
        return 2
    # statsmodels' power function, solved with a tight tolerance (its solve_power stops ~1e-5)
    n = _solve_increasing(lambda m: _t_power(es, m, alpha) - power, 2, 4, 1e-10)
    return math.ceil(n - 1e-9)


def n_for_proportions(p1: float, p2: float, alpha: float = DEFAULT_ALPHA, power: float = 0.8,
                      method: str = "arcsine") -> int:
    """Contacts per group to detect proportions ``p1`` vs ``p2`` (two-sided), rounded up.

    ``method="arcsine"`` (default): normal test on Cohen's ``h = 2 asin√p1 − 2 asin√p2``
    (statsmodels ``NormalIndPower``; both tails count). ``method="pooled"``: the normal
    approximation with pooled variance under H0, as R ``power.prop.test`` (statsmodels
    ``samplesize_proportions_2indep_onetail``, which ignores the far tail like R's default
    ``strict = FALSE``). The two differ by well under one contact for typical inputs.

    Examples
    --------
    >>> n_for_proportions(0.6, 0.5), n_for_proportions(0.6, 0.5, method="pooled")
    (388, 388)
    """
    check_alpha(alpha)
    if p1 == p2:
        raise ValueError("p1 and p2 must differ")
    if method == "arcsine":
        h = abs(proportion_effectsize(p1, p2))
        n = NormalIndPower().solve_power(effect_size=h, alpha=alpha, power=power)
    elif method == "pooled":
        n = samplesize_proportions_2indep_onetail(p1 - p2, p2, power, alpha=alpha)
    else:
        raise ValueError(f"method must be 'arcsine' or 'pooled', got {method!r}")
    return math.ceil(float(n))


def minimum_detectable_change(n: float, sd: float, alpha: float = DEFAULT_ALPHA,
                              power: float = 0.8) -> float:
    """Smallest mean difference detectable with ``n`` contacts per group (two-sided t test).

    Examples
    --------
    >>> round(minimum_detectable_change(50, 15), 3)  # R: power.t.test(n=50, sd=15, power=.8,
    ...                                              #    strict=TRUE)$delta -> 8.488
    8.488
    """
    check_alpha(alpha)
    if n < 2:
        raise ValueError(f"need n >= 2 per group, got {n}")
    es = _solve_increasing(lambda e: _t_power(e, n, alpha) - power, 1e-9, 0.01, 1e-14)
    return float(es) * sd


def pooled_sd(data: pd.DataFrame, dv: str = "total", by: Sequence[str] = ("company",)) -> float:
    """Pooled within-group SD: ``sqrt(Σ (n_g − 1) s_g² / Σ (n_g − 1))`` over groups ``by``.

    Examples
    --------
    >>> d = pd.DataFrame({"company": list("aaabbb"), "total": [1.0, 2, 3, 5, 7, 9]})
    >>> round(pooled_sd(d), 4)
    1.5811
    """
    require_columns(data, [dv, *by])
    g = data.loc[data[dv].notna()].groupby(list(by), observed=True)[dv].agg(["count", "var"])
    g = g[g["count"] >= 2]
    return float(np.sqrt(((g["count"] - 1) * g["var"]).sum() / (g["count"] - 1).sum()))


def sd_upper(sd: float, df: float, confidence: float = SD_CONFIDENCE) -> float:
    """One-sided upper confidence limit of a standard deviation: ``sd · √(df / χ²(1−c, df))``.

    Examples
    --------
    >>> round(sd_upper(15, 60), 4)  # R: 15 * sqrt(60 / qchisq(0.2, 60)) -> 16.3274
    16.3274
    """
    if not 0 < confidence < 1 or df < 1 or sd < 0:
        raise ValueError(f"need 0 < confidence < 1, df >= 1, sd >= 0; got {confidence}, {df}, "
                         f"{sd}")
    return float(sd * np.sqrt(df / stats.chi2.ppf(1 - confidence, df)))


def n_holm(delta: float, sd: float, m: int, alpha: float = DEFAULT_ALPHA,
           power: float = 0.8) -> int:
    """Contacts per group so that one of ``m`` Holm-adjusted comparisons reaches ``power``.

    Plans for the hardest step of Holm, the smallest p tested at ``alpha / m`` (Bonferroni):
    Holm's power for a single true difference is at least this.

    Examples
    --------
    >>> n_holm(5, 15, 1) == n_per_group(5, 15), n_holm(5, 15, 4)  # R: power.t.test(delta=5,
    ... # sd=15, sig.level=0.05/4, power=.8, strict=TRUE)$n -> 202.29
    (True, 203)
    """
    if m < 1:
        raise ValueError(f"need m >= 1 comparisons, got {m}")
    return n_per_group(delta, sd, alpha / m, power)


def n_did(delta: float, sd: float, n_competitors: int, alpha: float = DEFAULT_ALPHA,
          power: float = 0.8) -> int:
    """Contacts per company and wave for a DiD (shop vs ``K`` competitors, two waves).

    With ``n`` per company and wave and company fixed effects, ``Var(DiD) = 2σ²/n · (1 +
    1/K)``: the two-sample formula with ``sd · √(1 + 1/K)``.

    Examples
    --------
    >>> n_did(5, 15, 4)  # R: power.t.test(delta=5, sd=15*sqrt(1.25), power=.8, strict=TRUE)$n -> 177.56
    178
    """
    if n_competitors < 1:
        raise ValueError(f"need at least one competitor, got {n_competitors}")
    return n_per_group(delta, sd * np.sqrt(1 + 1 / n_competitors), alpha, power)


def design_effect(icc: float, m: float) -> float:
    """Kish design effect of ``m`` contacts per evaluator with intra-evaluator correlation.

    ``deff = 1 + (m − 1) · icc``; the effective sample size is ``n / deff``.

    Examples
    --------
    >>> design_effect(0.1, 11)
    2.0
    """
    if not 0 <= icc < 1 or m < 1:
        raise ValueError(f"need 0 <= icc < 1 and m >= 1, got {icc}, {m}")
    return float(1 + (m - 1) * icc)


def n_with_clustering(n: float, icc: float, evaluators: float) -> float:
    """Contacts per company so that ``evaluators`` evaluators give an effective ``n``.

    With ``N`` contacts split over ``e`` evaluators, ``m = N / e`` and ``N / (1 + (N/e − 1)
    ρ) = n`` gives ``N = n (1 − ρ) / (1 − n ρ / e)``. Returns ``inf`` when ``n ρ ≥ e``: then
    no number of contacts is enough — more evaluators per company are needed.

    Examples
    --------
    >>> round(n_with_clustering(50, 0.05, 4), 2), n_with_clustering(50, 0.1, 4)
    (126.67, inf)
    """
    if not 0 <= icc < 1 or evaluators <= 0:
        raise ValueError(f"need 0 <= icc < 1 and evaluators > 0, got {icc}, {evaluators}")
    denom = 1 - n * icc / evaluators
    return float(n * (1 - icc) / denom) if denom > 0 else float("inf")


def plan_next_wave(
    data: pd.DataFrame,
    dv: str = "total",
    changes: Sequence[float] = (3, 5, 8),
    company: str = "company",
    wave_col: str = "wave",
    alpha: float = DEFAULT_ALPHA,
    power: float = 0.8,
    sd_confidence: float = SD_CONFIDENCE,
    n_tests: int | None = None,
    icc: float | None = None,
    evaluator: str = "evaluator",
) -> pd.DataFrame:
    """Contacts per company needed next wave to detect each target change, and today's MDC.

    The SD is pooled within company (and wave, when ``wave_col`` is present) over the
    scored contacts of ``data``. The comparison planned for is a two-sided Welch/t test of
    two independent groups of equal size (shop vs competitor, or wave vs previous wave).
    Honest versions: ``sd_upper`` (one-sided ``sd_confidence`` upper limit of the SD, df =
    pooled df), ``n_sd_upper`` (n with it), ``n_holm`` (one of ``n_tests`` Holm-adjusted
    comparisons, default the number of competitors, with the SD's upper limit), ``n_did``
    (per company and wave for the DiD against the competitors, SD upper limit), and with
    ``icc`` (evaluator share, e.g. :func:`benchlib.stats.leniency_adjusted` ``.icc``) and
    the ``evaluator`` column: ``deff`` at the current contacts per evaluator and
    ``n_holm_clustered`` (``n_holm`` inflated for evaluator clustering with today's
    evaluators per company; ``inf`` = more evaluators needed).

    Returns
    -------
    DataFrame
        ``target_change, n_per_company, sd_pooled, current_median_n, mdc_at_current_n,
        sd_upper, sd_df, n_sd_upper, n_tests, n_holm, n_did, icc, deff, n_holm_clustered``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"company": np.repeat(["a", "b"], 40), "total": rng.normal(70, 15, 80)})
    >>> plan_next_wave(d)[["target_change", "current_median_n"]]
       target_change  current_median_n
    0              3              40.0
    1              5              40.0
    2              8              40.0
    """
    by = [company, wave_col] if wave_col in data.columns else [company]
    sd = pooled_sd(data, dv, by)
    scored = data.loc[data[dv].notna()]
    counts = scored.groupby(by, observed=True)[dv].size()
    median_n = float(np.median(counts))
    mdc = minimum_detectable_change(median_n, sd, alpha, power) if median_n >= 2 else np.nan
    sd_df = float((counts[counts >= 2] - 1).sum())
    sd_u = sd_upper(sd, sd_df, sd_confidence) if sd_df >= 1 else np.nan
    k = max(int(scored[company].nunique()) - 1, 1)
    m = k if n_tests is None else int(n_tests)
    ok = np.isfinite(sd_u) and sd_u > 0
    out = pd.DataFrame({
        "target_change": list(changes),
        "n_per_company": [n_per_group(c, sd, alpha, power) for c in changes],
        "sd_pooled": sd, "current_median_n": median_n, "mdc_at_current_n": mdc,
        "sd_upper": sd_u, "sd_df": sd_df,
        "n_sd_upper": [n_per_group(c, sd_u, alpha, power) if ok else np.nan for c in changes],
        "n_tests": m,
        "n_holm": [n_holm(c, sd_u, m, alpha, power) if ok else np.nan for c in changes],
        "n_did": [n_did(c, sd_u, k, alpha, power) if ok else np.nan for c in changes],
    })
    out["icc"], out["deff"], out["n_holm_clustered"] = np.nan, np.nan, np.nan
    if icc is not None and evaluator in scored.columns:
        per_ev = scored.groupby([*by, evaluator], observed=True).size().mean()
        ev_per_company = scored.groupby(by, observed=True)[evaluator].nunique().median()
        out["icc"] = float(icc)
        out["deff"] = design_effect(icc, float(per_ev))
        out["n_holm_clustered"] = [n_with_clustering(n, icc, float(ev_per_company))
                                   for n in out["n_holm"]]
    return out
