"""benchlib.trend on the example study: panel gaps, trainings, grid history, event study,
items that moved (real values, no mocks)."""

from __future__ import annotations

import numpy as np
import pytest

from benchlib import plots_trend, trend
from benchlib.stats import describe_scores


def test_waves_and_reference(study):
    assert trend.waves_up_to(study.config, "2026-04") == ["2025-07", "2025-10", "2026-01",
                                                           "2026-04"]
    # the first training is before 2025-10, so the reference is the first wave
    assert trend.reference_wave(study.config) == "2025-07"
    with pytest.raises(Exception, match="valid waves"):
        trend.waves_up_to(study.config, "2099-01")


def test_trend_table_gaps_for_panel_changes(study):
    tr = trend.trend_table(study, "2026-10")
    assert len(tr) == 6 * 6  # six companies ever in the panel × six waves
    kk = tr[tr["company"] == "kabelkraft"].set_index("wave")
    assert kk.loc[["2025-07", "2025-10", "2026-01"], "mean"].notna().all()
    assert kk.loc[["2026-04", "2026-07", "2026-10"], ["mean", "ci_low", "ci_high"]].isna().all().all()
    assert (kk.loc[["2026-04", "2026-07", "2026-10"], "n"] == 0).all()
    assert not kk.loc["2026-04", "in_panel"]
    nl = tr[tr["company"] == "nordlicht"].set_index("wave")
    assert nl.loc[["2025-07", "2025-10", "2026-01"], "mean"].isna().all()
    assert nl.loc[["2026-04", "2026-07", "2026-10"], "mean"].notna().all()
    # the shop comes first; values equal describe_scores on the comparable core of all
    # waves shown (default), or on the full grid with score="full"
    assert tr["company"].iloc[0] == study.shop
    core, _ = study.comparable(trend.waves_up_to(study.config, "2026-10"))
    core = core[core["scored"] & (core["wave"] == "2026-07")]
    full = trend.trend_table(study, "2026-10", score="full")
    for got_tab, src in ((tr, core), (full, study.wave_contacts("2026-07"))):
        ref = describe_scores(src, by="company").set_index("company")
        got = got_tab[got_tab["wave"] == "2026-07"].set_index("company")
        for comp in ref.index:
            assert got.loc[comp, "mean"] == pytest.approx(ref.loc[comp, "mean"], abs=1e-12)
            assert got.loc[comp, "ci_low"] == pytest.approx(ref.loc[comp, "ci_low"], abs=1e-12)
            assert got.loc[comp, "n"] == ref.loc[comp, "n"]
    # the new item (weight 3, rarely offered by the shop) lowers the shop's full-grid level
    shop = lambda t: t[(t["company"] == study.shop) & (t["wave"] == "2026-07")]["mean"].iloc[0]  # noqa: E731
    assert shop(full) < shop(tr) - 2


def test_trend_table_k_suppression(study):
    tr = trend.trend_table(study, "2026-01", k=1000)
    assert tr["suppressed"].all() and tr["mean"].isna().all()
    # a smaller k never undercuts the study's own threshold (the one rule, no opt-out)
    assert trend.trend_table(study, "2026-01", k=1).equals(trend.trend_table(study, "2026-01"))


@pytest.fixture(scope="module")
def res_2026_10(study, wave_view):
    return wave_view("2026-10", "de")


def test_trend_scores_table_shows_dash_outside_panel(res_2026_10):
    from benchlib.results import display_table

    wide = display_table(res_2026_10, "trend_scores").set_index("Unternehmen")
    assert wide.loc["Kabelkraft", "2026-04"] == "–"
    assert wide.loc["Nordlicht Elektro", "2025-07"] == "–"
    assert wide.loc["Voltera", "2026-10"] == "70,6 (65,7 bis 75,5)"  # German decimal comma
    n = display_table(res_2026_10, "trend_n").set_index("Unternehmen")
    assert n.loc["Kabelkraft", "2026-10"] == "–" and n.loc["Kabelkraft", "2025-07"] == "80"


def test_training_marks(study):
    m = trend.training_marks(study.config, "2026-10")
    assert m["wave"].tolist() == ["2025-10", "2026-01", "2026-04", "2026-07", "2026-10"]
    assert m["x"].tolist() == [1, 2, 3, 4, 5]
    assert m["topics"].iloc[0] == list(study.config.waves[1].trainings_before[0].topics)
    assert "Reklamationsbehandlung" in trend.training_marks(study.config, "2026-10",
                                                            "de")["topics"].iloc[0]
    assert trend.training_marks(study.config, "2025-07").empty


def test_trainings_table_is_labelled(res_2026_10, study):
    from benchlib.results import display_table, view

    d = display_table(view(res_2026_10.res, study.config, "en"), "trainings")
    assert d["Mark"].tolist() == ["T1", "T2", "T3", "T4", "T5"]
    assert d["Topics"].iloc[0] == "Closing orientation, Complaint handling"


def test_grid_changes(study):
    g = trend.grid_changes(study.config)
    rows = g.set_index("item")
    assert rows.loc["callback_offered", "change"] == "added"
    assert rows.loc["callback_offered", "wave"] == "2026-01"
    assert rows.loc["callback_offered", "previous"] == "2025-10"
    assert rows.loc["needs_questions", "change"] == "changed"
    assert rows.loc["needs_questions", "wave"] == "2026-01"
    assert rows.loc["needs_questions", "detail"] == "scale: yes_no → yes_partly_no"
    assert len(g) == 2
    assert trend.grid_changes(study.config, "2025-10").empty
    fn = trend.grid_footnote(study.config, "2026-10", "de")
    assert "Rückruf angeboten" in fn and "Skala" in fn and "2026-01" in fn
    assert "yes_partly_no" not in fn and "needs_questions" not in fn  # no ids in visible text
    assert trend.grid_footnote(study.config, "2025-10", "de") == ""


def test_grid_changes_table_has_labels_not_ids(study, wave_view):
    from benchlib.results import display_table

    disp = display_table(wave_view("2026-01", "en"), "grid_changes")
    assert disp["Change"].tolist() == ["added", "changed"]
    assert disp["Item"].tolist() == ["Call-back offered", "Needs clarified by questions"]
    assert disp["Details"].tolist() == ["", "scale"]
    assert "callback_offered" not in disp.to_string()


def test_panel_note(study):
    note = trend.panel_note(study.config, trend.waves_up_to(study.config, "2026-10"), "de")
    assert "Kabelkraft war bis 2026-01" in note and "Nordlicht Elektro ist ab 2026-04" in note
    assert trend.panel_note(study.config, ["2025-07", "2025-10"], "de") == ""


def test_event_study_table(study):
    es = trend.event_study_table(study, "2026-10")
    assert es["wave"].tolist() == list(study.waves)
    ref = es[es["reference"]]
    assert ref["wave"].tolist() == ["2025-07"] and ref["estimate"].iloc[0] == 0.0
    assert np.isnan(ref["se"].iloc[0])
    later = es[~es["reference"]]
    assert (later["ci_low"] < later["estimate"]).all() and (later["estimate"] < later["ci_high"]).all()
    assert later["training_before"].all()
    assert trend.event_study_table(study, "2025-07").empty
    assert len(trend.event_study_table(study, "2026-01")) == 3


def test_items_that_moved(study):
    m = trend.items_that_moved(study, "2025-10")
    assert set(m["previous"]) == {"2025-07"} and set(m["wave"]) == {"2025-10"}
    # flagged only when the BH-adjusted p is below 0.05
    assert (m.loc[m["moved"], "p_fdr"] < 0.05).all()
    assert not (m.loc[~m["moved"] & m["tested"], "p_fdr"] < 0.05).any()
    assert set(m.loc[m["moved"], "item"]) == {"complaint_apology", "complaint_compensation"}
    assert m["p_fdr"].dropna().ge(m["p"].dropna()).all()
    # only yes/no items
    yn = {i.id for i in study.config.grid.items if i.scale == "yes_no"}
    assert set(m["item"]) <= yn


def test_items_that_moved_across_grid_change(study, wave_view):
    m = trend.items_that_moved(study, "2026-01").set_index("item")
    # the new item and the item whose scale changed are listed, not compared
    for item in ("callback_offered", "needs_questions"):
        assert m.loc[item, "grid_changed"] and not m.loc[item, "tested"]
        assert not m.loc[item, "moved"]
    from benchlib.results import display_table

    d = display_table(wave_view("2026-01", "en"), "items_moved")
    assert "not comparable (grid changed)" in d["Result"].tolist()
    assert trend.items_that_moved(study, "2025-07").empty


def test_figures_are_deterministic(study):
    import io

    import matplotlib

    matplotlib.use("Agg")
    tr = trend.trend_table(study, "2026-10")
    marks = trend.training_marks(study.config, "2026-10")

    def png():
        fig = plots_trend.trend_figure(tr, list(study.waves), "score", marks, "training")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        matplotlib.pyplot.close(fig)
        return buf.getvalue()

    assert png() == png()
    es = trend.event_study_table(study, "2026-10")
    fig = plots_trend.event_study_figure(es, list(study.waves), "pts", "ref", marks, "t")
    assert len(fig.axes) == 1
    matplotlib.pyplot.close(fig)
    m = trend.items_that_moved(study, "2025-10")
    fig = plots_trend.moved_items_figure(m, "label_en", "pp", "moved", "not")
    assert len(fig.axes[0].get_yticklabels()) == int(m["tested"].sum())
    matplotlib.pyplot.close(fig)


def test_display_tables_are_translated(res_2026_10):
    from benchlib.results import display_table

    es = display_table(res_2026_10, "event_study")
    assert "Veränderung (Punkte)" in es.columns
    assert es.iloc[0, 0] == "2025-07 (Referenzwelle)"
    assert es["p"].iloc[0] == "–" and es["p"].iloc[1].startswith("p ")


# --- the trend summary's facts: trainings and market-wide moves over all waves ------------


def test_training_history_repeats_each_waves_verdict(study, res_2026_10):
    """Every training's net change (DiD) with the verdict of the wave it preceded: on the
    example only the first training (closing orientation, complaint handling) is a success;
    the last row is exactly the wave report's training result (one truth)."""
    h = res_2026_10.training_history
    assert h["wave"].tolist() == ["2025-10", "2026-01", "2026-04", "2026-07", "2026-10"]
    assert h["previous"].tolist() == ["2025-07", "2025-10", "2026-01", "2026-04", "2026-07"]
    assert h.loc[h["claim"].astype(bool), "wave"].tolist() == ["2025-10"]
    first = h.iloc[0]
    assert first["topics"] == ["closing_orientation", "complaint_handling"]
    assert first["estimate"] == pytest.approx(12.818807, abs=1e-5)
    assert first["ci_low"] > 0 and first["p_adj"] < 0.001 and first["gate_open"]
    last, te = h.iloc[-1], res_2026_10.training
    for key in ("estimate", "ci_low", "ci_high", "p", "p_adj"):
        assert last[key] == pytest.approx(te[key], rel=1e-12), key
    assert bool(last["claim"]) == te["claim"] is False
    # headline_verdicts repeats compute_wave's policy on the three headline tests exactly
    # (it must use the same primary comparison: a change there must reach both)
    from benchlib.results.compute import headline_verdicts

    again = headline_verdicts(study, "2026-10")["policy"]
    pol = res_2026_10.policy
    assert again["claims"] == pol["claims"] and again["gate_open"] == pol["gate_open"]
    for key, p in pol["summary_p"].items():
        assert again["summary_p"][key] == pytest.approx(p, rel=1e-12), key
    # the DiD is the one of the step from wave to wave (the same fit)
    st = res_2026_10.wave_steps.set_index("wave")
    assert st.loc["2025-10", "estimate"] == pytest.approx(first["estimate"], rel=1e-12)


def test_wave_steps_find_the_market_wide_dip(study, res_2026_10):
    """The market (every competitor present in both waves) moves together in 2026-07 (the
    planted market-wide drop) and back in 2026-10; the shop moves with it. The market's
    change is the Welch difference of the pooled competitors on the comparable core."""
    from scipy import stats as ss

    st = res_2026_10.wave_steps.set_index("wave")
    assert st.index[st["market_wide"].astype(bool)].tolist() == ["2026-07", "2026-10"]
    dip = st.loc["2026-07"]
    assert dip["n_competitors"] == 4 and dip["n_competitors_down"] == 4
    assert dip["shop_verdict"] == "with_market" and not dip["claim"]
    core, _ = study.comparable(["2026-04", "2026-07"])
    core = core[core["scored"]]
    comp = core[core["company"].isin(dip["competitors"])]
    a = comp.loc[comp["wave"] == "2026-07", "total"]
    b = comp.loc[comp["wave"] == "2026-04", "total"]
    assert dip["market_change"] == pytest.approx(a.mean() - b.mean(), abs=1e-10)
    assert dip["market_change"] == pytest.approx(-9.340539, abs=1e-5)
    assert dip["market_p"] == pytest.approx(ss.ttest_ind(a, b, equal_var=False).pvalue,
                                            rel=1e-9)
    # Holm over the five steps: the smallest p times 5 at most
    assert st["market_p_adj"].max() <= 1 and (st["market_p_adj"] >= st["market_p"]).all()
    assert not st.loc[["2025-10", "2026-01", "2026-04"], "market_wide"].astype(bool).any()
    shop = core[core["company"] == study.shop]
    assert dip["shop_change"] == pytest.approx(
        shop.loc[shop["wave"] == "2026-07", "total"].mean()
        - shop.loc[shop["wave"] == "2026-04", "total"].mean(), abs=1e-10)


def test_trend_summary_says_what_a_manager_needs(res_2026_10, study):
    from benchlib.results import view, wording

    de = wording.trend_summary(res_2026_10)
    text = " ".join(de)
    assert "Trainings bis Welle 2026-10: 5. Ein Erfolg" in text
    assert "T1 (vor 2025-10)" in text
    t1 = next(s for s in de if s.startswith("T1 vor Welle 2025-10"))
    assert "Abschlussorientierung, Reklamationsbehandlung" in t1
    assert "+12,8 Punkte (95-%-KI 7,0 bis 18,7; korrigiertes p < 0,001) – ein Erfolg" in t1
    t2 = next(s for s in de if s.startswith("T2 vor Welle 2026-01"))
    assert "kein belastbarer Unterschied zum Markt" in t2
    dip = next(s for s in de if s.startswith("Marktweiter Rückgang in Welle 2026-07"))
    assert "Alle 4 Wettbewerber lagen niedriger als in 2026-04" in dip
    assert "9,3 Punkte weniger" in dip and "Voltera hat sich mit dem Markt bewegt" in dip
    assert "eigene Veränderung −10,3 Punkte" in dip
    en = " ".join(wording.trend_summary(view(res_2026_10.res, study.config, "en")))
    assert "Market-wide dip in wave 2026-07" in en and "A success" in en
    assert "Market-wide rise in wave 2026-10" in en
    assert "closing_orientation" not in en and "voltera" not in en


@pytest.mark.slow
@pytest.mark.parametrize("training", [True, False])
def test_trend_facts_on_a_second_study(tmp_path, training):
    """The second study (other ids, two waves, two competitors): one training that the data
    do not support, or none at all; no market-wide move — each said in one sentence."""
    from fixture_study import Axes, write_fixture_study

    import benchlib
    from benchlib.pipeline import run_pipeline
    from benchlib.results import compute_wave, view, wording

    fx = write_fixture_study(tmp_path / "study", Axes(training=training), notebooks=False)
    run_pipeline(fx.root)
    study = benchlib.load_study(fx.root)
    res = compute_wave(study, fx.waves[-1])
    h, st = res.training_history, res.wave_steps
    assert st["wave"].tolist() == [fx.waves[1]] and not st["market_wide"].astype(bool).any()
    assert st["n_competitors"].tolist() == [2]
    de = wording.trend_summary(view(res, study.config, "de"))
    en = " ".join(wording.trend_summary(view(res, study.config, "en")))
    assert (f"Von {fx.waves[0]} bis {fx.waves[1]} hat sich der Markt (die Wettbewerber "
            "gemeinsam) in keiner Welle belastbar und einheitlich bewegt.") in de
    if not training:
        assert h.empty
        assert f"Bis Welle {fx.waves[1]} gab es in dieser Studie kein Training." in de
        return
    assert h["wave"].tolist() == [fx.waves[1]] and h["tested"].tolist() == [True]
    for key in ("estimate", "p_adj"):
        assert h[key].iloc[0] == pytest.approx(res.training[key], rel=1e-12)
    assert st["estimate"].iloc[0] == pytest.approx(res.training["estimate"], rel=1e-12)
    assert not h["claim"].iloc[0] and h["estimate"].iloc[0] == pytest.approx(-5.01425, abs=1e-4)
    assert "Keines hat die Gesamtpunktzahl belastbar stärker verändert als der Markt." in \
        " ".join(de)
    assert f"T1 before wave {fx.waves[1]}" in en and "no reliable difference" in en
    for ident in (*fx.companies, *fx.items):
        assert f" {ident} " not in en


def test_fact_tables_are_labelled(res_2026_10, study):
    from benchlib.results import display_table, view

    h = display_table(res_2026_10, "training_history")
    assert h["Markierung"].tolist() == ["T1", "T2", "T3", "T4", "T5"]
    assert h["Ergebnis"].tolist()[:2] == ["belastbar besser", "kein belastbarer Unterschied"]
    assert h.iloc[0]["95-%-KI"] == "7,0 bis 18,7"
    st = display_table(view(res_2026_10.res, study.config, "en"), "wave_steps")
    row = st.set_index("Wave").loc["2026-07"]
    assert row["Change of the market (points)"] == "−9.3" and row["Competitors lower"] == "4 of 4"
    assert row["Result"] == "market-wide dip; Voltera: no reliable difference"
    assert st.set_index("Wave").loc["2026-01", "Result"] == "no common reliable move"
    assert "_" not in st.to_string()
