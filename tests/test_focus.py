"""benchlib.focus: what to train next, on a constructed wave whose answer is checked by hand,
and on the example study (the planted gaps: call-back, mail response, mail form)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from benchlib import focus

WAVE = "2026-10"  # the example configuration's last training before it addresses `closing`


def _rows(item, scale, company, points):
    """One answered row per value; the first half in scenario `returns`, the rest `complaint`."""
    n = len(points)
    return [{"wave": WAVE, "item": item, "scale": scale, "company": company,
             "status": "answered", "points": float(p),
             "scenario": "returns" if i < n // 2 else "complaint"} for i, p in enumerate(points)]


def _yes(k, n):
    return [1] * k + [0] * (n - k)


@pytest.fixture(scope="module")
def constructed(study):
    """Shop `voltera` and competitors `brandt`, `funkturm` on seven items (min_n 10, k 5)."""
    rows = []
    add = rows.extend
    # reach_answered: shop 12/20 = 60 %, brandt 19/20 = 95 % (best), funkturm 16/20 -> -35
    add(_rows("reach_answered", "yes_no", "voltera", _yes(12, 20)))
    add(_rows("reach_answered", "yes_no", "brandt", _yes(19, 20)))
    add(_rows("reach_answered", "yes_no", "funkturm", _yes(16, 20)))
    # greet_name: shop 18/20 = 90 %, brandt 10/20, funkturm 12/20 = 60 % (best) -> +30
    add(_rows("greet_name", "yes_no", "voltera", _yes(18, 20)))
    add(_rows("greet_name", "yes_no", "brandt", _yes(10, 20)))
    add(_rows("greet_name", "yes_no", "funkturm", _yes(12, 20)))
    # politeness (points): shop 10 x 0.5 + 10 x 0.75 = 62.5, brandt 0.75/1.0 = 87.5 -> -25
    add(_rows("politeness", "likert5", "voltera", [0.5] * 10 + [0.75] * 10))
    add(_rows("politeness", "likert5", "brandt", [0.75, 1.0] * 10))
    add(_rows("politeness", "likert5", "funkturm", [0.5, 0.75] * 10))
    # several_options: shop 1/10, brandt 6/10 -> -50, the largest gap but from 10 contacts
    add(_rows("several_options", "yes_no", "voltera", _yes(1, 10)))
    add(_rows("several_options", "yes_no", "brandt", _yes(6, 10)))
    # interrupted: shop 17/20, brandt and funkturm 18/20 (tie -> first id, brandt) -> -5
    add(_rows("interrupted", "yes_no", "voltera", _yes(17, 20)))
    add(_rows("interrupted", "yes_no", "brandt", _yes(18, 20)))
    add(_rows("interrupted", "yes_no", "funkturm", _yes(18, 20)))
    # greet_company: the shop has 8 answered contacts (< min_n): never compared
    add(_rows("greet_company", "yes_no", "voltera", _yes(0, 8)))
    add(_rows("greet_company", "yes_no", "brandt", _yes(20, 20)))
    # closing_attempt (addressed by the last training): funkturm 8/8 has too few contacts to
    # be the best competitor; brandt 14/20 = 70 % is; shop 15/20 = 75 % -> +5
    add(_rows("closing_attempt", "yes_no", "voltera", _yes(15, 20)))
    add(_rows("closing_attempt", "yes_no", "brandt", _yes(14, 20)))
    add(_rows("closing_attempt", "yes_no", "funkturm", _yes(8, 8)))
    items = pd.DataFrame(rows).astype({"item": "category", "company": "category"})
    return SimpleNamespace(config=study.config, items=items)


def _newcombe_high(x1, n1, x2, n2):
    """Upper end of Newcombe's hybrid score interval of p1 - p2, from two Wilson intervals."""
    p1, p2 = x1 / n1, x2 / n2
    lo1, hi1 = proportion_confint(x1, n1, method="wilson")
    lo2, hi2 = proportion_confint(x2, n2, method="wilson")
    return 100 * (p1 - p2 + np.sqrt((hi1 - p1) ** 2 + (p2 - lo2) ** 2))


def test_shop_vs_best_constructed(constructed):
    g = focus.shop_vs_best(constructed, WAVE).set_index("item")
    assert list(g.columns) == [c for c in focus.GAP_COLUMNS if c != "item"]
    # greet_company is withheld: the shop has 8 < min_n answered contacts
    assert set(g.index) == {"reach_answered", "greet_name", "politeness", "several_options",
                            "interrupted", "closing_attempt"}
    assert g.loc["reach_answered", ["best", "diff"]].tolist() == ["brandt", pytest.approx(-35)]
    assert g.loc["greet_name", ["best", "diff"]].tolist() == ["funkturm", pytest.approx(30)]
    assert g.loc["interrupted", "best"] == "brandt"  # tie at 90 %: the first company id
    assert g.loc["closing_attempt", ["best", "n_best", "diff"]].tolist() == [
        "brandt", 20, pytest.approx(5)]  # funkturm's 8/8 is below min_n
    assert g["addressed"].to_dict() == {"reach_answered": False, "greet_name": False,
                                        "politeness": False, "several_options": False,
                                        "interrupted": False, "closing_attempt": True}
    # politeness, Welch by hand: sd 0.125*sqrt(20/19) = 0.12825 in both groups,
    # se = 0.12825*sqrt(2/20) = 0.040555, df = 38, t(0.975, 38) = 2.024394
    # -> -25 ± 8.2101 = [-33.210, -16.790]
    p = g.loc["politeness"]
    assert p["shop"] == pytest.approx(62.5) and p["best_value"] == pytest.approx(87.5)
    assert p["diff_ci_low"] == pytest.approx(-33.210, abs=1e-3)
    assert p["diff_ci_high"] == pytest.approx(-16.790, abs=1e-3)
    assert bool(p["supported"])  # t = -6.16: survives BH over the six items
    # the yes/no differences are Newcombe intervals (checked from two Wilson intervals)
    assert g.loc["reach_answered", "diff_ci_high"] == pytest.approx(
        _newcombe_high(12, 20, 19, 20), abs=1e-6)  # -9.03
    assert g.loc["several_options", "diff_ci_high"] == pytest.approx(
        _newcombe_high(1, 10, 6, 10), abs=1e-6)  # -8.16
    assert not bool(g.loc["several_options", "supported"])  # Fisher p = 0.057 before BH


def test_train_next_constructed_exactly(constructed):
    nxt = focus.train_next(constructed, WAVE)
    # trailing: several_options -50, reach -35, politeness -25, interrupted -5. Ordered by the
    # upper end of the gap's CI: politeness -16.8, reach -9.0, several_options -8.2,
    # interrupted > 0 -> the noisy -50 from 10 contacts comes third, interrupted is out
    assert nxt["item"].tolist() == ["politeness", "reach_answered", "several_options"]
    assert nxt["diff_ci_high"].is_monotonic_increasing
    assert (nxt["diff"] < 0).all()
    assert focus.train_next(constructed, WAVE, n=1)["item"].tolist() == ["politeness"]
    assert focus.train_next(constructed, WAVE, n=10)["item"].tolist()[-1] == "interrupted"
    strong = focus.strengths(constructed, WAVE)
    assert strong["item"].tolist() == ["greet_name", "closing_attempt"]
    assert strong["diff"].tolist() == pytest.approx([30, 5])


def test_small_cells_withheld(constructed):
    # with k = 25 every comparison involves a group below k: nothing is shown or chosen
    g = focus.shop_vs_best(constructed, WAVE, k=25)
    assert g["suppressed"].all() and g["diff"].isna().all() and g["shop"].isna().all()
    assert g["p_fdr"].isna().all() and not g["supported"].any()
    assert focus.train_next(constructed, WAVE, gaps=g).empty
    assert focus.strengths(constructed, WAVE, gaps=g).empty
    res = focus.item_results(constructed, WAVE, k=10)
    fk = res[(res["item"] == "closing_attempt") & (res["company"] == "funkturm")].iloc[0]
    assert fk["n"] == 8 and fk["suppressed"] and np.isnan(fk["value"]) and fk["too_few"]


def test_weakest_cells_constructed(constructed):
    cells = focus.weakest_cells(constructed, WAVE, n=3)
    # per item its weakest scenario (shop cells of 10 contacts; several_options and
    # greet_company have 5 and 4 per cell and are not chosen): reach/complaint 2/10 = 20 %;
    # politeness/returns 50 and closing_attempt/complaint 5/10 = 50 tie -> larger gap to the
    # competitors first: politeness vs market 75 (gap -25), closing vs 8/14 = 57.1 (-7.1)
    assert cells[["item", "scenario"]].values.tolist() == [
        ["reach_answered", "complaint"], ["politeness", "returns"],
        ["closing_attempt", "complaint"]]
    assert cells["value"].tolist() == pytest.approx([20, 50, 50])
    # reach/complaint market: brandt 9/10 + funkturm 6/10 = 15/20
    assert cells["market"].tolist() == pytest.approx([75, 75, 100 * 8 / 14])
    assert (cells["n"] == 10).all()
    only = focus.weakest_cells(constructed, WAVE, items=["greet_name"])
    assert only[["item", "scenario", "value"]].values.tolist() == [
        ["greet_name", "complaint", pytest.approx(80)]]
    assert focus.weakest_cells(constructed, WAVE, items=[]).empty


def test_training_plan_from_configuration(study):
    cfg = study.config
    tr = focus.last_training(cfg, "2026-10")
    assert tr.addresses == ("closing",)
    assert focus.addressed_items(cfg, "2026-10") == ["buying_signal", "closing_attempt",
                                                     "closing_quality", "callback_offered"]
    # before the first training there is none; an item-level address is taken as it is
    assert focus.last_training(cfg, "2025-07") is None
    assert focus.addressed_items(cfg, "2025-07") == []
    assert focus.addressed_items(cfg, "2026-07") == ["mail_salutation", "mail_structure",
                                                     "mail_spelling", "mail_signature"]


def test_train_next_on_the_example(study):
    # the gaps the example plants: call-back offers, slower mail answers, mail form
    nxt = focus.train_next(study, "2026-10")
    assert nxt["item"].tolist() == ["callback_offered", "mail_response_h", "mail_structure"]
    assert nxt["diff"].round(1).tolist() == [-40.6, -16.6, -12.6]
    assert nxt["addressed"].tolist() == [True, False, False]
    strong = focus.strengths(study, "2026-10")
    assert strong["item"].tolist() == ["complaint_empathy", "closing_attempt", "closing_quality"]
    g = focus.shop_vs_best(study, "2026-10")
    cb = g.set_index("item").loc["callback_offered"]
    # 12/33 at the shop against 30/39 at the best competitor
    assert cb["shop"] == pytest.approx(100 * 12 / 33) and cb["best_value"] == pytest.approx(
        100 * 30 / 39)


@pytest.mark.parametrize("shape", ["call_only", "one_scenario", "two_competitors", "nothing"])
def test_adapts_to_what_a_study_has(study, shape):
    """Call only, one scenario, two competitors, no data: every part of the pack still comes
    out, and a part without data is empty (the pack then prints its one sentence)."""
    from benchlib import workshop

    cfg = study.config
    it = study.items[study.items["wave"] == "2025-07"]  # before any training
    keep = {"call_only": it["channel"] == "call",
            "one_scenario": it["scenario"] == next(iter(cfg.scenarios)),
            "two_competitors": it["company"].isin([cfg.shop.id, "brandt", "funkturm"]),
            "nothing": it["company"] == "nobody"}[shape]
    s = SimpleNamespace(config=cfg, items=it[keep])
    gaps = focus.shop_vs_best(s, "2025-07")
    nxt = focus.train_next(s, "2025-07", gaps=gaps)
    strong = focus.strengths(s, "2025-07", gaps=gaps)
    cells = focus.weakest_cells(s, "2025-07", items=list(nxt["item"]))
    tr = focus.last_training(cfg, "2025-07")
    addressed = focus.addressed_items(cfg, "2025-07", tr)
    lines = workshop.summary_lines(cfg, "2025-07", gaps, strong, tr, addressed, "en")
    assert "There has been no training in this study yet." in lines
    head = workshop.headline(cfg, nxt, strong, "en")
    labels = workshop.competitor_labels(cfg, "2025-07", "en")
    workshop.gaps_display(nxt, cfg, labels, "en")
    workshop.role_play_prompts(cfg, cells, "en")
    if shape == "nothing":
        assert gaps.empty and nxt.empty and strong.empty and cells.empty
        assert head.startswith("In this wave no item has enough contacts")
        assert lines[-1].endswith("items not compared: too few contacts at Voltera or at the "
                                  "competitors.")
        return
    assert len(nxt) == 3 and head.startswith("Train next: ")
    mail_items = {i.id for i in cfg.grid.items if i.channels == ("mail",)}
    if shape == "call_only":
        assert not mail_items & set(gaps["item"])
    if shape == "two_competitors":
        assert set(gaps["best"]) <= {"brandt", "funkturm"}
    if shape == "one_scenario":
        assert set(cells["scenario"]) <= {next(iter(cfg.scenarios))}
