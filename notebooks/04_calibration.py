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
# # Evaluator calibration
#
# Agreement of the evaluators on the calibration recordings (ICC, Krippendorff's alpha) and their leniency, beside the leniency estimated from the wave's field data by the mixed model — the same fit the wave report uses (fitted once per wave, in `benchlib.results.compute_wave`). Evaluators appear as codes only. Waves without calibration ratings show the field-data leniency only.

# %% tags=["parameters"]
wave: str = "2026-10"
lang: str = "de"
out_dir: str = ""

# %%
import html

import benchlib
from benchlib import plots_trend, viz
from benchlib.i18n import t
from benchlib.results import display, for_report, wording

study = benchlib.load_study()
res = for_report(study, wave, lang, out_dir)

# %%
viz.show_heading(t("cal_title", lang, wave=wave), 1)
lines = wording.calibration_summary(res)
viz.show_headline(lines[0])
viz.show_html(t("cal_intro", lang), "bl-note")
body = "".join(f"<p>{html.escape(x)}</p>" for x in lines[1:])
viz.show_html(f"<h2>{html.escape(t('cal_summary_title', lang))}</h2>{body}", "bl-summary",
              escape=False)

# %%
if len(res.calibration_agreement):
    viz.show_heading(t("cal_agreement", lang))
    viz.show_html(t("cal_agreement_note", lang), "bl-note")
    viz.show_table(display.display_table(res, "calibration_agreement"), lang=lang)

# %%
viz.show_heading(t("cal_leniency", lang))
if len(res.leniency):
    viz.show_html(t("cal_leniency_note", lang), "bl-note")
    fig = plots_trend.leniency_figure(res.leniency, calib_title=t("cal_calib_title", lang),
                                      field_title=t("cal_field_title", lang),
                                      xlabel=t("cal_leniency_xlabel", lang))
    viz.show_figure(fig, alt=t("cal_leniency_alt", lang, wave=wave))
    viz.show_table(display.display_table(res, "leniency"), lang=lang)
else:
    viz.show_html(wording.unavailable(res, "mixed_model") or
                  wording.unavailable(res, "calibration") or "", "bl-note")

# %%
viz.show_provenance(res.provenance | {"parameters": {"wave": wave, "lang": lang}}, lang)
