"""benchlib.ranking: honest rank ranges on constructed cases whose answer can be checked by hand
(clear order, all tied, partial ties, a company below min_n), the Games–Howell path on raw
contacts, and a null simulation: identical companies are (almost) never put in an order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchlib.ranking import (
    RANKING_COLUMNS,
    rank_companies,
    rank_from_pairs,
    rank_intervals,
    ranking_sentence,
)
from benchlib.stats import games_howell, mean_ci_knockout


def _summary(rows):
    return pd.DataFrame(rows, columns=["company", "n", "mean", "ci_low", "ci_high"])


def _ranks(r):
    return {row.company: (row.rank_best, row.rank_worst, sorted(row.tied_with))
            for row in r.itertuples() if row.ranked}


def test_clear_order():
    # intervals [76,84], [61,69], [46,54]: pairwise disjoint -> one strict order
    s = _summary([("b", 30, 65.0, 61.0, 69.0), ("a", 30, 80.0, 76.0, 84.0),
                  ("c", 30, 50.0, 46.0, 54.0)])
    r = rank_intervals(s)
    assert list(r.columns) == RANKING_COLUMNS
    assert r["company"].tolist() == ["a", "b", "c"]  # best first
    assert _ranks(r) == {"a": (1, 1, []), "b": (2, 2, []), "c": (3, 3, [])}
    assert r.loc[0, "ahead_of"] == ["b", "c"] and r.loc[2, "behind"] == ["a", "b"]
    assert (r["of"] == 3).all() and (r["basis"] == "ci_overlap").all()


def test_all_tied():
    # every interval contains 70: nobody is separated from anybody
    s = _summary([("a", 12, 72.0, 64.0, 80.0), ("b", 12, 70.0, 62.0, 78.0),
                  ("c", 12, 68.0, 60.0, 76.0), ("d", 12, 69.0, 61.0, 77.0)])
    r = rank_intervals(s)
    assert r["company"].tolist() == ["a", "b", "d", "c"]  # listed by mean, but …
    assert _ranks(r) == {"a": (1, 4, ["b", "c", "d"]), "b": (1, 4, ["a", "c", "d"]),
                         "c": (1, 4, ["a", "b", "d"]), "d": (1, 4, ["a", "b", "c"])}
    assert ranking_sentence(r, "a", {"a": "A", "b": "B", "c": "C", "d": "D"}, "en") == (
        "A is tied with all 3 other companies: the data do not support any order among them.")


def test_partial_ties_interval_order():
    # a [80,90] is above everybody; b [70,78] overlaps c [66,74] but is above d [55,65];
    # c overlaps b and d ([66,74] vs [55,65]: 66 > 65 -> separated), so:
    #   a: 1-1; b: ahead of d, tied with c -> 2-3; c: 2-3 tied with b; d: 4-4
    s = _summary([("a", 40, 85.0, 80.0, 90.0), ("b", 40, 74.0, 70.0, 78.0),
                  ("c", 40, 70.0, 66.0, 74.0), ("d", 40, 60.0, 55.0, 65.0)])
    r = rank_intervals(s)
    assert _ranks(r) == {"a": (1, 1, []), "b": (2, 3, ["c"]), "c": (2, 3, ["b"]),
                         "d": (4, 4, [])}
    # a chain that is not transitive: x [60,70] ~ y [68,78] ~ z [76,86], but x < z
    s = _summary([("x", 20, 65.0, 60.0, 70.0), ("y", 20, 73.0, 68.0, 78.0),
                  ("z", 20, 81.0, 76.0, 86.0)])
    r = rank_intervals(s)
    assert _ranks(r) == {"z": (1, 2, ["y"]), "y": (1, 3, ["x", "z"]), "x": (2, 3, ["y"])}
    names = {"x": "X", "y": "Y", "z": "Z"}
    assert ranking_sentence(r, "x", names, "de") == (
        "X liegt auf Platz 2 bis 3 von 3: hinter Z; gleichauf mit Y (die Daten stützen keine "
        "Reihenfolge zwischen ihnen).")
    assert ranking_sentence(r, "y", names, "en").startswith("Y is tied with all 2 other")


def test_small_company_not_ranked():
    # e has the highest mean but only 6 contacts (< min_n 10): listed last, not ranked
    s = _summary([("a", 30, 80.0, 76.0, 84.0), ("b", 30, 65.0, 61.0, 69.0),
                  ("e", 6, 95.0, 90.0, 99.0)])
    r = rank_intervals(s, min_n=10)
    assert r["company"].tolist() == ["a", "b", "e"]
    e = r.set_index("company").loc["e"]
    assert not e["ranked"] and pd.isna(e["rank_best"]) and e["tied_with"] == []
    assert _ranks(r) == {"a": (1, 1, []), "b": (2, 2, [])}
    assert (r.loc[r["ranked"], "of"] == 2).all()
    assert ranking_sentence(r, "e", {"e": "E"}, "en") == (
        "E is not ranked: too few contacts (n = 6) for a comparison.")
    # only one company left with enough contacts: no ranking at all
    r1 = rank_intervals(s, min_n=25 + 10)
    assert not r1["ranked"].any()
    assert ranking_sentence(r1, "a", {"a": "A"}, "en").startswith("No ranking is possible")


def test_rank_from_pairs_uses_adjusted_intervals_only():
    # means say a > b > c, but only a - c is supported by the adjusted intervals
    s = _summary([("a", 40, 80.0, 76.0, 84.0), ("b", 40, 72.0, 68.0, 76.0),
                  ("c", 40, 65.0, 61.0, 69.0)])
    pairs = pd.DataFrame({"A": ["b", "c", "a"], "B": ["a", "a", "b"],
                          "ci_low": [-17.0, -21.0, -1.0], "ci_high": [1.0, -9.0, 17.0]})
    # pair (b, c) absent -> not separated; (c, a) has interval below 0 -> a ahead of c
    r = rank_from_pairs(s, pairs, basis="mixed_model")
    assert _ranks(r) == {"a": (1, 2, ["b"]), "b": (1, 3, ["a", "c"]), "c": (2, 3, ["b"])}
    assert (r["basis"] == "mixed_model").all()


def test_rank_from_shop_pairs_with_adjusted_p():
    # only the shop's comparisons (as the evaluator-clustered primary comparison gives them):
    # s is supported behind a (Holm p 0.01) and ahead of c (0.03), not separated from b
    # (0.20) -> s ranks 2-3; b, with no pair but the shop's, could be anywhere from 1 to 4
    s = _summary([("a", 40, 80.0, 76.0, 84.0), ("b", 40, 71.0, 67.0, 75.0),
                  ("s", 40, 70.0, 66.0, 74.0), ("c", 40, 60.0, 56.0, 64.0)])
    pairs = pd.DataFrame({"A": ["s", "s", "s"], "B": ["a", "b", "c"],
                          "diff": [-10.0, -1.0, 10.0], "p_holm": [0.01, 0.20, 0.03]})
    r = rank_from_pairs(s, pairs, basis="clustered_cr2", p_col="p_holm")
    assert _ranks(r)["s"] == (2, 3, ["b"])
    assert _ranks(r)["b"] == (1, 4, ["a", "c", "s"])
    assert ranking_sentence(r, "s", {"a": "A", "b": "B", "s": "S", "c": "C"}, "en") == (
        "S ranks 2nd to 3rd of 4: behind A; ahead of C; tied with B (the data do not support "
        "an order between them).")
    # with a stricter alpha nothing is separated
    assert _ranks(rank_from_pairs(s, pairs, p_col="p_holm", alpha=0.005))["s"][:2] == (1, 4)


def test_rank_companies_games_howell_on_contacts():
    # a: 90/92 alternating, b: 50/52, c: 70/72 (SD 1.04 each, n 12): every pair differs by
    # >= 20 points with SE ~0.43 -> a strict order; d has 5 contacts -> not ranked
    d = pd.DataFrame({"company": np.repeat(["a", "b", "c", "d"], [12, 12, 12, 5]),
                      "total": [90.0, 92] * 6 + [50.0, 52] * 6 + [70.0, 72] * 6
                      + [99.0] * 5})
    d.loc[len(d)] = {"company": "b", "total": np.nan}  # unscored contact: dropped
    r = rank_companies(d)
    assert r["company"].tolist() == ["a", "c", "b", "d"]
    assert _ranks(r) == {"a": (1, 1, []), "c": (2, 2, []), "b": (3, 3, [])}
    assert r.set_index("company").loc["a", "mean"] == pytest.approx(91.0)
    assert r.set_index("company").loc["b", "n"] == 12
    assert (r["basis"] == "games_howell").all()
    # identical companies are tied on both bases
    same = pd.DataFrame({"company": np.repeat(["a", "b"], 12), "total": [60.0, 80] * 12})
    for basis in ("games_howell", "ci_overlap"):
        assert _ranks(rank_companies(same, basis=basis)) == {"a": (1, 2, ["b"]),
                                                             "b": (1, 2, ["a"])}
    with pytest.raises(ValueError, match="basis"):
        rank_companies(same, basis="means")


def test_ci_overlap_is_stricter_than_games_howell():
    # two companies 5.5 points apart, SD 10, n 40: the Games–Howell interval of the
    # difference excludes 0, the two 95 % intervals of the means still overlap
    rng = np.random.default_rng(3)
    a = rng.normal(0, 1, 40)
    a = (a - a.mean()) / a.std(ddof=1)
    d = pd.DataFrame({"company": np.repeat(["a", "b"], 40),
                      "total": np.concatenate([75.5 + 10 * a, 70 + 10 * a])})
    gh = rank_companies(d, basis="games_howell")
    ov = rank_companies(d, basis="ci_overlap")
    assert _ranks(gh) == {"a": (1, 1, []), "b": (2, 2, [])}
    assert _ranks(ov) == {"a": (1, 2, ["b"]), "b": (1, 2, ["a"])}
    # the overlap basis uses the two-part intervals at level 1 - 0.05/2 (K = 2)
    ref = mean_ci_knockout(d, by="company", alpha=0.025).set_index("company")
    row = ov.set_index("company")
    assert row["ci_low"].to_numpy() == pytest.approx(ref["ci_low"].to_numpy())
    assert row.loc["a", "ci_low"] < row.loc["b", "ci_high"]  # they overlap
    # Games–Howell by hand: the difference's half-width is
    # q(0.95, 2, 78) / sqrt(2) * se = 1.991 * sqrt(2) * 10 / sqrt(40) = 4.45 < 5.5
    gh_pairs = games_howell(d)
    assert gh_pairs.loc[0, "ci_low"] == pytest.approx(5.5 - 4.452, abs=2e-3)

def test_example_wave_where_the_shop_starts_below_the_market(study):
    # 2025-07: the shop is planted below the market; Games–Howell separates it from the two
    # leaders only, so it ranks 3rd to 5th, tied with the other two
    r = rank_companies(study.wave_contacts("2025-07"))
    shop = r.set_index("company").loc["voltera"]
    assert (shop["rank_best"], shop["rank_worst"], shop["of"]) == (3, 5, 5)
    assert sorted(shop["behind"]) == ["brandt", "elektroland"]
    assert sorted(shop["tied_with"]) == ["funkturm", "kabelkraft"]
    assert shop["n"] == 80 and shop["mean"] == pytest.approx(63.635, abs=1e-3)
    names = {c.id: c.name for c in study.config.companies}
    assert ranking_sentence(r, "voltera", names, "en") == (
        "Voltera ranks 3rd to 5th of 5: behind Elektroland Nord and Technikhaus Brandt; tied "
        "with Kabelkraft and Funkturm Direkt (the data do not support an order between them).")


@pytest.mark.slow
def test_null_study_claims_no_order():
    # five identical companies (bounded, skewed scores with knockout zeros), 200 studies: an
    # order is claimed only where two Bonferroni intervals (99 % each for K = 5) do not
    # overlap, so a study with any order claimed is rare (target <= 5 %, Monte-Carlo SE at
    # 5 %: 1.5 %). With plain 95 % t intervals 13 of these 200 studies (6.5 %) claimed one.
    # (Games–Howell is simultaneous by construction; its studentized-range quantiles take
    # seconds per study, too slow to simulate here.)
    rng = np.random.default_rng(20261201)
    reps, claims = 200, 0
    for _ in range(reps):
        n = rng.integers(15, 40, 5)
        score = 100 * rng.beta(5, 2, n.sum())
        score[rng.random(n.sum()) < 0.08] = 0.0
        d = pd.DataFrame({"company": np.repeat(list("abcde"), n), "total": score})
        r = rank_companies(d, basis="ci_overlap")
        claims += int(any(len(x) for x in r["ahead_of"]))
    assert claims / reps <= 0.05


@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0.1, 20), st.integers(0, 60)),
                min_size=1, max_size=7))
def test_rank_ranges_are_consistent(rows):
    # any means with symmetric intervals: ranges nest, ties are symmetric, an order shown is
    # the order of the means, and the ranked companies' ranges fit the count
    s = _summary([(f"c{i}", n, m, m - h, m + h) for i, (m, h, n) in enumerate(rows)])
    r = rank_intervals(s).set_index("company")
    ranked = r[r["ranked"]]
    k = len(ranked)
    for c, row in ranked.iterrows():
        assert 1 <= row["rank_best"] <= row["rank_worst"] <= k == row["of"]
        assert row["rank_worst"] - row["rank_best"] == len(row["tied_with"])
        for o in row["tied_with"]:
            assert c in r.loc[o, "tied_with"]
        for o in row["ahead_of"]:
            assert r.loc[o, "mean"] < row["mean"] and c in r.loc[o, "behind"]
    assert (r.loc[~r["ranked"], "n"] < 10).all() or k == 0
