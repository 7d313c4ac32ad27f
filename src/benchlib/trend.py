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
    "event_study_table",
    "grid_footnote",
    "panel_note",
    "grid_changes",
    "item_label",
    "items_that_moved",
    "panel_companies",
    "reference_wave",
    "training_marks",
    "market_trend",
    "panel_changes",
    "training_history",
    "wave_steps",
    "trend_table",
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
    mean and CI, so plotted lines break instead of being interpolated. Cells with fewer
    than ``k`` scored contacts are suppressed by the one small-cell rule
    (:func:`benchlib.results.suppress_small`; ``k`` defaults to the study's
    ``settings.k_anonymity``, never below 3 — there is no unsuppressed variant).

    Returns
    -------
    DataFrame
        ``company, company_name, role, wave, x (wave index), in_panel, n, mean, sd, ci_low, ci_high,
        too_few, suppressed``.

    >>> import benchlib
    >>> tr = trend_table(benchlib.load_study(), "2026-10")
    >>> bool(tr.loc[(tr.company == "kabelkraft") & (tr.wave == "2026-04"), "mean"].isna().all())
    True
    """
    from benchlib.results.suppression import effective_k, suppress_small

    k = max(effective_k(study), k or 0)
    waves = waves_up_to(study.config, wave)
    contacts = cross_wave_contacts(study, waves, score)
    contacts = contacts[contacts["scored"]]
    desc = (describe_scores(contacts, dv=dv, by=["company", "wave"]) if len(contacts)
            else pd.DataFrame(columns=["company", "wave", "n", "mean", "sd", "se", "ci_low",
                                       "ci_high", "too_few"]))
    comps = panel_companies(study.config, waves)
    grid = pd.MultiIndex.from_product([comps, waves], names=["company", "wave"]).to_frame(
        index=False)
    out = grid.merge(desc, on=["company", "wave"], how="left", validate="1:1")
    cfg = {c.id: c for c in study.config.companies}
    out.insert(1, "company_name", out["company"].map(lambda c: cfg[c].name))
    out.insert(2, "role", out["company"].map(lambda c: cfg[c].role))
    out.insert(4, "x", out["wave"].map({w: i for i, w in enumerate(waves)}).astype(int))
    out.insert(5, "in_panel", [cfg[c].active_in(w) for c, w in zip(out["company"], out["wave"],
                                                                  strict=True)])
    out["n"] = out["n"].fillna(0).astype(int)
    out["too_few"] = out["too_few"].astype("boolean").fillna(True).astype(bool)
    stat_cols = ["mean", "sd", "se", "ci_low", "ci_high"]
    out = suppress_small(out, ["n"], stat_cols, k)
    out.loc[~out["in_panel"], "suppressed"] = False  # not in the panel: nothing to withhold
    out.loc[~out["in_panel"] | (out["n"] == 0), stat_cols] = np.nan
    return out[["company", "company_name", "role", "wave", "x", "in_panel", "n", "mean", "sd",
                "ci_low", "ci_high", "too_few", "suppressed"]]


def market_trend(study, wave: str, dv: str = "total", k: int | None = None) -> pd.DataFrame:
    """The shop and the pooled market (all competitors in the panel) per wave up to ``wave``.

    On the comparable core of those waves, like :func:`trend_table`; ``group`` is
    ``"shop"`` or ``"market"``; ``gap_to_market`` (shop rows) is shop − market; cells below
    ``k`` suppressed by the one rule.

    >>> import benchlib
    >>> m = market_trend(benchlib.load_study(), "2025-10")
    >>> m[["wave", "group"]].values.tolist()
    [['2025-07', 'shop'], ['2025-07', 'market'], ['2025-10', 'shop'], ['2025-10', 'market']]
    """
    from benchlib.results.suppression import effective_k, suppress_small

    k = max(effective_k(study), k or 0)
    waves = waves_up_to(study.config, wave)
    c = cross_wave_contacts(study, waves)
    c = c[c["scored"]].assign(group=np.where(c.loc[c["scored"], "company"] == study.shop,
                                             "shop", "market"))
    desc = describe_scores(c, dv=dv, by=["wave", "group"])
    grid = pd.MultiIndex.from_product([waves, ["shop", "market"]],
                                      names=["wave", "group"]).to_frame(index=False)
    out = grid.merge(desc, on=["wave", "group"], how="left", validate="1:1")
    out.insert(1, "x", out["wave"].map({w: i for i, w in enumerate(waves)}).astype(int))
    out["n"] = out["n"].fillna(0).astype(int)
    out = suppress_small(out, ["n"], ["mean", "sd", "se", "ci_low", "ci_high"], k)
    market = out[out["group"] == "market"].set_index("wave")["mean"]
    out["gap_to_market"] = np.where(out["group"] == "shop",
                                    out["mean"] - out["wave"].map(market), np.nan)
    return out[["wave", "x", "group", "n", "mean", "ci_low", "ci_high", "gap_to_market",
                "suppressed"]]


def training_marks(config: StudyConfig, wave: str, lang: str | None = None) -> pd.DataFrame:
    """Trainings held before each wave up to ``wave``: ``wave, x, date, topics``.

    ``x`` is the index of the wave the training precedes (draw the mark at ``x - 0.5``);
    ``topics`` is the list of configured topic ids (language-independent, as in
    results.json), or with ``lang`` their labels joined by commas.

    >>> from benchlib.config import load_config
    >>> training_marks(load_config(), "2025-10")[["wave", "x"]].to_dict("records")
    [{'wave': '2025-10', 'x': 1}]
    """
    waves = waves_up_to(config, wave)
    rows = [{"wave": w.id, "x": waves.index(w.id), "date": tr.date,
             "topics": list(tr.topics) if lang is None
             else ", ".join(topic_label(config, x, lang) for x in tr.topics)}
            for w in config.waves if w.id in waves for tr in w.trainings_before]
    return pd.DataFrame(rows, columns=["wave", "x", "date", "topics"])


def topic_label(config: StudyConfig, topic: str, lang: str = "de") -> str:
    """The label of a training topic in ``lang`` (``config.label("training", …)``)."""
    return config.label("training", topic, lang)


def item_label(config: StudyConfig, item: str, lang: str = "de") -> str:
    """The grid label of ``item`` in ``lang`` (``config.label("item", …)``)."""
    return config.label("item", item, lang)


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


def items_that_moved(study, wave: str, alpha: float = DEFAULT_ALPHA,
                     k: int | None = None) -> pd.DataFrame:
    """The shop's yes/no items in ``wave`` vs the previous wave (share of "yes").

    :func:`benchlib.stats.compare_proportions_vs_previous` on the shop's answered yes/no
    items of both waves; Benjamini–Hochberg over all tested items of this pair of waves.
    Items whose definition changed between the two waves (see :func:`grid_changes`) or that
    exist in only one of them are listed but not compared (``grid_changed`` True, untested).
    ``moved`` is True only for a tested item with ``p_fdr < alpha``. Items with fewer than
    ``k`` answers in either wave are withheld by the one small-cell rule (``k`` defaults to
    the study's ``settings.k_anonymity``).

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
        return pd.DataFrame(columns=[*cols, "suppressed"])
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
    from benchlib.results.suppression import effective_k, suppress_small

    res = suppress_small(res, ["n_prev", "n_wave"], ["share_prev", "share_wave", "diff",
                                                     "ci_low", "ci_high", "p", "p_fdr"],
                         max(effective_k(study), k or 0))
    grid_only = res["grid_changed"].astype(bool)
    res.loc[grid_only, "suppressed"] = False  # listed, never compared: nothing to withhold
    res.loc[res["suppressed"], ["tested", "moved"]] = False
    return res[[*cols, "suppressed"]].sort_values(
        ["moved", "p_fdr", "item"], ascending=[False, True, True],
        na_position="last").reset_index(drop=True)


TRAINING_HISTORY_COLUMNS = [
    "wave", "previous", "x", "dates", "topics", "estimate", "ci_low", "ci_high", "p",
    "p_adj", "claim", "gate_open", "tested", "naive_change", "market_change", "n_shop_before",
    "n_shop_after", "n_comp_before", "n_comp_after", "reason"]


def training_history(study, wave: str) -> pd.DataFrame:
    """Every wave up to ``wave`` with trainings before it, and their net change vs the market.

    One row per such wave (its trainings' ``dates`` and ``topics`` ids as lists): the
    difference-in-differences of the shop against the competitors from the previous wave to
    this one (``estimate``, CI, ``p``; the comparable core of the two waves) and the verdict
    the multiplicity policy gives it **in that wave** (``p_adj``, ``claim``, ``gate_open``,
    from :func:`benchlib.results.compute.headline_verdicts`) — so the trend report repeats
    what each wave report claimed, never a second verdict on the same number. ``reason``
    says why a row has no estimate (a text key ``res_unavailable_<reason>``: a training
    before the first wave, too few contacts, …); ``tested`` is then False.

    >>> import benchlib
    >>> h = training_history(benchlib.load_study(), "2026-01")
    >>> h[["wave", "previous", "claim"]].values.tolist()
    [['2025-10', '2025-07', True], ['2026-01', '2025-10', False]]
    """
    from benchlib.results.compute import headline_verdicts

    waves = waves_up_to(study.config, wave)
    rows = []
    for w in study.config.waves:
        if w.id not in waves or not w.trainings_before:
            continue
        v = headline_verdicts(study, w.id)
        te = v["training"] or {}
        row = {"wave": w.id, "previous": v["previous_wave"], "x": waves.index(w.id),
               "dates": [tr.date.isoformat() for tr in w.trainings_before],
               "topics": [x for tr in w.trainings_before for x in tr.topics],
               "gate_open": bool(v["policy"]["gate_open"]),
               "reason": None if te else (v["training_reason"] or "not_estimable")}
        for key in TRAINING_HISTORY_COLUMNS:
            if key not in row:
                row[key] = te.get(key, np.nan)
        row["tested"] = bool(te.get("tested", False)) and not pd.isna(row["estimate"])
        row["claim"] = bool(te.get("claim", False)) and row["tested"]
        rows.append(row)
    return pd.DataFrame(rows, columns=TRAINING_HISTORY_COLUMNS)


WAVE_STEP_COLUMNS = [
    "previous", "wave", "x", "competitors", "n_competitors", "n_competitors_down",
    "n_competitors_up", "n_comp_before", "n_comp_after", "market_change", "market_ci_low",
    "market_ci_high", "market_p", "n_shop_before", "n_shop_after", "shop_change",
    "shop_ci_low", "shop_ci_high", "estimate", "ci_low", "ci_high", "p", "tested",
    "training_before", "suppressed"]


def wave_steps(study, wave: str, k: int | None = None) -> pd.DataFrame:
    """Each step from one wave to the next up to ``wave``: how the market moved and the shop.

    Per pair of consecutive waves, on the comparable core of the two waves with the
    competitors present in both (balanced panel), from one
    :func:`benchlib.stats.training_effect` fit: the market's change (all those competitors'
    contacts pooled, Welch; ``market_*``), how many of them moved down or up on their own
    (``n_competitors_down``/``_up``, point estimates of
    :func:`benchlib.stats.change_vs_previous`), the shop's own change (``shop_*``) and its
    change net of the market (``estimate``, CI, ``p``: the difference-in-differences — the
    same number as a training's net change when a training preceded the wave). Cells below
    ``k`` scored contacts are withheld by the one small-cell rule. Which steps are
    market-wide moves and whether the shop moved with them is the policy's verdict
    (:func:`benchlib.results.policy.apply_steps`).

    >>> import benchlib
    >>> s = wave_steps(benchlib.load_study(), "2026-01")
    >>> s[["previous", "wave", "n_competitors"]].values.tolist()
    [['2025-07', '2025-10', 4], ['2025-10', '2026-01', 4]]
    """
    from benchlib.results.suppression import effective_k, min_n, suppress_small
    from benchlib.stats import change_vs_previous, training_effect

    k = max(effective_k(study), k or 0)
    m = min_n(study)
    waves = waves_up_to(study.config, wave)
    trained = {w.id for w in study.config.waves if w.trainings_before}
    rows = []
    for prev, cur in zip(waves, waves[1:], strict=False):
        core_c, _core = study.comparable([prev, cur])
        data = core_c[core_c["scored"]]
        row: dict = {"previous": prev, "wave": cur, "x": waves.index(cur),
                     "training_before": cur in trained}
        try:
            te = training_effect(data, prev, cur, shop=study.shop, alpha=DEFAULT_ALPHA,
                                 min_n=m)
        except ValueError:  # no competitor in both waves, no shop contact, …
            rows.append(row | {"competitors": [], "n_competitors": 0, "tested": False})
            continue
        comps = list(te.competitors)
        own = change_vs_previous(data[data["company"].isin(comps)], cur, prev, min_n=m,
                                 alpha=DEFAULT_ALPHA)
        row |= {"competitors": comps, "n_competitors": len(comps),
                "n_competitors_down": int((own["diff"] < 0).sum()),
                "n_competitors_up": int((own["diff"] > 0).sum()),
                "n_comp_before": te.n_comp_before, "n_comp_after": te.n_comp_after,
                "market_change": te.market_change, "market_ci_low": te.market_ci_low,
                "market_ci_high": te.market_ci_high, "market_p": te.market_p,
                "n_shop_before": te.n_shop_before, "n_shop_after": te.n_shop_after,
                "shop_change": te.naive_change, "shop_ci_low": te.naive_ci_low,
                "shop_ci_high": te.naive_ci_high, "estimate": te.estimate,
                "ci_low": te.ci_low, "ci_high": te.ci_high, "p": te.p, "tested": te.tested}
        rows.append(row)
    out = pd.DataFrame(rows, columns=WAVE_STEP_COLUMNS).drop(columns="suppressed")
    if out.empty:
        return out.assign(suppressed=pd.Series(dtype=bool))
    out["tested"] = out["tested"].fillna(False).astype(bool)
    market = ["market_change", "market_ci_low", "market_ci_high", "market_p",
              "n_competitors_down", "n_competitors_up"]
    shop = ["shop_change", "shop_ci_low", "shop_ci_high", "estimate", "ci_low", "ci_high", "p"]
    out = suppress_small(out, ["n_comp_before", "n_comp_after"], market, k)
    market_hidden = out["suppressed"].copy()
    out = suppress_small(out, ["n_shop_before", "n_shop_after", "n_comp_before",
                               "n_comp_after"], shop, k)
    out["suppressed"] = out["suppressed"] | market_hidden
    out.loc[out["suppressed"], "tested"] = False
    return out[WAVE_STEP_COLUMNS]



# --- labels and sentences for the reports (tables: benchlib.results.display) -------------


def panel_changes(config: StudyConfig, waves: list[str]) -> pd.DataFrame:
    """Companies that joined or left the panel within ``waves``: ``company, change, wave``.

    >>> from benchlib.config import load_config
    >>> panel_changes(load_config(), ["2026-01", "2026-04"]).values.tolist()
    [['kabelkraft', 'left', '2026-01'], ['nordlicht', 'joined', '2026-04']]
    """
    rows = []
    for c in sorted(config.companies, key=lambda c: c.id):
        if c.last_wave and c.last_wave in waves[:-1]:
            rows.append({"company": c.id, "change": "left", "wave": c.last_wave})
        if c.first_wave and c.first_wave in waves[1:]:
            rows.append({"company": c.id, "change": "joined", "wave": c.first_wave})
    return pd.DataFrame(rows, columns=["company", "change", "wave"])


def panel_note(config: StudyConfig, waves: list[str], lang: str = "de") -> str:
    """Which companies joined or left the panel within ``waves`` (one sentence each).

    >>> from benchlib.config import load_config
    >>> panel_note(load_config(), ["2026-01", "2026-04"], "en")
    'Kabelkraft left the panel after 2026-01. Nordlicht Elektro joined the panel in 2026-04.'
    """
    return panel_sentence(config, panel_changes(config, waves).to_dict("records"), lang)


def panel_sentence(config: StudyConfig, changes: list[dict], lang: str = "de") -> str:
    """The sentences of :func:`panel_note` for rows of :func:`panel_changes`."""
    from benchlib.i18n import t

    names = {c.id: c.name for c in config.companies}
    return " ".join(t(f"tr_panel_{r['change']}", lang, name=names.get(r["company"], r["company"]),
                      wave=r["wave"]) for r in changes)


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
        fields = [f.split(":")[0].strip() for f in (r.detail or "").split(";") if f.strip()]
        detail = ("; " + ", ".join(t(f"tr_field_{f}", lang) for f in fields)) if fields else ""
        parts.append(t("tr_grid_item", lang, label=config.label("item", r.item, lang),
                       change=t(f"tr_change_{r.change}", lang), wave=r.wave, detail=detail))
    core = comparable_core(config, waves_up_to(config, up_to))
    label = {i.id: config.label("item", i.id, lang) for i in config.grid.items}
    core_note = t("tr_core_note", lang, n=len(core.items),
                  excluded=", ".join(label[i] for i in core.excluded["item"]) or "–",
                  mapped=", ".join(label[i] for i in core.mapped) or "–")
    return t("tr_grid_footnote", lang, changes=", ".join(parts)) + " " + core_note


