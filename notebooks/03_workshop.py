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
# For the agents' training workshop. What it is about comes from the study, never from a
# constant: `benchlib.focus` compares the shop with the best competitor on every item of the
# wave (difference with CI, small cells withheld) and reads the last training's `addresses`
# from `config/waves.yaml`. Anonymous by construction: competitors as "Wettbewerber A, B, …",
# nothing per agent or evaluator, figures over fewer than `k_anonymity` contacts withheld,
# comments scrubbed and shown escaped. Every number comes from `benchlib.focus` /
# `benchlib.workshop`; this notebook only renders. Printed on A4, each topic starts a page.

# %% tags=["parameters"]
wave: str = "2026-10"
lang: str = "de"
out_dir: str = ""

# %%
import html

import benchlib
from benchlib import focus, plots_trend, viz, workshop
from benchlib.i18n import t
from benchlib.report import provenance

study = benchlib.load_study()
cfg = study.config
cfg.wave(wave)  # fails with the list of valid waves
k = cfg.settings.k_anonymity
min_n = cfg.settings.min_n
shop = cfg.shop.name
labels = workshop.competitor_labels(cfg, wave, lang)
gaps = focus.shop_vs_best(study, wave)
nxt = focus.train_next(study, wave, gaps=gaps)
strong = focus.strengths(study, wave, gaps=gaps)
training = focus.last_training(cfg, wave)
addressed = focus.addressed_items(cfg, wave, training)
followup = gaps[gaps["addressed"]]
cells = focus.weakest_cells(study, wave, items=[*nxt["item"], *addressed])
comments = workshop.example_comments(study, wave)


def page(title: str) -> None:
    """A new topic: a new page when printed."""
    viz.show_html("", "bl-page-break")
    viz.show_heading(title)


# %%
viz.show_heading(t("ws_title", lang, wave=wave), 1)
viz.show_headline(workshop.headline(cfg, nxt, strong, lang))
viz.show_html(t("ws_intro", lang, shop=shop, k=k), "bl-note")
lines = workshop.summary_lines(cfg, wave, gaps, strong, training, addressed, lang)
items = workshop.gap_sentences(cfg, nxt, labels, lang)
viz.show_html(f"<h2>{html.escape(t('ws_summary_title', lang))}</h2>"
              + ("<ol>" + "".join(f"<li>{html.escape(s)}</li>" for s in items) + "</ol>"
                 if items else "")
              + "".join(f"<p>{html.escape(s)}</p>" for s in lines), "bl-summary", escape=False)

# %%
page(t("ws_strengths", lang))
if len(strong):
    viz.show_html(t("ws_strengths_note", lang, shop=shop), "bl-note")
    viz.show_table(workshop.gaps_display(strong, cfg, labels, lang), lang=lang)
else:
    viz.show_html(t("ws_no_strengths", lang, shop=shop))

# %%
page(t("ws_next", lang))
if len(nxt):
    viz.show_html(t("ws_next_note", lang, shop=shop), "bl-note")
    fig = plots_trend.item_gap_figure(workshop.gaps_figure_data(nxt, cfg, labels, lang),
                                      shop_label=shop, best_label=t("ws_best_competitor", lang),
                                      xlabel=t("ws_items_xlabel", lang))
    viz.show_figure(fig, alt=t("ws_items_alt", lang, shop=shop))
    viz.show_table(workshop.gaps_display(nxt, cfg, labels, lang), lang=lang)
    viz.show_html(t("ws_method_note", lang, min_n=min_n), "bl-note")
else:
    viz.show_html(t("ws_no_next", lang, shop=shop))

# %%
page(t("ws_followup", lang))
viz.show_html(workshop.training_sentence(cfg, training, addressed, lang))
if len(followup):
    viz.show_html(t("ws_followup_note", lang, shop=shop), "bl-note")
    viz.show_table(workshop.gaps_display(followup, cfg, labels, lang), lang=lang)
elif addressed:
    viz.show_html(t("ws_followup_none", lang))

# %%
page(t("ws_roleplay", lang))
if len(cells):
    viz.show_html(t("ws_roleplay_note", lang, shop=shop, min_n=focus.cell_min_n(study)), "bl-note")
    prompts = workshop.role_play_prompts(cfg, cells, lang)
    viz.show_html("<ol>" + "".join(f"<li>{html.escape(p)}</li>" for p in prompts) + "</ol>",
                  escape=False)
else:
    viz.show_html(t("ws_no_roleplay", lang, min_n=focus.cell_min_n(study)))

# %%
page(t("ws_comments", lang, shop=shop))
if len(comments):
    viz.show_html(t("ws_comments_note", lang), "bl-note")
    viz.show_table(workshop.comments_display(comments, cfg, lang), lang=lang)
else:
    viz.show_html(t("ws_no_comments", lang, shop=shop))

# %%
viz.show_heading(t("ws_discussion", lang))
viz.show_html(t("ws_discussion_text", lang))

# %%
viz.show_provenance(provenance(study, {"wave": wave, "lang": lang}), lang)
