"""Across waves: the panel's score trend, trainings, the grid's history and items that moved.

Library functions behind ``notebooks/02_trend_report.ipynb``. Every number comes from
:mod:`benchlib.stats`; this module only selects the waves, completes the company × wave
panel (companies that join or leave get NaN, never an interpolated value) and attaches
labels.

>>> import benchlib
>>> study = benchlib.load_study()
>>> waves_up_to(study.config, "2026-01")
['2025-07', '2025-10', '2026-01']
>>> reference_wave(study.config)
'2025-07'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchlib.config import Item, StudyConfig
from benchlib.stats import compare_proportions_vs_previous, describe_scores, event_study
from benchlib.stats._common import DEFAULT_ALPHA

__all__ = [
    "event_display",
    "event_study_table",
    "grid_display",
    "grid_footnote",
    "moved_display",
    "panel_note",
    "trainings_display",
    "grid_changes",
    "item_label",
    "items_that_moved",
    "panel_companies",
    "reference_wave",
    "training_marks",
    "trend_table",
    "trend_wide",
    "waves_up_to",
]

# fields of an item definition whose change between two waves breaks comparability
def waves_up_to(config: StudyConfig, wave: str) -> list[str]:
    """Configured waves from the first up to and including ``wave`` (unknown wave raises)."""
    config.wave(wave)
    ids = list(config.wave_ids)
    return ids[: ids.index(wave) + 1]


def reference_wave(config: StudyConfig) -> str:
    """The last wave before the first training (the event study's reference).

    Falls back to the first wave when no wave has a training before it.
    """
    ids = list(config.wave_ids)
    for i, w in enumerate(config.waves):
        if w.trainings_before:
            return ids[max(i - 1, 0)]
    return ids[0]


def panel_companies(config: StudyConfig, waves: list[str]) -> list[str]:
    """Company ids active in any of ``waves``: the shop first, then competitors by id."""
    active = [c for c in config.companies if any(c.active_in(w) for w in waves)]
    return [c.id for c in sorted(active, key=lambda c: (c.role != "shop", c.id))]


def cross_wave_contacts(study, waves: list[str], score: str = "core") -> pd.DataFrame:
    """Contacts of ``waves`` for a cross-wave figure: on the comparable core of these waves
    (default; ``total``/``dim_*`` are core scores) or on the full grid (``score="full"``)."""
    if score == "full":
        return study.contacts[study.contacts["wave"].isin(waves)]
    if score != "core":
        raise ValueError(f"score must be 'core' or 'full', got {score!r}")
    return study.comparable(waves)[0]


def trend_table(study, wave: str, dv: str = "total", k: int | None = None,
                score: str = "core") -> pd.DataFrame:
    """``describe_scores`` by company × wave for all waves up to ``wave``, as a full panel.

    Scores are on the comparable core of those waves by default (items defined identically
    in all of them; see :mod:`benchlib.comparable`), ``score="full"`` for the full grid.

    Every company active in any of these waves gets one row per wave. Cells where the
    company was not in the panel (``in_panel`` False) or has no scored contact have NaN
    mean and CI, so plotted lines break instead of being interpolated. With ``k``, cells
    with fewer than ``k`` scored contacts are suppressed (NaN, ``suppressed`` True).

    Returns
    -------
    DataFrame
        ``company, company_name, role, wave, x (wave index), in_panel, n, mean, sd, ci_low,
        ci_high, too_few, suppressed``.

    >>> import benchlib
    >>> tr = trend_table(benchlib.load_study(), "2026-10")
    >>> bool(tr.loc[(tr.company == "kabelkraft") & (tr.wave == "2026-04"), "mean"].isna().all())
    True
    """
    waves = waves_up_to(study.config, wave)
    contacts = cross_wave_contacts(study, waves, score)
    desc = describe_scores(contacts[contacts["scored"]], dv=dv, by=["company", "wave"])
    comps = panel_companies(study.config, waves)
    grid = pd.MultiIndex.from_product([comps, waves], names=["company", "wave"]).to_frame(
        index=False)
    out = grid.merge(desc, on=["company", "wave"], how="left")
    cfg = {c.id: c for c in study.config.companies}
    out.insert(1, "company_name", out["company"].map(lambda c: cfg[c].name))
    out.insert(2, "role", out["company"].map(lambda c: cfg[c].role))
    out.insert(4, "x", out["wave"].map({w: i for i, w in enumerate(waves)}).astype(int))
    out.insert(5, "in_panel", [cfg[c].active_in(w) for c, w in zip(out["company"], out["wave"],
                                                                  strict=True)])
    out["n"] = out["n"].fillna(0).astype(int)
    out["too_few"] = out["too_few"].fillna(True).astype(bool)
    out["suppressed"] = (out["n"] < k) if k else False
    stat_cols = ["mean", "sd", "se", "ci_low", "ci_high"]
    out.loc[~out["in_panel"] | out["suppressed"] | (out["n"] == 0), stat_cols] = np.nan
    return out[["company", "company_name", "role", "wave", "x", "in_panel", "n", "mean", "sd",
                "ci_low", "ci_high", "too_few", "suppressed"]]


def trend_wide(trend: pd.DataFrame, lang: str = "de", digits: int = 1,
               what: str = "mean_ci") -> pd.DataFrame:
    """Display table: one row per company, one column per wave.

    ``what="mean_ci"``: "mean (CI low–high)", too-small groups marked "*"; ``what="n"``:
    scored contacts. Cells outside the panel show "–" (not in the panel, never 0).

    >>> d = pd.DataFrame({"company_name": ["A", "A"], "wave": ["w1", "w2"], "n": [12, 0],
    ...                   "in_panel": [True, False], "mean": [70.25, np.nan],
    ...                   "ci_low": [65.0, np.nan], "ci_high": [75.5, np.nan],
    ...                   "too_few": [False, True]})
    >>> trend_wide(d, "de").iloc[0].tolist(), trend_wide(d, what="n").iloc[0].tolist()
    (['A', '70,2 (65,0–75,5)', '–'], ['A', '12', '–'])
    """
    from benchlib.viz import fmt_number

    def cell(r) -> str:
        if what == "n":
            return str(int(r["n"])) if r["in_panel"] else "–"
        if r["mean"] != r["mean"]:
            return "–"
        s = f"{fmt_number(r['mean'], lang, digits)} ({fmt_number(r['ci_low'], lang, digits)}–" \
            f"{fmt_number(r['ci_high'], lang, digits)})"
        return s + (" *" if r["too_few"] else "")

    d = trend.assign(_cell=trend.apply(cell, axis=1))
    order = list(dict.fromkeys(d["company_name"]))
    wide = d.pivot(index="company_name", columns="wave", values="_cell").reindex(order)
    wide.columns.name = None
    return wide.reset_index().rename(columns={"company_name": ""})


def training_marks(config: StudyConfig, wave: str, lang: str = "de") -> pd.DataFrame:
    """Trainings held before each wave up to ``wave``: ``wave, x, date, topics``.

    ``x`` is the index of the wave the training precedes (draw the mark at ``x - 0.5``).

    >>> from benchlib.config import load_config
    >>> training_marks(load_config(), "2025-10")[["wave", "topics"]].to_dict("records")
    [{'wave': '2025-10', 'topics': 'Abschlussorientierung, Reklamationsbehandlung'}]
    """
    waves = waves_up_to(config, wave)
    rows = [{"wave": w.id, "x": waves.index(w.id), "date": tr.date,
             "topics": ", ".join(config.label("training", t, lang) for t in tr.topics)}
            for w in config.waves if w.id in waves for tr in w.trainings_before]
    return pd.DataFrame(rows, columns=["wave", "x", "date", "topics"])


def item_label(config: StudyConfig, item: str, lang: str = "de") -> str:
    """The grid label of ``item`` in ``lang`` (latest definition; the id when unknown)."""
    defs = [i for i in config.grid.items if i.id == item]
    if not defs:
        return item
    return defs[-1].label_en if lang == "en" else defs[-1].label_de


def _describe(item: Item, field: str) -> str:
    v = getattr(item, field)
    if isinstance(v, tuple):
        return ", ".join(str(x) for x in v) if v else "all"
    return str(v)


def grid_changes(config: StudyConfig, up_to: str | None = None) -> pd.DataFrame:
    """What changed in the rating grid from one wave to the next (from the config).

    Compares the item definitions valid in consecutive waves (``valid_from``/``valid_to``):
    an item id that appears is ``added``, one that disappears is ``dropped``, one whose
    definition differs is ``changed`` (``detail`` names the fields, e.g. ``scale: yes_no →
    yes_partly_no``). Only waves up to ``up_to`` (default all) are considered.

    Returns
    -------
    DataFrame
        ``wave, previous, item, change, detail, label_de, label_en``.

    >>> from benchlib.config import load_config
    >>> grid_changes(load_config())[["wave", "item", "change"]].to_dict("records")
    [{'wave': '2026-01', 'item': 'callback_offered', 'change': 'added'}, \
{'wave': '2026-01', 'item': 'needs_questions', 'change': 'changed'}]
    """
    waves = list(config.wave_ids) if up_to is None else waves_up_to(config, up_to)
    rows = []
    for prev, cur in zip(waves, waves[1:], strict=False):
        a = {i.id: i for i in config.grid.items_for_wave(prev)}
        b = {i.id: i for i in config.grid.items_for_wave(cur)}
        for item_id in sorted(a.keys() | b.keys()):
            old, new = a.get(item_id), b.get(item_id)
            if old is None:
                change, detail, ref = "added", "", new
            elif new is None:
                change, detail, ref = "dropped", "", old
            else:
                diffs = [f"{f}: {_describe(old, f)} → {_describe(new, f)}"
                         for f in old.scoring_differences(new)]
                if not diffs:
                    continue
                change, detail, ref = "changed", "; ".join(diffs), new
            rows.append({"wave": cur, "previous": prev, "item": item_id, "change": change,
                         "detail": detail, "label_de": ref.label_de, "label_en": ref.label_en})
    return pd.DataFrame(rows, columns=["wave", "previous", "item", "change", "detail",
                                       "label_de", "label_en"])


def event_study_table(study, wave: str, dv: str = "total", score: str = "core") -> pd.DataFrame:
    """:func:`benchlib.stats.event_study` over all waves up to ``wave``.

    Reference: :func:`reference_wave` (the last wave before the first training). Adds
    ``x`` (wave index) and ``training_before`` (a training preceded the wave). Empty when
    ``wave`` is the reference or earlier (nothing to compare).
    """
    waves = waves_up_to(study.config, wave)
    ref = reference_wave(study.config)
    cols = ["wave", "x", "estimate", "se", "ci_low", "ci_high", "p", "reference", "n",
            "training_before"]
    if ref not in waves or len(waves) < 2:
        return pd.DataFrame(columns=cols)
    contacts = cross_wave_contacts(study, waves, score)
    contacts = contacts[contacts["scored"]]
    es = event_study(contacts, reference_wave=ref, dv=dv, waves=waves, shop=study.shop)
    trained = {w.id for w in study.config.waves if w.trainings_before}
    es["x"] = es["wave"].map({w: i for i, w in enumerate(waves)})
    es["training_before"] = es["wave"].isin(trained)
    return es[cols]


def items_that_moved(study, wave: str, alpha: float = DEFAULT_ALPHA) -> pd.DataFrame:
    """The shop's yes/no items in ``wave`` vs the previous wave (share of "yes").

    :func:`benchlib.stats.compare_proportions_vs_previous` on the shop's answered yes/no
    items of both waves; Benjamini–Hochberg over all tested items of this pair of waves.
    Items whose definition changed between the two waves (see :func:`grid_changes`) or that
    exist in only one of them are listed but not compared (``grid_changed`` True, untested).
    ``moved`` is True only for a tested item with ``p_fdr < alpha``.

    Returns
    -------
    DataFrame
        ``item, label_de, label_en, direction, wave, previous, n_prev, share_prev, n_wave,
        share_wave, diff, ci_low, ci_high, p, p_fdr, tested, grid_changed, moved``;
        empty for the first wave.
    """
    cols = ["item", "label_de", "label_en", "direction", "wave", "previous", "n_prev",
            "share_prev", "n_wave", "share_wave", "diff", "ci_low", "ci_high", "p", "p_fdr",
            "tested", "grid_changed", "moved"]
    prev = study.previous_wave(wave)
    if prev is None:
        return pd.DataFrame(columns=cols)
    changed = set(grid_changes(study.config, wave).query("wave == @wave")["item"])
    defs = {i.id: i for i in study.config.grid.items_for_wave(wave)}
    it = study.items
    it = it[it["wave"].isin([prev, wave]) & (it["company"] == study.shop)
            & (it["scale"] == "yes_no") & ~it["item"].isin(changed)]
    res = compare_proportions_vs_previous(it, wave, previous=prev, company=study.shop,
                                          alpha=alpha)
    res = res.assign(grid_changed=False)
    prev_defs = {i.id: i for i in study.config.grid.items_for_wave(prev)}
    extra = sorted(i for i in changed
                   if any(d.get(i) is not None and d[i].scale == "yes_no"
                          for d in (defs, prev_defs)))
    if extra:
        res = pd.concat([res, pd.DataFrame({"item": extra, "wave": wave, "previous": prev,
                                            "tested": False, "grid_changed": True})],
                        ignore_index=True)
    res["label_de"] = res["item"].map(lambda i: item_label(study.config, i, "de"))
    res["label_en"] = res["item"].map(lambda i: item_label(study.config, i, "en"))
    res["direction"] = res["item"].map(lambda i: defs[i].direction if i in defs else "")
    res["tested"] = res["tested"].fillna(False).astype(bool)
    res["moved"] = res["tested"] & (res["p_fdr"] < alpha)
    return res[cols].sort_values(["moved", "p_fdr", "item"], ascending=[False, True, True],
                                 na_position="last").reset_index(drop=True)



# --- display tables (translated headings; numbers stay numbers for viz.table_html) ----------


def panel_note(config: StudyConfig, waves: list[str], lang: str = "de") -> str:
    """Which companies joined or left the panel within ``waves`` (one sentence each).

    >>> from benchlib.config import load_config
    >>> panel_note(load_config(), ["2026-01", "2026-04"], "en")
    'Kabelkraft left the panel after 2026-01. Nordlicht Elektro joined the panel in 2026-04.'
    """
    from benchlib.i18n import t

    out = []
    for c in sorted(config.companies, key=lambda c: c.id):
        if c.last_wave and c.last_wave in waves[:-1]:
            out.append(t("tr_panel_left", lang, name=c.name, wave=c.last_wave))
        if c.first_wave and c.first_wave in waves[1:]:
            out.append(t("tr_panel_joined", lang, name=c.name, wave=c.first_wave))
    return " ".join(out)


def grid_footnote(config: StudyConfig, up_to: str, lang: str = "de") -> str:
    """Footnote for cross-wave figures: the grid changes up to ``up_to`` ('' if none).

    >>> from benchlib.config import load_config
    >>> "callback_offered" in grid_footnote(load_config(), "2026-10", "en")
    False
    >>> "Call-back offered" in grid_footnote(load_config(), "2026-10", "en")
    True
    """
    from benchlib.comparable import comparable_core
    from benchlib.i18n import t

    g = grid_changes(config, up_to)
    if g.empty:
        return ""
    parts = []
    for r in g.itertuples(index=False):
        detail = f"; {r.detail}" if r.detail else ""
        parts.append(t("tr_grid_item", lang, label=r.label_en if lang == "en" else r.label_de,
                       change=t(f"tr_change_{r.change}", lang), wave=r.wave, detail=detail))
    core = comparable_core(config, waves_up_to(config, up_to))
    label = {i.id: (i.label_en if lang == "en" else i.label_de) for i in config.grid.items}
    core_note = t("tr_core_note", lang, n=len(core.items),
                  excluded=", ".join(label[i] for i in core.excluded["item"]) or "–",
                  mapped=", ".join(label[i] for i in core.mapped) or "–")
    return t("tr_grid_footnote", lang, changes=", ".join(parts)) + " " + core_note


def grid_display(changes: pd.DataFrame, lang: str = "de") -> pd.DataFrame:
    """:func:`grid_changes` with translated headings and change words."""
    from benchlib.i18n import t

    return pd.DataFrame({
        t("tr_col_since", lang): changes["wave"],
        t("tr_col_item", lang): changes["label_en" if lang == "en" else "label_de"],
        "id": changes["item"],
        t("tr_col_change", lang): changes["change"].map(lambda c: t(f"tr_change_{c}", lang)),
        t("tr_col_detail", lang): changes["detail"],
    })


def trainings_display(marks: pd.DataFrame, lang: str = "de") -> pd.DataFrame:
    """:func:`training_marks` with translated headings and the marks T1, T2 … of the figures."""
    from benchlib.i18n import t

    xs = {x: f"T{i + 1}" for i, x in enumerate(sorted(set(marks["x"])))}
    return pd.DataFrame({
        t("tr_col_mark", lang): marks["x"].map(xs),
        t("tr_col_wave", lang): marks["wave"],
        t("tr_col_date", lang): marks["date"].map(lambda d: d.isoformat()),
        t("tr_col_topics", lang): marks["topics"],
    })


def _p(p: float, lang: str) -> str:
    """p without the "p = " prefix for a table column ('–' when NaN)."""
    from benchlib.stats import format_p

    return format_p(p, lang, alpha=DEFAULT_ALPHA).removeprefix("p = ") if p == p else "–"


def event_display(es: pd.DataFrame, lang: str = "de") -> pd.DataFrame:
    """:func:`event_study_table` for display (p formatted, reference row marked)."""
    from benchlib.i18n import t

    return pd.DataFrame({
        t("tr_col_wave", lang): [w + (f" ({t('tr_event_reference', lang)})" if ref else "")
                                 for w, ref in zip(es["wave"], es["reference"], strict=True)],
        t("tr_col_estimate", lang): es["estimate"].astype(float),
        t("tr_col_ci_low", lang): es["ci_low"].astype(float),
        t("tr_col_ci_high", lang): es["ci_high"].astype(float),
        t("tr_col_p", lang): [_p(p, lang) for p in es["p"]],
        t("tr_col_n", lang): es["n"].astype(int).tolist(),
    })


def moved_display(moved: pd.DataFrame, lang: str = "de") -> pd.DataFrame:
    """:func:`items_that_moved` for display: shares in %, difference in percentage points,
    FDR p formatted, and a result word that only says "increased/decreased" when ``moved``."""
    from benchlib.i18n import t

    def result(r) -> str:
        if r["grid_changed"]:
            return t("tr_result_grid", lang)
        if not r["tested"]:
            return t("tr_result_untested", lang)
        if r["moved"]:
            return t("tr_result_moved_up" if r["diff"] > 0 else "tr_result_moved_down", lang)
        return t("tr_result_none", lang)

    prev = moved["previous"].iloc[0] if len(moved) else ""
    wave = moved["wave"].iloc[0] if len(moved) else ""
    return pd.DataFrame({
        t("tr_col_item", lang): moved["label_en" if lang == "en" else "label_de"],
        t("tr_col_share_prev", lang, previous=prev): moved["share_prev"].astype(float),
        t("tr_col_share_wave", lang, wave=wave): moved["share_wave"].astype(float),
        t("tr_col_diff_pp", lang): 100 * moved["diff"].astype(float),
        t("tr_col_ci_low", lang): 100 * moved["ci_low"].astype(float),
        t("tr_col_ci_high", lang): 100 * moved["ci_high"].astype(float),
        t("tr_col_p_fdr", lang): [_p(p, lang) for p in moved["p_fdr"]],
        t("tr_col_result", lang): [result(r) for _, r in moved.iterrows()],
    })
