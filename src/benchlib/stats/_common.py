"""Shared constants, shop inference and input validation for :mod:`benchlib.stats`."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

ArrayOrFloat = float | np.ndarray

DEFAULT_MIN_N: int = 10
"""Groups with fewer scored contacts are shown but not tested."""

DEFAULT_ALPHA: float = 0.05
"""Two-sided significance level; confidence intervals are ``1 - alpha``."""


def text_as_categories(data: pd.DataFrame) -> pd.DataFrame:
    """``data`` with its text columns as categoricals of their sorted values, for a formula.

    patsy finds a categorical's levels at once and a text column's value by value (1.9 s of
    a 1e5-row mixed model); the levels, their order and so the design's columns and values
    are the same (tested against patsy on the text). Not for a model that later predicts on
    new text data (its levels would have to match the categories).

    Examples
    --------
    >>> d = text_as_categories(pd.DataFrame({"c": ["b", "a", "b"], "y": [1.0, 2, 3]}))
    >>> list(d["c"].cat.categories), d["y"].dtype.kind
    (['a', 'b'], 'f')
    >>> n = pd.DataFrame({"y": [1.0]}); text_as_categories(n) is n  # no text: the same frame
    True
    """
    text = [c for c in data.columns if pd.api.types.is_string_dtype(data[c])]  # str only
    if not text:
        return data
    return data.assign(**{c: pd.Categorical(data[c], categories=sorted(data[c].dropna().unique()))
                          for c in text})


def require_columns(data: pd.DataFrame, columns: Iterable[str], where: str = "data") -> None:
    """Raise ``ValueError`` naming every column of ``columns`` missing from ``data``.

    Examples
    --------
    >>> require_columns(pd.DataFrame({"total": [1.0]}), ["total"])
    >>> require_columns(pd.DataFrame({"total": [1.0]}), ["total", "company"])
    Traceback (most recent call last):
    ...
    ValueError: data: missing column(s) ['company']; found ['total']
    """
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{where}: missing column(s) {missing}; found {list(data.columns)}")


def require_groups(data: pd.DataFrame, column: str, minimum: int = 2) -> list:
    """Return the sorted distinct values of ``column``; raise if there are fewer than ``minimum``.

    Examples
    --------
    >>> require_groups(pd.DataFrame({"company": ["a", "b", "a"]}), "company")
    ['a', 'b']
    """
    require_columns(data, [column])
    levels = sorted(data[column].dropna().unique().tolist())
    if len(levels) < minimum:
        raise ValueError(
            f"column {column!r}: need at least {minimum} groups, found {len(levels)} {levels}"
        )
    return levels


def infer_shop(
    data: pd.DataFrame, company: str = "company", role: str = "role", shop: str | None = None
) -> str:
    """Return the shop's company id: ``shop`` if given (checked), else the one with role "shop".

    Examples
    --------
    >>> d = pd.DataFrame({"company": ["a", "b"], "role": ["competitor", "shop"]})
    >>> infer_shop(d)
    'b'
    """
    require_columns(data, [company])
    if shop is not None:
        if not (data[company] == shop).any():  # not set(...): iterating rows is slow
            raise ValueError(f"shop {shop!r} not found in column {company!r}")
        return shop
    require_columns(data, [role], where="data (role needed to infer the shop)")
    shops = data.loc[data[role] == "shop", company].dropna().unique().tolist()
    if len(shops) != 1:
        raise ValueError(
            f"cannot infer the shop: expected exactly one company with {role} == 'shop', "
            f"found {shops}; pass shop=..."
        )
    return shops[0]


def check_alpha(alpha: float) -> None:
    """Raise ``ValueError`` unless ``0 < alpha < 1``."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")


def welch(x: np.ndarray, y: np.ndarray, alpha: float = DEFAULT_ALPHA) -> dict[str, float]:
    """Welch two-sample t test of ``mean(x) - mean(y)`` (same as R ``t.test(x, y)``).

    Returns diff, ci_low, ci_high, t, df, p: the values of scipy's
    ``ttest_ind(equal_var=False)`` and its ``confidence_interval`` (to the last bits, also
    for NaN input, constant samples and samples under two values; checked in
    ``tests/stats/test_compare.py``), in closed form — scipy's wrapper costs ~1 ms a call and a
    wave calls this hundreds of times.

    Examples
    --------
    >>> r = welch(np.array([1.0, 2, 3, 4]), np.array([2.0, 4, 6, 8]))
    >>> round(r["diff"], 3), round(r["t"], 4)
    (-2.5, -1.7321)
    """
    from scipy.special import stdtr, stdtrit

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    nx, ny = len(x), len(y)
    diff = float(np.mean(x) - np.mean(y)) if nx and ny else np.nan
    if nx < 2 or ny < 2 or np.isnan(diff):  # scipy: every statistic NaN (df 1 for n = 1)
        df = 1.0 if nx and ny and not np.isnan(diff) else np.nan
        return {"diff": diff, "ci_low": np.nan, "ci_high": np.nan, "t": np.nan,
                "df": df, "p": np.nan}
    se, df = welch_se_df(_var1(x) / nx, _var1(y) / ny, nx, ny)  # numpy floats: 0/0 is NaN
    if np.isnan(df):  # both samples constant: scipy's df, which then does not matter
        df = 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.divide(diff, se)
    p = float(2 * stdtr(df, -abs(t)))
    tail = (1 - (1 - alpha)) / 2  # scipy's arithmetic, for its last bits
    return {"diff": diff, "ci_low": float(stdtrit(df, tail) * se + diff),
            "ci_high": float(stdtrit(df, 1 - tail) * se + diff),
            "t": float(t), "df": float(df), "p": p}


def welch_se_df(vm_x: ArrayOrFloat, vm_y: ArrayOrFloat, n_x: ArrayOrFloat,
                n_y: ArrayOrFloat) -> tuple[ArrayOrFloat, ArrayOrFloat]:
    """Standard error of a difference of means and its Welch–Satterthwaite df, from the
    variances of the two means (``var / n``) and the sizes; scalars or arrays (pairs side by
    side). NaN df when both variances are 0.

    >>> se, df = welch_se_df(4.0 / 10, 9.0 / 12, 10, 12)
    >>> round(float(se), 4), round(float(df), 2)
    (1.0724, 19.19)
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        df = (vm_x + vm_y) ** 2 / (vm_x**2 / (n_x - 1) + vm_y**2 / (n_y - 1))
    return np.sqrt(vm_x + vm_y), df


def _var1(x: np.ndarray) -> np.floating:
    """Sample variance (ddof 1) as scipy's t tests compute it: the mean square × n/(n-1)."""
    n = len(x)
    return np.mean((x - np.mean(x)) ** 2) * (n / (n - 1))


def score_columns(data: pd.DataFrame, dims: Iterable[str] | None = None) -> list[str]:
    """Return the ``dim_*`` columns of ``data`` (or check the ``dims`` given).

    Examples
    --------
    >>> score_columns(pd.DataFrame(columns=["total", "dim_needs", "dim_closing"]))
    ['dim_needs', 'dim_closing']
    """
    if dims is None:
        cols = [c for c in data.columns if str(c).startswith("dim_")]
    else:
        cols = [d if str(d).startswith("dim_") else f"dim_{d}" for d in dims]
        require_columns(data, cols)
    if not cols:
        raise ValueError("no dim_* columns found in data")
    return cols


def check_p_array(p: Iterable[float]) -> np.ndarray:
    """p-values as a float array; raise ``ValueError`` if one is outside [0, 1].

    NaN (an untested comparison) passes through; values within 1e-9 outside [0, 1]
    (floating-point noise) are clipped.

    Examples
    --------
    >>> check_p_array([0.2, 1 + 1e-12]).tolist()
    [0.2, 1.0]
    >>> check_p_array([0.2, -0.1])
    Traceback (most recent call last):
    ...
    ValueError: p-values must be in [0, 1], got [-0.1]
    """
    p = np.asarray(list(p), dtype=float)
    bad = (p < -1e-9) | (p > 1 + 1e-9)
    if bad.any():
        raise ValueError(f"p-values must be in [0, 1], got {p[bad].tolist()}")
    return np.clip(p, 0.0, 1.0)


def holm(p: Iterable[float]) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values (= R ``p.adjust(p, "holm")``).

    Same result as ``statsmodels.stats.multitest.multipletests(p, method="holm")[1]``
    (checked in the tests), which in statsmodels 0.15 runs ``gc.collect()`` on every call
    (~80 ms) — too slow inside simulations.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.06, 0.06]
    >>> holm([0.01, float("nan"), 0.03]).round(3).tolist()
    [0.02, nan, 0.03]
    """
    p = check_p_array(p)
    out = np.full(len(p), np.nan)
    ok = np.flatnonzero(~np.isnan(p))  # NaN stays NaN and does not count (R: p.adjust)
    m = len(ok)
    order = ok[np.argsort(p[ok], kind="stable")]
    out[order] = np.minimum(np.maximum.accumulate((m - np.arange(m)) * p[order]), 1.0)
    return out
