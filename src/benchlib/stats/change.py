"""Change of each company's mean score versus the previous wave (Welch)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import DEFAULT_ALPHA, DEFAULT_MIN_N, check_alpha, require_columns, welch

__all__ = ["change_vs_previous"]


def change_vs_previous(
    data: pd.DataFrame,
    wave: str | None = None,
    previous_wave: str | None = None,
    dv: str = "total",
    company: str = "company",
    min_n: int = DEFAULT_MIN_N,
    alpha: float = DEFAULT_ALPHA,
    wave_col: str = "wave",
    before: str | None = None,
    after: str | None = None,
) -> pd.DataFrame:
    """Per company: mean in ``wave`` minus mean in ``previous_wave``, Welch CI and test.

    The two waves are independent samples of contacts, so the Welch two-sample t test applies
    (R ``t.test(cur, prev)``). Companies with fewer than ``min_n`` scored contacts in either
    wave are listed with n and means but not tested (``tested = False``, NaN statistics).

    Parameters
    ----------
    data : DataFrame
        Long data with a wave column.
    wave, previous_wave : str
        Current and previous wave ids (the package-wide names ``after`` and ``before`` may be
        used instead).
    dv, company, wave_col : str
        Score, company and wave columns.
    min_n : int
        Minimum scored contacts per company and wave for a test.
    alpha : float
        CIs have coverage ``1 - alpha``.

    Returns
    -------
    DataFrame
        ``company, n_prev, n_cur, mean_prev, mean_cur, diff, ci_low, ci_high, t, df, p,
        tested``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"company": np.tile(np.repeat(["a", "b"], 12), 2),
    ...                   "wave": np.repeat(["w1", "w2"], 24),
    ...                   "total": rng.normal(70, 10, 48)})
    >>> change_vs_previous(d, "w2", "w1")[["company", "n_prev", "n_cur", "tested"]]
      company  n_prev  n_cur  tested
    0       a      12     12    True
    1       b      12     12    True
    """
    check_alpha(alpha)
    wave, previous_wave = after or wave, before or previous_wave
    if wave is None or previous_wave is None:
        raise ValueError("name the two waves: after=/before= (or wave=/previous_wave=)")
    require_columns(data, [dv, company, wave_col])
    d = data.loc[data[dv].notna() & data[wave_col].isin([wave, previous_wave]),
                 list(dict.fromkeys([company, wave_col, dv]))]
    for w in (wave, previous_wave):
        if not (data[wave_col] == w).any():
            raise ValueError(f"wave {w!r} not found in column {wave_col!r}")
    # numpy masks over three columns (per-company .loc look-ups on the whole frame cost ~6 ms)
    who, when = d[company].to_numpy(dtype=object), d[wave_col].to_numpy(dtype=object)
    y = d[dv].to_numpy(float)
    is_cur, is_prev = when == wave, when == previous_wave
    rows = []
    for comp in sorted(d[company].unique()):
        cur, prev = y[(who == comp) & is_cur], y[(who == comp) & is_prev]
        row = {"company": comp, "n_prev": len(prev), "n_cur": len(cur),
               "mean_prev": prev.mean() if len(prev) else np.nan,
               "mean_cur": cur.mean() if len(cur) else np.nan}
        tested = len(prev) >= min_n and len(cur) >= min_n
        stats_ = welch(cur, prev, alpha) if tested else {"diff": row["mean_cur"] - row["mean_prev"]}
        rows.append(row | {"diff": stats_["diff"]} | {
            k: stats_.get(k, np.nan) for k in ("ci_low", "ci_high", "t", "df", "p")
        } | {"tested": tested})
    return pd.DataFrame(rows)
