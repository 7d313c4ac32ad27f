"""Mail response times with unanswered mails censored: Kaplan–Meier, median, log-rank.

Input: contacts with ``response_h`` (hours until the answer; for an unanswered mail the end of
the observation window) and ``mail_answered`` (event indicator; NA for calls — those rows
are dropped). An unanswered mail is an outcome, not missing data: it is *censored*.

Conventions (R ``survival`` package; tests/reference/surv_*.R):

* Kaplan–Meier by statsmodels ``SurvfuncRight`` (Greenwood variance).
* Pointwise CI: ``conf_type="log"`` (R ``survfit`` default): ``S·exp(±z·se(H))`` with
  ``se(H) = se(S)/S``, upper limit capped at 1; ``"log-log"`` is also available.
  No CI where S = 0.
* **Median: R's rule, implemented explicitly** (not statsmodels' "first time with S < 0.5"):
  the smallest time with S ≤ 0.5; if S equals 0.5 (within √machine-ε) on a flat stretch,
  the midpoint of that time and the next event time (or of the last follow-up time if the
  curve stays flat to the end). The median's CI applies the same rule to the CI bands
  (R ``quantile.survfit`` / ``print(survfit)``). NaN = not reached.
* Share answered within h hours = 1 − S(h) with the CI of S flipped. Beyond the group's last
  follow-up time: NaN, except when every mail was answered (S reached 0): share 1, no CI
  (R ``summary(fit, times=h)`` drops such times; this is the one deliberate difference).
* Log-rank test: statsmodels ``survdiff`` (= R ``survdiff``, rho = 0).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from benchlib.stats._common import (
    DEFAULT_ALPHA,
    DEFAULT_MIN_N,
    check_alpha,
    holm,
    infer_shop,
    require_columns,
)

__all__ = ["km_curves", "km_table", "logrank_shop_vs_competitors", "r_quantile",
           "response_summary"]

_TOL = float(np.sqrt(np.finfo(float).eps))


def _clean(data: pd.DataFrame, time: str, event: str, cols: Sequence[str]) -> pd.DataFrame:
    require_columns(data, [time, event, *cols])
    d = data.loc[data[time].notna() & data[event].notna(), [time, event, *cols]].copy()
    d[event] = d[event].astype(bool).astype(int)
    d[time] = d[time].astype(float)
    return d


def km_table(t: np.ndarray, e: np.ndarray, alpha: float = DEFAULT_ALPHA,
             conf_type: str = "log") -> pd.DataFrame:
    """Kaplan–Meier at the event times of one group: ``time, at_risk, events, surv, ci_low,
    ci_high`` (= R ``summary(survfit(Surv(t, e) ~ 1, conf.type=conf_type))``).

    Examples
    --------
    >>> km = km_table(np.array([1.0, 2, 2, 3, 5]), np.array([1, 1, 0, 1, 0]))
    >>> km[["time", "at_risk", "events", "surv"]].round(6).to_dict("list")
    {'time': [1.0, 2.0, 3.0], 'at_risk': [5, 4, 2], 'events': [1, 1, 1], 'surv': [0.8, 0.6, 0.3]}
    """
    if conf_type not in ("log", "log-log"):
        raise ValueError("conf_type must be 'log' or 'log-log'")
    sf = SurvfuncRight(t, e)
    s = np.asarray(sf.surv_prob, float)
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        se_h = np.asarray(sf.surv_prob_se, float) / s
        if conf_type == "log":
            lo, hi = s * np.exp(-z * se_h), np.minimum(s * np.exp(z * se_h), 1.0)
        else:
            a = np.exp(-np.exp(np.log(-np.log(s)) + z * se_h / np.log(s)))
            b = np.exp(-np.exp(np.log(-np.log(s)) - z * se_h / np.log(s)))
            lo, hi = np.minimum(a, b), np.maximum(a, b)
            lo, hi = np.where(s == 1, 1.0, lo), np.where(s == 1, 1.0, hi)
    bad = s <= 0
    lo, hi = np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)
    return pd.DataFrame({"time": np.asarray(sf.surv_times, float),
                         "at_risk": np.asarray(sf.n_risk, int),
                         "events": np.asarray(sf.n_events, int), "surv": s,
                         "ci_low": lo, "ci_high": hi})


def r_quantile(times: np.ndarray, surv: np.ndarray, last_time: float, p: float = 0.5,
               tol: float = _TOL) -> float:
    """Time where the survival curve ``surv`` (at event ``times``) crosses ``1 - p``.

    R's ``quantile.survfit`` rule: first time with 1 − S ≥ p − tol; if 1 − S is within ``tol``
    of ``p`` there, average with the next jump time (``last_time`` when the flat stretch runs
    to the end of follow-up). NaN when not reached. NaN entries of ``surv`` are skipped.

    Examples
    --------
    >>> r_quantile(np.array([1.0, 2, 3, 4]), np.array([0.75, 0.5, 0.25, 0.0]), 4.0)
    2.5
    >>> r_quantile(np.array([1.0, 2]), np.array([0.8, 0.6]), 9.0)
    nan
    """
    x = np.concatenate([[0.0], np.asarray(times, float)])
    y = np.concatenate([[0.0], 1 - np.asarray(surv, float)])
    keep = ~np.isnan(y)
    x, y = x[keep], y[keep]
    _, first = np.unique(y, return_index=True)
    first = np.sort(first)
    x, y = x[first], y[first]
    hit1 = np.flatnonzero(y + tol >= p)
    if hit1.size == 0:
        return float("nan")
    i1 = hit1[0]
    hit2 = np.flatnonzero(y - tol >= p)
    if hit2.size == 0:
        return float((x[i1] + last_time) / 2) if abs(p - y[-1]) < tol else float("nan")
    return float((x[i1] + x[hit2[0]]) / 2)


def km_curves(
    data: pd.DataFrame,
    time: str = "response_h",
    event: str = "mail_answered",
    by: str | None = "company",
    alpha: float = DEFAULT_ALPHA,
    conf_type: str = "log",
) -> pd.DataFrame:
    """Tidy Kaplan–Meier step functions, one per ``by`` group (plot with ``drawstyle="steps-
    post"``).

    Each curve starts with a row at time 0 (surv 1, CI 1–1), then one row per event time.

    Returns
    -------
    DataFrame
        ``by, time, at_risk, events, surv, ci_low, ci_high``.

    Examples
    --------
    >>> d = pd.DataFrame({"company": "a", "response_h": [1.0, 2, 2, 3, 5],
    ...                   "mail_answered": [True, True, False, True, False]})
    >>> km_curves(d)[["time", "surv"]].round(6).to_dict("list")
    {'time': [0.0, 1.0, 2.0, 3.0], 'surv': [1.0, 0.8, 0.6, 0.3]}
    """
    check_alpha(alpha)
    d = _clean(data, time, event, [by] if by else [])
    groups = d.groupby(by, observed=True, sort=True) if by else [(None, d)]
    parts = []
    for key, g in groups:
        km = km_table(g[time].to_numpy(), g[event].to_numpy(), alpha, conf_type)
        start = pd.DataFrame({"time": [0.0], "at_risk": [len(g)], "events": [0], "surv": [1.0],
                              "ci_low": [1.0], "ci_high": [1.0]})
        km = pd.concat([start, km], ignore_index=True)
        if by:
            km.insert(0, by, key)
        parts.append(km)
    return pd.concat(parts, ignore_index=True)


def _surv_at(km: pd.DataFrame, h: float, last_time: float) -> tuple[float, float, float]:
    """S(h) and its CI from a km_table; NaN beyond the last follow-up unless S reached 0."""
    if h > last_time:
        reached_zero = not km.empty and km["surv"].iloc[-1] == 0
        return (0.0, np.nan, np.nan) if reached_zero else (np.nan, np.nan, np.nan)
    before = km[km["time"] <= h]
    if before.empty:
        return (1.0, 1.0, 1.0)
    r = before.iloc[-1]
    return (float(r["surv"]), float(r["ci_low"]), float(r["ci_high"]))


def response_summary(
    data: pd.DataFrame,
    time: str = "response_h",
    event: str = "mail_answered",
    by: str = "company",
    horizons: Sequence[float] = (4, 24),
    alpha: float = DEFAULT_ALPHA,
    conf_type: str = "log",
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    """Per group: n, answered, median response time (R rule) with CI, share answered within
    each horizon (= 1 − S(h)) with CI, and ``too_few`` (n < ``min_n``; shown, not compared).

    Returns
    -------
    DataFrame
        ``by, n, answered, median_h, median_ci_low, median_ci_high, share_<h>h,
        share_<h>h_ci_low, share_<h>h_ci_high …, too_few``. ``median_h`` NaN: not reached.

    Examples
    --------
    >>> d = pd.DataFrame({"company": "a", "response_h": [1.0, 2, 3, 4, 48, 48],
    ...                   "mail_answered": [True, True, True, True, False, False]})
    >>> r = response_summary(d, horizons=(2,), min_n=5).iloc[0]
    >>> float(r["median_h"]), round(float(r["share_2h"]), 4), bool(r["too_few"])
    (3.5, 0.3333, False)
    """
    check_alpha(alpha)
    d = _clean(data, time, event, [by])
    rows = []
    for key, g in d.groupby(by, observed=True, sort=True):
        km = km_table(g[time].to_numpy(), g[event].to_numpy(), alpha, conf_type)
        last = float(g[time].max())
        row = {by: key, "n": len(g), "answered": int(g[event].sum()),
               "median_h": r_quantile(km["time"], km["surv"], last),
               "median_ci_low": r_quantile(km["time"], km["ci_low"], last),
               "median_ci_high": r_quantile(km["time"], km["ci_high"], last)}
        for h in horizons:
            s, lo, hi = _surv_at(km, h, last)
            lab = f"share_{h:g}h"
            row |= {lab: 1 - s, f"{lab}_ci_low": 1 - hi, f"{lab}_ci_high": 1 - lo}
        row["too_few"] = len(g) < min_n
        rows.append(row)
    return pd.DataFrame(rows)


def _logrank(d: pd.DataFrame, time: str, event: str, groups: pd.Series) -> tuple[float, float]:
    chisq, p = survdiff(d[time].to_numpy(), d[event].to_numpy(), groups.to_numpy())
    return float(chisq), float(p)


def logrank_shop_vs_competitors(
    data: pd.DataFrame,
    time: str = "response_h",
    event: str = "mail_answered",
    group_col: str = "company",
    shop: str | None = None,
    role: str = "role",
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    """Log-rank tests: shop vs all competitors pooled, and shop vs each competitor (Holm).

    The pooled comparison is its own (single-test) family: its ``p_holm`` equals ``p``. Holm
    runs over the tested shop-vs-competitor rows. A row is tested only if both sides have
    ``min_n`` mails.

    Returns
    -------
    DataFrame
        ``comparison ("pooled" | "pair"), shop, competitor ("all competitors" for pooled),
        n_shop, n_comp, events_shop, events_comp, tested, chisq, p, p_holm``.

    Examples
    --------
    >>> d = pd.DataFrame({"company": np.repeat(["s", "b"], 10), "role": np.repeat(
    ...     ["shop", "competitor"], 10), "response_h": np.r_[np.arange(1.0, 11), np.arange(
    ...     5.0, 25, 2)], "mail_answered": True})
    >>> r = logrank_shop_vs_competitors(d)
    >>> r[["comparison", "competitor", "tested"]].to_dict("records")[0]
    {'comparison': 'pooled', 'competitor': 'all competitors', 'tested': True}
    """
    shop = infer_shop(data, group_col, role, shop)
    d = _clean(data, time, event, [group_col])
    is_shop = d[group_col] == shop
    comps = sorted(c for c in d[group_col].unique() if c != shop)
    rows = []
    for comp in ["all competitors", *comps]:
        sub = d if comp == "all competitors" else d[is_shop | (d[group_col] == comp)]
        s = sub[group_col] == shop
        row = {"comparison": "pooled" if comp == "all competitors" else "pair", "shop": shop,
               "competitor": comp, "n_shop": int(s.sum()), "n_comp": int((~s).sum()),
               "events_shop": int(sub.loc[s, event].sum()),
               "events_comp": int(sub.loc[~s, event].sum())}
        row["tested"] = row["n_shop"] >= min_n and row["n_comp"] >= min_n
        chisq, p = _logrank(sub, time, event, s) if row["tested"] else (np.nan, np.nan)
        rows.append(row | {"chisq": chisq, "p": p})
    out = pd.DataFrame(rows)
    out["p_holm"] = np.where(out["comparison"] == "pooled", out["p"], np.nan)
    pairs = (out["comparison"] == "pair") & out["tested"]
    if pairs.any():
        out.loc[pairs, "p_holm"] = holm(out.loc[pairs, "p"])
    return out
