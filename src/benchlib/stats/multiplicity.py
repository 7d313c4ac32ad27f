"""The multiplicity policy: one primary endpoint first, secondary families Holm, items BH.

Policy (docs/methodology.md, "Multiplicity policy"):

1. **Primary endpoint** — one per wave, configurable (``primary_endpoint`` in study.yaml;
   default the shop's total score vs the market). Tested first, at ``alpha``, unadjusted.
2. **Secondary families** (shop vs each competitor, the DiD's dimensions, change vs previous
   wave across companies or waves, …) — Holm within each family. With ``gatekeeping`` (the
   default) a secondary family may claim a difference only when the primary endpoint is
   significant (serial gatekeeping: the family-wise error over the primary and each family
   stays at ``alpha``).
3. **Items** — Benjamini–Hochberg within their family, always labelled exploratory.

:func:`apply_policy` turns a tidy table of tests into adjusted p-values and claim flags; the
wording uses exactly ``p_adj`` and ``claim``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._common import DEFAULT_ALPHA, check_alpha, check_p_array, holm, require_columns

__all__ = ["PrimaryEndpoint", "primary_endpoint", "apply_policy", "bh", "TIERS",
           "PRIMARY_COMPARISONS", "DEFAULT_PRIMARY"]

TIERS = ("primary", "secondary", "exploratory")
PRIMARY_COMPARISONS = ("shop_vs_market", "change_vs_previous", "training_effect")


@dataclass(frozen=True)
class PrimaryEndpoint:
    """The primary endpoint of a wave: which comparison (:data:`PRIMARY_COMPARISONS`) of
    which score column (``dv``, e.g. ``"total"`` or a ``"dim_<dimension>"`` column)."""

    comparison: str = "shop_vs_market"
    dv: str = "total"

    def __post_init__(self) -> None:
        if self.comparison not in PRIMARY_COMPARISONS:
            raise ValueError(f"primary_endpoint.comparison must be one of "
                             f"{PRIMARY_COMPARISONS}, got {self.comparison!r}")
        if not isinstance(self.dv, str) or not self.dv:
            raise ValueError(f"primary_endpoint.dv must be a column name, got {self.dv!r}")


DEFAULT_PRIMARY = PrimaryEndpoint()


def _as_endpoint(value: Any) -> PrimaryEndpoint:
    if value is None:
        return DEFAULT_PRIMARY
    if isinstance(value, PrimaryEndpoint):
        return value
    if isinstance(value, str):
        return PrimaryEndpoint(comparison=value)
    if isinstance(value, Mapping):
        unknown = set(value) - {"comparison", "dv"}
        if unknown:
            raise ValueError(f"primary_endpoint: unknown key(s) {sorted(unknown)}; "
                             "expected 'comparison', 'dv'")
        return PrimaryEndpoint(**dict(value))
    return PrimaryEndpoint(comparison=getattr(value, "comparison", "shop_vs_market"),
                           dv=getattr(value, "dv", "total"))


def primary_endpoint(config: Any = None) -> PrimaryEndpoint:
    """The configured primary endpoint, or the default (shop's ``total`` vs the market).

    Looks for ``primary_endpoint`` on ``config.settings``, then on ``config`` itself
    (attribute or mapping key); it may be a comparison name, a mapping ``{comparison, dv}``
    or an object with those attributes.

    Examples
    --------
    >>> primary_endpoint()
    PrimaryEndpoint(comparison='shop_vs_market', dv='total')
    >>> primary_endpoint({"primary_endpoint": {"comparison": "training_effect",
    ...                                        "dv": "dim_d1"}}).comparison
    'training_effect'
    """
    for holder in (getattr(config, "settings", None), config):
        if holder is None:
            continue
        if isinstance(holder, Mapping):
            if holder.get("primary_endpoint") is not None:
                return _as_endpoint(holder["primary_endpoint"])
        elif getattr(holder, "primary_endpoint", None) is not None:
            return _as_endpoint(holder.primary_endpoint)
    return DEFAULT_PRIMARY


def bh(p: Iterable[float]) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (= R ``p.adjust(p, "BH")``).

    Examples
    --------
    >>> bh([0.01, 0.04, 0.03, 0.2]).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.2]
    >>> bh([]).tolist(), bh([float("nan"), 0.02]).tolist()
    ([], [nan, 0.02])
    """
    p = check_p_array(p)
    out = np.full(len(p), np.nan)
    ok = np.flatnonzero(~np.isnan(p))  # NaN stays NaN and does not count (R: p.adjust)
    m = len(ok)
    order = ok[np.argsort(p[ok], kind="stable")[::-1]]
    out[order] = np.minimum(np.minimum.accumulate(p[order] * m / np.arange(m, 0, -1)), 1.0)
    return out


def apply_policy(
    data: pd.DataFrame,
    p: str = "p",
    family: str = "family",
    tier: str = "tier",
    alpha: float = DEFAULT_ALPHA,
    gatekeeping: bool = True,
) -> pd.DataFrame:
    """Apply the multiplicity policy to a tidy table of tests (one row per test).

    ``data`` needs a p-value column, a ``family`` (name of the family of the row) and a
    ``tier`` in :data:`TIERS`. Exactly one row may be ``primary``. Rows with a missing p
    (untested) get NaN and never claim; they do not count in their family.

    Returns ``data`` with ``p_adj`` (primary: p; secondary: Holm in family; exploratory: BH
    in family), ``adjustment`` ("none" | "holm" | "bh"), ``gate_open`` (primary significant,
    or ``gatekeeping=False``), ``claim`` (a "better/worse" statement is allowed: ``p_adj <
    alpha`` and, for secondary rows, the gate open) and ``label`` ("primary" |
    "confirmatory" | "exploratory").

    Examples
    --------
    >>> t = pd.DataFrame({"test": ["market", "b", "c", "item1", "item2"],
    ...                   "family": ["primary", "competitors", "competitors", "items", "items"],
    ...                   "tier": ["primary", "secondary", "secondary", "exploratory",
    ...                            "exploratory"],
    ...                   "p": [0.01, 0.02, 0.04, 0.01, 0.03]})
    >>> apply_policy(t)[["test", "p_adj", "claim", "label"]]
         test  p_adj  claim         label
    0  market   0.01   True       primary
    1       b   0.04   True  confirmatory
    2       c   0.04   True  confirmatory
    3   item1   0.02   True   exploratory
    4   item2   0.03   True   exploratory
    """
    check_alpha(alpha)
    require_columns(data, [p, family, tier])
    bad = sorted(set(data[tier]) - set(TIERS))
    if bad:
        raise ValueError(f"column {tier!r}: unknown tier(s) {bad}; expected one of {TIERS}")
    from .wording import check_p

    out = data.copy()
    pv = np.array([check_p(x) if pd.notna(x) else np.nan for x in out[p]], dtype=float)
    prim = (out[tier] == "primary").to_numpy()
    if prim.sum() != 1:
        raise ValueError(f"need exactly one primary endpoint, found {int(prim.sum())}")
    p_adj = np.full(len(out), np.nan)
    adjustment = np.where(prim, "none", np.where(out[tier] == "secondary", "holm", "bh"))
    p_adj[prim] = pv[prim]
    for (_fam, t), idx in out.groupby([family, tier], sort=False).indices.items():
        if t == "primary":
            continue
        idx = np.asarray(idx)
        ok = idx[~np.isnan(pv[idx])]
        if len(ok):
            p_adj[ok] = holm(pv[ok]) if t == "secondary" else bh(pv[ok])
    primary_sig = bool(pv[prim][0] < alpha) if not np.isnan(pv[prim][0]) else False
    gate = primary_sig or not gatekeeping
    sig = np.nan_to_num(p_adj, nan=1.0) < alpha
    secondary = (out[tier] == "secondary").to_numpy()
    out["p_adj"] = p_adj
    out["adjustment"] = adjustment
    out["gate_open"] = gate
    out["claim"] = sig & (~secondary | gate)
    out["label"] = np.where(prim, "primary",
                            np.where(secondary, "confirmatory", "exploratory"))
    return out
