"""Write notebooks 02, 03, 04 and 10 (no outputs, one `parameters` cell)."""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NB = Path("/work/main/notebooks")
PARAMS = 'wave: str = "2026-10"\nlang: str = "de"\nout_dir: str = ""'


def params():
    return new_code_cell(PARAMS, metadata={"tags": ["parameters"]})


def write(name, cells, report=True):
    if report and cells[0]["cell_type"] == "markdown":
        # markdown cells are rendered into the HTML report: keep the description as a comment
        import textwrap
        text = cells.pop(0)["source"].replace("# ", "", 1)
        comment = "\n".join("# " + line if line else "#" for para in text.split("\n\n")
                            for line in textwrap.wrap(para, 94) + [""])
        setup = cells[1]
        setup["source"] = comment.rstrip("#\n") + "\n\n" + setup["source"]
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}})
    for i, c in enumerate(nb.cells):
        c["id"] = f"{name[:2]}-{i:02d}"
    nbformat.validate(nb)
    nbformat.write(nb, NB / f"{name}.ipynb")


# ---------------------------------------------------------------- 02 trend report
write("02_trend_report", [
    new_markdown_cell(
        "# Trend across waves\n\n"
        "All waves up to `wave`: per-company scores with 95 % CIs, trainings, the event study "
        "(shop's gap to the competitors relative to the last wave before the first training), "
        "the yes/no items that moved against the previous wave, and what changed in the grid. "
        "Every number comes from `benchlib.trend` / `benchlib.stats`; run with papermill "
        "(`make report WAVE=…`) or interactively."),
    params(),
    new_code_cell(
        "import html\n\n"
        "import benchlib\n"
        "from benchlib import plots_trend, trend, viz\n"
        "from benchlib.i18n import t\n"
        "from benchlib.report import provenance\n"
        "from benchlib.stats import change_vs_previous, describe_comparison\n\n"
        "study = benchlib.load_study()\n"
        "study.config.wave(wave)  # fails with the list of valid waves\n"
        "waves = trend.waves_up_to(study.config, wave)\n"
        "ref = trend.reference_wave(study.config)\n"
        "shop = study.config.shop.name\n"
        "previous = study.previous_wave(wave)\n"
        "min_n = study.config.settings.min_n\n"
        "tr = trend.trend_table(study, wave)\n"
        "marks = trend.training_marks(study.config, wave)\n"
        "es = trend.event_study_table(study, wave)\n"
        "moved = trend.items_that_moved(study, wave)\n"
        "changes = trend.grid_changes(study.config, wave)\n"
        "footnote = trend.grid_footnote(study.config, wave, lang)"),
    new_code_cell(
        "viz.show_heading(t(\"tr_title\", lang, wave=wave), 1)\n"
        "viz.show_html(t(\"tr_intro\", lang, first=waves[0], wave=wave, shop=shop), \"bl-note\")"),
    new_code_cell(
        "cur = tr[(tr[\"company\"] == study.shop) & (tr[\"wave\"] == wave)].iloc[0]\n"
        "lines = [t(\"tr_summary_score\", lang, shop=shop, wave=wave,\n"
        "           mean=viz.fmt_number(cur[\"mean\"], lang), low=viz.fmt_number(cur[\"ci_low\"], lang),\n"
        "           high=viz.fmt_number(cur[\"ci_high\"], lang), n=int(cur[\"n\"]))]\n"
        "if previous is None:\n"
        "    lines.append(t(\"tr_first_wave\", lang, wave=wave))\n"
        "else:\n"
        "    pair = study.contacts[study.contacts[\"wave\"].isin([previous, wave])\n"
        "                          & (study.contacts[\"company\"] == study.shop)]\n"
        "    ch = change_vs_previous(pair, wave, previous, min_n=min_n).iloc[0]\n"
        "    lines.append(t(\"tr_summary_change\", lang, sentence=describe_comparison(\n"
        "        ch, lang, label_a=f\"{shop} {wave}\", label_b=previous)))\n"
        "if len(es):\n"
        "    last = es[es[\"wave\"] == wave].iloc[0]\n"
        "    if not last[\"reference\"]:\n"
        "        lines.append(t(\"tr_summary_event\", lang, sentence=describe_comparison(\n"
        "            {\"diff\": last[\"estimate\"], \"ci_low\": last[\"ci_low\"], \"ci_high\": last[\"ci_high\"],\n"
        "             \"p\": last[\"p\"]}, lang, label_a=wave, label_b=ref)))\n"
        "if len(moved):\n"
        "    lines.append(t(\"tr_summary_moved\", lang, previous=previous, n=int(moved[\"moved\"].sum())))\n"
        "body = \"\".join(f\"<p>{html.escape(s)}</p>\" for s in lines)\n"
        "viz.show_html(f\"<h2>{html.escape(t('tr_summary_title', lang))}</h2>{body}\", \"bl-summary\",\n"
        "              escape=False)"),
    new_code_cell(
        "viz.show_heading(t(\"tr_scores\", lang))\n"
        "fig = plots_trend.trend_figure(tr, waves, ylabel=t(\"tr_ylabel\", lang), trainings=marks,\n"
        "                               training_label=t(\"tr_training_legend\", lang))\n"
        "viz.show_figure(fig, alt=t(\"tr_scores_alt\", lang, first=waves[0], wave=wave))\n"
        "notes = [t(\"tr_panel_note\", lang, changes=trend.panel_note(study.config, waves, lang))]\n"
        "if footnote:\n"
        "    notes.append(footnote)\n"
        "if tr.loc[tr[\"in_panel\"], \"too_few\"].any():\n"
        "    notes.append(t(\"tr_small_note\", lang, min_n=min_n))\n"
        "for note in notes:\n"
        "    viz.show_html(note, \"bl-note\")\n"
        "viz.show_table(trend.trend_wide(tr, lang), lang=lang, caption=t(\"tr_table_scores\", lang))\n"
        "viz.show_table(trend.trend_wide(tr, lang, what=\"n\"), lang=lang, caption=t(\"tr_table_n\", lang))"),
    new_code_cell(
        "viz.show_heading(t(\"tr_trainings\", lang))\n"
        "if len(marks):\n"
        "    viz.show_table(trend.trainings_display(marks, lang), lang=lang)\n"
        "else:\n"
        "    viz.show_html(t(\"tr_no_trainings\", lang))"),
    new_code_cell(
        "viz.show_heading(t(\"tr_event\", lang))\n"
        "if len(es) > 1:\n"
        "    viz.show_html(t(\"tr_event_intro\", lang, shop=shop, ref=ref))\n"
        "    fig = plots_trend.event_study_figure(es, waves, ylabel=t(\"tr_event_ylabel\", lang),\n"
        "                                         reference_label=t(\"tr_event_reference\", lang),\n"
        "                                         trainings=marks,\n"
        "                                         training_label=t(\"tr_training_legend\", lang))\n"
        "    viz.show_figure(fig, alt=t(\"tr_event_alt\", lang, shop=shop, ref=ref))\n"
        "    if footnote:\n"
        "        viz.show_html(footnote, \"bl-note\")\n"
        "    viz.show_table(trend.event_display(es, lang), lang=lang)\n"
        "else:\n"
        "    viz.show_html(t(\"tr_event_none\", lang))"),
    new_code_cell(
        "if previous is not None:\n"
        "    viz.show_heading(t(\"tr_moved\", lang, shop=shop, previous=previous))\n"
        "    viz.show_html(t(\"tr_moved_intro\", lang, previous=previous, wave=wave))\n"
        "    label_col = \"label_en\" if lang == \"en\" else \"label_de\"\n"
        "    if moved[\"tested\"].any():\n"
        "        fig = plots_trend.moved_items_figure(moved, label_col, xlabel=t(\"tr_moved_xlabel\", lang),\n"
        "                                             moved_label=t(\"tr_moved_yes\", lang),\n"
        "                                             not_moved_label=t(\"tr_moved_no\", lang))\n"
        "        viz.show_figure(fig, alt=t(\"tr_moved_alt\", lang, previous=previous, wave=wave))\n"
        "    if not moved[\"moved\"].any():\n"
        "        viz.show_html(t(\"tr_moved_none\", lang), \"bl-note\")\n"
        "    disp = trend.moved_display(moved, lang)\n"
        "    viz.show_table(disp, lang=lang, percent=tuple(disp.columns[1:3]))"),
    new_code_cell(
        "viz.show_heading(t(\"tr_grid\", lang))\n"
        "if len(changes):\n"
        "    viz.show_table(trend.grid_display(changes, lang), lang=lang)\n"
        "else:\n"
        "    viz.show_html(t(\"tr_grid_none\", lang))"),
    new_code_cell("viz.show_provenance(provenance(study, {\"wave\": wave, \"lang\": lang}), lang)"),
])

# ---------------------------------------------------------------- 03 workshop
write("03_workshop", [
    new_markdown_cell(
        "# Workshop pack\n\n"
        "For the agents' training workshop: closing orientation (`closing`) and complaint handling "
        "(`complaint`). Anonymous by construction: competitors as \"Wettbewerber A–D\", nothing "
        "per agent or evaluator, figures over fewer than `k_anonymity` contacts suppressed, "
        "comments scrubbed and shown escaped. Numbers come from `benchlib.workshop` / "
        "`benchlib.stats`."),
    params(),
    new_code_cell(
        "import html\n\n"
        "import benchlib\n"
        "from benchlib import plots_trend, viz, workshop\n"
        "from benchlib.i18n import t\n"
        "from benchlib.report import provenance\n\n"
        "study = benchlib.load_study()\n"
        "study.config.wave(wave)  # fails with the list of valid waves\n"
        "k = study.config.settings.k_anonymity\n"
        "shop = study.config.shop.name\n"
        "labels = workshop.competitor_labels(study.config, wave, lang)\n"
        "results = workshop.item_results(study, wave, k=k)\n"
        "weak = workshop.weakest_items(results, labels, lang, study.config)\n"
        "overview = workshop.dimension_overview(study, wave, labels, k=k)\n"
        "comments = workshop.example_comments(study, wave)"),
    new_code_cell(
        "viz.show_heading(t(\"ws_title\", lang, wave=wave), 1)\n"
        "viz.show_html(t(\"ws_intro\", lang, shop=shop, k=k), \"bl-note\")"),
    new_code_cell(
        "behind = weak[weak[\"gap\"] < 0]\n"
        "if len(behind):\n"
        "    w = behind.iloc[0]\n"
        "    lines = [t(\"ws_summary_weakest\", lang, label=w[\"label\"], best=w[\"best\"],\n"
        "               shop_value=viz.fmt_number(w[\"shop\"], lang),\n"
        "               best_value=viz.fmt_number(w[\"best_value\"], lang))]\n"
        "else:\n"
        "    lines = [t(\"ws_summary_no_gap\", lang, shop=shop)]\n"
        "lines.append(t(\"ws_summary_behind\", lang, shop=shop, n=len(behind), total=len(weak)))\n"
        "body = \"\".join(f\"<p>{html.escape(s)}</p>\" for s in lines)\n"
        "viz.show_html(f\"<h2>{html.escape(t('ws_summary_title', lang))}</h2>{body}\", \"bl-summary\",\n"
        "              escape=False)"),
    new_code_cell(
        "viz.show_heading(t(\"ws_dims\", lang))\n"
        "viz.show_html(t(\"ws_dims_note\", lang), \"bl-note\")\n"
        "viz.show_table(workshop.dims_display(overview, lang, k), lang=lang)"),
    new_code_cell(
        "viz.show_heading(t(\"ws_items\", lang, shop=shop))\n"
        "viz.show_html(t(\"ws_items_note\", lang), \"bl-note\")\n"
        "if len(weak):\n"
        "    fig = plots_trend.item_gap_figure(weak, shop_label=shop,\n"
        "                                      best_label=t(\"ws_best_competitor\", lang),\n"
        "                                      xlabel=t(\"ws_items_xlabel\", lang))\n"
        "    viz.show_figure(fig, alt=t(\"ws_items_alt\", lang, shop=shop))\n"
        "    viz.show_table(workshop.weakest_display(weak, shop, lang), lang=lang)\n"
        "else:\n"
        "    viz.show_html(t(\"ws_no_items\", lang))"),
    new_code_cell(
        "viz.show_heading(t(\"ws_comments\", lang, shop=shop))\n"
        "if len(comments):\n"
        "    viz.show_html(t(\"ws_comments_note\", lang), \"bl-note\")\n"
        "    viz.show_table(workshop.comments_display(comments, study.config, lang), lang=lang)\n"
        "else:\n"
        "    viz.show_html(t(\"ws_no_comments\", lang, shop=shop))"),
    new_code_cell(
        "viz.show_heading(t(\"ws_discussion\", lang))\n"
        "viz.show_html(t(\"ws_discussion_text\", lang))"),
    new_code_cell("viz.show_provenance(provenance(study, {\"wave\": wave, \"lang\": lang}), lang)"),
])

# ---------------------------------------------------------------- 04 calibration
write("04_calibration", [
    new_markdown_cell(
        "# Evaluator calibration\n\n"
        "Agreement of the evaluators on the calibration recordings (ICC, Krippendorff's alpha) "
        "and their leniency, beside the leniency estimated from the wave's field data by the "
        "mixed model. Evaluators appear as codes only. Waves without calibration ratings show "
        "the field-data leniency only."),
    params(),
    new_code_cell(
        "import html\n\n"
        "import benchlib\n"
        "from benchlib import plots_trend, viz, workshop\n"
        "from benchlib.i18n import t\n"
        "from benchlib.report import provenance\n"
        "from benchlib.stats import calibration_summary, leniency_adjusted\n\n"
        "study = benchlib.load_study()\n"
        "study.config.wave(wave)  # fails with the list of valid waves\n"
        "cal = workshop.calibration_for_wave(study, wave)\n"
        "has_calibration = len(cal) > 0\n"
        "field = leniency_adjusted(study.wave_contacts(wave), shop=study.shop)\n"
        "side = workshop.leniency_side_by_side(study, wave, fit=field)"),
    new_code_cell(
        "viz.show_heading(t(\"cal_title\", lang, wave=wave), 1)\n"
        "viz.show_html(t(\"cal_intro\", lang), \"bl-note\")"),
    new_code_cell(
        "f2 = lambda x: viz.fmt_number(x, lang, 2)  # noqa: E731\n"
        "if has_calibration:\n"
        "    s = calibration_summary(cal)\n"
        "    lines = [t(\"cal_summary\", lang, icc=f2(s.icc2_1), low=f2(s.icc2_1_ci[0]),\n"
        "               high=f2(s.icc2_1_ci[1]), label=t(f\"cal_label_{s.label}\", lang),\n"
        "               icck=f2(s.icc2_k), alpha=f2(s.alpha_interval), alow=f2(s.alpha_ci[0]),\n"
        "               ahigh=f2(s.alpha_ci[1]), n=s.n_recordings, k=s.n_evaluators)]\n"
        "else:\n"
        "    lines = [t(\"cal_none\", lang, wave=wave)]\n"
        "lines.append(t(\"cal_field_share\", lang, share=viz.fmt_number(100 * field.icc, lang) + \" %\",\n"
        "               n=field.n, k=field.n_groups))\n"
        "body = \"\".join(f\"<p>{html.escape(x)}</p>\" for x in lines)\n"
        "viz.show_html(f\"<h2>{html.escape(t('cal_summary_title', lang))}</h2>{body}\", \"bl-summary\",\n"
        "              escape=False)"),
    new_code_cell(
        "if has_calibration:\n"
        "    viz.show_heading(t(\"cal_agreement\", lang))\n"
        "    viz.show_html(t(\"cal_agreement_note\", lang), \"bl-note\")\n"
        "    agree = workshop.agreement_by_score(cal)\n"
        "    viz.show_table(workshop.agreement_display(agree, lang), lang=lang, digits=2)"),
    new_code_cell(
        "viz.show_heading(t(\"cal_leniency\", lang))\n"
        "viz.show_html(t(\"cal_leniency_note\", lang), \"bl-note\")\n"
        "fig = plots_trend.leniency_figure(side, calib_title=t(\"cal_calib_title\", lang),\n"
        "                                  field_title=t(\"cal_field_title\", lang),\n"
        "                                  xlabel=t(\"cal_leniency_xlabel\", lang))\n"
        "viz.show_figure(fig, alt=t(\"cal_leniency_alt\", lang, wave=wave))\n"
        "viz.show_table(workshop.leniency_display(side, lang), lang=lang)"),
    new_code_cell("viz.show_provenance(provenance(study, {\"wave\": wave, \"lang\": lang}), lang)"),
])

# ---------------------------------------------------------------- 10 explore
write("10_explore", report=False, cells=[
    new_markdown_cell(
        "# Exploring a study with benchlib\n\n"
        "A tutorial for analysts in JupyterLab. It is also runnable with papermill (same "
        "parameters as the reports) but is **not** part of the report build.\n\n"
        "Rules of the house: read data only through `benchlib.load_study()`; compute every "
        "number with a tested function from `benchlib.stats` (methods and references in "
        "`docs/methodology.md`); never show an individual agent; evaluators only as codes."),
    params(),
    new_markdown_cell(
        "## 1. Load the study\n\n"
        "`load_study()` finds the project (the folder with `config/study.yaml`, or "
        "`BENCHLIB_ROOT`) and gives you the configuration plus the processed tables. If the "
        "processed tables are missing, run `make data` (or `benchlib clean`) first."),
    new_code_cell(
        "import benchlib\n"
        "from benchlib import stats, trend\n\n"
        "study = benchlib.load_study()\n"
        "print(study.config.name)\n"
        "print(\"shop:\", study.shop, \"| waves:\", \", \".join(study.waves))\n"
        "print(\"previous wave of\", wave, \"is\", study.previous_wave(wave))"),
    new_markdown_cell(
        "## 2. Contacts: one row per evaluated contact\n\n"
        "`study.contacts` has the contact's wave, channel, scenario, company, evaluator code, "
        "the total score (0–100, NaN when not scored), one column per dimension (`dim_…`), "
        "and outcomes such as `reached` and `knockout`. `study.wave_contacts(wave)` returns "
        "the scored contacts of one wave. (The `agent` column holds keyed pseudonyms; do not "
        "analyse or show it per agent.)"),
    new_code_cell(
        "contacts = study.wave_contacts(wave)\n"
        "cols = [\"contact_id\", \"wave\", \"channel\", \"scenario\", \"company\", \"role\", \"total\",\n"
        "        \"dim_closing\", \"dim_complaint\", \"reached\", \"knockout\"]\n"
        "contacts[cols].head()"),
    new_code_cell("contacts.groupby([\"company\", \"channel\"]).size().unstack()"),
    new_markdown_cell(
        "## 3. Items: one row per contact × grid item\n\n"
        "`study.items` is long: the raw cell, the parsed `value`, `points` (0–1 after scale "
        "and direction) and a `status` (`answered`, `not_applicable`, `missing`, "
        "`out_of_scope`). Only answered rows carry a value."),
    new_code_cell(
        "items = study.items\n"
        "items[(items[\"wave\"] == wave) & (items[\"status\"] == \"answered\")][\n"
        "    [\"contact_id\", \"company\", \"item\", \"dimension\", \"scale\", \"raw\", \"value\", \"points\"]].head(8)"),
    new_markdown_cell(
        "## 4. Describe scores\n\n"
        "`describe_scores` gives n, mean, SD, SE and a 95 % t interval per group; groups "
        "with fewer than 10 scored contacts are flagged `too_few` (labelled, not tested)."),
    new_code_cell("stats.describe_scores(contacts, by=\"company\")"),
    new_code_cell(
        "# any grouping works, e.g. company × channel for the closing dimension\n"
        "stats.describe_scores(contacts, dv=\"dim_closing\", by=[\"company\", \"channel\"]).head(6)"),
    new_markdown_cell(
        "## 5. Shop vs competitors\n\n"
        "Welch t test per competitor, Hedges' g and Holm-adjusted p across the competitors. "
        "Say \"better\" only where `p_holm < 0.05` — `describe_comparison` words it for you."),
    new_code_cell(
        "svc = stats.shop_vs_competitors(contacts)\n"
        "svc[[\"competitor\", \"n_shop\", \"n_comp\", \"diff\", \"ci_low\", \"ci_high\", \"p_holm\"]]"),
    new_code_cell(
        "for _, row in svc.iterrows():\n"
        "    print(stats.describe_comparison(row, lang=\"en\"))"),
    new_markdown_cell(
        "## 6. Did the last training work? Difference-in-differences\n\n"
        "`training_effect` compares the shop's change with the competitors' change between "
        "the wave before and the wave after a training, so a market-wide shift is not "
        "credited to the training. `event_study` (here via `trend.event_study_table`) shows "
        "all waves against a reference wave."),
    new_code_cell(
        "previous = study.previous_wave(wave)\n"
        "if previous is not None:\n"
        "    panel = study.contacts[study.contacts[\"scored\"]]\n"
        "    effect = stats.training_effect(panel, before=previous, after=wave)\n"
        "    print(f\"DiD {effect.estimate:.1f} points (95 % CI {effect.ci_low:.1f} to {effect.ci_high:.1f}, \"\n"
        "          f\"p = {effect.p:.3f}); naive change {effect.naive_change:.1f}, \"\n"
        "          f\"market change {effect.market_change:.1f}\")"),
    new_code_cell("trend.event_study_table(study, wave)"),
    new_markdown_cell(
        "## 7. Filtering\n\n"
        "The tables are plain pandas DataFrames: filter with boolean masks or `query`, then pass "
        "the subset to a `stats` function. Keep the unscored contacts out (they have NaN "
        "`total`; `describe_scores` counts them as `n_unscored`)."),
    new_code_cell(
        "calls = contacts.query(\"channel == 'call' and scenario in ['complaint', 'returns']\")\n"
        "stats.describe_scores(calls, dv=\"dim_complaint\", by=\"company\")"),
    new_code_cell(
        "# yes/no items: shares with Wilson intervals (filter to scale == 'yes_no' first)\n"
        "yn = items[(items[\"wave\"] == wave) & (items[\"scale\"] == \"yes_no\")\n"
        "           & (items[\"item\"] == \"closing_attempt\")]\n"
        "stats.item_proportions(yn, by=[\"item\", \"company\"])"),
    new_markdown_cell(
        "## 8. Across waves\n\n"
        "`benchlib.trend` assembles the panel over waves (NaN where a company was not in the "
        "panel — never interpolated) and lists what changed in the rating grid."),
    new_code_cell("trend.trend_table(study, wave).head(8)"),
    new_code_cell("trend.grid_changes(study.config, wave)"),
    new_markdown_cell(
        "## Next steps\n\n"
        "- Reports: `make report WAVE=…` runs the notebooks in `notebooks/` with papermill.\n"
        "- Methods and defaults: `docs/methodology.md`, `docs/methodology-items.md`.\n"
        "- Data model: `docs/data-model.md`."),
])
print("ok")
