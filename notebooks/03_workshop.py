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
# # Workshop pack
#
# For the agents' training workshop: closing orientation (`closing`) and complaint handling (`complaint`). Anonymous by construction: competitors as "Wettbewerber A–D", nothing per agent or evaluator, figures over fewer than `k_anonymity` contacts suppressed, comments scrubbed and shown escaped. Numbers come from `benchlib.workshop` / `benchlib.stats`.

# %% tags=["parameters"]
wave: str = "2026-10"
lang: str = "de"
out_dir: str = ""

# %%
import html

import benchlib
from benchlib import plots_trend, viz, workshop
from benchlib.i18n import t
from benchlib.report import provenance

study = benchlib.load_study()
study.config.wave(wave)  # fails with the list of valid waves
k = study.config.settings.k_anonymity
shop = study.config.shop.name
labels = workshop.competitor_labels(study.config, wave, lang)
results = workshop.item_results(study, wave, k=k)
weak = workshop.weakest_items(results, labels, lang, study.config)
overview = workshop.dimension_overview(study, wave, labels, k=k)
comments = workshop.example_comments(study, wave)

# %%
viz.show_heading(t("ws_title", lang, wave=wave), 1)
viz.show_html(t("ws_intro", lang, shop=shop, k=k), "bl-note")

# %%
behind = weak[weak["gap"] < 0]
if len(behind):
    w = behind.iloc[0]
    lines = [t("ws_summary_weakest", lang, label=w["label"], best=w["best"],
               shop_value=viz.fmt_number(w["shop"], lang),
               best_value=viz.fmt_number(w["best_value"], lang))]
else:
    lines = [t("ws_summary_no_gap", lang, shop=shop)]
lines.append(t("ws_summary_behind", lang, shop=shop, n=len(behind), total=len(weak)))
body = "".join(f"<p>{html.escape(s)}</p>" for s in lines)
viz.show_html(f"<h2>{html.escape(t('ws_summary_title', lang))}</h2>{body}", "bl-summary",
              escape=False)

# %%
viz.show_heading(t("ws_dims", lang))
viz.show_html(t("ws_dims_note", lang), "bl-note")
viz.show_table(workshop.dims_display(overview, lang, k), lang=lang)

# %%
viz.show_heading(t("ws_items", lang, shop=shop))
viz.show_html(t("ws_items_note", lang), "bl-note")
if len(weak):
    fig = plots_trend.item_gap_figure(weak, shop_label=shop,
                                      best_label=t("ws_best_competitor", lang),
                                      xlabel=t("ws_items_xlabel", lang))
    viz.show_figure(fig, alt=t("ws_items_alt", lang, shop=shop))
    viz.show_table(workshop.weakest_display(weak, shop, lang), lang=lang)
else:
    viz.show_html(t("ws_no_items", lang))

# %%
viz.show_heading(t("ws_comments", lang, shop=shop))
if len(comments):
    viz.show_html(t("ws_comments_note", lang), "bl-note")
    viz.show_table(workshop.comments_display(comments, study.config, lang), lang=lang)
else:
    viz.show_html(t("ws_no_comments", lang, shop=shop))

# %%
viz.show_heading(t("ws_discussion", lang))
viz.show_html(t("ws_discussion_text", lang))

# %%
viz.show_provenance(provenance(study, {"wave": wave, "lang": lang}), lang)
