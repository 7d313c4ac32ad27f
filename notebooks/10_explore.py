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

# %% [markdown]
# # Exploring a study with benchlib
#
# A tutorial for analysts in JupyterLab. It is also runnable with papermill (same parameters as the reports) but is **not** part of the report build.
#
# Rules of the house: read data only through `benchlib.load_study()`; compute every number with a tested function from `benchlib.stats` (methods and references in `docs/methodology.md`); never show an individual agent; evaluators only as codes.

# %% tags=["parameters"]
wave: str = "2026-10"
lang: str = "de"
out_dir: str = ""

# %% [markdown]
# ## 1. Load the study
#
# `load_study()` finds the project (the folder with `config/study.yaml`, or `BENCHLIB_ROOT`) and gives you the configuration plus the processed tables. If the processed tables are missing, run `make data` (or `benchlib clean`) first.

# %%
import benchlib
from benchlib import stats, trend

study = benchlib.load_study()
print(study.config.name)
print("shop:", study.shop, "| waves:", ", ".join(study.waves))
print("previous wave of", wave, "is", study.previous_wave(wave))

# %% [markdown]
# ## 2. Contacts: one row per evaluated contact
#
# `study.contacts` has the contact's wave, channel, scenario, company, evaluator code, the total score (0–100, NaN when not scored), one column per dimension (`dim_…`), and outcomes such as `reached` and `knockout`. `study.wave_contacts(wave)` returns the scored contacts of one wave. (The `agent` column holds keyed pseudonyms; do not analyse or show it per agent.)

# %%
contacts = study.wave_contacts(wave)
cols = ["contact_id", "wave", "channel", "scenario", "company", "role", "total",
        "dim_closing", "dim_complaint", "reached", "knockout"]
contacts[cols].head()

# %%
contacts.groupby(["company", "channel"]).size().unstack()

# %% [markdown]
# ## 3. Items: one row per contact × grid item
#
# `study.items` is long: the raw cell, the parsed `value`, `points` (0–1 after scale and direction) and a `status` (`answered`, `not_applicable`, `missing`, `out_of_scope`). Only answered rows carry a value.

# %%
items = study.items
items[(items["wave"] == wave) & (items["status"] == "answered")][
    ["contact_id", "company", "item", "dimension", "scale", "raw", "value", "points"]].head(8)

# %% [markdown]
# ## 4. Describe scores
#
# `describe_scores` gives n, mean, SD, SE and a 95 % t interval per group; groups with fewer than 10 scored contacts are flagged `too_few` (labelled, not tested).

# %%
stats.describe_scores(contacts, by="company")

# %%
# any grouping works, e.g. company × channel for the closing dimension
stats.describe_scores(contacts, dv="dim_closing", by=["company", "channel"]).head(6)

# %% [markdown]
# ## 5. Shop vs competitors
#
# Welch t test per competitor, Hedges' g and Holm-adjusted p across the competitors. Say "better" only where `p_holm < 0.05` — `describe_comparison` words it for you.

# %%
svc = stats.shop_vs_competitors(contacts)
svc[["competitor", "n_shop", "n_comp", "diff", "ci_low", "ci_high", "p_holm"]]

# %%
for _, row in svc.iterrows():
    print(stats.describe_comparison(row, lang="en"))

# %% [markdown]
# ## 6. Did the last training work? Difference-in-differences
#
# `training_effect` compares the shop's change with the competitors' change between the wave before and the wave after a training, so a market-wide shift is not credited to the training. `event_study` (here via `trend.event_study_table`) shows all waves against a reference wave.

# %%
previous = study.previous_wave(wave)
if previous is not None:
    panel = study.contacts[study.contacts["scored"]]
    effect = stats.training_effect(panel, before=previous, after=wave)
    print(f"DiD {effect.estimate:.1f} points (95 % CI {effect.ci_low:.1f} to {effect.ci_high:.1f}, "
          f"p = {effect.p:.3f}); naive change {effect.naive_change:.1f}, "
          f"market change {effect.market_change:.1f}")

# %%
trend.event_study_table(study, wave)

# %% [markdown]
# ## 7. Filtering
#
# The tables are plain pandas DataFrames: filter with boolean masks or `query`, then pass the subset to a `stats` function. Keep the unscored contacts out (they have NaN `total`; `describe_scores` counts them as `n_unscored`).

# %%
calls = contacts.query("channel == 'call' and scenario in ['complaint', 'returns']")
stats.describe_scores(calls, dv="dim_complaint", by="company")

# %%
# yes/no items: shares with Wilson intervals (filter to scale == 'yes_no' first)
yn = items[(items["wave"] == wave) & (items["scale"] == "yes_no")
           & (items["item"] == "closing_attempt")]
stats.item_proportions(yn, by=["item", "company"])

# %% [markdown]
# ## 8. Across waves
#
# `benchlib.trend` assembles the panel over waves (NaN where a company was not in the panel — never interpolated) and lists what changed in the rating grid.

# %%
trend.trend_table(study, wave).head(8)

# %%
trend.grid_changes(study.config, wave)

# %% [markdown]
# ## Next steps
#
# - Reports: `make report WAVE=…` runs the notebooks in `notebooks/` with papermill.
# - Methods and defaults: `docs/methodology.md`, `docs/methodology-items.md`.
# - Data model: `docs/data-model.md`.
