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
# # Data quality of one wave
#
# What arrived from the field agencies, what was kept, what was quarantined and why. All numbers come from benchlib.quality.

# %% tags=["parameters"]
wave: str = "2026-10"
lang: str = "de"
out_dir: str = ""

# %%
import benchlib
from benchlib import quality, viz
from benchlib.report import provenance
from benchlib.i18n import t

study = benchlib.load_study()
study.config.wave(wave)  # fails with the list of valid waves

# %%
viz.show_heading(t("dq_title", lang, wave=wave), 1)
viz.show_html(t("dq_intro", lang), "bl-note")

# %%
viz.show_heading(t("dq_files", lang))
viz.show_table(quality.file_fate(study, wave), lang=lang)

# %%
viz.show_heading(t("dq_quarantine", lang))
reasons = quality.quarantine_reasons(study, wave)
if len(reasons):
    viz.show_table(reasons, lang=lang)
    viz.show_table(quality.quarantine_summary(study, wave), lang=lang)
else:
    viz.show_html(t("dq_no_quarantine", lang))

# %%
viz.show_heading(t("dq_counts", lang))
viz.show_table(quality.contact_counts(study, wave), lang=lang)
viz.show_table(quality.outcome_counts(study, wave), lang=lang)

# %%
import matplotlib.pyplot as plt
import seaborn as sns

viz.show_heading(t("dq_coverage", lang))
cov = quality.item_coverage(study, wave)
fig, ax = plt.subplots(figsize=(7, 0.28 * len(cov) + 1))
sns.heatmap(cov.set_index("item")[["answered", "missing", "not_applicable"]], annot=True,
            fmt=".0%", cmap="Blues", vmin=0, vmax=1, cbar=False, ax=ax)
ax.set_xlabel("")
ax.set_ylabel("")
viz.show_figure(fig, alt=t("dq_coverage_alt", lang, wave=wave))
viz.show_table(cov, lang=lang, percent=("answered", "missing", "not_applicable"))

# %%
viz.show_provenance(provenance(study, {"wave": wave, "lang": lang}), lang)
