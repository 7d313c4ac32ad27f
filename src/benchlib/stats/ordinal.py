"""Ordinal items (Likert 1–5, school grade 1–6, 0–10): distributions and rank-based tests.

Ordinal ratings are **not interval data**: this module reports counts, shares and medians,
never means, and compares groups with the Mann–Whitney U test (R ``wilcox.test(x, y,
exact = FALSE, correct = TRUE)``: normal approximation with tie correction and continuity
correction; scipy ``mannwhitneyu(method="asymptotic", use_continuity=True)``).

Direction: Likert 5 is best, but school grade **1 is best** (``grade6``). ``rbc`` (rank-biserial
correlation, pingouin's sign: positive when the shop's values tend to be *higher*) is therefore
also given as ``rbc_better`` (positive when the shop's ratings tend to be *better*).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from benchlib.stats._common import (
    DEFAULT_ALPHA,
    DEFAULT_MIN_N,
    check_alpha,
    infer_shop,
    require_columns,
)

__all__ = ["CATEGORY_LABELS", "compare_ordinal", "mann_whitney", "ordinal_distribution"]

CATEGORY_LABELS: dict[str, dict[int, str]] = {
    "likert5": {1: "1 (worst)", 2: "2", 3: "3", 4: "4", 5: "5 (best)"},
    "grade6": {1: "1 sehr gut (best)", 2: "2 gut", 3: "3 befriedigend", 4: "4 ausreichend",
               5: "5 mangelhaft", 6: "6 ungenügend (worst)"},
    "scale10": {i: f"{i}" + (" (worst)" if i == 0 else " (best)" if i == 10 else "")
                for i in range(11)},
}
"""Category labels per scale; the order is the scale's order, not "good to bad"."""

LOWER_IS_BETTER = {"grade6"}


def _answered(items: pd.DataFrame, value: str, columns: Sequence[str]) -> pd.DataFrame:
    require_columns(items, [*columns, value], where="items")
    d = items.loc[items["status"] == "answered"] if "status" in items.columns else items
    return d.loc[d[value].notna()]


def ordinal_distribution(
    items: pd.DataFrame,
    by: Sequence[str] = ("item", "company", "wave"),
    value: str = "value",
    scale: str = "scale",
) -> pd.DataFrame:
    """Counts and shares per category, with the group's n and median.

    Every category of a known scale (``CATEGORY_LABELS``) appears, with count 0 if unused;
    for other scales the observed values are the categories. The median is R's ``median()``
    (the mean of the two middle values when n is even, so it can fall between categories).
    No mean is reported: ordinal ratings are not interval data.

    Returns
    -------
    DataFrame
        ``by…, scale, category, label, count, share, n, median`` (one row per category).

    Examples
    --------
    >>> d = pd.DataFrame({"item": "grade", "company": "a", "scale": "grade6",
    ...                   "value": [1, 2, 2, 3]})
    >>> r = ordinal_distribution(d, by=["item", "company"])
    >>> r[["category", "count", "share"]].head(3).to_dict("list")
    {'category': [1, 2, 3], 'count': [1, 2, 1], 'share': [0.25, 0.5, 0.25]}
    >>> float(r["median"].iloc[0]), r["label"].iloc[0]
    (2.0, '1 sehr gut (best)')
    """
    by = list(by)
    has_scale = scale in items.columns
    d = _answered(items, value, by + ([scale] if has_scale else []))
    rows = []
    for key, g in d.groupby(by, observed=True, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        sc = g[scale].iloc[0] if has_scale else None
        labels = CATEGORY_LABELS.get(sc)
        cats = list(labels) if labels else sorted(g[value].unique())
        counts = g[value].value_counts()
        n = len(g)
        med = float(np.median(g[value]))
        for c in cats:
            k = int(counts.get(c, 0))
            rows.append(dict(zip(by, key, strict=True))
                        | {"scale": sc, "category": c,
                           "label": labels.get(int(c), str(c)) if labels else str(c),
                           "count": k, "share": k / n, "n": n, "median": med})
    return pd.DataFrame(rows)


def mann_whitney(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Two-sided Mann–Whitney U of ``x`` vs ``y`` = R ``wilcox.test(x, y, exact=FALSE)``.

    Returns ``u`` (U of ``x``, = R's W), ``p`` and the rank-biserial correlation
    ``rbc = 2·U/(n_x·n_y) − 1`` (pingouin ``mwu`` convention: positive when ``x`` tends to be
    larger; equals P(x > y) − P(x < y)).

    Examples
    --------
    >>> r = mann_whitney(np.array([1, 2, 3, 4, 5, 5]), np.array([1, 1, 2, 2, 3]))
    >>> r["u"], round(r["p"], 4), round(r["rbc"], 4)
    (23.5, 0.1349, 0.5667)
    """
    res = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic",
                             use_continuity=True)
    u = float(res.statistic)
    return {"u": u, "p": float(res.pvalue), "rbc": 2 * u / (len(x) * len(y)) - 1}


def _pair(x: np.ndarray, y: np.ndarray, lower_better: bool, min_n: int) -> dict:
    row = {"n_shop": len(x), "n_comp": len(y),
           "median_shop": float(np.median(x)) if len(x) else np.nan,
           "median_comp": float(np.median(y)) if len(y) else np.nan,
           "tested": len(x) >= min_n and len(y) >= min_n}
    if not row["tested"]:
        return row | {"u": np.nan, "p": np.nan, "rbc": np.nan, "rbc_better": np.nan}
    r = mann_whitney(x, y)
    return row | r | {"rbc_better": -r["rbc"] if lower_better else r["rbc"]}


def compare_ordinal(
    items: pd.DataFrame,
    item_col: str = "item",
    group_col: str = "company",
    shop: str | None = None,
    role: str = "role",
    by: Sequence[str] | None = None,
    value: str = "value",
    scale: str = "scale",
    min_n: int = DEFAULT_MIN_N,
    alpha: float = DEFAULT_ALPHA,
) -> pd.DataFrame:
    """Shop vs each competitor per ordinal item: Mann–Whitney U, rank-biserial r, BH.

    Medians are reported, not means (ordinal ratings are not interval data). A pair is
    tested only when both groups have ``min_n`` answered ratings; Benjamini–Hochberg runs
    over every tested row of the returned table (``p_fdr``). ``alpha`` is only checked (the
    table has no CI); use it when reading ``p_fdr``.

    Returns
    -------
    DataFrame
        ``by…, item, scale, shop, competitor, n_shop, n_comp, median_shop, median_comp,
        tested, u, p, rbc, rbc_better, p_fdr``. ``u`` is the shop's U (= R's W);
        ``rbc`` > 0: shop values higher; ``rbc_better`` > 0: shop ratings better (sign
        flipped for ``grade6``, where 1 is best).

    Examples
    --------
    >>> d = pd.DataFrame({"item": "g", "scale": "grade6", "company": np.repeat(["s", "b"], 12),
    ...                   "value": [1, 2] * 6 + [3, 4] * 6})
    >>> r = compare_ordinal(d, shop="s")
    >>> r[["median_shop", "median_comp", "rbc", "rbc_better"]].iloc[0].tolist()
    [1.5, 3.5, -1.0, 1.0]
    """
    check_alpha(alpha)
    shop = infer_shop(items, group_col, role, shop)
    by = (["wave"] if "wave" in items.columns else []) if by is None else list(by)
    has_scale = scale in items.columns
    d = _answered(items, value, [*by, item_col, group_col])
    rows = []
    for key, g in d.groupby([*by, item_col], observed=True, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        sc = g[scale].iloc[0] if has_scale else None
        x = g.loc[g[group_col] == shop, value].to_numpy(float)
        for comp in sorted(c for c in g[group_col].unique() if c != shop):
            y = g.loc[g[group_col] == comp, value].to_numpy(float)
            rows.append(dict(zip([*by, item_col], key, strict=True))
                        | {"scale": sc, "shop": shop, "competitor": comp}
                        | _pair(x, y, sc in LOWER_IS_BETTER, min_n))
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["tested"] = out["tested"].astype(bool)
    out["p_fdr"] = np.nan
    if out["tested"].any():
        out.loc[out["tested"], "p_fdr"] = multipletests(out.loc[out["tested"], "p"],
                                                        method="fdr_bh")[1]
    return out
