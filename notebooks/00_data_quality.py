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
# # Data quality of one wave
#
# What arrived from the field agencies, what was kept, what was quarantined and why. The files of a wave are found from the data (the contacts they delivered), not from folder names. All numbers come from the wave's results (`benchlib.results.for_report`).

# %% tags=["parameters"]
wave: str = "2026-10"
lang: str = "de"
out_dir: str = ""

# %%
import benchlib
from benchlib import plots, viz
from benchlib.i18n import t
from benchlib.results import display, for_report, wording

study = benchlib.load_study()
res = for_report(study, wave, lang, out_dir)
table = lambda name: viz.show_table(display.display_table(res, name), lang=lang)  # noqa: E731

# %%
viz.show_heading(t("dq_title", lang, wave=wave), 1)
viz.show_headline(wording.headline(res, "data_quality"))
viz.show_html(t("dq_intro", lang), "bl-note")

# %%
viz.show_heading(t("dq_files", lang))
table("counts")
table("file_fate")

# %%
viz.show_heading(t("dq_quarantine", lang))
if len(res.quarantine_reasons):
    table("quarantine_reasons")
    table("quarantine_rows")
else:
    viz.show_html(t("dq_no_quarantine", lang))

# %%
viz.show_heading(t("dq_duplicates", lang))
if len(res.duplicates):
    table("duplicates")
else:
    viz.show_html(t("dq_no_duplicates", lang))

# %%
viz.show_heading(t("dq_counts", lang))
table("contact_counts")
table("outcome_counts")

# %%
viz.show_heading(t("dq_coverage", lang))
if len(res.item_coverage):
    viz.show_figure(plots.coverage_heatmap(res), alt=t("dq_coverage_alt", lang, wave=wave))
table("item_coverage")

# %%
viz.show_provenance(res.provenance | {"parameters": {"wave": wave, "lang": lang}}, lang)
