"""benchlib.trend on the example study: panel gaps, trainings, grid history, event study,
items that moved (real values, no mocks)."""

from __future__ import annotations

import numpy as np
import pandas as pd
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


def test_trend_wide_shows_dash_outside_panel(study):
    tr = trend.trend_table(study, "2026-10")
    wide = trend.trend_wide(tr, "de").set_index("")
    assert wide.loc["Kabelkraft", "2026-04"] == "–"
    assert wide.loc["Nordlicht Elektro", "2025-07"] == "–"
    assert "," in wide.loc["Voltera", "2026-10"]  # German decimal comma
    n = trend.trend_wide(tr, what="n").set_index("")
    assert n.loc["Kabelkraft", "2026-10"] == "–" and n.loc["Kabelkraft", "2025-07"] == "80"


def test_training_marks(study):
    m = trend.training_marks(study.config, "2026-10")
    assert m["wave"].tolist() == ["2025-10", "2026-01", "2026-04", "2026-07", "2026-10"]
    assert m["x"].tolist() == [1, 2, 3, 4, 5]
    assert "Reklamationsbehandlung" in m["topics"].iloc[0]
    assert trend.training_marks(study.config, "2025-07").empty
    d = trend.trainings_display(m, "en")
    assert d["Mark"].tolist() == ["T1", "T2", "T3", "T4", "T5"]


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
    assert "Rückruf angeboten" in fn and "yes_partly_no" in fn and "2026-01" in fn
    assert trend.grid_footnote(study.config, "2025-10", "de") == ""
    disp = trend.grid_display(g, "en")
    assert disp["Change"].tolist() == ["added", "changed"]


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


def test_items_that_moved_across_grid_change(study):
    m = trend.items_that_moved(study, "2026-01").set_index("item")
    # the new item and the item whose scale changed are listed, not compared
    for item in ("callback_offered", "needs_questions"):
        assert m.loc[item, "grid_changed"] and not m.loc[item, "tested"]
        assert not m.loc[item, "moved"]
    d = trend.moved_display(trend.items_that_moved(study, "2026-01"), "en")
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


def test_display_tables_are_translated(study):
    es = trend.event_display(trend.event_study_table(study, "2026-10"), "de")
    assert "Veränderung (Punkte)" in es.columns
    assert es.iloc[0, 0] == "2025-07 (Referenzwelle)"
    assert all("p =" not in str(p) for p in es["p"])
    assert isinstance(pd.DataFrame(es), pd.DataFrame)
