"""Which p a verdict uses: the multiplicity policy as the results layer applies it.

* **Primary endpoint** (one per wave): the shop's total score vs the pooled market. Tested
  first, alone, at ``alpha`` — its adjusted p is its p.
* **Secondary families**, each Holm-adjusted within itself: the competitors (shop vs each
  competitor, ``p_holm`` of :func:`benchlib.stats.shop_vs_competitors`); the summary's
  cross-wave claims (the shop's change vs the previous wave and the net change vs the
  market of the last training, one family of two); the dimensions of the change and of the
  net change; the waves of the event study.
* **Items**: Benjamini–Hochberg (``p_fdr`` of the proportion tests), labelled exploratory.

Seam: the statistics helper's policy function in :mod:`benchlib.stats` replaces
:func:`adjust` once it exists (same inputs: a family's raw p-values; same output: the
adjusted ones). Until then Holm (:func:`benchlib.stats._common.holm`, = R ``p.adjust``) is
applied here, and every adjusted p this layer writes names its family in ``meta["policy"]``.

>>> adjust([0.01, 0.04, float("nan")]).round(3).tolist()
[0.02, 0.04, nan]
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = ["FAMILIES", "PRIMARY", "adjust", "describe"]

PRIMARY = "shop_vs_market"

FAMILIES: dict[str, str] = {
    "shop_vs_market": "primary",
    "shop_vs_competitors": "holm",
    "summary_cross_wave": "holm",
    "dimension_change": "holm",
    "training_by_dimension": "holm",
    "event_study": "holm",
    "items": "bh_exploratory",
}
"""Family → adjustment (what ``meta["policy"]`` of every results.json records)."""


def adjust(p: Iterable[float]) -> np.ndarray:
    """Holm-adjusted p-values of one family; NaN (untested) entries stay NaN and do not count."""
    from benchlib.stats._common import holm

    p = np.asarray(list(p), dtype=float)
    out = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = holm(p[ok])
    return out


def describe() -> dict[str, object]:
    """The policy as recorded in results.json."""
    return {"primary": PRIMARY, "families": dict(FAMILIES),
            "source": "benchlib.results.policy (Holm within each family)"}
