"""Everything the wave report shows, computed once by the tested library functions.

:func:`wave_results` runs the statistics of :mod:`benchlib.stats` on one wave of a study and
returns a frozen :class:`WaveResults` of tidy tables. The wave-report notebook only displays
them; ``results.json`` (:func:`write_results_json`) and ``tables.xlsx`` hold the same
numbers, unrounded.

Privacy: a figure over fewer than ``k`` contacts (``settings.k_anonymity``, never below 3) is
suppressed (NaN, shown as "–", ``suppressed = True``); groups below ``settings.min_n`` are
shown but not tested (``too_few`` / ``tested = False``). No table has an agent column;
evaluators appear only as codes.

>>> import benchlib
>>> res = wave_results(benchlib.load_study(), "2026-10", lang="en")
>>> res.wave, res.previous_wave, res.shop
('2026-10', '2026-07', 'voltera')
>>> sorted(res.to_json_dict())[:4]
['adjusted', 'calibration', 'change_vs_previous', 'companies']
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchlib import stats
from benchlib.i18n import t
from benchlib.study import Study

__all__ = ["WaveResults", "display_table", "effective_k", "suppress_small", "wave_results",
           "write_results_json"]

ALPHA = 0.05
PLAN_CHANGES = (3, 5, 8)
SURV_HORIZONS = (4, 24)


def effective_k(study: Study) -> int:
    """The k-anonymity threshold of the study (``settings.k_anonymity``, never below 3)."""
    return max(3, int(study.config.settings.k_anonymity))


def suppress_small(df: pd.DataFrame, n_cols: list[str], value_cols: list[str],
                   k: int) -> pd.DataFrame:
    """Blank ``value_cols`` (NaN) in rows where any of ``n_cols`` is below ``k``.

    Adds (or updates) a boolean ``suppressed`` column. Counts themselves stay visible.

    >>> d = pd.DataFrame({"n": [2, 12], "mean": [50.0, 60.0]})
    >>> suppress_small(d, ["n"], ["mean"], 5)[["mean", "suppressed"]].to_dict("list")
    {'mean': [nan, 60.0], 'suppressed': [True, False]}
    """
    out = df.copy()
    small = np.zeros(len(out), dtype=bool)
    for c in n_cols:
        small |= pd.to_numeric(out[c], errors="coerce").fillna(0).to_numpy() < k
    cols = [c for c in value_cols if c in out.columns]
    out[cols] = out[cols].astype(float)
    out.loc[small, cols] = np.nan
    prev = out["suppressed"].to_numpy(bool) if "suppressed" in out else False
    out["suppressed"] = small | prev
    return out


# --------------------------------------------------------------------------- container


@dataclass(frozen=True, eq=False)
class WaveResults:
    """Results of one wave (tidy DataFrames; company ids, display names in ``names``)."""

    wave: str
    previous_wave: str | None
    lang: str
    shop: str
    names: dict[str, str]
    roles: dict[str, str]
    k: int
    min_n: int
    counts: dict[str, int]
    companies: pd.DataFrame
    shop_vs_competitors: pd.DataFrame
    shop_vs_market: dict[str, Any]
    welch_anova: dict[str, float] | None
    games_howell: pd.DataFrame
    emm: pd.DataFrame
    mix_contrasts: pd.DataFrame
    mixed_contrasts: pd.DataFrame
    evaluator_variance: dict[str, float]
    evaluator_blups: pd.DataFrame
    dimensions: pd.DataFrame
    items: pd.DataFrame
    item_comparisons: pd.DataFrame
    change: pd.DataFrame | None
    comparability: dict[str, Any] | None
    training: dict[str, Any] | None
    training_by_dimension: pd.DataFrame | None
    mail_response: pd.DataFrame
    logrank: pd.DataFrame
    km: pd.DataFrame
    calibration: stats.CalibrationSummary | None
    planning: pd.DataFrame
    executive_summary: tuple[str, ...]
    notes: tuple[str, ...]
    item_labels: dict[str, str]
    item_higher_is_better: dict[str, bool]
    provenance: dict[str, Any] = field(repr=False)

    def name(self, company: str) -> str:
        """Display name of a company id."""
        return self.names.get(company, company)

    def to_json_dict(self) -> dict[str, Any]:
        """The ``results.json`` content: plain Python types, unrounded, NaN → None."""
        te = self.training
        cal = self.calibration
        d = {
            "wave": self.wave, "previous_wave": self.previous_wave, "lang": self.lang,
            "shop": self.shop,
            "settings": {"k_anonymity": self.k, "min_n": self.min_n, "alpha": ALPHA},
            "counts": dict(self.counts),
            "companies": _records(self.companies, ["company", "name", "role", "n", "mean", "sd",
                                                   "ci_low", "ci_high", "too_few",
                                                   "suppressed"]),
            "shop_vs_competitors": _records(self.shop_vs_competitors, [
                "competitor", "name", "n_shop", "n_comp", "mean_shop", "mean_comp", "diff",
                "ci_low", "ci_high", "t", "df", "p", "p_holm", "hedges_g", "g_ci_low",
                "g_ci_high", "tested", "suppressed"]),
            "shop_vs_market": dict(self.shop_vs_market),
            "welch_anova": None if self.welch_anova is None else dict(self.welch_anova),
            "games_howell": _records(self.games_howell, list(self.games_howell.columns)),
            "adjusted": {
                "emm": _records(self.emm, ["company", "emm", "se", "df", "ci_low", "ci_high"]),
                "mix_contrasts": _records(self.mix_contrasts, [
                    "competitor", "estimate", "se", "t", "df", "ci_low", "ci_high", "p",
                    "p_holm"]),
                "mixed_model": _records(self.mixed_contrasts, [
                    "competitor", "estimate", "se", "z", "ci_low", "ci_high", "p", "p_holm"]),
                "evaluator_variance": dict(self.evaluator_variance),
                "evaluator_blups": _records(self.evaluator_blups, ["evaluator", "blup"]),
            },
            "dimensions": _records(self.dimensions, ["dimension", "company", "role", "n", "mean",
                                                     "sd", "ci_low", "ci_high", "too_few",
                                                     "suppressed"]),
            "items": _records(self.items, ["item", "company", "n", "successes", "share",
                                           "ci_low", "ci_high", "p_fdr", "too_few",
                                           "suppressed"]),
            "item_comparisons": _records(self.item_comparisons, [
                "item", "competitor", "n_shop", "n_comp", "share_shop", "share_comp", "diff",
                "ci_low", "ci_high", "test", "p", "p_fdr", "tested", "suppressed"]),
            "change_vs_previous": None if self.change is None else _records(self.change, [
                "company", "n_prev", "n_cur", "mean_prev", "mean_cur", "diff", "ci_low",
                "ci_high", "t", "df", "p", "tested", "suppressed", "diff_full"]),
            "comparability": self.comparability,
            "training_effect": None if te is None else {
                "training": te["training"], "before": te["before"], "after": te["after"],
                "naive_change": te["naive_change"], "naive_ci_low": te["naive_ci_low"],
                "naive_ci_high": te["naive_ci_high"], "naive_p": te["naive_p"],
                "market_change": te["market_change"], "market_ci_low": te["market_ci_low"],
                "market_ci_high": te["market_ci_high"], "market_p": te["market_p"],
                "did": te["estimate"], "se": te["se"], "ci_low": te["ci_low"],
                "ci_high": te["ci_high"], "p": te["p"], "tested": te["tested"],
                "n_shop_before": te["n_shop_before"], "n_shop_after": te["n_shop_after"],
                "n_comp_before": te["n_comp_before"], "n_comp_after": te["n_comp_after"],
                "score": te["score"], "panel": te["panel"],
                "competitors": list(te["competitors"]), "did_full": te["did_full"],
                "ci_low_full": te["ci_low_full"], "ci_high_full": te["ci_high_full"],
                "p_full": te["p_full"], "naive_change_full": te["naive_change_full"],
                "by_dimension": _records(self.training_by_dimension, [
                    "dimension", "naive_change", "market_change", "estimate", "se", "ci_low",
                    "ci_high", "p", "tested"]),
            },
            "mail_response": _records(self.mail_response, [
                "company", "n", "answered", "median_h", "median_ci_low", "median_ci_high",
                "share_4h", "share_24h", "share_24h_ci_low", "share_24h_ci_high", "too_few",
                "suppressed"]),
            "mail_logrank": _records(self.logrank, ["comparison", "competitor", "n_shop",
                                                    "n_comp", "chisq", "p", "p_holm",
                                                    "tested"]),
            "calibration": None if cal is None else {
                "icc2_1": cal.icc2_1, "icc2_1_ci": list(cal.icc2_1_ci), "icc2_k": cal.icc2_k,
                "icc2_k_ci": list(cal.icc2_k_ci), "label": cal.label,
                "alpha": cal.alpha_interval, "alpha_ci": list(cal.alpha_ci),
                "n_recordings": cal.n_recordings, "n_evaluators": cal.n_evaluators},
            "planning": _records(self.planning, ["target_change", "n_per_company",
                                                 "sd_pooled", "current_median_n",
                                                 "mdc_at_current_n"]),
            "executive_summary": list(self.executive_summary),
            "notes": list(self.notes),
            "provenance": self.provenance,
        }
        return _jsonable(d)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every result table (tidy, unrounded) for ``tables.xlsx``; no agent-level data."""
        out = {
            "companies": self.companies,
            "shop_vs_competitors": self.shop_vs_competitors,
            "shop_vs_market": pd.DataFrame([self.shop_vs_market]),
            "welch_anova": pd.DataFrame([self.welch_anova] if self.welch_anova else []),
            "games_howell": self.games_howell,
            "emm": self.emm,
            "mix_contrasts": self.mix_contrasts,
            "mixed_model": self.mixed_contrasts,
            "evaluator_leniency": self.evaluator_blups,
            "dimensions": self.dimensions,
            "items": self.items,
            "item_comparisons": self.item_comparisons,
        }
        if self.change is not None:
            out["change_vs_previous"] = self.change
        if self.training is not None:
            out["training_effect"] = pd.DataFrame([{k: v for k, v in self.training.items()}])
            out["training_by_dimension"] = self.training_by_dimension
        out["mail_response"] = self.mail_response
        out["mail_logrank"] = self.logrank
        if self.calibration is not None:
            out["calibration"] = pd.DataFrame([self.to_json_dict()["calibration"]]).assign(
                icc2_1_ci=lambda d: d["icc2_1_ci"].map(str), icc2_k_ci=lambda d: d[
                    "icc2_k_ci"].map(str), alpha_ci=lambda d: d["alpha_ci"].map(str))
        out["planning"] = self.planning
        out["counts"] = pd.DataFrame([self.counts])
        return out


def write_results_json(results: WaveResults, path: Path | str) -> None:
    """Write ``results.to_json_dict()`` atomically (sorted keys, NaN → null)."""
    from benchlib.atomic import write_json

    write_json(Path(path), results.to_json_dict())


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if hasattr(x, "item") and not isinstance(x, (str, bytes)):
        x = x.item()
    if x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, float) and math.isnan(x):
        return None
    return x


def _records(df: pd.DataFrame | None, cols: list[str]) -> list[dict[str, Any]]:
    if df is None or df.empty:
        return []
    cols = [c for c in cols if c in df.columns]
    return [_jsonable(r) for r in df[cols].to_dict("records")]


# --------------------------------------------------------------------------- computation


def wave_results(study: Study, wave: str, lang: str = "de") -> WaveResults:
    """Compute every statistic of the wave report for ``wave`` (see module docstring)."""
    if lang not in ("de", "en"):
        raise ValueError(f"lang must be 'de' or 'en', got {lang!r}")
    cfg = study.config
    wave = cfg.wave(wave).id  # unknown wave -> ConfigError listing the valid waves
    prev = study.previous_wave(wave)
    k = effective_k(study)
    min_n = max(int(cfg.settings.min_n), k)
    shop = study.shop
    names = {c.id: c.name for c in cfg.companies}
    roles = {c.id: c.role for c in cfg.companies}
    order = {c.id: i for i, c in enumerate(cfg.companies)}
    all_w = study.wave_contacts(wave, scored_only=False)
    w = study.wave_contacts(wave)
    notes: list[str] = []

    companies = _companies(w, k, min_n, names, order)
    tested_ids = companies.loc[~companies["too_few"], "company"].tolist()
    wt = w[w["company"].isin(tested_ids)]

    svc = stats.shop_vs_competitors(w, shop=shop, alpha=ALPHA, min_n=min_n)
    svc = _sort(svc, "competitor", order)
    svc.insert(2, "name", svc["competitor"].map(names))
    svc = suppress_small(svc, ["n_shop", "n_comp"], [
        "mean_shop", "mean_comp", "diff", "ci_low", "ci_high", "t", "df", "p", "hedges_g",
        "g_ci_low", "g_ci_high", "p_holm"], k)
    market = w.assign(company=np.where(w["company"] == shop, shop, "__market__"))
    mk = stats.shop_vs_competitors(market, shop=shop, alpha=ALPHA, min_n=min_n).iloc[0]
    shop_vs_market = {c: mk[c] for c in ("n_shop", "n_comp", "mean_shop", "mean_comp", "diff",
                                         "ci_low", "ci_high", "t", "df", "p", "hedges_g",
                                         "tested")}

    anova, gh = None, pd.DataFrame()
    if wt["company"].nunique() >= 2:
        anova = stats.welch_anova(wt).iloc[0].to_dict()
        gh = stats.games_howell(wt, alpha=ALPHA)
    mix = stats.mix_adjusted(wt, shop=shop, alpha=ALPHA)
    len_adj = stats.leniency_adjusted(wt, shop=shop, alpha=ALPHA)
    emm = _sort(mix.emm, "company", order)
    ev_var = {"evaluator_var": len_adj.evaluator_var, "residual_var": len_adj.residual_var,
              "evaluator_share": len_adj.icc, "n_evaluators": len_adj.n_groups}
    blups = len_adj.blups.sort_values("evaluator").reset_index(drop=True)

    dims = stats.by_dimension(w, by="company", min_n=min_n, alpha=ALPHA)
    dims["role"] = dims["company"].map(roles)
    dims = suppress_small(dims, ["n"], ["mean", "sd", "se", "ci_low", "ci_high"], k)
    dim_order = {d: i for i, d in enumerate(cfg.grid.dimensions)}
    dims = dims.sort_values(["dimension", "company"], key=lambda s: s.map(
        dim_order if s.name == "dimension" else order)).reset_index(drop=True)

    items, comps = _items(study, wave, shop, k, min_n, order)
    defs = cfg.grid.items_for_wave(wave)
    labels = {i.id: (i.label_de if lang == "de" else i.label_en) for i in defs}
    hib = {i.id: i.direction == "higher_is_better" for i in defs}

    change = comparability = None
    if prev is not None:  # cross-wave: on the comparable core, the full grid beside it
        core_c, core = study.comparable([prev, wave])
        change = stats.change_vs_previous(core_c[core_c["scored"]], wave, prev, min_n=min_n,
                                          alpha=ALPHA)
        full = stats.change_vs_previous(core_c[core_c["full_scored"]], wave, prev,
                                        dv="full_total", min_n=min_n, alpha=ALPHA)
        change["diff_full"] = change["company"].map(full.set_index("company")["diff"])
        change = _sort(change, "company", order)
        change = suppress_small(change, ["n_prev", "n_cur"], [
            "mean_prev", "mean_cur", "diff", "ci_low", "ci_high", "t", "df", "p",
            "diff_full"], k)
        comparability = _comparability(study, core, prev, wave)

    training, by_dim = _training(study, wave, prev, min_n, k)

    mail = stats.response_summary(all_w, horizons=SURV_HORIZONS, alpha=ALPHA, min_n=min_n)
    mail = _sort(mail, "company", order)
    mail = suppress_small(mail, ["n"], [c for c in mail.columns if c.startswith(("median",
                                                                                "share"))], k)
    logrank = stats.logrank_shop_vs_competitors(all_w, shop=shop, min_n=min_n)
    km = stats.km_curves(all_w, alpha=ALPHA)
    km = km[km["company"].isin(mail.loc[~mail["suppressed"], "company"])].reset_index(drop=True)

    cal_rows = study.calibration[study.calibration["wave"] == wave]
    calibration = stats.calibration_summary(cal_rows) if len(cal_rows) else None

    planning = stats.plan_next_wave(w, changes=PLAN_CHANGES, alpha=ALPHA)

    counts = _counts(study, wave, all_w)
    for label, df in (("companies", companies), ("dimensions", dims), ("items", items),
                      ("mail", mail)):
        if df["suppressed"].any():
            notes.append(t("wr_note_suppressed", lang, k=k, what=t(f"wr_sec_{label}", lang),
                           groups=int(df["suppressed"].sum())))
    res = dict(
        wave=wave, previous_wave=prev, lang=lang, shop=shop, names=names, roles=roles, k=k,
        min_n=min_n, counts=counts, companies=companies, shop_vs_competitors=svc,
        shop_vs_market=shop_vs_market, welch_anova=anova, games_howell=gh, emm=emm,
        mix_contrasts=_sort(mix.contrasts, "competitor", order),
        mixed_contrasts=_sort(len_adj.contrasts, "competitor", order),
        evaluator_variance=ev_var, evaluator_blups=blups, dimensions=dims, items=items,
        item_comparisons=comps, change=change, comparability=comparability, training=training,
        training_by_dimension=by_dim,
        mail_response=mail, logrank=logrank, km=km, calibration=calibration, planning=planning,
        notes=tuple(notes), item_labels=labels, item_higher_is_better=hib)
    summary = _executive_summary(res, lang)
    from benchlib.report import provenance

    prov = provenance(study, {"wave": wave, "lang": lang})
    return WaveResults(**res, executive_summary=summary, provenance=prov)


def _sort(df: pd.DataFrame, col: str, order: dict[str, int]) -> pd.DataFrame:
    return df.sort_values(col, key=lambda s: s.map(order).fillna(len(order)),
                          kind="stable").reset_index(drop=True)


def _companies(w: pd.DataFrame, k: int, min_n: int, names: dict, order: dict) -> pd.DataFrame:
    out = stats.describe_scores(w, by="company", min_n=min_n, alpha=ALPHA)
    out = _sort(out, "company", order)
    out.insert(1, "name", out["company"].map(names))
    out.insert(2, "role", out["company"].map(w.groupby("company")["role"].first()))
    return suppress_small(out, ["n"], ["mean", "sd", "se", "ci_low", "ci_high"], k)


def _items(study: Study, wave: str, shop: str, k: int, min_n: int,
           order: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    it = study.items
    it = it[(it["wave"] == wave) & (it["scale"] == "yes_no")]
    scored = set(study.wave_contacts(wave)["contact_id"])
    it = it[it["contact_id"].isin(scored)]
    props = stats.item_proportions(it, by=["item", "company"], alpha=ALPHA, min_n=min_n)
    comps = stats.compare_proportions(it, shop=shop, by=[], alpha=ALPHA, min_n=min_n)
    comps = suppress_small(comps, ["n_shop", "n_comp"], [
        "share_shop", "share_comp", "diff", "ci_low", "ci_high", "statistic", "p", "p_fdr"], k)
    p_fdr = comps.set_index(["item", "competitor"])["p_fdr"]
    props["p_fdr"] = [p_fdr.get((i, c), np.nan) for i, c in zip(props["item"], props["company"],
                                                                strict=True)]
    props = suppress_small(props, ["n"], ["successes", "share", "ci_low", "ci_high"], k)
    item_order = {i: n for n, i in enumerate(dict.fromkeys(x.id for x in study.config.grid.items))}
    props = props.sort_values(["item", "company"], key=lambda s: s.map(
        item_order if s.name == "item" else order)).reset_index(drop=True)
    comps = comps.sort_values(["item", "competitor"], key=lambda s: s.map(
        item_order if s.name == "item" else order)).reset_index(drop=True)
    return props, comps


def training_label(study: Study, wave: str) -> str | None:
    """Dates and topics of the trainings held before ``wave`` (None if there were none)."""
    tr = study.config.wave(wave).trainings_before
    if not tr:
        return None
    topics = [", ".join(study.config.label("training", t, "de") for t in x.topics) for x in tr]
    return "; ".join(f"{x.date.isoformat()}: {t}" for x, t in zip(tr, topics, strict=True))


def study_changes(study: Study, wave: str, lang: str = "de") -> list[str]:
    """What changed in the study since the previous wave: grid items added, dropped or
    changed, and companies joining or leaving the panel (one sentence each; [] if none).

    >>> import benchlib
    >>> study_changes(benchlib.load_study(), "2026-04", "en")
    ['Kabelkraft left the panel after 2026-01. Nordlicht Elektro joined the panel in 2026-04.']
    """
    from benchlib.trend import grid_changes, panel_note

    prev = study.previous_wave(wave)
    if prev is None:
        return []
    out = []
    g = grid_changes(study.config, wave)
    for r in g[g["wave"] == wave].itertuples(index=False):
        label = r.label_en if lang == "en" else r.label_de
        detail = f" ({r.detail})" if r.detail else ""
        out.append(t(f"wr_grid_{r.change}", lang, label=label, wave=wave) + detail)
    panel = panel_note(study.config, [prev, wave], lang)
    if panel:
        out.append(panel)
    return out


def comparability_note(res: WaveResults) -> str:
    """Footnote for the cross-wave figures: core vs full grid, and the panel used ('' if
    the comparison needed neither)."""
    comp = res.comparability
    if not comp:
        return ""
    lang = res.lang
    parts = []
    if comp["score"] == "core":
        labels = ", ".join(res.item_labels.get(x["item"], x["item"]) for x in comp["excluded_items"])
        parts.append(t("wr_core_note", lang, prev=comp["waves"][0], wave=comp["waves"][1],
                       n=comp["core_items"], excluded=labels or "–",
                       mapped=", ".join(res.item_labels.get(i, i) for i in comp["mapped_items"])
                       or "–"))
    if comp["panel_note"][lang]:
        names = ", ".join(res.name(c) for c in comp["panel_competitors"])
        parts.append(comp["panel_note"][lang] + " " + t("wr_panel_note", lang, names=names))
    return " ".join(parts)


def _comparability(study: Study, core, prev: str, wave: str) -> dict[str, Any]:
    """What a cross-wave comparison of ``prev`` → ``wave`` is computed on (for footnotes)."""
    from benchlib.trend import panel_note

    present = {w: {c.id for c in study.config.companies if c.active_in(w)} for w in (prev, wave)}
    balanced = sorted((present[prev] & present[wave]) - {study.shop})
    return {"waves": [prev, wave], "score": "full_grid" if core.is_full_grid else "core",
            "core_items": len(core.items),
            "excluded_items": core.excluded.to_dict("records"),
            "mapped_items": list(core.mapped), "panel": "balanced",
            "panel_competitors": balanced,
            "panel_note": {lang: panel_note(study.config, [prev, wave], lang)
                           for lang in ("de", "en")}}


def _training(study: Study, wave: str, prev: str | None, min_n: int, k: int):
    label = training_label(study, wave)
    if prev is None or label is None:
        return None, None
    core_c, core = study.comparable([prev, wave])
    data = core_c[core_c["scored"]]
    te = stats.training_effect(data, prev, wave, shop=study.shop, alpha=ALPHA, min_n=min_n)
    full = stats.training_effect(core_c[core_c["full_scored"]], prev, wave, dv="full_total",
                                 shop=study.shop, alpha=ALPHA, min_n=min_n)
    d = te.to_dict() | {"score": "full_grid" if core.is_full_grid else "core",
                        "did_full": full.estimate, "ci_low_full": full.ci_low,
                        "ci_high_full": full.ci_high, "p_full": full.p,
                        "naive_change_full": full.naive_change}
    cells = [d["n_shop_before"], d["n_shop_after"], d["n_comp_before"], d["n_comp_after"]]
    if min(cells) < k:  # a cell below k: nothing but the counts is shown
        for key in d:
            if key not in ("tested", "covariates", "score", "panel", "competitors") \
                    and not key.startswith("n_"):
                d[key] = np.nan
    by_dim = stats.training_effect_by_dimension(data, prev, wave, dims=study.config.grid.dimensions,
                                                shop=study.shop, alpha=ALPHA, min_n=min_n)
    return {"training": label, "before": prev, "after": wave} | d, by_dim


def _counts(study: Study, wave: str, all_w: pd.DataFrame) -> dict[str, int]:
    from benchlib.quality import file_fate  # the wave's rows from the data, not the folders

    rec = file_fate(study, wave, kind="contacts")
    return {"raw_rows": int(rec["rows_read"].sum()), "contacts": len(all_w),
            "scored": int(all_w["scored"].sum()), "quarantined": int(rec["quarantined"].sum()),
            "duplicates_dropped": int(rec["duplicates_dropped"].sum())}


# --------------------------------------------------------------------------- wording


def reliable(row: Any, p_key: str = "p_holm") -> bool:
    """The rule of :func:`benchlib.stats.describe_comparison` for "better"/"worse".

    >>> reliable({"diff": 2.0, "ci_low": 0.5, "ci_high": 3.5, "p_holm": 0.01})
    True
    >>> reliable({"diff": 2.0, "ci_low": 0.0, "ci_high": 3.5, "p_holm": 0.01})
    False
    """
    vals = [row.get(c) for c in ("diff", "ci_low", "ci_high", p_key)]
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in vals):
        return False
    diff, lo, hi, p = map(float, vals)
    return p < ALPHA and (lo > 0 or hi < 0) and diff * lo > 0


def _executive_summary(r: dict[str, Any], lang: str) -> tuple[str, ...]:
    fn = stats.format_number
    names = r["names"]
    shop, shop_name = r["shop"], names[r["shop"]]
    out = []
    c = r["companies"].set_index("company")
    if shop in c.index and not c.loc[shop, "suppressed"]:
        s = c.loc[shop]
        out.append(t("wr_es_level", lang, shop=shop_name, wave=r["wave"], mean=fn(s["mean"], lang),
                     lo=fn(s["ci_low"], lang), hi=fn(s["ci_high"], lang), n=int(s["n"])))
    out.append(stats.describe_comparison(r["shop_vs_market"], lang, label_a=shop_name,
                                         label_b=t("wr_market", lang), alpha=ALPHA, p_key="p"))
    svc = r["shop_vs_competitors"]
    better = [names[x["competitor"]] for x in svc.to_dict("records")
              if x["tested"] and reliable(x) and x["diff"] > 0]
    worse = [names[x["competitor"]] for x in svc.to_dict("records")
             if x["tested"] and reliable(x) and x["diff"] < 0]
    none = [x for x in svc.to_dict("records") if x["tested"] and not reliable(x)]
    untested = [names[x["competitor"]] for x in svc.to_dict("records") if not x["tested"]]
    parts = []
    if better:
        parts.append(t("wr_es_better", lang, shop=shop_name, names=", ".join(better)))
    if worse:
        parts.append(t("wr_es_worse", lang, shop=shop_name, names=", ".join(worse)))
    if none:
        diffs = [x["diff"] for x in none]
        parts.append(t("wr_es_none", lang, names=", ".join(names[x["competitor"]] for x in none),
                       lo=fn(min(diffs), lang), hi=fn(max(diffs), lang)))
    if untested:
        parts.append(t("wr_es_untested", lang, names=", ".join(untested)))
    out.append(t("wr_es_competitors", lang) + " " + " ".join(parts))
    if r["change"] is None:
        out.append(t("wr_es_first_wave", lang))
    else:
        ch = r["change"].set_index("company")
        if shop in ch.index:
            row = ch.loc[shop].to_dict()
            out.append(stats.describe_comparison(
                row, lang, label_a=t("wr_in_wave", lang, name=shop_name, wave=r["wave"]),
                label_b=t("wr_in_wave", lang, name="", wave=r["previous_wave"]).strip(),
                alpha=ALPHA, p_key="p"))
    te = r["training"]
    if te is None:
        out.append(t("wr_es_no_training", lang))
    else:
        intro = t("wr_es_training", lang, training=te["training"], shop=shop_name,
                  naive=fn(te["naive_change"], lang), market=fn(te["market_change"], lang))
        did = {"diff": te["estimate"], "ci_low": te["ci_low"], "ci_high": te["ci_high"],
               "p": te["p"], "tested": te["tested"], "n_shop": te["n_shop_after"],
               "n_comp": te["n_comp_after"]}
        out.append(intro + " " + t("wr_es_net", lang) + " " + stats.describe_comparison(
            did, lang, label_a=t("wr_shop_change", lang, shop=shop_name),
            label_b=t("wr_market_change", lang), alpha=ALPHA, p_key="p"))
    return tuple(out)


# --------------------------------------------------------------------------- display


def _fmt_ci(lo: Any, hi: Any, lang: str, digits: int = 1, scale: float = 1.0) -> str:
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return "–"
    sep = " bis " if lang == "de" else " to "
    return (stats.format_number(lo * scale, lang, digits) + sep
            + stats.format_number(hi * scale, lang, digits))


def _fmt(x: Any, lang: str, digits: int = 1, scale: float = 1.0) -> str:
    return "–" if x is None or pd.isna(x) else stats.format_number(float(x) * scale, lang, digits)


def _fmt_p(p: Any, lang: str) -> str:
    return "–" if p is None or pd.isna(p) else stats.format_p(p, lang, alpha=ALPHA)


def _flag(row: dict, lang: str, test_col: str = "tested") -> str:
    if row.get("suppressed"):
        return t("wr_flag_suppressed", lang)
    if row.get("too_few") or (test_col in row and row[test_col] is False):
        return t("wr_flag_too_few", lang)
    return ""


def display_table(res: WaveResults, name: str) -> pd.DataFrame:
    """A report-ready view of a result table: localised headers, formatted numbers.

    Numbers become text formatted for ``res.lang`` (German decimal comma, "−" for minus);
    suppressed figures show "–" and a note. ``name`` is one of ``companies, shop_vs_competitors,
    games_howell, emm, mixed_model, dimensions, items, change, training, training_dims, mail,
    logrank, planning, counts``.
    """
    lang = res.lang
    c = lambda key: t(f"wr_col_{key}", lang)  # noqa: E731
    rows: list[dict[str, Any]] = []
    if name == "companies":
        for r in res.companies.to_dict("records"):
            rows.append({c("company"): r["name"], c("role"): t(f"wr_role_{r['role']}", lang),
                         c("n"): int(r["n"]), c("mean"): _fmt(r["mean"], lang),
                         c("sd"): _fmt(r["sd"], lang), c("ci"): _fmt_ci(r["ci_low"], r["ci_high"],
                                                                       lang),
                         c("note"): _flag(r, lang)})
    elif name == "shop_vs_competitors":
        for r in res.shop_vs_competitors.to_dict("records"):
            rows.append({c("competitor"): r["name"], c("n"): f"{r['n_shop']} / {r['n_comp']}",
                         c("diff"): _fmt(r["diff"], lang), c("ci"): _fmt_ci(r["ci_low"],
                                                                            r["ci_high"], lang),
                         c("p"): _fmt_p(r["p"], lang), c("p_holm"): _fmt_p(r["p_holm"], lang),
                         c("hedges_g"): _fmt(r["hedges_g"], lang, 2),
                         c("verdict"): _verdict(r, lang), c("note"): _flag(r, lang)})
    elif name == "games_howell":
        recs = res.games_howell.to_dict("records")
        for r in recs:  # shop pairs first, always as shop − other
            if r["B"] == res.shop:
                r.update(A=r["B"], B=r["A"], diff=-r["diff"], ci_low=-r["ci_high"],
                         ci_high=-r["ci_low"])
        for r in sorted(recs, key=lambda r: r["A"] != res.shop):
            rows.append({c("pair"): f"{res.name(r['A'])} − {res.name(r['B'])}",
                         c("diff"): _fmt(r["diff"], lang),
                         c("ci_sim"): _fmt_ci(r["ci_low"], r["ci_high"], lang),
                         c("p_gh"): _fmt_p(r["p"], lang)})
    elif name == "emm":
        for r in res.emm.to_dict("records"):
            rows.append({c("company"): res.name(r["company"]), c("emm"): _fmt(r["emm"], lang),
                         c("ci"): _fmt_ci(r["ci_low"], r["ci_high"], lang)})
    elif name in ("mix_contrasts", "mixed_model"):
        df = res.mix_contrasts if name == "mix_contrasts" else res.mixed_contrasts
        for r in df.to_dict("records"):
            rows.append({c("competitor"): res.name(r["competitor"]),
                         c("diff"): _fmt(r["estimate"], lang),
                         c("ci"): _fmt_ci(r["ci_low"], r["ci_high"], lang),
                         c("p_holm"): _fmt_p(r["p_holm"], lang),
                         c("verdict"): _verdict(r | {"diff": r["estimate"], "tested": True},
                                                lang)})
    elif name == "dimensions":
        d = res.dimensions
        for dim in dict.fromkeys(d["dimension"]):
            sub = d[d["dimension"] == dim].set_index("company")
            row = {c("dimension"): t(f"wr_dim_{dim}", lang)}
            for comp in sub.index:
                v = sub.loc[comp]
                row[res.name(comp)] = ("–" if v["suppressed"] else _fmt(v["mean"], lang)
                                       + (" *" if v["too_few"] else ""))
            rows.append(row)
    elif name == "items":
        labels = _item_labels(res, lang)
        for item in dict.fromkeys(res.items["item"]):
            sub = res.items[res.items["item"] == item]
            row = {c("item"): labels.get(item, item)}
            for r in sub.to_dict("records"):
                cell = "–" if r["suppressed"] else (
                    _fmt(r["share"], lang, 0, 100) + " % (" + _fmt_ci(r["ci_low"], r["ci_high"],
                                                                      lang, 0, 100) + ")")
                if r["too_few"] and not r["suppressed"]:
                    cell += " *"
                if r["company"] != res.shop and not pd.isna(r["p_fdr"]) and r["p_fdr"] < ALPHA:
                    cell += " †"
                row[res.name(r["company"])] = cell
            rows.append(row)
    elif name == "change" and res.change is not None:
        for r in res.change.to_dict("records"):
            rows.append({c("company"): res.name(r["company"]),
                         c("n"): f"{r['n_prev']} / {r['n_cur']}",
                         c("mean_prev"): _fmt(r["mean_prev"], lang),
                         c("mean_cur"): _fmt(r["mean_cur"], lang),
                         c("diff"): _fmt(r["diff"], lang),
                         c("ci"): _fmt_ci(r["ci_low"], r["ci_high"], lang),
                         c("p"): _fmt_p(r["p"], lang),
                         c("note"): _flag(r, lang)})
            if res.comparability and res.comparability["score"] == "core":
                rows[-1][c("diff_full")] = _fmt(r["diff_full"], lang)
    elif name == "training" and res.training is not None:
        te = res.training
        for key, est, lo, hi, p in (
                ("naive", "naive_change", "naive_ci_low", "naive_ci_high", "naive_p"),
                ("market", "market_change", "market_ci_low", "market_ci_high", "market_p"),
                ("did", "estimate", "ci_low", "ci_high", "p")):
            rows.append({c("estimate_kind"): t(f"wr_te_{key}", lang, shop=res.name(res.shop)),
                         c("diff"): _fmt(te[est], lang), c("ci"): _fmt_ci(te[lo], te[hi], lang),
                         c("p"): _fmt_p(te[p], lang)})
        if te["score"] == "core":  # the full-grid DiD beside the comparable-core one
            rows.append({c("estimate_kind"): t("wr_te_did_full", lang),
                         c("diff"): _fmt(te["did_full"], lang),
                         c("ci"): _fmt_ci(te["ci_low_full"], te["ci_high_full"], lang),
                         c("p"): _fmt_p(te["p_full"], lang)})
    elif name == "training_dims" and res.training_by_dimension is not None:
        for r in res.training_by_dimension.to_dict("records"):
            dim = r["dimension"]
            rows.append({c("dimension"): t("wr_total", lang) if dim == "total" else
                         t(f"wr_dim_{dim}", lang),
                         c("naive"): _fmt(r["naive_change"], lang),
                         c("market"): _fmt(r["market_change"], lang),
                         c("did"): _fmt(r["estimate"], lang),
                         c("ci"): _fmt_ci(r["ci_low"], r["ci_high"], lang),
                         c("p"): _fmt_p(r["p"], lang)})
    elif name == "mail":
        for r in res.mail_response.to_dict("records"):
            rows.append({c("company"): res.name(r["company"]), c("n"): int(r["n"]),
                         c("answered"): int(r["answered"]),
                         c("median_h"): _fmt(r["median_h"], lang),
                         c("share_24h"): ("–" if pd.isna(r["share_24h"]) else
                                          _fmt(r["share_24h"], lang, 0, 100) + " %"),
                         c("ci"): _fmt_ci(r["share_24h_ci_low"], r["share_24h_ci_high"], lang, 0,
                                          100),
                         c("note"): _flag(r, lang)})
    elif name == "logrank":
        for r in res.logrank.to_dict("records"):
            comp = (t("wr_market", lang) if r["comparison"] == "pooled"
                    else res.name(r["competitor"]))
            rows.append({c("competitor"): comp, c("n"): f"{r['n_shop']} / {r['n_comp']}",
                         c("p"): _fmt_p(r["p"], lang), c("p_holm"): _fmt_p(r["p_holm"], lang)})
    elif name == "planning":
        for r in res.planning.to_dict("records"):
            rows.append({c("target_change"): _fmt(r["target_change"], lang, 0),
                         c("n_per_company"): int(r["n_per_company"])})
    elif name == "counts":
        rows = [{t(f"wr_count_{key}", lang): int(v) for key, v in res.counts.items()}]
    else:
        raise ValueError(f"unknown table {name!r}")
    return pd.DataFrame(rows)


def _verdict(r: dict, lang: str) -> str:
    if not r.get("tested", True) or pd.isna(r.get("diff")):
        return t("wr_verdict_untested", lang)
    if reliable(r):
        return t("wr_verdict_better" if r["diff"] > 0 else "wr_verdict_worse", lang)
    return t("wr_verdict_none", lang)


def _item_labels(res: WaveResults, lang: str) -> dict[str, str]:
    """Item labels for the table, lower-is-better items marked."""
    mark = t("wr_lower_better", lang)
    return {i: lab + ("" if res.item_higher_is_better.get(i, True) else f" ({mark})")
            for i, lab in res.item_labels.items()}
