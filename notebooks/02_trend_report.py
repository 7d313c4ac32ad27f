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

# %% [markdown] tags=["analyst"]
# # Trend across waves
#
# All waves up to `wave`: per-company scores with 95 % CIs, trainings, the event study (shop's gap to the competitors relative to the last wave before the first training), the yes/no items that moved against the previous wave, and what changed in the grid. Every number comes from `benchlib.trend` / `benchlib.stats`; run with papermill (`make report WAVE=…`) or interactively.

# %% tags=["parameters"]
wave: str = "2026-10"
lang: str = "de"
out_dir: str = ""

# %%
import html

import benchlib
from benchlib import plots_trend, trend, viz
from benchlib.i18n import t
from benchlib.report import provenance
from benchlib.stats import change_vs_previous, describe_comparison

study = benchlib.load_study()
study.config.wave(wave)  # fails with the list of valid waves
waves = trend.waves_up_to(study.config, wave)
ref = trend.reference_wave(study.config)
shop = study.config.shop.name
previous = study.previous_wave(wave)
min_n = study.config.settings.min_n
tr = trend.trend_table(study, wave)
marks = trend.training_marks(study.config, wave)
es = trend.event_study_table(study, wave)
moved = trend.items_that_moved(study, wave)
changes = trend.grid_changes(study.config, wave)
footnote = trend.grid_footnote(study.config, wave, lang)

# %%
viz.show_heading(t("tr_title", lang, wave=wave), 1)
viz.show_html(t("tr_intro", lang, first=waves[0], wave=wave, shop=shop), "bl-note")

# %%
cur = tr[(tr["company"] == study.shop) & (tr["wave"] == wave)].iloc[0]
lines = [t("tr_summary_score", lang, shop=shop, wave=wave,
           mean=viz.fmt_number(cur["mean"], lang), low=viz.fmt_number(cur["ci_low"], lang),
           high=viz.fmt_number(cur["ci_high"], lang), n=int(cur["n"]))]
if previous is None:
    lines.append(t("tr_first_wave", lang, wave=wave))
else:
    pair = study.contacts[study.contacts["wave"].isin([previous, wave])
                          & (study.contacts["company"] == study.shop)]
    ch = change_vs_previous(pair, wave, previous, min_n=min_n).iloc[0]
    lines.append(t("tr_summary_change", lang, sentence=describe_comparison(
        ch, lang, label_a=f"{shop} {wave}", label_b=previous)))
if len(es):
    last = es[es["wave"] == wave].iloc[0]
    if not last["reference"]:
        lines.append(t("tr_summary_event", lang, sentence=describe_comparison(
            {"diff": last["estimate"], "ci_low": last["ci_low"], "ci_high": last["ci_high"],
             "p": last["p"]}, lang, label_a=wave, label_b=ref)))
if len(moved):
    lines.append(t("tr_summary_moved", lang, previous=previous, n=int(moved["moved"].sum())))
body = "".join(f"<p>{html.escape(s)}</p>" for s in lines)
viz.show_html(f"<h2>{html.escape(t('tr_summary_title', lang))}</h2>{body}", "bl-summary",
              escape=False)

# %%
viz.show_heading(t("tr_scores", lang))
fig = plots_trend.trend_figure(tr, waves, ylabel=t("tr_ylabel", lang), trainings=marks,
                               training_label=t("tr_training_legend", lang))
viz.show_figure(fig, alt=t("tr_scores_alt", lang, first=waves[0], wave=wave))
notes = [t("tr_panel_note", lang, changes=trend.panel_note(study.config, waves, lang))]
if footnote:
    notes.append(footnote)
if tr.loc[tr["in_panel"], "too_few"].any():
    notes.append(t("tr_small_note", lang, min_n=min_n))
for note in notes:
    viz.show_html(note, "bl-note")
viz.show_table(trend.trend_wide(tr, lang), lang=lang, caption=t("tr_table_scores", lang))
viz.show_table(trend.trend_wide(tr, lang, what="n"), lang=lang, caption=t("tr_table_n", lang))

# %%
viz.show_heading(t("tr_trainings", lang))
if len(marks):
    viz.show_table(trend.trainings_display(marks, lang), lang=lang)
else:
    viz.show_html(t("tr_no_trainings", lang))

# %%
viz.show_heading(t("tr_event", lang))
if len(es) > 1:
    viz.show_html(t("tr_event_intro", lang, shop=shop, ref=ref))
    fig = plots_trend.event_study_figure(es, waves, ylabel=t("tr_event_ylabel", lang),
                                         reference_label=t("tr_event_reference", lang),
                                         trainings=marks,
                                         training_label=t("tr_training_legend", lang))
    viz.show_figure(fig, alt=t("tr_event_alt", lang, shop=shop, ref=ref))
    if footnote:
        viz.show_html(footnote, "bl-note")
    viz.show_table(trend.event_display(es, lang), lang=lang)
else:
    viz.show_html(t("tr_event_none", lang))

# %%
if previous is not None:
    viz.show_heading(t("tr_moved", lang, shop=shop, previous=previous))
    viz.show_html(t("tr_moved_intro", lang, previous=previous, wave=wave))
    label_col = "label_en" if lang == "en" else "label_de"
    if moved["tested"].any():
        fig = plots_trend.moved_items_figure(moved, label_col, xlabel=t("tr_moved_xlabel", lang),
                                             moved_label=t("tr_moved_yes", lang),
                                             not_moved_label=t("tr_moved_no", lang))
        viz.show_figure(fig, alt=t("tr_moved_alt", lang, previous=previous, wave=wave))
    if not moved["moved"].any():
        viz.show_html(t("tr_moved_none", lang), "bl-note")
    disp = trend.moved_display(moved, lang)
    viz.show_table(disp, lang=lang, percent=tuple(disp.columns[1:3]))

# %%
viz.show_heading(t("tr_grid", lang))
if len(changes):
    viz.show_table(trend.grid_display(changes, lang), lang=lang)
else:
    viz.show_html(t("tr_grid_none", lang))

# %%
viz.show_provenance(provenance(study, {"wave": wave, "lang": lang}), lang)
