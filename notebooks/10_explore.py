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

# %% [markdown]
# # Exploring a study with benchlib
#
# A tutorial for analysts in JupyterLab. It is also runnable with papermill (same parameters as the reports) but is **not** part of the report build.
#
# Rules of the house: read data only through `benchlib.load_study()`; every number a report shows is computed once per wave by `benchlib.results.compute_wave` (which calls the tested functions of `benchlib.stats`, methods in `docs/methodology.md`) — this tutorial uses the same results, so it prints the report's numbers; never show an individual agent; evaluators only as codes.

# %% tags=["parameters"]
wave: str = "2026-10"
lang: str = "de"
out_dir: str = ""

# %% [markdown]
# ## 1. Load the study
#
# `load_study()` finds the project (the folder with `config/study.yaml`, or `BENCHLIB_ROOT`) and gives you the configuration plus the processed tables. If the processed tables are missing, run `make data` (or `benchlib clean`) first. Companies, dimensions, items, scenarios and channels have ids in the data and labels in the configuration: `study.config.label(kind, id, lang)` gives the label to show.

# %%
import benchlib
from benchlib import plots, plots_trend, viz
from benchlib.i18n import t
from benchlib.results import display, display_table, wave_results, wording

study = benchlib.load_study()
cfg = study.config
print(cfg.name)
print("shop:", cfg.label("company", study.shop, lang), "| waves:", ", ".join(study.waves))
print("previous wave of", wave, "is", study.previous_wave(wave))
print("dimensions:", "; ".join(cfg.label("dimension", d, lang) for d in cfg.grid.dimensions))

# %% [markdown]
# ## 2. The results of a wave — the numbers every report shows
#
# `wave_results(study, wave, lang)` computes the wave once (`compute_wave`) and views it in a language. A report build writes the same object to `reports/<wave>/results.json` and every report (wave, trend, calibration, data quality, both languages) renders it — one truth. `res.tables` are tidy DataFrames with ids; `display_table(res, name)` is the labelled table a report shows.

# %%
res = wave_results(study, wave, lang)
print(wording.headline(res))
for sentence in wording.executive_summary(res):
    print("-", sentence)

# %%
display_table(res, "companies")

# %% [markdown]
# ## 3. Shop vs competitors
#
# Welch t test per competitor, Hedges' g and Holm-adjusted p across the competitors; "better" only where the Holm-adjusted test and the CI agree. The shop vs the pooled market is the study's primary endpoint (tested first, alone).

# %%
if res.available("shop_vs_competitors"):
    viz.show_figure(plots.forest_plot(res), alt=t("wr_forest_alt", lang, shop=res.name(res.shop),
                                                   wave=wave))
display_table(res, "shop_vs_competitors")

# %% [markdown]
# ## 4. Across waves: the comparable core
#
# The rating grid can change between waves (an item added, a scale changed). A change between two waves is then computed on the **comparable core**: the items defined identically in both waves (or mapped by a documented rule). The full-grid value is shown beside it, but it includes the grid change and does not compare like with like. The trend report uses the core of all waves it shows.

# %%
if res.comparability:
    print("basis of the change:", "comparable core" if res.comparability["score"] == "core"
          else "full grid (nothing changed in the grid)")
    print("items in the core:", res.comparability["core_items"])
    print(wording.comparability_note(res) or "-")
    print(wording.change_sentence(res))
display_table(res, "change") if res.previous_wave else print(t("wr_es_first_wave", lang))

# %%
fig = plots_trend.trend_figure(res.trend, display.trend_waves(res), ylabel=t("tr_ylabel", lang),
                               trainings=display.training_marks(res),
                               training_label=t("tr_training_legend", lang))
viz.show_figure(fig, alt=t("tr_scores_alt", lang, first=study.waves[0], wave=wave))

# %% [markdown]
# ## 5. Did the last training work? Net change vs the market (difference-in-differences)
#
# The training effect compares the shop's change with the competitors' change between the wave before and the wave after a training, so a market-wide shift is not credited to the training. Its p is adjusted together with the shop's change (one Holm family), and the sentence says it only *fits* a training effect: trainings follow weak waves, so part of a rebound is regression to the mean.

# %%
print(wording.training_sentence(res))
if res.training is not None:
    viz.show_figure(plots.training_plot(res), alt=t("wr_training_alt", lang))
    display_table(res, "training_dims")

# %% [markdown]
# ## 6. What moved since the last wave, and the first screen of the wave report

# %%
for key, sentence in wording.first_screen(res).items():
    print(f"{key}: {sentence}")

# %% [markdown]
# ## 7. Going further: the raw tables and the statistics functions
#
# `study.contacts` has one row per evaluated contact (total score 0–100, `dim_…` scores, outcomes such as `reached` and `knockout`); `study.items` one row per contact × grid item. Pass subsets to the functions of `benchlib.stats` to explore beyond the reports — but a number that goes into a report is added to `compute_wave`, never computed in a notebook. (The `agent` column holds keyed pseudonyms; do not analyse or show it per agent.)

# %%
from benchlib import stats  # noqa: E402

contacts = study.wave_contacts(wave)
by_channel = stats.describe_scores(contacts, by=["company", "channel"])
by_channel.assign(company=by_channel["company"].map(lambda c: cfg.label("company", c, lang)),
                  channel=by_channel["channel"].map(lambda c: cfg.label("channel", c, lang)))

# %% [markdown]
# ## Next steps
#
# - Reports: `make report WAVE=…` builds every report of a wave from one `results.json`.
# - Methods and defaults: `docs/methodology.md`, `docs/methodology-items.md`.
# - Data model: `docs/data-model.md`.
