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
