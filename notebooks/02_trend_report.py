# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python (benchlib)
#     language: python
#     name: benchlib
# ---

# %%

# %% [markdown] tags=["analyst"]
# # Trend across waves
#
# All waves up to `wave`: per-company scores with 95 % CIs (comparable core of those waves), trainings, the event study (shop's gap to the competitors relative to the last wave before the first training), the yes/no items that moved against the previous wave, and what changed in the grid. Every number comes from the wave's results (`benchlib.results.for_report`), the same file the wave report renders — so the shop's change here is the wave report's number. Run with papermill (`make report WAVE=…`) or interactively.

# %% tags=["parameters"]
wave: str = "2026-10"
lang: str = "de"
out_dir: str = ""

# %%
import html

import benchlib
from benchlib import plots, trend, viz
from benchlib.i18n import t
from benchlib.results import display, for_report, wording

study = benchlib.load_study()
res = for_report(study, wave, lang, out_dir)
shop = res.name(res.shop)
waves = display.trend_waves(res)
marks = display.training_marks(res)
footnote = trend.grid_footnote(study.config, wave, lang)
table = lambda name, **kw: viz.show_table(display.display_table(res, name), lang=lang, **kw)  # noqa: E731

# %%
viz.show_heading(t("tr_title", lang, wave=wave), 1)
lines = wording.trend_summary(res)
viz.show_headline(lines[0])
viz.show_html(t("tr_intro", lang, first=waves[0], wave=wave, shop=shop), "bl-note")
body = "".join(f"<li>{html.escape(s)}</li>" for s in lines[1:])
viz.show_html(f"<h2>{html.escape(t('tr_summary_title', lang))}</h2><ul>{body}</ul>",
              "bl-summary", escape=False)

# %%
viz.show_heading(t("tr_scores", lang))
fig = plots.company_trend_figure(res, ylabel=t("tr_ylabel", lang),
                                 training_label=t("tr_training_legend", lang))
viz.show_figure(fig, alt=t("tr_scores_alt", lang, first=waves[0], wave=wave))
notes = [t("tr_panel_note", lang, changes=trend.panel_note(study.config, waves, lang))]
if footnote:
    notes.append(footnote)
if res.trend.loc[res.trend["in_panel"], "too_few"].any():
    notes.append(t("tr_small_note", lang, min_n=res.min_n))
for n in notes:
    viz.show_html(n, "bl-note")
table("trend_scores", caption=t("tr_table_scores", lang))
table("trend_n", caption=t("tr_table_n", lang))

# %%
viz.show_heading(t("tr_trainings", lang))
if len(marks):
    table("trainings")
    if len(res.training_history):
        viz.show_heading(t("tr_history", lang), 3)
        viz.show_html(t("tr_history_intro", lang, shop=shop), "bl-note")
        table("training_history")
else:
    viz.show_html(t("tr_no_trainings", lang))

# %%
if len(res.wave_steps):
    viz.show_heading(t("tr_steps", lang))
    viz.show_html(t("tr_steps_intro", lang, shop=shop))
    table("wave_steps")

# %%
viz.show_heading(t("tr_event", lang))
if len(res.event_study) > 1:
    ref = res.event_study.loc[res.event_study["reference"].astype(bool), "wave"].iloc[0]
    viz.show_html(t("tr_event_intro", lang, shop=shop, ref=ref))
    fig = plots.event_study_figure(res.event_study, waves,
                                         ylabel=t("tr_event_ylabel", lang),
                                         reference_label=t("tr_event_reference", lang),
                                         trainings=marks,
                                         training_label=t("tr_training_legend", lang))
    viz.show_figure(fig, alt=t("tr_event_alt", lang, shop=shop, ref=ref))
    if footnote:
        viz.show_html(footnote, "bl-note")
    table("event_study")
else:
    viz.show_html(wording.unavailable(res, "event_study") or t("tr_event_none", lang))

# %%
if res.previous_wave is not None:
    viz.show_heading(t("tr_moved", lang, shop=shop, previous=res.previous_wave))
    viz.show_html(t("tr_moved_intro", lang, previous=res.previous_wave, wave=wave))
    moved = display.moved_frame(res)
    if moved["tested"].astype(bool).any():
        fig = plots.moved_items_figure(moved, "label", xlabel=t("tr_moved_xlabel", lang),
                                             moved_label=t("tr_moved_yes", lang),
                                             not_moved_label=t("tr_moved_no", lang))
        viz.show_figure(fig, alt=t("tr_moved_alt", lang, previous=res.previous_wave, wave=wave))
    if not moved["moved"].astype(bool).any():
        viz.show_html(t("tr_moved_none", lang), "bl-note")
    table("items_moved")

# %%
viz.show_heading(t("tr_grid", lang))
if len(res.grid_changes):
    table("grid_changes")
else:
    viz.show_html(t("tr_grid_none", lang))

# %%
viz.show_provenance(res.provenance | {"parameters": {"wave": wave, "lang": lang}}, lang)
