"""The agents' training workshop and the evaluators' calibration: data behind notebooks 03/04.

Workshop material is discussed *with the agents*, so it is anonymous by construction:
competitors appear as "Wettbewerber A–D" / "Competitor A–D", nothing is shown per agent or
per evaluator, any figure over fewer than ``k`` contacts (``settings.k_anonymity``) is
suppressed, and free-text comments are scrubbed again (names already pseudonymised in
processed data; e-mail addresses and phone numbers removed) before they are shown escaped.

Calibration helpers (evaluator agreement and leniency) live here too: evaluators appear
only as codes (``E01`` …).

>>> import benchlib
>>> study = benchlib.load_study()
>>> competitor_labels(study.config, "2026-10", "de")["brandt"]
'Wettbewerber A'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from benchlib.config import StudyConfig
from benchlib.privacy import scrub
from benchlib.stats import (
    describe_scores,
    evaluator_leniency,
    item_proportions,
    leniency_adjusted,
)
from benchlib.stats._common import DEFAULT_MIN_N

__all__ = [
    "FOCUS_DIMENSIONS",
    "agreement_by_score",
    "agreement_display",
    "comments_display",
    "dims_display",
    "leniency_display",
    "weakest_display",
    "calibration_for_wave",
    "competitor_labels",
    "dimension_overview",
    "evaluator_codes_ok",
    "example_comments",
    "focus_items",
    "item_results",
    "leniency_side_by_side",
    "weakest_items",
]

FOCUS_DIMENSIONS: tuple[str, ...] = ("closing", "complaint")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_EVALUATOR_CODE = re.compile(r"^E\d{2,}$")


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
    become "Wettbewerber A", "B", … in the order of their company ids.

    >>> from benchlib.config import load_config
    >>> labels = competitor_labels(load_config(), "2026-10", "en")
    >>> [labels[c] for c in sorted(labels)]
    ['Competitor A', 'Competitor B', 'Competitor C', 'Competitor D', 'Voltera']
    """
    config.wave(wave)
    word = "Competitor" if lang == "en" else "Wettbewerber"
    comps = sorted(c.id for c in config.companies if c.role == "competitor" and c.active_in(wave))
    out = {c: f"{word} {_letter(i)}" for i, c in enumerate(comps)}
    out[config.shop.id] = config.shop.name
    return out


def focus_items(config: StudyConfig, wave: str,
                dims: Sequence[str] = FOCUS_DIMENSIONS) -> pd.DataFrame:
    """Grid items of the focus dimensions valid in ``wave``: ``item, dimension, scale,
    label_de, label_en`` (grid order)."""
    rows = [{"item": i.id, "dimension": i.dimension, "scale": i.scale, "label_de": i.label_de,
             "label_en": i.label_en} for i in config.grid.items_for_wave(wave)
            if i.dimension in dims]
    return pd.DataFrame(rows, columns=["item", "dimension", "scale", "label_de", "label_en"])


def item_results(study, wave: str, dims: Sequence[str] = FOCUS_DIMENSIONS,
                 k: int | None = None, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """Per focus item and company in ``wave``: result on a 0–100 scale with a 95 % CI.

    Yes/no items: share of contacts that met the criterion (``points`` 0/1, so a
    lower-is-better item counts its "no") with a Wilson interval
    (:func:`benchlib.stats.item_proportions`). Other scales: mean item points × 100 (the
    scoring's 0–1 points, as they enter the score) with a t interval
    (:func:`benchlib.stats.describe_scores`). Only answered items count. Groups with fewer
    than ``k`` answered contacts (default ``settings.k_anonymity``) are suppressed: value
    and CI NaN, ``suppressed`` True.

    Returns
    -------
    DataFrame
        ``item, dimension, scale, company, role, n, value, ci_low, ci_high, method,
        too_few, suppressed``.
    """
    k = study.config.settings.k_anonymity if k is None else k
    fi = focus_items(study.config, wave, dims)
    it = study.items
    it = it[(it["wave"] == wave) & it["item"].isin(fi["item"]) & (it["status"] == "answered")]
    parts = []
    yn = it[it["scale"] == "yes_no"]
    if len(yn):
        p = item_proportions(yn, by=["item", "company"], value="points", min_n=min_n)
        parts.append(p.rename(columns={"share": "value"})[
            ["item", "company", "n", "value", "ci_low", "ci_high", "too_few"]]
            .assign(method="share"))
    other = it[it["scale"] != "yes_no"]
    if len(other):
        d = describe_scores(other, dv="points", by=["item", "company"], min_n=min_n)
        parts.append(d.rename(columns={"mean": "value"})[
            ["item", "company", "n", "value", "ci_low", "ci_high", "too_few"]]
            .assign(method="mean_points"))
    cols = ["item", "dimension", "scale", "company", "role", "n", "value", "ci_low", "ci_high",
            "method", "too_few", "suppressed"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    for c in ("value", "ci_low", "ci_high"):
        out[c] = out[c] * 100
    out = out.merge(fi[["item", "dimension", "scale"]], on="item", how="left")
    roles = {c.id: c.role for c in study.config.companies}
    out["role"] = out["company"].map(roles)
    out["n"] = out["n"].astype(int)
    out["suppressed"] = out["n"] < k
    out.loc[out["suppressed"], ["value", "ci_low", "ci_high"]] = np.nan
    order = {i: n for n, i in enumerate(fi["item"])}
    out = out.sort_values(["item", "company"], key=lambda s: s.map(order) if s.name == "item"
                          else s.map(lambda c: (roles.get(c) != "shop", c)))
    return out[cols].reset_index(drop=True)


def weakest_items(results: pd.DataFrame, labels: dict[str, str], lang: str = "de",
                  config: StudyConfig | None = None, n_max: int | None = None,
                  min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """The shop's items vs the best competitor on that item, weakest (largest gap) first.

    The best competitor is the one with the highest value among competitors with at least
    ``min_n`` contacts and not suppressed. ``gap`` = shop − best (negative: the shop is
    behind). The best competitor is chosen after looking at the data, so the gap is a
    descriptive guide for the workshop, not a test.

    Returns
    -------
    DataFrame
        ``item, label, dimension, n_shop, shop, shop_ci_low, shop_ci_high, best, n_best,
        best_value, best_ci_low, best_ci_high, gap`` (``best`` is the anonymous label).
    """
    rows = []
    for item, g in results.groupby("item", sort=False):
        shop = g[g["role"] == "shop"]
        comp = g[(g["role"] == "competitor") & ~g["suppressed"] & (g["n"] >= min_n)]
        if shop.empty or shop["suppressed"].iloc[0] or comp.empty:
            continue
        s = shop.iloc[0]
        b = comp.sort_values(["value", "company"], ascending=[False, True]).iloc[0]
        label = item
        if config is not None:
            defs = [i for i in config.grid.items if i.id == item]
            label = (defs[-1].label_en if lang == "en" else defs[-1].label_de) if defs else item
        rows.append({"item": item, "label": label, "dimension": s["dimension"],
                     "n_shop": int(s["n"]), "shop": s["value"], "shop_ci_low": s["ci_low"],
                     "shop_ci_high": s["ci_high"], "best": labels.get(b["company"], "?"),
                     "n_best": int(b["n"]), "best_value": b["value"],
                     "best_ci_low": b["ci_low"], "best_ci_high": b["ci_high"],
                     "gap": s["value"] - b["value"]})
    out = pd.DataFrame(rows, columns=["item", "label", "dimension", "n_shop", "shop",
                                      "shop_ci_low", "shop_ci_high", "best", "n_best",
                                      "best_value", "best_ci_low", "best_ci_high", "gap"])
    out = out.sort_values(["gap", "item"]).reset_index(drop=True)
    return out.head(n_max) if n_max else out


def dimension_overview(study, wave: str, labels: dict[str, str],
                       dims: Sequence[str] = FOCUS_DIMENSIONS, k: int | None = None,
                       min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """Focus dimension scores (0–100) per company of ``wave`` with anonymous labels.

    :func:`benchlib.stats.describe_scores` of ``dim_<dimension>``; groups with fewer than
    ``k`` scored contacts are suppressed (mean and CI NaN).

    Returns
    -------
    DataFrame
        ``dimension, company, label, role, n, mean, ci_low, ci_high, too_few, suppressed``.
    """
    k = study.config.settings.k_anonymity if k is None else k
    c = study.wave_contacts(wave)
    rows = []
    for dim in dims:
        d = describe_scores(c, dv=f"dim_{dim}", by="company", min_n=min_n)
        d.insert(0, "dimension", dim)
        rows.append(d)
    out = pd.concat(rows, ignore_index=True)
    roles = {co.id: co.role for co in study.config.companies}
    out["label"] = out["company"].map(labels)
    out["role"] = out["company"].map(roles)
    out["suppressed"] = out["n"] < k
    out.loc[out["suppressed"], ["mean", "ci_low", "ci_high"]] = np.nan
    out = out.sort_values(["dimension", "role", "label"],
                          key=lambda s: s.map(lambda v: (v != "shop", v)) if s.name == "role"
                          else s).reset_index(drop=True)
    return out[["dimension", "company", "label", "role", "n", "mean", "ci_low", "ci_high",
                "too_few", "suppressed"]]


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


def evaluator_codes_ok(codes: Sequence[str]) -> bool:
    """True when every evaluator is a code like ``E01`` (never a name).

    >>> evaluator_codes_ok(["E01", "E12"]), evaluator_codes_ok(["E01", "Anna"])
    (True, False)
    """
    return all(bool(_EVALUATOR_CODE.match(str(c))) for c in codes)


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
    if not evaluator_codes_ok(out["evaluator"]):
        raise ValueError("evaluators must appear as codes (E01 …), never as names")
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


def _ci(lo: float, hi: float, lang: str, digits: int = 1) -> str:
    from benchlib.viz import fmt_number

    if lo != lo or hi != hi:
        return "–"
    return f"{fmt_number(lo, lang, digits)}–{fmt_number(hi, lang, digits)}"


def dims_display(overview: pd.DataFrame, lang: str = "de", k: int = 5) -> pd.DataFrame:
    """:func:`dimension_overview` for display (labels only, no company ids)."""
    from benchlib.i18n import t

    return pd.DataFrame({
        t("ws_col_dimension", lang): overview["dimension"].map(lambda d: t(f"ws_dim_{d}", lang)),
        t("ws_col_company", lang): overview["label"],
        t("ws_col_contacts", lang): overview["n"].astype(int).tolist(),
        t("ws_col_mean", lang): [t("ws_suppressed", lang, k=k) if s else m for m, s in
                                 zip(overview["mean"], overview["suppressed"], strict=True)],
        t("ws_col_ci", lang): [_ci(lo, hi, lang) for lo, hi in
                               zip(overview["ci_low"], overview["ci_high"], strict=True)],
    })


def weakest_display(weak: pd.DataFrame, shop_label: str, lang: str = "de") -> pd.DataFrame:
    """:func:`weakest_items` for display."""
    from benchlib.i18n import t

    return pd.DataFrame({
        t("ws_col_item", lang): weak["label"],
        t("ws_col_dimension", lang): weak["dimension"].map(lambda d: t(f"ws_dim_{d}", lang)),
        f"{shop_label}": weak["shop"].astype(float),
        f"{shop_label} {t('ws_col_ci', lang)}": [
            _ci(lo, hi, lang) for lo, hi in zip(weak["shop_ci_low"], weak["shop_ci_high"],
                                                strict=True)],
        t("ws_col_best", lang): weak["best"],
        t("ws_col_best_value", lang): weak["best_value"].astype(float),
        t("ws_col_ci", lang): [_ci(lo, hi, lang) for lo, hi in
                               zip(weak["best_ci_low"], weak["best_ci_high"], strict=True)],
        t("ws_col_gap", lang): weak["gap"].astype(float),
    })


def comments_display(comments: pd.DataFrame, config: StudyConfig,
                     lang: str = "de") -> pd.DataFrame:
    """:func:`example_comments` for display (channel and scenario translated)."""
    from benchlib.i18n import t

    return pd.DataFrame({
        t("ws_col_channel", lang): comments["channel"].map(lambda c: t(f"ws_channel_{c}", lang)),
        t("ws_col_scenario", lang): comments["scenario"].map(
            lambda s: config.scenarios.get(s, {}).get(lang, s)),
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
        t("cal_col_ci", lang): [_ci(lo, hi, lang) for lo, hi in
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
        t("cal_col_ci", lang): [_ci(lo, hi, lang, 2) for lo, hi in
                                zip(agree["ci_low"], agree["ci_high"], strict=True)],
        t("cal_col_label", lang): agree["label"].map(lambda x: t(f"cal_label_{x}", lang)),
        t("cal_col_alpha", lang): agree["alpha"].astype(float),
        f"{t('cal_col_alpha', lang)} {t('cal_col_ci', lang)}": [
            _ci(lo, hi, lang, 2) for lo, hi in zip(agree["alpha_ci_low"], agree["alpha_ci_high"],
                                                strict=True)],
        t("cal_col_recordings", lang): agree["n_recordings"].astype(int).tolist(),
    })
