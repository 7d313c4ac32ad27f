"""Score contacts by the rating grid.

Rules (docs/methodology.md, "Scoring"): every answered item becomes points in [0, 1] from its
scale and direction; N/A items leave numerator and denominator; an applicable empty item is
*missing*; a contact is scored when its answered weight is at least ``min_coverage`` of its
applicable weight; a failed knockout item sets the total to 0 (dimension scores stay).

Scoring works column-wise on a wide table (one row per contact, one column per item) so
its cost is O(contacts × items) numpy work with no per-row Python.

>>> import numpy as np
>>> from benchlib.config import Item
>>> likert = Item("politeness", "greeting", "", "", ("call",), ("complaint",), "likert5")
>>> item_points(likert, np.array([1.0, 3.0, 5.0])).tolist()
[0.0, 0.5, 1.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from benchlib.config import Item
from benchlib.scales import EPS, SCALES

ANSWERED, NOT_APPLICABLE, MISSING, OUT_OF_SCOPE = 0, 1, 2, 3
STATUS_LABELS = {ANSWERED: "answered", NOT_APPLICABLE: "not_applicable", MISSING: "missing",
                 OUT_OF_SCOPE: "out_of_scope"}
SCALE_RANGES = {name: (s.low, np.inf if s.timed else s.high) for name, s in SCALES.items()}
_EPS = EPS


def item_points(item: Item, values: np.ndarray) -> np.ndarray:
    """Points in [0, 1] for parsed values of one item (NaN stays NaN).

    yes = 1, partly = 0.5, no = 0; Likert (x − 1)/4; school grade (6 − g)/5; 0–10 → x/10;
    time items by the item's inclusive thresholds. ``lower_is_better`` flips yes/no, Likert
    and 0–10 items (grade and time scales are lower-is-better by nature).

    >>> from benchlib.config import Item
    >>> wait = Item("wait_s", "reachability", "", "", ("call",), ("returns",), "seconds",
    ...             "lower_is_better", thresholds=((20, 1.0), (60, 0.5)))
    >>> item_points(wait, np.array([20.0, 20.5, 60.0, 61.0])).tolist()
    [1.0, 0.5, 0.5, 0.0]
    >>> grade = Item("g", "knowledge", "", "", ("call",), ("returns",), "grade6", "lower_is_better")
    >>> item_points(grade, np.array([1.0, 6.0, 2.0])).round(2).tolist()
    [1.0, 0.0, 0.8]
    """
    return SCALES[item.scale].points(values, item.direction, item.thresholds)


def knocked_out(points: np.ndarray, answered: np.ndarray) -> np.ndarray:
    """A knockout item fails where it was answered and earned no points."""
    return answered & (np.nan_to_num(points, nan=1.0) <= _EPS)


def contact_scores(num: np.ndarray, den: np.ndarray, applicable: np.ndarray,
                   knocked: np.ndarray, min_coverage: float
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The one scoring rule: ``total, coverage, scored`` from per-contact sums.

    ``num`` = Σ w·p and ``den`` = Σ w over answered applicable items, ``applicable`` = Σ w over
    answered or missing applicable items (N/A excluded). Coverage ≥ ``min_coverage`` (within
    1e-9) scores the contact; a knockout sets the total to 0 and counts as scored.

    >>> contact_scores(np.array([3.0, 1.0, 2.0]), np.array([4.0, 1.0, 2.0]),
    ...                np.array([5.0, 4.0, 2.0]), np.array([False, False, True]), 0.8)
    (array([75., nan,  0.]), array([0.8 , 0.25, 1.  ]), array([ True, False,  True]))
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(applicable > 0, den / np.where(applicable > 0, applicable, 1.0), 0.0)
        enough = (coverage >= min_coverage - _EPS) & (den > 0)
        total = np.where(knocked, 0.0, np.where(enough, dimension_score(num, den), np.nan))
    return total, coverage, knocked | enough


def dimension_score(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """100 · Σ w·p / Σ w, NaN where nothing was answered (clipped: one ulp above 100 occurs
    when every point is 1)."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, np.clip(100.0 * num / np.where(den > 0, den, 1.0), 0.0, 100.0),
                        np.nan)


def in_scope(item: Item, wave: np.ndarray, channel: np.ndarray, scenario: np.ndarray) -> np.ndarray:
    """Boolean mask: the item definition applies to these contacts (wave, channel, scenario)."""
    ok = np.isin(channel, item.channels) & np.isin(scenario, item.scenarios)
    if item.valid_from is not None:
        ok &= wave >= item.valid_from
    if item.valid_to is not None:
        ok &= wave <= item.valid_to
    return ok


class _Coded:
    """Wave, channel and scenario as integer codes: :func:`in_scope` decided once per
    distinct value and broadcast back, instead of comparing Python strings per contact."""

    def __init__(self, wave: pd.Series, channel: pd.Series, scenario: pd.Series) -> None:
        self.cols = []
        for c in (wave, channel, scenario):
            codes, uniques = pd.factorize(c, use_na_sentinel=False)
            self.cols.append((codes, np.asarray(uniques, dtype=object)))

    def in_scope(self, item: Item) -> np.ndarray:
        (wc, wu), (cc, cu), (sc, su) = self.cols
        ok = np.isin(cu, item.channels)[cc] & np.isin(su, item.scenarios)[sc]
        if item.valid_from is not None or item.valid_to is not None:
            w = np.ones(len(wu), dtype=bool)
            if item.valid_from is not None:
                w &= wu >= item.valid_from
            if item.valid_to is not None:
                w &= wu <= item.valid_to
            ok &= w[wc]
        return ok


def score_contacts(
    values: pd.DataFrame,
    status: pd.DataFrame,
    meta: pd.DataFrame,
    items: Sequence[Item],
    dimensions: Sequence[str],
    min_coverage: float = 0.8,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Score every contact.

    Parameters
    ----------
    values, status
        Wide tables indexed like ``meta``, one column per item id: parsed value (float) and
        status code (``ANSWERED``, ``NOT_APPLICABLE``, ``MISSING``).
    meta
        ``wave``, ``channel``, ``scenario`` per contact.
    items
        Grid item definitions (several versions of one id allowed, disjoint in waves).

    Returns
    -------
    scores, points, final_status
        ``scores``: total, coverage, scored, knockout, knockout_items, reached-independent
        dimension scores ``dim_<dimension>``; ``points`` and ``final_status`` wide, with
        out-of-scope cells marked ``OUT_OF_SCOPE``.

    Examples
    --------
    >>> from benchlib.config import Item
    >>> its = [Item("a", "d1", "", "", ("call",), ("s",), "yes_no", weight=1.0),
    ...        Item("b", "d1", "", "", ("call",), ("s",), "likert5", weight=3.0)]
    >>> meta = pd.DataFrame({"wave": ["w"] * 2, "channel": ["call"] * 2, "scenario": ["s"] * 2})
    >>> vals = pd.DataFrame({"a": [1.0, 0.0], "b": [3.0, np.nan]})
    >>> st = pd.DataFrame({"a": [ANSWERED] * 2, "b": [ANSWERED, MISSING]})
    >>> sc, _, _ = score_contacts(vals, st, meta, its, ["d1"])
    >>> sc["total"].round(2).tolist(), sc["coverage"].tolist(), sc["scored"].tolist()
    ([62.5, nan], [1.0, 0.25], [True, False])
    """
    n = len(meta)
    coded = _Coded(*(meta[c] for c in ("wave", "channel", "scenario")))
    num, den, app_w = np.zeros(n), np.zeros(n), np.zeros(n)
    dim_num = {d: np.zeros(n) for d in dimensions}
    dim_den = {d: np.zeros(n) for d in dimensions}
    knocked = np.zeros(n, dtype=bool)
    ko_names = np.full(n, "", dtype=object)
    cols = list(values.columns)
    points = np.full((n, len(cols)), np.nan)
    final = np.full((n, len(cols)), OUT_OF_SCOPE, dtype="int8")
    for item in items:
        scope = coded.in_scope(item)
        if not scope.any():
            continue
        st = status[item.id].to_numpy()
        answered = scope & (st == ANSWERED)
        p = np.where(answered, item_points(item, values[item.id].to_numpy(dtype=float)), np.nan)
        j = cols.index(item.id)
        points[scope, j] = p[scope]
        final[scope, j] = st[scope]
        pw = np.where(answered, np.nan_to_num(p) * item.weight, 0.0)
        aw = np.where(answered, item.weight, 0.0)
        num += pw
        den += aw
        app_w += np.where(scope & ((st == ANSWERED) | (st == MISSING)), item.weight, 0.0)
        dim_num[item.dimension] += pw
        dim_den[item.dimension] += aw
        if item.knockout:
            fail = knocked_out(p, answered)
            knocked |= fail
            hit = np.flatnonzero(fail)  # only the failing contacts get a (Python) string
            ko_names[hit] = [item.id if k == "" else k + "," + item.id for k in ko_names[hit]]
    total, coverage, scored = contact_scores(num, den, app_w, knocked, min_coverage)
    scores = pd.DataFrame({"total": total, "coverage": coverage, "scored": scored,
                           "knockout": knocked, "knockout_items": ko_names.astype(str)},
                          index=meta.index)
    for d in dimensions:
        scores[f"dim_{d}"] = dimension_score(dim_num[d], dim_den[d])
    return (scores, pd.DataFrame(points, index=values.index, columns=cols),
            pd.DataFrame(final, index=values.index, columns=cols))
