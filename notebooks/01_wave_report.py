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
# # Wave report
#
# Where the shop stands against each competitor, what changed since the previous wave, whether the last training worked net of the market. Every number comes from benchlib.results.wave_results (which only calls benchlib.stats); this notebook displays it.

# %% tags=["parameters"]
wave: str = "2026-10"
lang: str = "de"
out_dir: str = ""

# %%
import html
from pathlib import Path

import benchlib
from benchlib import plots, quality, viz
from benchlib.excel import write_tables_xlsx
from benchlib.i18n import t
from benchlib.results import (comparability_note, display_table, study_changes, wave_results,
                              write_results_json)
from benchlib.stats import format_number, format_p

study = benchlib.load_study()
res = wave_results(study, wave, lang)
shop = res.name(res.shop)
fn = lambda x, digits=1: format_number(x, lang, digits)  # noqa: E731

# %%
viz.show_heading(t("wr_title", lang, wave=wave), 1)
viz.show_html(t("wr_intro", lang, shop=shop), "bl-note")
viz.show_html("<h2>" + html.escape(t("wr_summary", lang)) + "</h2><ul>"
              + "".join(f"<li>{html.escape(s)}</li>" for s in res.executive_summary)
              + "</ul>", "bl-summary", escape=False)
for note in res.notes:
    viz.show_html(note, "bl-small")

# %%
changes = study_changes(study, wave, lang)
if changes:
    viz.show_html("<strong>" + html.escape(t("wr_study_changes", lang)) + "</strong><ul>"
                  + "".join(f"<li>{html.escape(x)}</li>" for x in changes) + "</ul>",
                  "bl-toc", escape=False)

# %%
sections = [t("wr_sec_companies", lang), t("wr_sec_forest", lang, shop=shop),
            t("wr_sec_adjusted", lang), t("wr_sec_dimensions", lang), t("wr_sec_items", lang),
            t("wr_sec_change", lang, prev=res.previous_wave) if res.previous_wave
            else t("wr_sec_change_none", lang),
            t("wr_sec_training", lang), t("wr_sec_mail", lang), t("wr_sec_planning", lang),
            t("wr_sec_quality", lang), t("wr_sec_method", lang)]
viz.show_html(viz.toc_html(t("wr_toc", lang), sections), "bl-toc", escape=False)

# %%
viz.show_heading(t("wr_sec_companies", lang))
viz.show_table(display_table(res, "companies"), lang=lang)
viz.show_html(t("wr_companies_note", lang, min_n=res.min_n, k=res.k), "bl-note")

# %%
viz.show_heading(t("wr_sec_forest", lang, shop=shop))
viz.show_figure(plots.forest_plot(res), alt=t("wr_forest_alt", lang, shop=shop, wave=wave))
viz.show_table(display_table(res, "shop_vs_competitors"), lang=lang)
anova = res.welch_anova or {}
viz.show_html(t("wr_forest_note", lang, shop=shop,
                m=int(res.shop_vs_competitors["tested"].sum()), F=fn(anova.get("F"), 2),
                p=format_p(anova.get("p"), lang)), "bl-note")
if len(res.games_howell):
    viz.show_heading(t("wr_gh_title", lang), 3)
    viz.show_table(display_table(res, "games_howell"), lang=lang)

# %%
viz.show_heading(t("wr_sec_adjusted", lang))
viz.show_heading(t("wr_emm_title", lang), 3)
viz.show_table(display_table(res, "emm"), lang=lang)
viz.show_heading(t("wr_mix_title", lang, shop=shop), 3)
viz.show_table(display_table(res, "mix_contrasts"), lang=lang)
viz.show_heading(t("wr_mixed_title", lang), 3)
viz.show_table(display_table(res, "mixed_model"), lang=lang)
viz.show_html(t("wr_mixed_note", lang, share=fn(100 * res.evaluator_variance["evaluator_share"]),
                n=res.evaluator_variance["n_evaluators"]), "bl-note")
if res.calibration is not None:
    cal = res.calibration
    viz.show_html(t("wr_calibration", lang, icc=fn(cal.icc2_1, 2), lo=fn(cal.icc2_1_ci[0], 2),
                    hi=fn(cal.icc2_1_ci[1], 2), alpha=fn(cal.alpha_interval, 2),
                    n=cal.n_recordings, m=cal.n_evaluators), "bl-note")

# %%
viz.show_heading(t("wr_sec_dimensions", lang))
viz.show_figure(plots.dimension_heatmap(res), alt=t("wr_heatmap_alt", lang, wave=wave))
viz.show_table(display_table(res, "dimensions"), lang=lang)
viz.show_html(t("wr_dim_note", lang, min_n=res.min_n, k=res.k), "bl-note")

# %%
viz.show_heading(t("wr_sec_items", lang))
viz.show_figure(plots.items_plot(res), alt=t("wr_items_alt", lang, shop=shop, wave=wave))
viz.show_table(display_table(res, "items"), lang=lang)
viz.show_html(t("wr_items_note", lang, shop=shop, min_n=res.min_n), "bl-note")

# %%
if res.change is None:
    viz.show_heading(t("wr_sec_change_none", lang))
    viz.show_html(t("wr_change_first", lang))
else:
    viz.show_heading(t("wr_sec_change", lang, prev=res.previous_wave))
    viz.show_table(display_table(res, "change"), lang=lang)
    viz.show_html(t("wr_change_note", lang, shop=shop), "bl-note")
    if comparability_note(res):
        viz.show_html(comparability_note(res), "bl-note")

# %%
viz.show_heading(t("wr_sec_training", lang))
if res.training is None:
    viz.show_html(t("wr_training_none", lang))
else:
    te = res.training
    viz.show_html(t("wr_training_intro", lang, training=te["training"], before=te["before"],
                    after=te["after"]))
    viz.show_figure(plots.training_plot(res), alt=t("wr_training_alt", lang))
    viz.show_table(display_table(res, "training"), lang=lang)
    viz.show_html(t("wr_training_note", lang, shop=shop), "bl-note")
    viz.show_heading(t("wr_training_dims", lang), 3)
    viz.show_table(display_table(res, "training_dims"), lang=lang)
    if comparability_note(res):
        viz.show_html(comparability_note(res), "bl-note")

# %%
viz.show_heading(t("wr_sec_mail", lang))
viz.show_figure(plots.km_plot(res), alt=t("wr_km_alt", lang, wave=wave))
viz.show_table(display_table(res, "mail"), lang=lang)
viz.show_table(display_table(res, "logrank"), lang=lang)
viz.show_html(t("wr_mail_note", lang, shop=shop), "bl-note")

# %%
viz.show_heading(t("wr_sec_planning", lang))
viz.show_table(display_table(res, "planning"), lang=lang)
plan = res.planning.iloc[0]
viz.show_html(t("wr_planning_note", lang, sd=fn(plan["sd_pooled"]),
                n=fn(plan["current_median_n"], 0), mdc=fn(plan["mdc_at_current_n"])), "bl-note")

# %%
viz.show_heading(t("wr_sec_quality", lang))
viz.show_html(t("wr_quality_note", lang), "bl-note")
viz.show_table(display_table(res, "counts"), lang=lang)
viz.show_table(quality.file_fate(study, wave), lang=lang)
reasons = quality.quarantine_reasons(study, wave)
if len(reasons):
    viz.show_table(reasons, lang=lang)

# %%
viz.show_heading(t("wr_sec_method", lang))
viz.show_html(t("wr_method", lang, min_n=res.min_n, k=res.k), "bl-note")
viz.show_provenance(res.provenance, lang)

# %%
if out_dir:
    write_results_json(res, Path(out_dir) / "results.json")
    write_tables_xlsx(res.tables(), Path(out_dir) / "tables.xlsx", lang)
