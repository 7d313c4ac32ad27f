"""Sample-size planning: contacts per company for a target change, minimum detectable change."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import (
    proportion_effectsize,
    samplesize_proportions_2indep_onetail,
)

from ._common import DEFAULT_ALPHA, check_alpha, require_columns

__all__ = ["n_per_group", "n_for_proportions", "minimum_detectable_change", "plan_next_wave",
           "pooled_sd"]


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


def plan_next_wave(
    data: pd.DataFrame,
    dv: str = "total",
    changes: Sequence[float] = (3, 5, 8),
    company: str = "company",
    wave_col: str = "wave",
    alpha: float = DEFAULT_ALPHA,
    power: float = 0.8,
) -> pd.DataFrame:
    """Contacts per company needed next wave to detect each target change, and today's MDC.

    The SD is pooled within company (and wave, when ``wave_col`` is present) over the
    scored contacts of ``data``. The comparison planned for is a two-sided Welch/t test of
    two independent groups of equal size (shop vs competitor, or wave vs previous wave).

    Returns
    -------
    DataFrame
        ``target_change, n_per_company, sd_pooled, current_median_n, mdc_at_current_n``
        (the last three are the same on every row).

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
    counts = data.loc[data[dv].notna()].groupby(by, observed=True)[dv].size()
    median_n = float(np.median(counts))
    mdc = minimum_detectable_change(median_n, sd, alpha, power) if median_n >= 2 else np.nan
    return pd.DataFrame({
        "target_change": list(changes),
        "n_per_company": [n_per_group(c, sd, alpha, power) for c in changes],
        "sd_pooled": sd, "current_median_n": median_n, "mdc_at_current_n": mdc,
    })
