"""The agents' training workshop and the evaluators' calibration: data behind notebooks 03/04.

Workshop material is discussed *with the agents*, so it is anonymous by construction:
competitors appear as "Wettbewerber A, B, …" / "Competitor A, B, …", nothing is shown per
agent or per evaluator, any figure over fewer than ``k`` contacts (``settings.k_anonymity``)
is withheld, and free-text comments are scrubbed again (names already pseudonymised in
processed data; e-mail addresses and phone numbers removed) before they are shown escaped.
What the workshop is about comes from :mod:`benchlib.focus` (the data and the training plan);
this module turns it into the pack's sentences and tables, with every visible word from the
text resources (``texts/workshop.yaml``) or the configuration's labels.

Calibration helpers (evaluator agreement and leniency) live here too: evaluators appear
only as codes.

>>> import benchlib
>>> study = benchlib.load_study()
>>> labels = competitor_labels(study.config, study.waves[-1], "de")
>>> labels[study.shop] == study.config.shop.name, "Wettbewerber A" in labels.values()
(True, True)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from benchlib import fmt
from benchlib.config import StudyConfig, Training
from benchlib.i18n import t
from benchlib.privacy import scrub
from benchlib.stats import evaluator_leniency, leniency_adjusted

__all__ = [
    "agreement_by_score",
    "agreement_display",
    "calibration_for_wave",
    "cells_display",
    "comments_display",
    "competitor_labels",
    "evaluator_codes_ok",
    "example_comments",
    "gap_sentences",
    "gaps_display",
    "gaps_figure_data",
    "headline",
    "leniency_display",
    "leniency_side_by_side",
    "role_play_prompts",
    "summary_lines",
    "training_sentence",
]

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _letter(i: int) -> str:
    """0 → A, 25 → Z, 26 → AA …"""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = _LETTERS[r] + s
    return s


def competitor_labels(config: StudyConfig, wave: str, lang: str = "de") -> dict[str, str]:
    """Company id → anonymous label: the shop keeps its name, competitors active in ``wave``
    become "Wettbewerber A", "B", … (text ``ws_competitor``) in the order of their company ids.

    >>> from benchlib.config import load_config
    >>> cfg = load_config()
    >>> labels = competitor_labels(cfg, "2026-10", "en")
    >>> sorted(v for c, v in labels.items() if c != cfg.shop.id)
    ['Competitor A', 'Competitor B', 'Competitor C', 'Competitor D']
    """
    config.wave(wave)
    comps = sorted(c.id for c in config.companies if c.role == "competitor" and c.active_in(wave))
    out = {c: t("ws_competitor", lang, letter=_letter(i)) for i, c in enumerate(comps)}
    out[config.shop.id] = config.shop.name
    return out


def _join(words: Sequence[str], lang: str) -> str:
    """"a", "a und b", "a, b und c" (the conjunction from the texts)."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + t("rk_and", lang) + words[-1]


def _quoted(config: StudyConfig, items: Sequence[str], lang: str) -> list[str]:
    return [t("ws_quote", lang, text=config.label("item", i, lang)) for i in items]


def headline(config: StudyConfig, nxt: pd.DataFrame, strong: pd.DataFrame,
             lang: str = "de") -> str:
    """The pack's one headline sentence: what to train next (or that the shop trails nowhere).

    ``nxt`` and ``strong`` are :func:`benchlib.focus.train_next` / :func:`~benchlib.focus.strengths`.
    "Trails" is said only when every chosen gap is ``supported`` (after the correction for
    many items); otherwise the sentence says how many are.

    >>> from benchlib.config import load_config
    >>> cfg = load_config()
    >>> item = cfg.grid.items[0].id
    >>> text = headline(cfg, pd.DataFrame({"item": [item]}), pd.DataFrame({"item": []}), "en")
    >>> text == (f"Train next: “{cfg.label('item', item, 'en')}” – where {cfg.shop.name} "
    ...          "trails the best competitor most.")
    True
    """
    shop = config.shop.name
    if len(nxt):
        items = _join(_quoted(config, nxt["item"], lang), lang)
        supported = int(nxt["supported"].sum()) if "supported" in nxt else len(nxt)
        if supported == len(nxt):
            return t("ws_headline", lang, items=items, shop=shop)
        return t("ws_headline_partly", lang, items=items, shop=shop, n=supported, m=len(nxt))
    if len(strong):
        return t("ws_headline_no_gap", lang, shop=shop)
    return t("ws_headline_no_data", lang, shop=shop)


def training_sentence(config: StudyConfig, training: Training | None, addressed: Sequence[str],
                      lang: str = "de") -> str:
    """What the last training addressed, in the configuration's words (or that there was none).

    >>> from benchlib.config import load_config
    >>> from benchlib.focus import addressed_items, last_training
    >>> cfg = load_config()
    >>> tr = last_training(cfg, "2026-10")
    >>> training_sentence(cfg, tr, addressed_items(cfg, "2026-10", tr), "en")[:60]
    'The last training (2026-08-26: Objection handling) addressed'
    """
    if training is None:
        return t("ws_no_training", lang)
    topics = _join([config.label("training", x, lang) for x in training.topics], lang)
    when = training.date.isoformat()
    if not training.addresses:
        return t("ws_training_no_addresses", lang, date=when, topics=topics)
    dims = set(config.grid.dimensions)
    targets = [config.label("dimension" if a in dims else "item", a, lang)
               for a in training.addresses]
    if not addressed:
        return t("ws_training_not_measured", lang, date=when, topics=topics,
                 targets=_join(targets, lang))
    return t("ws_training", lang, date=when, topics=topics, targets=_join(targets, lang))


def gap_sentences(config: StudyConfig, gaps: pd.DataFrame, labels: dict[str, str],
                  lang: str = "de") -> list[str]:
    """One sentence per row of :func:`benchlib.focus.shop_vs_best` (e.g. the items to train
    next): the shop's result against the best competitor's, the difference with its 95 % CI,
    and whether it survives the correction for many items. For the wave report's first screen
    and the pack. ``labels`` names the competitors (display names or anonymous labels).

    >>> from benchlib.config import load_config
    >>> cfg = load_config()
    >>> g = pd.DataFrame({"item": [cfg.grid.items[0].id], "method": ["share"], "shop": [36.4],
    ...                   "best": ["x"], "best_value": [76.9], "diff": [-40.5],
    ...                   "diff_ci_low": [-58.2], "diff_ci_high": [-17.7], "supported": [True]})
    >>> gap_sentences(cfg, g, {"x": "Competitor B"}, "en")[0].split("”: ")[1]
    '36.4 % against 76.9 % at Competitor B (difference −40.5 points, 95% CI −58.2 to −17.7; supported after the correction for many items).'
    """
    from benchlib.viz import fmt_number

    out = []
    for r in gaps.to_dict("records"):
        unit = "share" if r["method"] == "share" else "points"
        out.append(t(f"ws_gap_{unit}", lang,
                     item=t("ws_quote", lang, text=config.label("item", r["item"], lang)),
                     shop=fmt_number(r["shop"], lang), best=fmt_number(r["best_value"], lang),
                     competitor=labels.get(r["best"], ""), diff=fmt_number(r["diff"], lang),
                     ci=fmt.ci(r["diff_ci_low"], r["diff_ci_high"], lang, label=True),
                     verdict=t("ws_gap_supported" if r["supported"] else "ws_gap_exploratory",
                               lang)))
    return out


def summary_lines(config: StudyConfig, wave: str, gaps: pd.DataFrame, strong: pd.DataFrame,
                  training: Training | None, addressed: Sequence[str],
                  lang: str = "de") -> list[str]:
    """The pack's "at a glance" sentences after the headline: strengths, the last training,
    and how many of the wave's items could not be compared (too few contacts).

    ``gaps`` is :func:`benchlib.focus.shop_vs_best`, ``strong`` :func:`~benchlib.focus.strengths`.
    """
    shop = config.shop.name
    lines = [t("ws_summary_strengths", lang, items=_join(_quoted(config, strong["item"], lang),
                                                          lang))
             if len(strong) else t("ws_summary_no_strengths", lang, shop=shop)]
    lines.append(training_sentence(config, training, addressed, lang))
    total = len({i.id for i in config.grid.items_for_wave(wave)})
    shown = int((~gaps["suppressed"]).sum())
    if shown < total:
        lines.append(t("ws_summary_withheld", lang, n=total - shown, total=total, shop=shop))
    return lines


def role_play_prompts(config: StudyConfig, cells: pd.DataFrame, lang: str = "de") -> list[str]:
    """One role-play prompt per weak cell of :func:`benchlib.focus.weakest_cells`.

    >>> from benchlib.config import load_config
    >>> cfg = load_config()
    >>> c = pd.DataFrame({"scenario": [next(iter(cfg.scenarios))], "item": [cfg.grid.items[0].id],
    ...                   "method": ["share"], "n": [12], "value": [25.0], "market": [50.0],
    ...                   "market_suppressed": [False]})
    >>> role_play_prompts(cfg, c, "en")[0].split("”: ")[1]
    'met in 25.0 % of 12 test contacts (market: 50.0 %).'
    """
    from benchlib.viz import fmt_number

    out = []
    for r in cells.to_dict("records"):
        unit = "share" if r["method"] == "share" else "points"
        market = (t("ws_prompt_market_" + unit, lang, value=fmt_number(r["market"], lang))
                  if not r["market_suppressed"] and r["market"] == r["market"] else "")
        out.append(t("ws_prompt_" + unit, lang, scenario=config.label("scenario", r["scenario"],
                                                                         lang),
                     item=t("ws_quote", lang, text=config.label("item", r["item"], lang)),
                     value=fmt_number(r["value"], lang), n=int(r["n"]), market=market))
    return out


def example_comments(study, wave: str, max_n: int = 15,
                     scenarios: Sequence[str] | None = None) -> pd.DataFrame:
    """Anonymised example comments of the shop's contacts in ``wave``.

    Deterministic: the shop's non-empty comments sorted by contact id, scrubbed again
    (:func:`benchlib.privacy.scrub`: e-mail addresses, phone numbers), identical texts
    merged (``contacts`` counts them), at most ``max_n``. No contact id, date, agent or
    evaluator is returned — only channel, scenario and the text, which must be shown
    escaped.

    Returns
    -------
    DataFrame
        ``channel, scenario, comment, contacts``.
    """
    c = study.contacts
    c = c[(c["wave"] == wave) & (c["company"] == study.shop)]
    if scenarios is not None:
        c = c[c["scenario"].isin(scenarios)]
    c = c[c["comment"].notna()].sort_values("contact_id")
    text = c["comment"].astype(str).str.strip().map(scrub)
    c = c.assign(comment=text)[text != ""]
    counts = c.groupby("comment", sort=False).size()
    first = c.drop_duplicates("comment", keep="first")
    out = first[["channel", "scenario", "comment"]].assign(
        contacts=first["comment"].map(counts).astype(int).to_numpy())
    return out.head(max_n).reset_index(drop=True)


# --- evaluator calibration -------------------------------------------------------------


def evaluator_codes_ok(codes: Sequence[str], config: StudyConfig) -> bool:
    """True when every evaluator code matches the study's ``settings.evaluator_pattern``
    (:meth:`benchlib.config.StudyConfig.evaluator_ok`): evaluators appear as codes, never
    as names.

    >>> from benchlib.config import load_config
    >>> cfg = load_config()
    >>> evaluator_codes_ok([], cfg), evaluator_codes_ok(["Anna Berger"], cfg)
    (True, False)
    """
    return all(config.evaluator_ok(c) for c in codes)


def calibration_for_wave(study, wave: str) -> pd.DataFrame:
    """Calibration ratings (recording × evaluator) belonging to ``wave`` (may be empty)."""
    cal = study.calibration
    if "wave" in cal.columns:
        cal = cal[cal["wave"] == wave]
    return cal.reset_index(drop=True)


def leniency_side_by_side(study, wave: str, fit=None) -> pd.DataFrame:
    """Evaluator leniency from the calibration round and from the field data, per code.

    ``calib_*``: :func:`benchlib.stats.evaluator_leniency` on the wave's calibration ratings
    (mean deviation from the other evaluators on the same recordings, t CI; NaN when the
    wave has no calibration). ``field_blup``: the evaluator's random intercept (BLUP, score
    points) of :func:`benchlib.stats.leniency_adjusted` fitted on the wave's scored contacts
    (adjusted for company, scenario and channel; pass ``fit`` to reuse a fitted
    :class:`~benchlib.stats.LeniencyAdjusted`). Positive = more lenient in both.

    Returns
    -------
    DataFrame
        ``evaluator, calib_n, calib_mean_dev, calib_ci_low, calib_ci_high, field_n,
        field_blup``.
    """
    contacts = study.wave_contacts(wave)
    la = leniency_adjusted(contacts, shop=study.shop) if fit is None else fit
    field = la.blups.rename(columns={"blup": "field_blup"})
    field["field_n"] = field["evaluator"].map(contacts["evaluator"].value_counts()).astype(int)
    cal = calibration_for_wave(study, wave)
    if len(cal):
        lev = evaluator_leniency(cal).rename(columns={
            "n": "calib_n", "mean_dev": "calib_mean_dev", "ci_low": "calib_ci_low",
            "ci_high": "calib_ci_high"}).drop(columns="sd")
    else:
        lev = pd.DataFrame(columns=["evaluator", "calib_n", "calib_mean_dev", "calib_ci_low",
                                    "calib_ci_high"])
    out = field.merge(lev, on="evaluator", how="outer").sort_values("evaluator")
    out["calib_n"] = out["calib_n"].fillna(0).astype(int)
    out["field_n"] = out["field_n"].fillna(0).astype(int)
    if not evaluator_codes_ok(out["evaluator"], study.config):
        raise ValueError("evaluators must appear as codes matching settings.evaluator_pattern")
    return out[["evaluator", "calib_n", "calib_mean_dev", "calib_ci_low", "calib_ci_high",
                "field_n", "field_blup"]].reset_index(drop=True)


def agreement_by_score(cal: pd.DataFrame, scores: Sequence[str] | None = None,
                       n_boot: int = 1000) -> pd.DataFrame:
    """ICC(2,1) and interval Krippendorff's alpha for the total and each dimension score.

    Uses :func:`benchlib.stats.icc` and :func:`benchlib.stats.krippendorff_alpha` on the
    calibration table. A score that cannot be assessed (fewer than 2 recordings rated by
    every evaluator, no variation) is left out.

    Returns
    -------
    DataFrame
        ``score, icc, ci_low, ci_high, label, alpha, alpha_ci_low, alpha_ci_high,
        n_recordings, n_evaluators, n_dropped``.
    """
    from benchlib.stats import icc, krippendorff_alpha

    if scores is None:
        scores = ["total", *[c for c in cal.columns if c.startswith("dim_")]]
    rows = []
    for sc in scores:
        try:
            ic = icc(cal, ratings=sc).set_index("type").loc["ICC(2,1)"]
            ka = krippendorff_alpha(cal, ratings=sc, n_boot=n_boot).iloc[0]
        except (ValueError, AssertionError, ZeroDivisionError):
            continue
        if not np.isfinite(ic["icc"]):
            continue
        rows.append({"score": sc.removeprefix("dim_"), "icc": float(ic["icc"]),
                     "ci_low": float(ic["ci_low"]), "ci_high": float(ic["ci_high"]),
                     "label": ic["label"], "alpha": float(ka["alpha"]),
                     "alpha_ci_low": float(ka["ci_low"]), "alpha_ci_high": float(ka["ci_high"]),
                     "n_recordings": int(ic["n_recordings"]),
                     "n_evaluators": int(ic["n_evaluators"]), "n_dropped": int(ic["n_dropped"])})
    return pd.DataFrame(rows, columns=["score", "icc", "ci_low", "ci_high", "label", "alpha",
                                       "alpha_ci_low", "alpha_ci_high", "n_recordings",
                                       "n_evaluators", "n_dropped"])


# --- display tables (translated headings) -----------------------------------------------


def gaps_display(gaps: pd.DataFrame, config: StudyConfig, labels: dict[str, str],
                 lang: str = "de") -> pd.DataFrame:
    """Rows of :func:`benchlib.focus.shop_vs_best` for display: labels only, no ids."""
    shop = config.shop.name
    return pd.DataFrame({
        t("ws_col_item", lang): [config.label("item", i, lang) for i in gaps["item"]],
        t("ws_col_dimension", lang): [config.label("dimension", d, lang)
                                      for d in gaps["dimension"]],
        shop: gaps["shop"].astype(float).tolist(),
        f"{shop} {t('ws_col_ci', lang)}": [fmt.ci(lo, hi, lang) for lo, hi in
                                           zip(gaps["shop_ci_low"], gaps["shop_ci_high"],
                                               strict=True)],
        t("ws_col_best", lang): [labels.get(b, "") for b in gaps["best"]],
        t("ws_col_best_value", lang): gaps["best_value"].astype(float).tolist(),
        t("ws_col_diff", lang): gaps["diff"].astype(float).tolist(),
        t("ws_col_diff_ci", lang): [fmt.ci(lo, hi, lang) for lo, hi in
                                    zip(gaps["diff_ci_low"], gaps["diff_ci_high"], strict=True)],
        t("ws_col_supported", lang): [t("ws_yes" if s else "ws_no", lang)
                                      for s in gaps["supported"]],
    })


def gaps_figure_data(gaps: pd.DataFrame, config: StudyConfig, labels: dict[str, str],
                     lang: str = "de") -> pd.DataFrame:
    """Rows of :func:`benchlib.focus.shop_vs_best` with item and competitor labels, for
    :func:`benchlib.plots_trend.item_gap_figure`."""
    return gaps.assign(label=[config.label("item", i, lang) for i in gaps["item"]],
                       best=[labels.get(b, "") for b in gaps["best"]])


def cells_display(cells: pd.DataFrame, config: StudyConfig, lang: str = "de") -> pd.DataFrame:
    """:func:`benchlib.focus.weakest_cells` for display (the shop's values; labels only)."""
    return pd.DataFrame({
        t("ws_col_scenario", lang): [config.label("scenario", s, lang) for s in cells["scenario"]],
        t("ws_col_item", lang): [config.label("item", i, lang) for i in cells["item"]],
        t("ws_col_contacts", lang): cells["n"].astype(int).tolist(),
        config.shop.name: cells["value"].astype(float).tolist(),
        t("ws_col_market", lang): cells["market"].astype(float).tolist(),
    })


def comments_display(comments: pd.DataFrame, config: StudyConfig,
                     lang: str = "de") -> pd.DataFrame:
    """:func:`example_comments` for display (channel and scenario labels)."""
    return pd.DataFrame({
        t("ws_col_channel", lang): [config.label("channel", c, lang) for c in comments["channel"]],
        t("ws_col_scenario", lang): [config.label("scenario", s, lang)
                                     for s in comments["scenario"]],
        t("ws_col_comment", lang): comments["comment"],
        t("ws_col_times", lang): comments["contacts"].astype(int).tolist(),
    })


def leniency_display(side: pd.DataFrame, lang: str = "de") -> pd.DataFrame:
    """:func:`leniency_side_by_side` for display (codes only)."""
    from benchlib.i18n import t

    return pd.DataFrame({
        t("cal_col_evaluator", lang): side["evaluator"],
        t("cal_col_calib_n", lang): side["calib_n"].astype(int).tolist(),
        t("cal_col_calib_dev", lang): side["calib_mean_dev"].astype(float),
        t("cal_col_ci", lang): [fmt.ci(lo, hi, lang) for lo, hi in
                                zip(side["calib_ci_low"], side["calib_ci_high"], strict=True)],
        t("cal_col_field_n", lang): side["field_n"].astype(int).tolist(),
        t("cal_col_field_blup", lang): side["field_blup"].astype(float),
    })


def agreement_display(agree: pd.DataFrame, lang: str = "de") -> pd.DataFrame:
    """:func:`agreement_by_score` for display (dimension names and Koo & Li labels translated)."""
    from benchlib.i18n import t, texts

    def score_name(s: str) -> str:
        key = "cal_total" if s == "total" else f"cal_dim_{s}"
        return t(key, lang) if key in texts() else s

    return pd.DataFrame({
        t("cal_col_score", lang): agree["score"].map(score_name),
        t("cal_col_icc", lang): agree["icc"].astype(float),
        t("cal_col_ci", lang): [fmt.ci(lo, hi, lang, 2) for lo, hi in
                                zip(agree["ci_low"], agree["ci_high"], strict=True)],
        t("cal_col_label", lang): agree["label"].map(lambda x: t(f"cal_label_{x}", lang)),
        t("cal_col_alpha", lang): agree["alpha"].astype(float),
        f"{t('cal_col_alpha', lang)} {t('cal_col_ci', lang)}": [
            fmt.ci(lo, hi, lang, 2) for lo, hi in zip(agree["alpha_ci_low"], agree["alpha_ci_high"],
                                                strict=True)],
        t("cal_col_recordings", lang): agree["n_recordings"].astype(int).tolist(),
    })
