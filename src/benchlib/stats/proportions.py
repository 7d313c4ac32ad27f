"""Yes/no items: shares with Wilson intervals, two-group comparisons and FDR control.

Input is the long ``items`` table (one row per contact × item, see docs/data-model.md).
Only rows with ``status == "answered"`` count; the ``value`` of a yes/no item is 1 (yes) or
0 (no). Filter the table to ``scale == "yes_no"`` first: any other value raises.

Conventions (tested against R, see tests/reference/items_*.R and docs/methodology-items.md):

* share CI: Wilson score interval = R ``prop.test(x, n, correct = FALSE)$conf.int``;
* difference CI: Newcombe (1998) hybrid score interval (method 10), from the two Wilson
  intervals (statsmodels ``confint_proportions_2indep(method="newcomb")``);
* test: Pearson chi-square without continuity correction (= R ``chisq.test(correct =
  FALSE)``) when every expected count is at least 5, otherwise Fisher's exact test (= R
  ``fisher.test``); the ``test`` column says which;
* Benjamini–Hochberg over every tested comparison of the returned table (``p_fdr``);
* a comparison is tested only when both groups have at least ``min_n`` answered contacts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from benchlib.stats._common import (
    DEFAULT_ALPHA,
    DEFAULT_MIN_N,
    check_alpha,
    infer_shop,
    require_columns,
)

__all__ = [
    "compare_proportions",
    "compare_proportions_vs_previous",
    "item_proportions",
    "two_proportions",
]

_NAN_TEST = {"ci_low": np.nan, "ci_high": np.nan, "test": None, "statistic": np.nan,
             "p": np.nan}


def _answered(items: pd.DataFrame, value: str, columns: Sequence[str]) -> pd.DataFrame:
    """Answered rows with a 0/1 ``value`` (raise on any other value)."""
    require_columns(items, [*columns, value], where="items")
    d = items
    if "status" in d.columns:
        d = d.loc[d["status"] == "answered"]
    d = d.loc[d[value].notna(), [*dict.fromkeys([*columns, value])]].copy()
    bad = ~d[value].isin([0, 1])
    if bad.any():
        raise ValueError(
            f"{value!r} must be 0/1 for yes/no items, found {sorted(d.loc[bad, value].unique())[:5]}"
            "; filter items to scale == 'yes_no' first"
        )
    d[value] = d[value].astype(int)
    return d


def item_proportions(
    items: pd.DataFrame,
    by: Sequence[str] = ("item", "company", "wave"),
    value: str = "value",
    alpha: float = DEFAULT_ALPHA,
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    """Share of "yes" per group with a Wilson score interval.

    Parameters
    ----------
    items : DataFrame
        Long items table (yes/no items only); rows whose ``status`` is not "answered" and
        NaN values are ignored.
    by : sequence of str
        Grouping columns.
    value : str
        0/1 column.
    alpha : float
        The interval has coverage ``1 - alpha``.
    min_n : int
        Groups with fewer answered contacts get ``too_few = True``. Their share and interval
        are still shown (descriptive), but they must not be compared or ranked.

    Returns
    -------
    DataFrame
        ``by…, n, successes, share, ci_low, ci_high, too_few``.

    Examples
    --------
    >>> d = pd.DataFrame({"item": "correct", "company": ["a"] * 40,
    ...                   "value": [1] * 12 + [0] * 28, "status": "answered"})
    >>> r = item_proportions(d, by=["item", "company"])
    >>> int(r["n"].iloc[0]), int(r["successes"].iloc[0]), float(r["share"].iloc[0])
    (40, 12, 0.3)
    >>> round(float(r["ci_low"].iloc[0]), 4), round(float(r["ci_high"].iloc[0]), 4)
    (0.1807, 0.4543)
    """
    check_alpha(alpha)
    by = list(by)
    d = _answered(items, value, by)
    out = d.groupby(by, observed=True, sort=True)[value].agg(n="size", successes="sum")
    out = out.reset_index()
    out["share"] = out["successes"] / out["n"]
    lo, hi = proportion_confint(out["successes"], out["n"], alpha=alpha, method="wilson")
    out["ci_low"] = np.asarray(lo, float)
    out["ci_high"] = np.asarray(hi, float)
    out["too_few"] = out["n"] < min_n
    return out


def two_proportions(
    x_a: int, n_a: int, x_b: int, n_b: int, alpha: float = DEFAULT_ALPHA
) -> dict[str, float | str]:
    """Difference of two independent proportions ``x_a/n_a - x_b/n_b``.

    Newcombe hybrid score CI; Pearson chi-square (no continuity correction) when all expected
    counts are at least 5, otherwise Fisher's exact test (two-sided).

    Returns
    -------
    dict
        ``diff, ci_low, ci_high, test ("chi2" | "fisher"), statistic, p``. ``statistic`` is
        the chi-square value, or for Fisher the sample odds ratio
        (not R's conditional MLE).

    Examples
    --------
    >>> r = two_proportions(56, 70, 48, 80)
    >>> round(r["diff"], 4), round(r["ci_low"], 4), round(r["ci_high"], 4), r["test"]
    (0.2, 0.0524, 0.3339, 'chi2')
    >>> two_proportions(9, 10, 3, 10)["test"]
    'fisher'
    """
    if min(n_a, n_b) <= 0:
        raise ValueError("both groups need at least one observation")
    lo, hi = confint_proportions_2indep(x_a, n_a, x_b, n_b, method="newcomb", compare="diff",
                                       alpha=alpha)
    table = np.array([[x_a, n_a - x_a], [x_b, n_b - x_b]])
    col = table.sum(axis=0)
    expected = np.outer(table.sum(axis=1), col) / table.sum()
    if (col > 0).all() and (expected >= 5).all():
        chi2, p = _pearson_2x2(table, expected)
        test, statistic = "chi2", float(chi2)
    else:
        res = stats.fisher_exact(table)
        test, statistic, p = "fisher", float(res.statistic), float(res.pvalue)
    return {"diff": x_a / n_a - x_b / n_b, "ci_low": float(lo), "ci_high": float(hi),
            "test": test, "statistic": statistic, "p": float(p)}


def _pearson_2x2(table: np.ndarray, expected: np.ndarray) -> tuple[float, float]:
    """Pearson's chi-square of a 2×2 table (no continuity correction) and its p (1 df): the
    arithmetic of ``scipy.stats.chi2_contingency(table, correction=False)``, bit for bit
    (``tests/stats/test_proportions.py``), without its ~0.25 ms of wrapper a call."""
    from scipy.special import chdtrc

    stat = float((((table.astype(np.float64) - expected) ** 2) / expected).sum())
    return stat, float(chdtrc(1, stat))


def _compare_row(a: pd.Series, b: pd.Series, min_n: int, alpha: float) -> dict:
    """Counts of two groups (``n``, ``successes``) -> one comparison row."""
    row: dict = {"n_a": int(a["n"]), "x_a": int(a["successes"]), "n_b": int(b["n"]),
                 "x_b": int(b["successes"])}
    row["share_a"] = row["x_a"] / row["n_a"] if row["n_a"] else np.nan
    row["share_b"] = row["x_b"] / row["n_b"] if row["n_b"] else np.nan
    row["diff"] = row["share_a"] - row["share_b"]
    row["tested"] = row["n_a"] >= min_n and row["n_b"] >= min_n
    if not row["tested"]:
        return row | _NAN_TEST
    return row | two_proportions(row["x_a"], row["n_a"], row["x_b"], row["n_b"], alpha)


def _add_fdr(out: pd.DataFrame) -> pd.DataFrame:
    out["tested"] = out["tested"].astype(bool)
    out["p_fdr"] = np.nan
    if out["tested"].any():
        out.loc[out["tested"], "p_fdr"] = multipletests(out.loc[out["tested"], "p"],
                                                        method="fdr_bh")[1]
    return out


_EMPTY = pd.Series({"n": 0, "successes": 0})


def _counts(d: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    return d.groupby(keys, observed=True)[value].agg(n="size", successes="sum")


def compare_proportions(
    items: pd.DataFrame,
    item_col: str = "item",
    group_col: str = "company",
    shop: str | None = None,
    role: str = "role",
    by: Sequence[str] | None = None,
    value: str = "value",
    alpha: float = DEFAULT_ALPHA,
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    """Shop vs each competitor, per item (and per ``by`` group, default the wave).

    Parameters
    ----------
    items : DataFrame
        Long items table, yes/no items only.
    item_col, group_col, role : str
        Item, company and role columns.
    shop : str, optional
        Shop company id, inferred from ``role == "shop"`` when omitted.
    by : sequence of str, optional
        Further strata compared separately; default ``["wave"]`` if that column exists.
    alpha, min_n : float, int
        CI coverage ``1 - alpha``; both groups need ``min_n`` answered rows to be tested.

    Returns
    -------
    DataFrame
        ``by…, item, shop, competitor, n_shop, x_shop, share_shop, n_comp, x_comp, share_comp,
        diff (shop − competitor), ci_low, ci_high, test, statistic, p, tested, p_fdr``.
        Untested rows keep counts, shares and ``diff`` but have no CI, test or p, and are
        not part of the Benjamini–Hochberg family (every tested row of the table is).

    Examples
    --------
    >>> d = pd.DataFrame({"item": "correct", "company": np.repeat(["s", "b"], [70, 80]),
    ...                   "value": [1] * 56 + [0] * 14 + [1] * 48 + [0] * 32})
    >>> r = compare_proportions(d, shop="s")
    >>> r[["competitor", "diff", "test", "tested"]].round(2).to_dict("records")
    [{'competitor': 'b', 'diff': 0.2, 'test': 'chi2', 'tested': True}]
    """
    check_alpha(alpha)
    shop = infer_shop(items, group_col, role, shop)
    by = (["wave"] if "wave" in items.columns else []) if by is None else list(by)
    d = _answered(items, value, [*by, item_col, group_col])
    counts = _counts(d, [*by, item_col, group_col], value)
    rows = []
    for key, grp in counts.groupby(level=[*by, item_col], observed=True, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        per = grp.droplevel([*by, item_col])
        a = per.loc[shop] if shop in per.index else _EMPTY
        for comp in sorted(c for c in per.index if c != shop):
            r = _compare_row(a, per.loc[comp], min_n, alpha)
            rows.append(dict(zip([*by, item_col], key, strict=True))
                        | {"shop": shop, "competitor": comp} | r)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out = out.rename(columns={"n_a": "n_shop", "x_a": "x_shop", "share_a": "share_shop",
                              "n_b": "n_comp", "x_b": "x_comp", "share_b": "share_comp"})
    return _add_fdr(out)


def compare_proportions_vs_previous(
    items: pd.DataFrame,
    wave: str,
    previous: str | None = None,
    company: str | None = None,
    item_col: str = "item",
    wave_col: str = "wave",
    group_col: str = "company",
    role: str = "role",
    value: str = "value",
    alpha: float = DEFAULT_ALPHA,
    min_n: int = DEFAULT_MIN_N,
) -> pd.DataFrame:
    """One company's items in ``wave`` vs ``previous`` (default: the wave sorted before it).

    Same tests, CI and BH family rule as :func:`compare_proportions`; ``company`` defaults to
    the shop.

    Returns
    -------
    DataFrame
        ``item, company, wave, previous, n_wave, x_wave, share_wave, n_prev, x_prev,
        share_prev, diff (wave − previous), ci_low, ci_high, test, statistic, p, tested,
        p_fdr``.

    Examples
    --------
    >>> d = pd.DataFrame({"item": "x", "company": "s", "role": "shop",
    ...                   "wave": np.repeat(["2026-01", "2026-04"], 20),
    ...                   "value": [1] * 5 + [0] * 15 + [1] * 15 + [0] * 5})
    >>> r = compare_proportions_vs_previous(d, "2026-04")
    >>> r[["previous", "diff", "test"]].to_dict("records")
    [{'previous': '2026-01', 'diff': 0.5, 'test': 'chi2'}]
    """
    check_alpha(alpha)
    company = infer_shop(items, group_col, role, company)
    d = _answered(items, value, [wave_col, item_col, group_col])
    d = d.loc[d[group_col] == company]
    if previous is None:
        earlier = sorted(w for w in items[wave_col].dropna().unique() if w < wave)
        if not earlier:
            raise ValueError(f"no wave before {wave!r}")
        previous = earlier[-1]
    counts = _counts(d, [item_col, wave_col], value)
    rows = []
    for item in sorted(counts.index.get_level_values(0).unique()):
        per = counts.loc[item]
        a = per.loc[wave] if wave in per.index else _EMPTY
        b = per.loc[previous] if previous in per.index else _EMPTY
        rows.append({item_col: item, "company": company, "wave": wave, "previous": previous}
                    | _compare_row(a, b, min_n, alpha))
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out = out.rename(columns={"n_a": "n_wave", "x_a": "x_wave", "share_a": "share_wave",
                              "n_b": "n_prev", "x_b": "x_prev", "share_b": "share_prev"})
    return _add_fdr(out)
