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
# # Evaluator calibration
#
# Agreement of the evaluators on the calibration recordings (ICC, Krippendorff's alpha) and their leniency, beside the leniency estimated from the wave's field data by the mixed model. Evaluators appear as codes only. Waves without calibration ratings show the field-data leniency only.

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
from benchlib.stats import calibration_summary, leniency_adjusted

study = benchlib.load_study()
study.config.wave(wave)  # fails with the list of valid waves
cal = workshop.calibration_for_wave(study, wave)
has_calibration = len(cal) > 0
field = leniency_adjusted(study.wave_contacts(wave), shop=study.shop)
side = workshop.leniency_side_by_side(study, wave, fit=field)

# %%
viz.show_heading(t("cal_title", lang, wave=wave), 1)
viz.show_html(t("cal_intro", lang), "bl-note")

# %%
f2 = lambda x: viz.fmt_number(x, lang, 2)  # noqa: E731
if has_calibration:
    s = calibration_summary(cal)
    lines = [t("cal_summary", lang, icc=f2(s.icc2_1), low=f2(s.icc2_1_ci[0]),
               high=f2(s.icc2_1_ci[1]), label=t(f"cal_label_{s.label}", lang),
               icck=f2(s.icc2_k), alpha=f2(s.alpha_interval), alow=f2(s.alpha_ci[0]),
               ahigh=f2(s.alpha_ci[1]), n=s.n_recordings, k=s.n_evaluators)]
else:
    lines = [t("cal_none", lang, wave=wave)]
lines.append(t("cal_field_share", lang, share=viz.fmt_number(100 * field.icc, lang) + " %",
               n=field.n, k=field.n_groups))
body = "".join(f"<p>{html.escape(x)}</p>" for x in lines)
viz.show_html(f"<h2>{html.escape(t('cal_summary_title', lang))}</h2>{body}", "bl-summary",
              escape=False)

# %%
if has_calibration:
    viz.show_heading(t("cal_agreement", lang))
    viz.show_html(t("cal_agreement_note", lang), "bl-note")
    agree = workshop.agreement_by_score(cal)
    viz.show_table(workshop.agreement_display(agree, lang), lang=lang, digits=2)

# %%
viz.show_heading(t("cal_leniency", lang))
viz.show_html(t("cal_leniency_note", lang), "bl-note")
fig = plots_trend.leniency_figure(side, calib_title=t("cal_calib_title", lang),
                                  field_title=t("cal_field_title", lang),
                                  xlabel=t("cal_leniency_xlabel", lang))
viz.show_figure(fig, alt=t("cal_leniency_alt", lang, wave=wave))
viz.show_table(workshop.leniency_display(side, lang), lang=lang)

# %%
viz.show_provenance(provenance(study, {"wave": wave, "lang": lang}), lang)
