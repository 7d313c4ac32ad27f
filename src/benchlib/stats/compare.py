"""Shop versus competitors within a wave: Welch tests, Hedges' g, Holm; Welch ANOVA."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import special

from ._common import (
    DEFAULT_ALPHA,
    DEFAULT_MIN_N,
    check_alpha,
    holm,
    infer_shop,
    require_columns,
    require_groups,
    welch,
    welch_se_df,
)

__all__ = ["shop_vs_competitors", "welch_anova", "games_howell", "hedges_g"]

_NAN_TEST = dict.fromkeys(["ci_low", "ci_high", "t", "df", "p", "hedges_g", "g_ci_low",
                           "g_ci_high"], np.nan)


def hedges_g(x: np.ndarray, y: np.ndarray, alpha: float = DEFAULT_ALPHA) -> tuple[float, ...]:
    """Hedges' g of ``x - y`` (pooled SD, small-sample factor) and its approximate CI.

    ``g = J d`` with ``J = 1 - 3 / (4 (n_x + n_y) - 9)`` (Hedges & Olkin 1985); the interval is
    ``g ± t(1 - alpha/2, n_x + n_y - 2) · sqrt((n_x + n_y)/(n_x n_y) + g²/(2 (n_x + n_y)))``,
    as :func:`pingouin.compute_esci` and R ``effsize::cohen.d(noncentral=FALSE)``.

    Examples
    --------
    >>> g, lo, hi = hedges_g(np.array([1.0, 2, 3, 4, 5]), np.array([2.0, 3, 4, 5, 6]))
    >>> round(g, 4), round(lo, 4), round(hi, 4)
    (-0.5713, -2.0591, 0.9166)
    """
    g = float(pg.compute_effsize(x, y, eftype="hedges"))
    ci = pg.compute_esci(g, nx=len(x), ny=len(y), eftype="cohen", confidence=1 - alpha,
                         decimals=15)
    return g, float(ci[0]), float(ci[1])


def _pair(x: np.ndarray, y: np.ndarray, min_n: int, alpha: float) -> dict[str, float | bool]:
    row: dict[str, float | bool] = {"n_shop": len(x), "n_comp": len(y),
                                    "mean_shop": np.mean(x) if len(x) else np.nan,
                                    "mean_comp": np.mean(y) if len(y) else np.nan}
    row["diff"] = row["mean_shop"] - row["mean_comp"]
    row["tested"] = len(x) >= min_n and len(y) >= min_n
    if not row["tested"]:
        return row | _NAN_TEST
    w = welch(x, y, alpha)
    g, g_lo, g_hi = hedges_g(x, y, alpha)
    return row | {k: w[k] for k in ("ci_low", "ci_high", "t", "df", "p")} | {
        "hedges_g": g, "g_ci_low": g_lo, "g_ci_high": g_hi}


def shop_vs_competitors(
    data: pd.DataFrame,
    dv: str = "total",
    company: str = "company",
    shop: str | None = None,
    role: str = "role",
    alpha: float = DEFAULT_ALPHA,
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    """Compare the shop with each competitor: Welch t test, Hedges' g and Holm-adjusted p.

    Pass one wave's contacts. Unscored contacts (NaN ``dv``) are dropped. A pair is tested
    only when both groups have at least ``min_n`` contacts; untested pairs keep n and means
    but have NaN statistics and do not enter the Holm family.

    Parameters
    ----------
    data : DataFrame
        Long data, one row per contact (one wave).
    dv, company, role : str
        Score, company and role columns.
    shop : str, optional
        Shop company id; inferred from ``role == "shop"`` when omitted.
    alpha : float
        CIs have coverage ``1 - alpha``.
    min_n : int
        Minimum contacts per group for a test.

    Returns
    -------
    DataFrame
        One row per competitor: ``shop, competitor, n_shop, n_comp, mean_shop, mean_comp, diff
        (shop − competitor), ci_low, ci_high, t, df, p, hedges_g, g_ci_low, g_ci_high, tested,
        p_holm``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"company": np.repeat(["shop", "b", "c"], [20, 20, 5]),
    ...                   "total": rng.normal(70, 10, 45)})
    >>> r = shop_vs_competitors(d, shop="shop")
    >>> r[["competitor", "n_comp", "tested"]]
      competitor  n_comp  tested
    0          b      20    True
    1          c       5   False
    """
    check_alpha(alpha)
    require_columns(data, [dv, company])
    shop = infer_shop(data, company, role, shop)
    d = data.loc[data[dv].notna(), [company, dv]]
    x = d.loc[d[company] == shop, dv].to_numpy(float)
    comps = [c for c in require_groups(data, company) if c != shop]
    rows = [{"shop": shop, "competitor": c}
            | _pair(x, d.loc[d[company] == c, dv].to_numpy(float), min_n, alpha) for c in comps]
    out = pd.DataFrame(rows)
    out["tested"] = out["tested"].astype(bool)
    out["p_holm"] = np.nan
    if out["tested"].any():
        out.loc[out["tested"], "p_holm"] = holm(out.loc[out["tested"], "p"])
    return out


def welch_anova(data: pd.DataFrame, dv: str = "total", between: str = "company") -> pd.DataFrame:
    """Welch's heteroscedastic one-way ANOVA (R ``oneway.test(var.equal = FALSE)``).

    Returns a one-row DataFrame ``F, df1, df2, p, np2`` (unscored contacts dropped).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"company": np.repeat(["a", "b", "c"], 10),
    ...                   "total": rng.normal(70, 10, 30)})
    >>> welch_anova(d).columns.tolist()
    ['F', 'df1', 'df2', 'p', 'np2']
    """
    require_columns(data, [dv, between])
    d = data.loc[data[dv].notna(), [between, dv]]
    require_groups(d, between)
    res = pg.welch_anova(data=d, dv=dv, between=between)
    out = res.rename(columns={"ddof1": "df1", "ddof2": "df2", "p_unc": "p"})
    return out[["F", "df1", "df2", "p", "np2"]].astype(float).reset_index(drop=True)


# The studentized range distribution by fixed-node quadrature (trapezoid rules, which converge
# geometrically for these smooth, fast-decaying integrands): P(Q <= q) is the mean over
# s = sqrt(chi2_df / df) of the range distribution of k standard normals at q s,
#   P(range <= w) = k ∫ φ(z) [Φ(z + w) - Φ(z)]^(k-1) dz,
# with t = log s on nodes between the points where its density has fallen by e^-45. Checked
# against scipy's adaptive integration (≤ 5e-11 over k 2–20, df 2–5e4, q 0.3–7) and against a
# rule with twice the nodes (≤ 1e-13): tests/stats/test_compare.py.
# Node counts: 121 z (step 0.15) and 201 t stay within 5e-14 of a rule with 1201 and 961 over
# k 2–20, df 2–1e5, q 0.05–9 (measured; 361 and 241, the earlier counts, gave 4e-14 at 3.6×
# the cost; 161 t nodes gave 5e-11).
_SR_Z = np.linspace(-9.0, 9.0, 121)
_SR_PHI = np.exp(-0.5 * _SR_Z**2) / np.sqrt(2 * np.pi) * (_SR_Z[1] - _SR_Z[0])
_SR_NDTR = special.ndtr(_SR_Z)
_SR_NODES = 201
_SR_K, _SR_DF = (2, 20), (2.0, 1e5)  # where the rule is checked (df < 1e5); elsewhere scipy,
# which from df = 1e5 on uses the limit df = ∞ (as R's ptukey does)


def _s_nodes(df: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes ``s`` (equally spaced in ``log s``) and normalised weights of
    ``s = sqrt(chi2_df / df)``."""
    from scipy.optimize import brentq

    def drop(t: float) -> float:  # log density relative to its maximum (t = 0), plus 45
        return df * t - df * np.expm1(2 * t) / 2 + 45

    t = np.linspace(brentq(drop, -60.0, 0.0), brentq(drop, 0.0, 10.0), _SR_NODES)
    g = np.exp(df * t - df * np.expm1(2 * t) / 2)
    return np.exp(t), g / g.sum()


def _cdf_on(q: float, k: int, nodes: tuple[np.ndarray, np.ndarray]) -> float:
    """P(Q ≤ q) on the nodes of :func:`_s_nodes`."""
    s, g = nodes
    return float(g @ _range_cdf(q * s, k))


def _range_cdf(w: np.ndarray, k: int) -> np.ndarray:
    """P(range of ``k`` standard normals ≤ w), for each ``w``."""
    inner = special.ndtr(_SR_Z[None, :] + w[:, None])  # in place from here: half the time
    inner -= _SR_NDTR
    np.maximum(inner, 0.0, out=inner)  # rounding below 0 where both are ~1
    inner **= k - 1
    return k * (inner @ _SR_PHI)


def _fast_range(k: int, df: float) -> bool:
    return _SR_K[0] <= k <= _SR_K[1] and _SR_DF[0] <= df < _SR_DF[1]


def _rule_applies(q: float, k: int, df: float) -> bool:
    """Whether the fixed rule gives P(Q ≤ q) (else scipy does): checked k and df, 0 < q < ∞."""
    return _fast_range(k, df) and bool(np.isfinite(q)) and q > 0


def studentized_range_cdf(q: float, k: int, df: float) -> float:
    """P(Q ≤ q) of the studentized range (= ``scipy.stats.studentized_range.cdf``), ~5×
    faster: a fixed quadrature rule (see the comment above) for 2 ≤ k ≤ 20 and
    2 ≤ df < 1e5, scipy elsewhere.

    Examples
    --------
    >>> round(studentized_range_cdf(3.939450173, 5, 87.3), 9)  # R ptukey: 0.95
    0.95
    """
    if not _rule_applies(q, k, df):
        from scipy.stats import studentized_range

        return float(studentized_range.cdf(q, k, df))
    return _cdf_on(q, k, _s_nodes(df))


def studentized_range_ppf(p: float, k: int, df: float, tol: float = 1e-12) -> float:
    """Quantile of the studentized range (= ``scipy.stats.studentized_range.ppf``), faster.

    Secant iterations on :func:`studentized_range_cdf` (the quadrature nodes of ``df``
    computed once), started at the Gleason (1999) approximation
    (:func:`statsmodels.stats.libqsturng.qsturng`, about 1e-3 off), to relative ``tol``;
    scipy's bracketing solver outside the rule's range or without convergence.

    Examples
    --------
    >>> round(studentized_range_ppf(0.95, 5, 87.3), 9)  # R qtukey(.95, 5, 87.3): 3.93945018
    3.939450173
    """
    from scipy.stats import studentized_range
    from statsmodels.stats.libqsturng import qsturng

    if not (0 < p < 1) or not _fast_range(k, df):
        return float(studentized_range.ppf(p, k, df))
    nodes = _s_nodes(df)

    def miss(q: float) -> float:
        return _cdf_on(q, k, nodes) - p

    a = float(qsturng(p, k, df))
    b = a * (1 + 1e-3)
    fa, fb = miss(a), miss(b)
    for _ in range(30):
        if fb == fa or abs(b - a) <= tol * abs(b):
            break
        a, b, fa = b, b - fb * (b - a) / (fb - fa), fb
        fb = miss(b)
    if not np.isfinite(b) or abs(fb) > 1e-9:  # no convergence: scipy's bracketing solver
        return float(studentized_range.ppf(p, k, df))
    return float(b)


def studentized_range_sf(q: float, k: int, df: float) -> float:
    """P(Q > q) of the studentized range: ``1 -`` :func:`studentized_range_cdf` (absolute
    error ≤ 5e-11 where the fixed rule applies, so a p below 1e-10 reads 0), scipy's ``sf``
    elsewhere.

    >>> round(studentized_range_sf(3.939450173, 5, 87.3), 9)  # R ptukey(…, lower = FALSE)
    0.05
    """
    if not _rule_applies(q, k, df):
        from scipy.stats import studentized_range

        return float(studentized_range.sf(q, k, df))
    return float(np.clip(1.0 - _cdf_on(q, k, _s_nodes(df)), 0.0, 1.0))


def _gh_p(t: float, k: int, df: float) -> float:
    """Games–Howell p of one pair: P(Q > √2 |t|) (NaN for NaN input, 0 for an infinite t)."""
    if np.isnan(t) or np.isnan(df):
        return np.nan
    return 0.0 if np.isinf(t) else studentized_range_sf(np.sqrt(2) * abs(t), k, df)


def games_howell(
    data: pd.DataFrame, dv: str = "total", between: str = "company", alpha: float = DEFAULT_ALPHA
) -> pd.DataFrame:
    """Games–Howell pairwise comparisons (unequal variances, Tukey studentized range).

    The values of :func:`pingouin.pairwise_gameshowell` (pairs of the sorted groups, Welch
    ``se``/``t``/``df``, Hedges' g by :func:`pingouin.compute_effsize`; equal to it within
    1e-10 in ``tests/stats/test_compare.py``), with ``p`` from the fixed-rule studentized range
    (pingouin's scipy integration costs ~10 ms a pair), plus the simultaneous CI of ``diff``
    (``mean_A - mean_B``): ``diff ± q(1-alpha, k, df)/√2 · se``.

    Returns
    -------
    DataFrame
        ``A, B, mean_A, mean_B, diff, se, t, df, p, hedges_g, ci_low, ci_high``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"company": np.repeat(["a", "b", "c"], 10),
    ...                   "total": rng.normal(70, 10, 30)})
    >>> games_howell(d)[["A", "B"]].values.tolist()
    [['a', 'b'], ['a', 'c'], ['b', 'c']]
    """
    check_alpha(alpha)
    require_columns(data, [dv, between])
    d = data[[between, dv]].dropna()
    require_groups(d, between)
    # pingouin's order: the groupby's (a categorical's categories, else sorted values)
    groups = {k: g.to_numpy(dtype=float) for k, g in d.groupby(between, observed=True)[dv]}
    labels = list(groups)
    k = len(labels)
    n = np.array([len(groups[g]) for g in labels], dtype=float)
    means = np.array([groups[g].mean() for g in labels])
    v = np.array([groups[g].var(ddof=1) for g in labels]) / n
    a, b = np.triu_indices(k, k=1)
    se, df = welch_se_df(v[a], v[b], n[a], n[b])
    diff = means[a] - means[b]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = diff / se
    out = pd.DataFrame({
        "A": [labels[i] for i in a], "B": [labels[j] for j in b], "mean_A": means[a],
        "mean_B": means[b], "diff": diff, "se": se, "t": t, "df": df,
        "p": [_gh_p(ti, k, dfi) for ti, dfi in zip(t, df, strict=True)],
        "hedges_g": [pg.compute_effsize(groups[labels[i]], groups[labels[j]], paired=False,
                                        eftype="hedges") for i, j in zip(a, b, strict=True)]})
    crit = np.array([studentized_range_ppf(1 - alpha, k, x) if np.isfinite(x) else np.nan
                     for x in df]) / np.sqrt(2)
    out["ci_low"] = out["diff"] - crit * out["se"]
    out["ci_high"] = out["diff"] + crit * out["se"]
    return out
