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
# # Wave report
#
# Where the shop stands, what changed since the previous wave, whether the last training worked net of the market. Every number comes from the wave's results (`benchlib.results.for_report`: `reports/<wave>/results.json`, computed once per wave by `benchlib.results.compute_wave`); this notebook only renders them. The first screen is for decisions; details follow; the statistical appendix comes last.

# %% tags=["parameters"]
wave: str = "2026-10"
lang: str = "de"
out_dir: str = ""

# %%
import html
from pathlib import Path

import benchlib
from benchlib import plots, plots_trend, viz
from benchlib.i18n import t
from benchlib.results import display, for_report, wording, write_tables

study = benchlib.load_study()
res = for_report(study, wave, lang, out_dir)
shop = res.name(res.shop)
table = lambda name: viz.show_table(display.display_table(res, name), lang=lang)  # noqa: E731


def reason(section: str) -> bool:
    """Show why a section is missing; True when it is."""
    sentence = wording.unavailable(res, section)
    if sentence:
        viz.show_html(sentence, "bl-note")
    return sentence is not None


note = wording.notes(res)

# %%
viz.show_heading(t("wr_title", lang, wave=wave), 1)
viz.show_headline(wording.headline(res))
viz.show_html(t("wr_intro", lang, shop=shop), "bl-note")

# %%
screen = wording.first_screen(res)
viz.show_html("<h2>" + html.escape(t("wr_summary", lang)) + "</h2><ul>"
              + "".join(f"<li>{html.escape(s)}</li>" for s in screen.values())
              + "</ul>", "bl-summary", escape=False)
if len(res.market_trend):
    fig = plots_trend.trend_figure(display.market_trend_frame(res), display.trend_waves(res),
                                   ylabel=t("tr_ylabel", lang),
                                   trainings=display.training_marks(res),
                                   training_label=t("tr_training_legend", lang))
    viz.show_figure(fig, alt=t("wr_fs_gap_alt", lang, shop=shop))

# %%
changes = wording.study_changes(res)
if changes:
    viz.show_html("<strong>" + html.escape(t("wr_study_changes", lang)) + "</strong><ul>"
                  + "".join(f"<li>{html.escape(x)}</li>" for x in changes) + "</ul>",
                  "bl-toc", escape=False)

# %%
sections = [t("wr_sec_companies", lang), t("wr_sec_forest", lang, shop=shop),
            t("wr_sec_dimensions", lang), t("wr_sec_items", lang),
            t("wr_sec_change", lang, prev=res.previous_wave) if res.previous_wave
            else t("wr_sec_change_none", lang),
            t("wr_sec_training", lang), t("wr_sec_mail", lang), t("wr_sec_planning", lang),
            t("wr_appendix", lang), t("wr_sec_adjusted", lang), t("wr_sec_quality", lang),
            t("wr_sec_method", lang)]
viz.show_html(viz.toc_html(t("wr_toc", lang), sections), "bl-toc", escape=False)

# %%
viz.show_heading(t("wr_sec_companies", lang))
table("companies")
if res.available("ranking"):
    table("ranking")
viz.show_html(note["companies"], "bl-note")
if "suppressed_companies" in note:
    viz.show_html(note["suppressed_companies"], "bl-small")

# %%
viz.show_heading(t("wr_sec_forest", lang, shop=shop))
if not reason("shop_vs_competitors"):
    viz.show_figure(plots.forest_plot(res), alt=t("wr_forest_alt", lang, shop=shop, wave=wave))
    table("shop_vs_competitors")
    viz.show_html(note["forest"] + " " + note["design"], "bl-note")

# %%
viz.show_heading(t("wr_sec_dimensions", lang))
if len(res.dimensions):
    viz.show_figure(plots.dimension_heatmap(res), alt=t("wr_heatmap_alt", lang, wave=wave))
    table("dimensions")
    viz.show_html(note["dimensions"], "bl-note")
if res.previous_wave and not reason("dimension_change"):
    viz.show_heading(t("wr_sec_dim_change", lang, shop=shop, prev=res.previous_wave), 3)
    table("dimension_change")

# %%
viz.show_heading(t("wr_sec_items", lang))
if not reason("items"):
    viz.show_figure(plots.items_plot(res), alt=t("wr_items_alt", lang, shop=shop, wave=wave))
    table("items")
    viz.show_html(note["items"], "bl-note")

# %%
if res.previous_wave is None:
    viz.show_heading(t("wr_sec_change_none", lang))
    viz.show_html(t("wr_change_first", lang))
else:
    viz.show_heading(t("wr_sec_change", lang, prev=res.previous_wave))
    if not reason("change"):
        table("change")
        viz.show_html(note["change"] + " " + t("wr_basis_core", lang), "bl-note")
        if wording.comparability_note(res):
            viz.show_html(wording.comparability_note(res), "bl-note")

# %%
viz.show_heading(t("wr_sec_training", lang))
if res.training is None:
    viz.show_html(wording.unavailable(res, "training") or t("wr_training_none", lang))
else:
    viz.show_html(t("wr_training_intro", lang, training=wording.training_topics(res),
                    before=res.training["before"], after=res.training["after"]))
    viz.show_figure(plots.training_plot(res), alt=t("wr_training_alt", lang))
    table("training")
    viz.show_html(note["training"], "bl-note")
    viz.show_heading(t("wr_attr_title", lang), 3)
    viz.show_html(wording.attribution_sentence(res))
    if res.available("attribution"):
        table("attribution")
        viz.show_html(t("wr_attr_note", lang, wave=wave), "bl-note")
    viz.show_heading(t("wr_training_dims", lang), 3)
    table("training_dims")
    if wording.comparability_note(res):
        viz.show_html(wording.comparability_note(res), "bl-note")

# %%
viz.show_heading(t("wr_sec_mail", lang))
if not reason("mail"):
    viz.show_figure(plots.km_plot(res), alt=t("wr_km_alt", lang, wave=wave))
    table("mail")
    if len(res.logrank):
        table("logrank")
    viz.show_html(note["mail"], "bl-note")

# %%
viz.show_heading(t("wr_sec_planning", lang))
if not reason("planning"):
    table("planning")
    viz.show_html(note["planning"], "bl-note")

# %%
viz.show_heading(t("wr_appendix", lang))
viz.show_html(t("wr_appendix_note", lang), "bl-note")
if len(res.games_howell):
    viz.show_heading(t("wr_gh_title", lang), 3)
    table("games_howell")
if "design_table" in note:
    viz.show_heading(t("wr_design_title", lang), 3)
    table("design")
    viz.show_html(note["design_table"] + " " + note.get("design", ""), "bl-note")

# %%
viz.show_heading(t("wr_sec_adjusted", lang))
if not reason("mix_adjusted"):
    viz.show_heading(t("wr_emm_title", lang), 3)
    table("emm")
    viz.show_heading(t("wr_mix_title", lang, shop=shop), 3)
    table("mix_contrasts")
viz.show_heading(t("wr_mixed_title", lang), 3)
if not reason("mixed_model"):
    table("mixed_model")
    viz.show_html(note["mixed"], "bl-note")
if "calibration" in note:
    viz.show_html(note["calibration"], "bl-note")

# %%
viz.show_heading(t("wr_sec_quality", lang))
viz.show_html(t("wr_quality_note", lang), "bl-note")
table("counts")
table("file_fate")
if len(res.quarantine_reasons):
    table("quarantine_reasons")

# %%
viz.show_heading(t("wr_sec_method", lang))
viz.show_html(note["method"], "bl-note")
viz.show_provenance(res.provenance | {"parameters": {"wave": wave, "lang": lang}}, lang)

# %%
if out_dir:
    write_tables(res.res, Path(out_dir) / "tables.xlsx", lang)
