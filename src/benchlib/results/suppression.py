"""The one small-cell rule every output applies (HTML of every report, results.json, tables.xlsx).

A figure computed over fewer than ``k`` contacts (``settings.k_anonymity``, never below 3)
is withheld: its statistics become NaN (shown as "–", ``null`` in results.json, an empty
cell in tables.xlsx) and so do the **outcome counts** behind it (successes, answered mails,
knockouts …), because x of n with n = 3 is as readable as a share. The group size ``n``
itself stays visible: it says why the figure is withheld and reveals no outcome.

Groups with at least ``k`` but fewer than ``min_n`` contacts are shown and labelled, not
tested (the statistics functions' ``too_few`` / ``tested`` columns).

>>> d = pd.DataFrame({"n": [2, 12], "successes": [2, 7], "share": [1.0, 0.58]})
>>> suppress_small(d, ["n"], ["share"], 5).to_dict("list")
{'n': [2, 12], 'successes': [nan, 7.0], 'share': [nan, 0.58], 'suppressed': [True, False]}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["OUTCOME_COUNTS", "effective_k", "min_n", "suppress_small"]

OUTCOME_COUNTS: tuple[str, ...] = ("successes", "answered", "knockouts", "unreached",
                                   "events", "x", "x_shop", "x_comp", "successes_shop",
                                   "successes_comp")
"""Count columns that reveal an outcome; withheld with the statistics of a small cell."""


def effective_k(study: Any) -> int:
    """The k-anonymity threshold of the study (``settings.k_anonymity``, never below 3).

    >>> from types import SimpleNamespace as N
    >>> effective_k(N(config=N(settings=N(k_anonymity=2))))
    3
    """
    return max(3, int(study.config.settings.k_anonymity))


def min_n(study: Any) -> int:
    """Smallest group that is tested: ``settings.min_n``, never below :func:`effective_k`."""
    return max(int(study.config.settings.min_n), effective_k(study))


def suppress_small(df: pd.DataFrame, n_cols: Sequence[str], value_cols: Sequence[str],
                   k: int) -> pd.DataFrame:
    """Blank ``value_cols`` and the outcome counts in rows where any of ``n_cols`` is below ``k``.

    Adds (or updates) a boolean ``suppressed`` column; group sizes (``n_cols``) stay. An empty
    frame gets the column too.

    >>> d = pd.DataFrame({"n_a": [10, 4], "n_b": [10, 10], "x": [1.0, 2.0]})
    >>> suppress_small(d, ["n_a", "n_b"], ["x"], 5)[["x", "suppressed"]].to_dict("list")
    {'x': [1.0, nan], 'suppressed': [False, True]}
    """
    out = df.copy()
    small = np.zeros(len(out), dtype=bool)
    for c in n_cols:
        if c in out.columns:
            small |= pd.to_numeric(out[c], errors="coerce").fillna(0).to_numpy() < k
    cols = [c for c in dict.fromkeys([*value_cols, *OUTCOME_COUNTS])
            if c in out.columns and c not in n_cols]
    for c in cols:  # column by column: a frame-wide .loc assignment costs ~5 ms a call
        v = out[c].astype(float).to_numpy(copy=True)
        v[small] = np.nan
        out[c] = v
    prev = out["suppressed"].fillna(False).to_numpy(bool) if "suppressed" in out else False
    out["suppressed"] = small | prev
    return out
