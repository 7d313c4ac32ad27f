"""Where each company ranks, with its uncertainty: rank ranges and "tied with …", never a false order.

A company's rank is known only as far as the data separate it from the others. Company
``j`` is *ahead of* company ``i`` when the data support ``mean_j > mean_i``; then

- best possible rank of ``i`` = 1 + (number of companies ahead of ``i``),
- worst possible rank of ``i`` = K − (number of companies behind ``i``),
- ``i`` is *tied with* every company neither ahead of nor behind it,

among the K companies that are ranked (at least ``min_n`` scored contacts; smaller ones are
listed with ``ranked = False`` and take no place in the order). Two bases say what "the data
support" means:

``ci_overlap`` (:func:`rank_intervals`)
    ``j`` is ahead of ``i`` when ``j``'s confidence interval lies wholly above ``i``'s. When
    the intervals hold *simultaneously* (all K cover their true means), every order they
    show is true; :func:`rank_companies` therefore uses Bonferroni intervals of level
    ``1 − alpha/K``, so that the chance of any false order is at most ``alpha`` — the
    two-part intervals of :func:`benchlib.stats.mean_ci_knockout`, which hold at small n
    with knockout zeros where the t interval does not.
``pairwise`` (:func:`rank_from_pairs`)
    ``j`` is ahead of ``i`` when the multiplicity-adjusted interval of ``mean_j − mean_i``
    from a pairwise comparison lies above 0 — :func:`benchlib.stats.games_howell`
    (simultaneous over all pairs) in :func:`rank_companies`, or any adjusted contrasts a caller
    passes (e.g. the evaluator-adjusted model of the primary comparison).

>>> s = pd.DataFrame({"company": ["a", "b", "c"], "n": [30, 30, 30],
...                   "mean": [80.0, 70.0, 68.0], "ci_low": [76.0, 66.0, 64.0],
...                   "ci_high": [84.0, 74.0, 72.0]})
>>> r = rank_intervals(s)
>>> r[["company", "rank_best", "rank_worst", "tied_with"]].to_dict("records")
... # doctest: +NORMALIZE_WHITESPACE
[{'company': 'a', 'rank_best': 1, 'rank_worst': 1, 'tied_with': []},
 {'company': 'b', 'rank_best': 2, 'rank_worst': 3, 'tied_with': ['c']},
 {'company': 'c', 'rank_best': 2, 'rank_worst': 3, 'tied_with': ['b']}]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from benchlib.stats import describe_scores, games_howell, mean_ci_knockout
from benchlib.stats._common import DEFAULT_ALPHA, DEFAULT_MIN_N, check_alpha, require_columns

__all__ = ["RANKING_COLUMNS", "rank_companies", "rank_from_pairs", "rank_intervals",
           "ranking_sentence"]

RANKING_COLUMNS = ["company", "n", "mean", "ci_low", "ci_high", "ranked", "rank_best",
                   "rank_worst", "of", "tied_with", "ahead_of", "behind", "basis"]
"""Columns of every ranking table (``rank_*`` and ``of`` are ``<NA>`` for unranked rows)."""


def _order(summary: pd.DataFrame, eligible: np.ndarray) -> pd.DataFrame:
    """Ranked companies first by mean (descending, then id), the unranked after them by id."""
    s = summary.assign(ranked=eligible, _key=np.where(eligible, -summary["mean"], np.inf))
    return s.sort_values(["ranked", "_key", "company"], ascending=[False, True, True])


def _assemble(summary: pd.DataFrame, eligible: np.ndarray,
              ahead: Callable[[str, str], bool], basis: str) -> pd.DataFrame:
    """Rank ranges from the relation ``ahead(j, i)`` = "j is supported to be better than i"."""
    s = _order(summary, eligible)
    ranked = s.loc[s["ranked"], "company"].tolist()
    k = len(ranked)
    rows = []
    for r in s.to_dict("records"):
        c = r["company"]
        row = {col: r[col] for col in ("company", "n", "mean", "ci_low", "ci_high")}
        if r["ranked"]:
            others = [o for o in ranked if o != c]
            better = [o for o in others if ahead(o, c)]
            worse = [o for o in others if ahead(c, o)]
            row |= {"ranked": True, "rank_best": 1 + len(better), "rank_worst": k - len(worse),
                    "of": k, "tied_with": [o for o in others if o not in better and o not in worse],
                    "ahead_of": worse, "behind": better}
        else:
            row |= {"ranked": False, "rank_best": pd.NA, "rank_worst": pd.NA, "of": pd.NA,
                    "tied_with": [], "ahead_of": [], "behind": []}
        rows.append(row | {"basis": basis})
    out = pd.DataFrame(rows, columns=RANKING_COLUMNS)
    for col in ("rank_best", "rank_worst", "of"):
        out[col] = out[col].astype("Int64")
    out["n"] = out["n"].astype(int)
    out["ranked"] = out["ranked"].astype(bool)
    return out.reset_index(drop=True)


def _eligible(summary: pd.DataFrame, min_n: int) -> np.ndarray:
    ok = (summary["n"].to_numpy(float) >= min_n) & summary["mean"].notna().to_numpy()
    if ok.sum() < 2:  # a ranking of one company says nothing
        ok[:] = False
    return ok


def rank_intervals(summary: pd.DataFrame, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """Rank companies by their means and confidence intervals (basis ``ci_overlap``).

    Parameters
    ----------
    summary : DataFrame
        One row per company: ``company, n, mean, ci_low, ci_high`` (e.g. the output of
        :func:`benchlib.stats.describe_scores` with ``by="company"``).
    min_n : int
        Companies with fewer contacts are listed but not ranked. With fewer than two
        companies left nobody is ranked.

    Returns
    -------
    DataFrame
        :data:`RANKING_COLUMNS`: ``rank_best``–``rank_worst`` of ``of`` ranked companies;
        ``tied_with`` the companies whose interval overlaps (the order between them is not
        supported), ``ahead_of`` / ``behind`` the ones separated from it.

    Examples
    --------
    All intervals overlap — everybody could be anywhere:

    >>> s = pd.DataFrame({"company": ["a", "b"], "n": [12, 12], "mean": [71.0, 70.0],
    ...                   "ci_low": [65.0, 64.0], "ci_high": [77.0, 76.0]})
    >>> rank_intervals(s)[["company", "rank_best", "rank_worst", "tied_with"]].values.tolist()
    [['a', 1, 2, ['b']], ['b', 1, 2, ['a']]]
    """
    require_columns(summary, ["company", "n", "mean", "ci_low", "ci_high"], "summary")
    s = summary[["company", "n", "mean", "ci_low", "ci_high"]].reset_index(drop=True)
    lo = dict(zip(s["company"], s["ci_low"].astype(float), strict=True))
    hi = dict(zip(s["company"], s["ci_high"].astype(float), strict=True))
    return _assemble(s, _eligible(s, min_n), lambda j, i: lo[j] > hi[i], "ci_overlap")


def rank_from_pairs(summary: pd.DataFrame, pairs: pd.DataFrame, min_n: int = DEFAULT_MIN_N,
                    basis: str = "pairwise", p_col: str | None = None,
                    alpha: float = DEFAULT_ALPHA) -> pd.DataFrame:
    """Rank companies from adjusted pairwise comparisons (basis ``basis``).

    Parameters
    ----------
    summary : DataFrame
        One row per company: ``company, n, mean, ci_low, ci_high``.
    pairs : DataFrame
        One row per pair: ``A, B, ci_low, ci_high`` — the multiplicity-adjusted interval of
        ``mean_A − mean_B`` (e.g. :func:`benchlib.stats.games_howell`); or, with ``p_col``,
        ``A, B, diff`` and an adjusted p-value column. A pair that is absent or has no
        interval / p counts as not separated. Only the shop's pairs (e.g. the evaluator-
        clustered :func:`benchlib.stats.clustered_comparison`, renamed ``shop → A``,
        ``competitor → B``) give the shop's own rank range exactly; the others then stay wide.
    min_n : int
        As in :func:`rank_intervals`.
    basis : str
        Recorded in the ``basis`` column (name of the comparison method).
    p_col, alpha : str, float
        When given, a pair is separated where ``pairs[p_col] < alpha`` (e.g. ``"p_holm"``), in
        the direction of the sign of ``diff``; the intervals are then not used.

    Returns
    -------
    DataFrame
        :data:`RANKING_COLUMNS`; ``tied_with`` lists the companies whose adjusted difference
        is not supported.

    Examples
    --------
    >>> s = pd.DataFrame({"company": ["a", "b", "c"], "n": [40, 40, 40],
    ...                   "mean": [80.0, 72.0, 65.0], "ci_low": [76.0, 68.0, 61.0],
    ...                   "ci_high": [84.0, 76.0, 69.0]})
    >>> p = pd.DataFrame({"A": ["a", "a", "b"], "B": ["b", "c", "c"],
    ...                   "ci_low": [-1.0, 9.0, -0.5], "ci_high": [17.0, 21.0, 14.5]})
    >>> rank_from_pairs(s, p)[["company", "rank_best", "rank_worst"]].values.tolist()
    [['a', 1, 2], ['b', 1, 3], ['c', 2, 3]]
    """
    require_columns(summary, ["company", "n", "mean", "ci_low", "ci_high"], "summary")
    s = summary[["company", "n", "mean", "ci_low", "ci_high"]].reset_index(drop=True)
    better: set[tuple[str, str]] = set()  # (j, i): j supported to be better than i
    if p_col is None:
        require_columns(pairs, ["A", "B", "ci_low", "ci_high"], "pairs")
        for a, b, lo, hi in pairs[["A", "B", "ci_low", "ci_high"]].itertuples(index=False):
            if lo > 0:
                better.add((a, b))
            elif hi < 0:
                better.add((b, a))
    else:
        check_alpha(alpha)
        require_columns(pairs, ["A", "B", "diff", p_col], "pairs")
        for a, b, diff, p in pairs[["A", "B", "diff", p_col]].itertuples(index=False):
            if p < alpha and diff != 0:
                better.add((a, b) if diff > 0 else (b, a))
    return _assemble(s, _eligible(s, min_n), lambda j, i: (j, i) in better, basis)


def rank_companies(data: pd.DataFrame, dv: str = "total", group: str = "company",
                   basis: str = "games_howell", min_n: int = DEFAULT_MIN_N,
                   alpha: float = DEFAULT_ALPHA) -> pd.DataFrame:
    """Rank the companies of one wave on ``dv`` with honest ties.

    Parameters
    ----------
    data : DataFrame
        One row per contact (one wave); unscored contacts (``dv`` missing) are dropped.
    dv, group : str
        Score and company columns.
    basis : {"games_howell", "ci_overlap"}
        ``games_howell``: separated where the Games–Howell simultaneous ``1 − alpha`` interval
        of the difference excludes 0 (:func:`rank_from_pairs`); ``ci_overlap``: separated where
        the companies' Bonferroni two-part intervals (level ``1 − alpha/K`` for the K
        companies with ``min_n`` contacts; returned in ``ci_low``/``ci_high``) do not overlap
        (:func:`rank_intervals`). Games–Howell separates more (its studentized-range
        quantiles cost about half a second per pair on two shared cores); both keep the
        familywise chance of any false order at ``alpha``.
    min_n, alpha : int, float
        Companies with fewer than ``min_n`` scored contacts are not ranked; interval level.

    Returns
    -------
    DataFrame
        :data:`RANKING_COLUMNS`, best first.

    Examples
    --------
    >>> d = pd.DataFrame({"company": np.repeat(["a", "b", "c"], [12, 12, 4]),
    ...                   "total": [90.0, 92] * 6 + [50.0, 52] * 6 + [70.0] * 4})
    >>> r = rank_companies(d)
    >>> r[["company", "ranked", "rank_best", "rank_worst", "of"]].values.tolist()
    [['a', True, 1, 1, 2], ['b', True, 2, 2, 2], ['c', False, <NA>, <NA>, <NA>]]
    """
    check_alpha(alpha)
    require_columns(data, [dv, group])
    if basis not in ("games_howell", "ci_overlap"):
        raise ValueError(f"basis must be 'games_howell' or 'ci_overlap', got {basis!r}")
    d = data.loc[data[dv].notna(), [group, dv]].rename(columns={group: "company"})
    summary = describe_scores(d, dv=dv, by="company", min_n=min_n, alpha=alpha)
    ok = summary.loc[_eligible(summary, min_n), "company"]
    if basis == "ci_overlap":
        simultaneous = mean_ci_knockout(d, dv=dv, by="company", alpha=alpha / max(len(ok), 1))
        return rank_intervals(simultaneous, min_n=min_n)
    pairs = pd.DataFrame(columns=["A", "B", "ci_low", "ci_high"])
    if len(ok) >= 2:
        pairs = games_howell(d[d["company"].isin(ok)], dv=dv, between="company", alpha=alpha)
    return rank_from_pairs(summary, pairs, min_n=min_n, basis="games_howell")


def _join(names: list[str], lang: str) -> str:
    from benchlib.i18n import t

    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + t("rk_and", lang) + names[-1]


def ranking_sentence(ranking: pd.DataFrame, company: str, names: Mapping[str, str],
                     lang: str = "de") -> str:
    """One sentence on where ``company`` ranks: its rank range, whom it is behind or ahead of,
    and whom it is tied with.

    ``names`` maps company ids to the labels to show (display names, or anonymous labels in
    the workshop pack). Texts: ``texts/ranking.yaml``.

    >>> s = pd.DataFrame({"company": ["a", "b", "c", "d"], "n": [30, 30, 30, 30],
    ...                   "mean": [80.0, 70.0, 68.0, 50.0], "ci_low": [76.0, 66.0, 64.0, 46.0],
    ...                   "ci_high": [84.0, 74.0, 72.0, 54.0]})
    >>> r = rank_intervals(s)
    >>> names = {"a": "Alpha", "b": "Beta", "c": "Gamma", "d": "Delta"}
    >>> ranking_sentence(r, "b", names, "en")
    'Beta ranks 2nd to 3rd of 4: behind Alpha; ahead of Delta; tied with Gamma (the data do not support an order between them).'
    >>> ranking_sentence(r, "a", names, "de")
    'Alpha liegt auf Platz 1 von 4: vor Beta, Gamma und Delta.'
    """
    from benchlib.i18n import t

    row = ranking.set_index("company").loc[company]
    name = names.get(company, company)
    if not bool(row["ranked"]):
        if not ranking["ranked"].any():
            return t("rk_none_ranked", lang, name=name)
        return t("rk_not_ranked", lang, name=name, n=int(row["n"]))
    best, worst, of = int(row["rank_best"]), int(row["rank_worst"]), int(row["of"])
    if len(row["tied_with"]) == of - 1:
        return t("rk_all_tied", lang, name=name, others=of - 1)
    parts = []
    for key, col in (("rk_behind", "behind"), ("rk_ahead", "ahead_of"), ("rk_tied", "tied_with")):
        if len(row[col]):
            parts.append(t(key, lang, names=_join([names.get(c, c) for c in row[col]], lang)))
    if best == worst:
        return t("rk_exact", lang, name=name, rank=_ordinal(best, lang), of=of,
                 relations="; ".join(parts))
    return t("rk_range", lang, name=name, best=_ordinal(best, lang), worst=_ordinal(worst, lang),
             of=of, relations="; ".join(parts))


def _ordinal(n: int, lang: str) -> str:
    """1 → "1st" (en) / "1" (de; the German texts say "Platz 1")."""
    if lang != "en":
        return str(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
