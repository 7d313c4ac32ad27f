"""Report tables from results: one declared spec per table (columns, header keys, formats).

A :class:`Spec` names the results table it reads, the columns it shows (a header key of
the text resources and how the cell is made from the row) and, for wide tables, how rows
and columns are pivoted. :func:`display_table` renders any of :data:`SPECS` for a
:class:`ReportView` (results + configuration + language). Every visible label comes from
the text resources or from the configuration's labels (``cfg.label(kind, id, lang)``),
never from an id; numbers go through the one formatter (:data:`FORMATS`).

>>> sorted(SPECS)[:4]
['attribution', 'calibration_agreement', 'change', 'companies']
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from benchlib.i18n import t
from benchlib.results.model import WaveResults
from benchlib.stats import format_number, format_p

__all__ = ["FORMATS", "ReportView", "SPECS", "Spec", "claimed", "display_table", "gated",
           "label", "reliable", "verdict", "view"]


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA


def _num(x: Any, lang: str, digits: int = 1, scale: float = 1.0) -> str:
    return "–" if _missing(x) else format_number(float(x) * scale, lang, digits)


def _ci(lo: Any, hi: Any, lang: str, digits: int = 1, scale: float = 1.0) -> str:
    if _missing(lo) or _missing(hi):
        return "–"
    return t("fmt_ci", lang, lo=_num(lo, lang, digits, scale), hi=_num(hi, lang, digits, scale))


def _p(p: Any, lang: str) -> str:
    return "–" if _missing(p) else format_p(float(p), lang, alpha=0.05)


def _pct(x: Any, lang: str, digits: int = 0) -> str:
    return "–" if _missing(x) else format_number(100 * float(x), lang, digits) + " %"


def _int(x: Any, lang: str) -> str:
    return "–" if _missing(x) else format_number(int(x), lang, 0)


FORMATS: dict[str, Callable[..., str]] = {"number": _num, "ci": _ci, "p": _p, "percent": _pct,
                                          "int": _int}
"""The formats a spec may use; each wraps :func:`benchlib.stats.format_number` /
:func:`benchlib.stats.format_p` (to become :mod:`benchlib.fmt` when that module lands)."""


# --------------------------------------------------------------------------- the view


def label(cfg: Any, kind: str, id_: str, lang: str) -> str:
    """The configured label of a dimension, scenario, channel, item, company or training."""
    return cfg.label(kind, id_, lang)


@dataclass(frozen=True)
class ReportView:
    """Results of a wave as one report shows them: results + configuration + language.

    Attribute access falls through to the :class:`WaveResults` (``view.companies``).
    """

    res: WaveResults
    cfg: Any
    lang: str

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(object.__getattribute__(self, "res"), name)

    def name(self, company: str) -> str:
        """Display name of a company."""
        return self.res.name(company)

    def label(self, kind: str, id_: str) -> str:
        """The configured label of ``id_`` in this view's language."""
        return label(self.cfg, kind, id_, self.lang)

    @property
    def item_labels(self) -> dict[str, str]:
        """Item labels of the wave's grid in this language."""
        return {i: self.label("item", i) for i in self.res.meta["item_higher_is_better"]}

    @property
    def item_higher_is_better(self) -> dict[str, bool]:
        return self.res.meta["item_higher_is_better"]


def view(res: WaveResults, cfg: Any, lang: str) -> ReportView:
    """A :class:`ReportView` (``lang`` must be one the texts have: ``de`` or ``en``)."""
    if lang not in ("de", "en"):
        raise ValueError(f"lang must be 'de' or 'en', got {lang!r}")
    return ReportView(res, cfg, lang)


# --------------------------------------------------------------------------- verdicts


def reliable(row: Any, p_key: str = "p_holm", alpha: float = 0.05) -> bool:
    """The rule of :func:`benchlib.stats.describe_comparison` for "better"/"worse".

    >>> reliable({"diff": 2.0, "ci_low": 0.5, "ci_high": 3.5, "p_holm": 0.01})
    True
    >>> reliable({"diff": 2.0, "ci_low": 0.0, "ci_high": 3.5, "p_holm": 0.01})
    False
    """
    vals = [row.get(c) for c in ("diff", "ci_low", "ci_high", p_key)]
    if any(_missing(v) for v in vals):
        return False
    diff, lo, hi, p = map(float, vals)
    return p < alpha and (lo > 0 or hi < 0) and diff * lo > 0


def claimed(r: dict, alpha: float = 0.05) -> bool:
    """True when the policy lets the row claim a difference (``claim``) and its adjusted p
    and CI agree (:func:`reliable` on ``p_adj``); rows without a policy column use
    ``p_holm``."""
    if "claim" in r and not _missing(r.get("claim")):
        return bool(r["claim"]) and reliable(r, "p_adj", alpha)
    return reliable(r, "p_holm", alpha)


def gated(r: dict, alpha: float = 0.05) -> bool:
    """True when the adjusted test would support a claim but the primary endpoint is not
    significant (gatekeeping), so the row claims nothing."""
    return "claim" in r and r.get("claim") is False and reliable(r, "p_adj", alpha)


def verdict(r: dict, lang: str) -> str:
    """"reliably better/worse", "no reliable difference", "not claimed" or "not tested"."""
    if not r.get("tested", True) or _missing(r.get("diff")):
        return t("wr_verdict_untested", lang)
    if claimed(r):
        return t("wr_verdict_better" if r["diff"] > 0 else "wr_verdict_worse", lang)
    if gated(r):
        return t("wr_verdict_gated", lang)
    return t("wr_verdict_none", lang)


def _flag(r: dict, lang: str) -> str:
    if r.get("suppressed"):
        return t("wr_flag_suppressed", lang)
    if r.get("few_evaluators"):
        return t("wr_flag_few_evaluators", lang)
    if r.get("too_few") or r.get("tested") is False:
        return t("wr_flag_too_few", lang)
    return ""


# --------------------------------------------------------------------------- specs


Cell = Callable[[dict, ReportView], Any]


@dataclass(frozen=True)
class Spec:
    """One report table: the results table it reads and its columns (header key → cell).

    ``rows`` (optional) turns the view into the records to show (filter, reorder, add the
    market row …); ``build`` (optional) replaces the whole row/column logic for wide tables.
    """

    source: str
    columns: tuple[tuple[str, Cell], ...] = ()
    rows: Callable[[ReportView], list[dict]] | None = None
    build: Callable[[ReportView], pd.DataFrame] | None = None
    header: Callable[[str, ReportView], str] = field(default=lambda key, v: t(key, v.lang))


def num(col: str, digits: int = 1, scale: float = 1.0) -> Cell:
    return lambda r, v: FORMATS["number"](r.get(col), v.lang, digits, scale)


def ci(lo: str = "ci_low", hi: str = "ci_high", digits: int = 1, scale: float = 1.0) -> Cell:
    return lambda r, v: FORMATS["ci"](r.get(lo), r.get(hi), v.lang, digits, scale)


def pval(col: str = "p") -> Cell:
    return lambda r, v: FORMATS["p"](r.get(col), v.lang)


def count(col: str) -> Cell:
    return lambda r, v: FORMATS["int"](r.get(col), v.lang)


def pair(a: str, b: str) -> Cell:
    return lambda r, v: f"{FORMATS['int'](r.get(a), v.lang)} / {FORMATS['int'](r.get(b), v.lang)}"


def company(col: str = "company") -> Cell:
    return lambda r, v: v.name(r[col])


def dimension(col: str = "dimension") -> Cell:
    return lambda r, v: (t("wr_total", v.lang) if r[col] == "total"
                         else v.label("dimension", r[col]))


def _records(source: str) -> Callable[[ReportView], list[dict]]:
    return lambda v: v.res.tables[source].to_dict("records")


def _gh_rows(v: ReportView) -> list[dict]:
    recs = v.games_howell.to_dict("records")
    for r in recs:  # shop pairs first, always as shop − other
        if r["B"] == v.shop:
            r.update(A=r["B"], B=r["A"], diff=-r["diff"], ci_low=-r["ci_high"],
                     ci_high=-r["ci_low"])
    return sorted(recs, key=lambda r: r["A"] != v.shop)


def _training_rows(v: ReportView) -> list[dict]:
    te = v.training
    if te is None:
        return []
    rows = [{"kind": t("wr_te_naive", v.lang, shop=v.name(v.shop)), "diff": te["naive_change"],
             "ci_low": te["naive_ci_low"], "ci_high": te["naive_ci_high"], "p": te["naive_p"]},
            {"kind": t("wr_te_market", v.lang), "diff": te["market_change"],
             "ci_low": te["market_ci_low"], "ci_high": te["market_ci_high"],
             "p": te["market_p"]},
            {"kind": t("wr_te_did", v.lang), "diff": te["estimate"], "ci_low": te["ci_low"],
             "ci_high": te["ci_high"], "p": te["p"]}]
    if te["score"] == "core":  # the full-grid DiD beside the comparable-core one
        rows.append({"kind": t("wr_te_did_full", v.lang), "diff": te["did_full"],
                     "ci_low": te["ci_low_full"], "ci_high": te["ci_high_full"],
                     "p": te["p_full"]})
    return rows


def _change_build(v: ReportView) -> pd.DataFrame:
    cols = list(SPECS["change"].columns)
    if v.comparability and v.comparability["score"] == "core":
        cols.append(("wr_col_diff_full", num("diff_full")))
    return _frame(v, SPECS["change"], cols)


def _wide(v: ReportView, source: str, row_key: str, row_label: Cell,
          cell: Callable[[dict, ReportView], str]) -> pd.DataFrame:
    """Rows = ``row_key`` values (in table order), columns = companies (display names); a
    company without a row for a key (no contact to which the item applied) shows "–"."""
    d = v.res.tables[source]
    head = t("wr_col_dimension" if row_key == "dimension" else "wr_col_item", v.lang)
    companies = [v.name(c) for c in dict.fromkeys(d["company"])]
    rows = []
    for key in dict.fromkeys(d[row_key]):
        sub = d[d[row_key] == key]
        row = {head: row_label({row_key: key}, v)}
        for r in sub.to_dict("records"):
            row[v.name(r["company"])] = cell(r, v)
        rows.append(row)
    return pd.DataFrame(rows, columns=[head, *companies]).fillna("–")


def _dim_cell(r: dict, v: ReportView) -> str:
    if r["suppressed"]:
        return "–"
    return _num(r["mean"], v.lang) + (" *" if r["too_few"] else "")


def _item_label(r: dict, v: ReportView) -> str:
    lab = v.label("item", r["item"])
    if not v.item_higher_is_better.get(r["item"], True):
        lab += f" ({t('wr_lower_better', v.lang)})"
    return lab


def _item_cell(r: dict, v: ReportView) -> str:
    if r["suppressed"]:
        return "–"
    cell = _pct(r["share"], v.lang) + " (" + _ci(r["ci_low"], r["ci_high"], v.lang, 0, 100) + ")"
    if r["too_few"]:
        cell += " *"
    if r["company"] != v.shop and not _missing(r["p_fdr"]) and r["p_fdr"] < v.alpha:
        cell += " †"
    return cell


def _trend_build(what: str) -> Callable[[ReportView], pd.DataFrame]:
    def build(v: ReportView) -> pd.DataFrame:
        d = v.trend
        rows: dict[str, dict[str, str]] = {}
        for r in d.to_dict("records"):
            if what == "n":
                cell = _int(r["n"], v.lang) if r["in_panel"] else "–"
            elif r["suppressed"] or _missing(r["mean"]):
                cell = "–"
            else:
                cell = (_num(r["mean"], v.lang) + " (" + _ci(r["ci_low"], r["ci_high"], v.lang)
                        + ")" + (" *" if r["too_few"] else ""))
            rows.setdefault(v.name(r["company"]), {})[r["wave"]] = cell
        return pd.DataFrame([{t("wr_col_company", v.lang): k} | c for k, c in rows.items()])
    return build


def _design_build(v: ReportView) -> pd.DataFrame:
    """Evaluator × company assignment: rows evaluators (codes), columns companies, total;
    a cell below k is marked (the one small-cell rule flags it, the count stays)."""
    d = v.res.tables["design_by_company"]
    comps = [c for c in v.meta["company_order"] if c in set(d["company"])]
    rows = []
    for ev in dict.fromkeys(d["evaluator"]):
        sub = d[d["evaluator"] == ev].set_index("company")
        row = {t("wr_col_evaluator", v.lang): ev}
        for c in comps:
            n = int(sub.loc[c, "n"]) if c in sub.index else 0
            small = bool(sub.loc[c, "suppressed"]) if c in sub.index else False
            row[v.name(c)] = _int(n, v.lang) + (" *" if small and n else "")
        row[t("wr_col_total_contacts", v.lang)] = _int(int(sub["n"].sum()), v.lang)
        rows.append(row)
    return pd.DataFrame(rows)


def _counts_build(v: ReportView) -> pd.DataFrame:
    return pd.DataFrame([{t(f"wr_count_{key}", v.lang): _int(val, v.lang)
                          for key, val in v.counts.items()}])


def _topics(r: dict, v: ReportView) -> str:
    from benchlib.trend import topic_label

    return ", ".join(topic_label(v.cfg, x, v.lang) for x in r["topics"])


def _marks(v: ReportView) -> list[dict]:
    recs = v.trainings.to_dict("records")
    xs = {x: f"T{i + 1}" for i, x in enumerate(sorted({r["x"] for r in recs}))}
    return [r | {"mark": xs[r["x"]]} for r in recs]


def _history_rows(v: ReportView) -> list[dict]:
    recs = v.res.tables["training_history"].to_dict("records")
    return [r | {"mark": f"T{i + 1}"} for i, r in enumerate(recs)]


def _did(r: dict) -> dict:
    return {"diff": r.get("estimate"), "ci_low": r.get("ci_low"), "ci_high": r.get("ci_high"),
            "p_adj": r.get("p_adj"), "claim": bool(r.get("claim")),
            "tested": bool(r.get("tested"))}


def _step_result(r: dict, v: ReportView) -> str:
    if r.get("suppressed"):
        return t("wr_flag_suppressed", v.lang)
    if not r.get("market_wide"):
        return t("tr_step_none", v.lang)
    move = t("tr_step_down" if r["market_change"] < 0 else "tr_step_up", v.lang)
    return move + "; " + v.name(v.shop) + ": " + verdict(_did(r), v.lang)


def _moved_result(r: dict, v: ReportView) -> str:
    if r["grid_changed"]:
        return t("tr_result_grid", v.lang)
    if r.get("suppressed"):
        return t("wr_flag_suppressed", v.lang)
    if not r["tested"]:
        return t("tr_result_untested", v.lang)
    if r["moved"]:
        return t("tr_result_moved_up" if r["diff"] > 0 else "tr_result_moved_down", v.lang)
    return t("tr_result_none", v.lang)


def _grid_detail(r: dict, v: ReportView) -> str:
    fields = [f.split(":")[0].strip() for f in str(r.get("detail") or "").split(";") if f.strip()]
    return ", ".join(t(f"tr_field_{f}", v.lang) for f in fields)


def _rank(r: dict, v: ReportView) -> str:
    if not r.get("ranked", True) or _missing(r.get("rank_best")):
        return t("wr_flag_too_few", v.lang)
    lo, hi = int(r["rank_best"]), int(r["rank_worst"])
    return (t("wr_rank_exact", v.lang, rank=lo, of=int(r["of"])) if lo == hi
            else t("wr_rank_range", v.lang, best=lo, worst=hi, of=int(r["of"])))


SPECS: dict[str, Spec] = {
    "companies": Spec("companies", (
        ("wr_col_company", company()),
        ("wr_col_role", lambda r, v: t(f"wr_role_{r['role']}", v.lang)),
        ("wr_col_n", count("n")), ("wr_col_mean", num("mean")), ("wr_col_sd", num("sd")),
        ("wr_col_ci", ci()), ("wr_col_note", lambda r, v: _flag(r, v.lang)))),
    "ranking": Spec("ranking", (
        ("wr_col_company", company()), ("wr_col_rank", _rank),
        ("wr_col_mean", num("mean")), ("wr_col_ci", ci()),
        ("wr_col_tied", lambda r, v: ", ".join(v.name(c) for c in r.get("tied_with") or [])))),
    "shop_vs_competitors": Spec("shop_vs_competitors", (
        ("wr_col_competitor", company("competitor")), ("wr_col_n", pair("n_shop", "n_comp")),
        ("wr_col_diff", num("diff")), ("wr_col_ci", ci()), ("wr_col_p", pval()),
        ("wr_col_p_holm", pval("p_adj")), ("wr_col_hedges_g", num("hedges_g", 2)),
        ("wr_col_verdict", lambda r, v: verdict(r, v.lang)),
        ("wr_col_note", lambda r, v: _flag(r, v.lang)))),
    "games_howell": Spec("games_howell", (
        ("wr_col_pair", lambda r, v: f"{v.name(r['A'])} − {v.name(r['B'])}"),
        ("wr_col_diff", num("diff")), ("wr_col_ci_sim", ci()), ("wr_col_p_gh", pval())),
        rows=_gh_rows),
    "emm": Spec("emm", (("wr_col_company", company()), ("wr_col_emm", num("emm")),
                        ("wr_col_ci", ci()))),
    "mix_contrasts": Spec("mix_contrasts", (
        ("wr_col_competitor", company("competitor")), ("wr_col_diff", num("estimate")),
        ("wr_col_ci", ci()), ("wr_col_p_holm", pval("p_holm")),
        ("wr_col_verdict", lambda r, v: verdict(r | {"diff": r["estimate"]}, v.lang)))),
    "mixed_model": Spec("mixed_contrasts", (
        ("wr_col_competitor", company("competitor")), ("wr_col_diff", num("estimate")),
        ("wr_col_ci", ci()), ("wr_col_p_holm", pval("p_holm")),
        ("wr_col_verdict", lambda r, v: verdict(r | {"diff": r["estimate"]}, v.lang)))),
    "dimensions": Spec("dimensions", build=lambda v: _wide(v, "dimensions", "dimension",
                                                           dimension(), _dim_cell)),
    "items": Spec("items", build=lambda v: _wide(v, "items", "item", _item_label, _item_cell)),
    "change": Spec("change", (
        ("wr_col_company", company()), ("wr_col_n", pair("n_prev", "n_cur")),
        ("wr_col_mean_prev", num("mean_prev")), ("wr_col_mean_cur", num("mean_cur")),
        ("wr_col_diff", num("diff")), ("wr_col_ci", ci()), ("wr_col_p", pval()),
        ("wr_col_note", lambda r, v: _flag(r, v.lang))), build=lambda v: _change_build(v)),
    "dimension_change": Spec("dimension_change", (
        ("wr_col_dimension", dimension()), ("wr_col_n", pair("n_prev", "n_cur")),
        ("wr_col_mean_prev", num("mean_prev")), ("wr_col_mean_cur", num("mean_cur")),
        ("wr_col_diff", num("diff")), ("wr_col_ci", ci()), ("wr_col_p_holm", pval("p_adj")),
        ("wr_col_verdict", lambda r, v: verdict(r, v.lang)))),
    "training": Spec("training", (
        ("wr_col_estimate_kind", lambda r, v: r["kind"]), ("wr_col_diff", num("diff")),
        ("wr_col_ci", ci()), ("wr_col_p", pval())), rows=_training_rows),
    "training_dims": Spec("training_by_dimension", (
        ("wr_col_dimension", dimension()), ("wr_col_naive", num("naive_change")),
        ("wr_col_market", num("market_change")), ("wr_col_did", num("estimate")),
        ("wr_col_ci", ci()), ("wr_col_p_holm", pval("p_adj")))),
    "mail": Spec("mail_response", (
        ("wr_col_company", company()), ("wr_col_n", count("n")),
        ("wr_col_answered", count("answered")), ("wr_col_median_h", num("median_h")),
        ("wr_col_share_24h", lambda r, v: _pct(r.get("share_24h"), v.lang)),
        ("wr_col_ci", ci("share_24h_ci_low", "share_24h_ci_high", 0, 100)),
        ("wr_col_note", lambda r, v: _flag(r, v.lang)))),
    "logrank": Spec("logrank", (
        ("wr_col_competitor", lambda r, v: t("wr_market", v.lang) if r["comparison"] == "pooled"
         else v.name(r["competitor"])), ("wr_col_n", pair("n_shop", "n_comp")),
        ("wr_col_p", pval()), ("wr_col_p_holm", pval("p_holm")))),
    "planning": Spec("planning", (
        ("wr_col_target_change", num("target_change", 0)),
        ("wr_col_n_per_company", count("n_per_company")))),
    "counts": Spec("counts", build=_counts_build),
    "attribution": Spec("attribution_checks", (
        ("wr_col_check", lambda r, v: t(f"wr_attr_check_{r['check']}", v.lang)),
        ("wr_col_check_result", lambda r, v: t(f"wr_attr_status_{r['status']}", v.lang)),
        ("wr_col_p", pval()),
        ("wr_col_reason", lambda r, v: "" if _missing(r.get("reason")) else t(
            f"wr_attr_reason_{r['reason']}", v.lang, shop=v.name(v.shop))))),
    "design": Spec("design_by_company", build=_design_build),
    "trend_scores": Spec("trend", build=_trend_build("mean_ci")),
    "trend_n": Spec("trend", build=_trend_build("n")),
    "trainings": Spec("trainings", (
        ("tr_col_mark", lambda r, v: r["mark"]), ("tr_col_wave", lambda r, v: r["wave"]),
        ("tr_col_date", lambda r, v: r["date"]), ("tr_col_topics", _topics)), rows=_marks),
    "training_history": Spec("training_history", (
        ("tr_col_mark", lambda r, v: r["mark"]), ("tr_col_wave", lambda r, v: r["wave"]),
        ("tr_col_topics", _topics), ("tr_col_net", num("estimate")), ("wr_col_ci", ci()),
        ("tr_col_p_adj", pval("p_adj")),
        ("tr_col_result", lambda r, v: verdict(_did(r), v.lang))), rows=_history_rows),
    "wave_steps": Spec("wave_steps", (
        ("tr_col_wave", lambda r, v: r["wave"]),
        ("tr_col_market_change", num("market_change")),
        ("wr_col_ci", ci("market_ci_low", "market_ci_high")),
        ("tr_col_p_adj", pval("market_p_adj")),
        ("tr_col_competitors_down", lambda r, v: (
            "–" if _missing(r.get("n_competitors_down")) else t(
                "tr_of", v.lang, k=_int(r["n_competitors_down"], v.lang),
                n=_int(r["n_competitors"], v.lang)))),
        ("tr_col_shop_change", num("shop_change")), ("tr_col_net", num("estimate")),
        ("tr_col_result", _step_result))),
    "event_study": Spec("event_study", (
        ("tr_col_wave", lambda r, v: r["wave"] + (f" ({t('tr_event_reference', v.lang)})"
                                                  if r["reference"] else "")),
        ("tr_col_estimate", num("estimate")), ("wr_col_ci", ci()), ("tr_col_p", pval()),
        ("wr_col_p_holm", pval("p_adj")), ("tr_col_n", count("n")))),
    "items_moved": Spec("items_moved", (
        ("tr_col_item", lambda r, v: v.label("item", r["item"])),
        ("tr_col_share_prev", lambda r, v: _pct(r.get("share_prev"), v.lang)),
        ("tr_col_share_wave", lambda r, v: _pct(r.get("share_wave"), v.lang)),
        ("tr_col_diff_pp", num("diff", 1, 100)), ("wr_col_ci", ci(digits=1, scale=100)),
        ("tr_col_p_fdr", pval("p_fdr")), ("tr_col_result", _moved_result)),
        header=lambda key, v: t(key, v.lang, previous=v.previous_wave or "", wave=v.wave)),
    "grid_changes": Spec("grid_changes", (
        ("tr_col_since", lambda r, v: r["wave"]),
        ("tr_col_item", lambda r, v: v.label("item", r["item"])),
        ("tr_col_change", lambda r, v: t(f"tr_change_{r['change']}", v.lang)),
        ("tr_col_detail", _grid_detail))),
    "calibration_agreement": Spec("calibration_agreement", (
        ("cal_col_score", lambda r, v: t("cal_total", v.lang) if r["score"] == "total"
         else v.label("dimension", r["score"])),
        ("cal_col_icc", num("icc", 2)), ("cal_col_ci", ci(digits=2)),
        ("cal_col_label", lambda r, v: t(f"cal_label_{r['label']}", v.lang)),
        ("cal_col_alpha", num("alpha", 2)), ("cal_col_recordings", count("n_recordings")))),
    "leniency": Spec("leniency", (
        ("cal_col_evaluator", lambda r, v: r["evaluator"]),
        ("cal_col_calib_n", count("calib_n")), ("cal_col_calib_dev", num("calib_mean_dev")),
        ("wr_col_ci", ci("calib_ci_low", "calib_ci_high")),
        ("cal_col_field_n", count("field_n")), ("cal_col_field_blup", num("field_blup")))),
    "file_fate": Spec("file_fate", (
        ("dq_col_file", lambda r, v: r["file"]), ("dq_col_rows_read", count("rows_read")),
        ("dq_col_clean", count("clean")), ("dq_col_quarantined", count("quarantined")),
        ("dq_col_duplicates", count("duplicates_dropped")))),
    "quarantine_reasons": Spec("quarantine_reasons", (
        ("dq_col_reason", lambda r, v: _reason(r["reason"], v.lang)),
        ("dq_col_problems", count("problems")))),
    "quarantine_rows": Spec("quarantine_rows", (
        ("dq_col_file", lambda r, v: r["source_file"]), ("dq_col_row", count("source_row")),
        ("dq_col_column", lambda r, v: r["column"]), ("dq_col_value", lambda r, v: r["value"]),
        ("dq_col_reason", lambda r, v: _reason(r["reason"], v.lang)))),
    "duplicates": Spec("duplicates", (
        ("dq_col_file", lambda r, v: r["source_file"]), ("dq_col_row", count("source_row")),
        ("dq_col_duplicate_of", count("duplicate_of_row")))),
    "outcome_counts": Spec("outcome_counts", (
        ("wr_col_company", company()), ("dq_col_contacts", count("contacts")),
        ("dq_col_scored", count("scored")), ("dq_col_not_scored", count("not_scored")),
        ("dq_col_knockouts", count("knockouts")), ("dq_col_unreached", count("unreached")))),
    "contact_counts": Spec("contact_counts", build=lambda v: _contact_counts(v)),
    "item_coverage": Spec("item_coverage", (
        ("tr_col_item", lambda r, v: v.label("item", r["item"])),
        ("dq_col_cells", count("cells")),
        ("dq_col_answered", lambda r, v: _pct(r["answered"], v.lang)),
        ("dq_col_missing", lambda r, v: _pct(r["missing"], v.lang)),
        ("dq_col_not_applicable", lambda r, v: _pct(r["not_applicable"], v.lang)))),
}
"""Every report table, by name (see :func:`display_table`)."""


def _reason(code: Any, lang: str) -> str:
    from benchlib.i18n import texts

    key = f"dq_reason_{code}"
    return t(key, lang) if key in texts() else t("dq_reason_other", lang)


def _contact_counts(v: ReportView) -> pd.DataFrame:
    d = v.contact_counts
    scen = [c for c in d.columns if c not in ("company", "channel", "total")]
    rows = []
    for r in d.to_dict("records"):
        row = {t("wr_col_company", v.lang): v.name(r["company"]),
               t("dq_col_channel", v.lang): v.label("channel", r["channel"])}
        row |= {v.label("scenario", s): _int(r[s], v.lang) for s in scen}
        rows.append(row | {t("dq_col_total", v.lang): _int(r["total"], v.lang)})
    return pd.DataFrame(rows)


def _frame(v: ReportView, spec: Spec, columns) -> pd.DataFrame:
    recs = spec.rows(v) if spec.rows else _records(spec.source)(v)
    heads = [spec.header(key, v) for key, _ in columns]
    return pd.DataFrame([[cell(r, v) for _, cell in columns] for r in recs], columns=heads)


def display_table(v: ReportView, name: str) -> pd.DataFrame:
    """The report-ready table ``name`` of :data:`SPECS`: headers and cells as text in ``v.lang``.

    Suppressed figures show "–" and a note; unknown ``name`` raises ``KeyError`` listing
    the known tables.
    """
    if name not in SPECS:
        raise KeyError(f"unknown table {name!r}; known: {sorted(SPECS)}")
    spec = SPECS[name]
    if spec.build is not None:
        return spec.build(v)
    return _frame(v, spec, spec.columns)


# --------------------------------------------------------------------------- figure inputs


def market_trend_frame(v: ReportView) -> pd.DataFrame:
    """The shop and the market per wave in the shape of a trend table (for the trend figure)."""
    mt = v.market_trend
    names = {"shop": v.name(v.shop), "market": t("wr_market", v.lang)}
    return pd.DataFrame({"company": mt["group"], "company_name": mt["group"].map(names),
                         "role": mt["group"].map({"shop": "shop", "market": "market"}),
                         "wave": mt["wave"], "x": mt["x"], "mean": mt["mean"],
                         "ci_low": mt["ci_low"], "ci_high": mt["ci_high"]})


def trend_waves(v: ReportView) -> list[str]:
    """The waves of the trend tables, oldest first."""
    return list(dict.fromkeys(v.trend["wave"]))


def training_marks(v: ReportView) -> pd.DataFrame:
    """Training marks for the trend figures, topics labelled in the view's language."""
    tr = v.trainings
    return tr.assign(topics=[_topics(r, v) for r in tr.to_dict("records")])


def moved_frame(v: ReportView) -> pd.DataFrame:
    """The items-that-moved table with a ``label`` column in the view's language."""
    mv = v.items_moved
    return mv.assign(label=[v.label("item", i) for i in mv["item"]])
