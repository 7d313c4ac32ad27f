"""The sentences of the reports, in one language, from the results of a wave.

Every claim of "better", "worse", "improved" uses exactly the adjusted p of the
multiplicity policy (:mod:`benchlib.results.policy`): the primary endpoint (shop vs the
market) its own p; competitors Holm; the shop's change and the training's net change one Holm
family (``meta["policy"]["summary_p"]``); dimensions Holm within the dimensions. A section the
study cannot support yields the one sentence of ``res_unavailable_<reason>``.
"""

from __future__ import annotations

from typing import Any

from benchlib import fmt
from benchlib.i18n import t
from benchlib.results.display import FORMATS, ReportView, claimed, gated, label
from benchlib.stats import describe_comparison, format_number

__all__ = ["attribution_sentence", "calibration_summary", "comparability_note",
           "design_sentence", "executive_summary", "first_screen", "headline",
           "market_move_facts", "study_changes", "training_facts", "trend_summary",
           "unavailable"]

METHOD_KEYS = {"CR2-BM": "wr_method_cr2", "LMM": "wr_method_lmm", "welch": "wr_method_welch"}
"""The sentence that names the method of the primary comparison (``shop_vs_market.method``)."""


def _fn(x: Any, lang: str, digits: int = 1) -> str:
    return format_number(x, lang, digits)


def unavailable(v: ReportView, section: str) -> str | None:
    """The sentence saying why ``section`` is missing (None when it is available)."""
    u = v.meta.get("unavailable", {}).get(section)
    if u is None:
        return None
    return t(f"res_unavailable_{u['reason']}", v.lang, shop=v.name(v.shop), wave=v.wave,
             min_n=v.min_n)


def compare(row: dict, lang: str, label_a: str, label_b: str, alpha: float = 0.05) -> str:
    """One comparison in one sentence with the policy's adjusted p (``p_adj``); where the
    policy withholds the claim (the primary endpoint is not significant) the sentence says
    so instead of "better"/"worse"."""
    if gated(row, alpha):
        return t("res_gated", lang, a=label_a, b=label_b, d=FORMATS["number"](row["diff"], lang),
                 ci=FORMATS["ci"](row["ci_low"], row["ci_high"], lang),
                 p=format_p_or_dash(row["p_adj"], lang))
    return describe_comparison(row, lang, label_a=label_a, label_b=label_b, alpha=alpha,
                               p_key="p_adj")


def _shop_market(v: ReportView) -> str:
    return compare(v.shop_vs_market, v.lang, v.name(v.shop), t("wr_market", v.lang), v.alpha)


def headline(v: ReportView, report: str = "wave_report") -> str:
    """The report's one headline sentence (shown with ``viz.show_headline``)."""
    shop = v.name(v.shop)
    if report == "trend_report":
        return trend_summary(v)[0]
    if report == "calibration":
        return calibration_summary(v)[0]
    if report == "data_quality":
        c = v.counts
        return t("dq_headline", v.lang, wave=v.wave, raw=c["raw_rows"], contacts=c["contacts"],
                 quarantined=c["quarantined"], duplicates=c["duplicates_dropped"])
    if not v.shop_comparable or v.shop_vs_market is None:
        return unavailable(v, "shop_sample") or unavailable(v, "shop_vs_competitors") or \
            t("res_unavailable_not_estimable", v.lang, shop=shop, wave=v.wave, min_n=v.min_n)
    return t("wr_headline", v.lang, wave=v.wave, sentence=_shop_market(v))


def executive_summary(v: ReportView) -> list[str]:
    """The wave report's summary: level, vs market, vs competitors, change, training."""
    lang, shop, names = v.lang, v.name(v.shop), v.meta["names"]
    out = []
    c = v.companies.set_index("company")
    if v.shop in c.index and not c.loc[v.shop, "suppressed"]:
        s = c.loc[v.shop]
        out.append(t("wr_es_level", lang, shop=shop, wave=v.wave, mean=_fn(s["mean"], lang),
                     lo=_fn(s["ci_low"], lang), hi=_fn(s["ci_high"], lang), n=int(s["n"])))
    if not v.available("shop_vs_competitors"):
        out.append(unavailable(v, "shop_vs_competitors"))
    else:
        out.append(_shop_market(v))
        recs = v.shop_vs_competitors.to_dict("records")
        better = [names[x["competitor"]] for x in recs
                  if x["tested"] and claimed(x) and x["diff"] > 0]
        worse = [names[x["competitor"]] for x in recs
                 if x["tested"] and claimed(x) and x["diff"] < 0]
        none = [x for x in recs if x["tested"] and not claimed(x)]
        untested = [names[x["competitor"]] for x in recs if not x["tested"]]
        parts = []
        if better:
            parts.append(t("wr_es_better", lang, shop=shop, names=", ".join(better)))
        if worse:
            parts.append(t("wr_es_worse", lang, shop=shop, names=", ".join(worse)))
        if none:
            diffs = [x["diff"] for x in none]
            parts.append(t("wr_es_none", lang, names=", ".join(names[x["competitor"]]
                                                               for x in none),
                           lo=_fn(min(diffs), lang), hi=_fn(max(diffs), lang)))
        if untested:
            parts.append(t("wr_es_untested", lang, names=", ".join(untested)))
        out.append(t("wr_es_competitors", lang) + " " + " ".join(parts))
    out.append(change_sentence(v))
    out.append(training_sentence(v))
    return [s for s in out if s]


def change_sentence(v: ReportView) -> str:
    """The shop's change vs the previous wave (comparable core), with the policy's p."""
    lang, shop = v.lang, v.name(v.shop)
    if v.previous_wave is None:
        return t("wr_es_first_wave", lang)
    ch = v.change[v.change["company"] == v.shop]
    if not len(ch):
        return unavailable(v, "change") or unavailable(v, "shop_sample") or ""
    pol = v.meta["policy"]
    row = ch.iloc[0].to_dict() | {"p_adj": pol["summary_p"]["change"],
                                  "claim": pol["claims"]["change"]}
    return compare(row, lang, t("wr_in_wave", lang, name=shop, wave=v.wave),
                   t("wr_in_wave", lang, name="", wave=v.previous_wave).strip(),
                   v.alpha) + " " + t("wr_basis_core", lang)


def training_topics(v: ReportView) -> str:
    from benchlib.trend import topic_label

    te = v.training
    return "; ".join(f"{x['date']}: " + ", ".join(topic_label(v.cfg, s, v.lang)
                                                   for s in x["topics"])
                     for x in te["trainings"])


def training_sentence(v: ReportView) -> str:
    """The last training's net change vs the market (DiD) with the policy's p."""
    lang, shop = v.lang, v.name(v.shop)
    te = v.training
    if te is None:
        return unavailable(v, "training") or t("wr_es_no_training", lang)
    intro = t("wr_es_training", lang, training=training_topics(v), shop=shop,
              naive=_fn(te["naive_change"], lang), market=_fn(te["market_change"], lang))
    did = {"diff": te["estimate"], "ci_low": te["ci_low"], "ci_high": te["ci_high"],
           "p_adj": te["p_adj"], "claim": te["claim"], "tested": te["tested"],
           "n_shop": te["n_shop_after"], "n_comp": te["n_comp_after"]}
    return intro + " " + t("wr_es_net", lang) + " " + compare(
        did, lang, t("wr_shop_change", lang, shop=shop), t("wr_market_change", lang), v.alpha)


def attribution_sentence(v: ReportView) -> str:
    """May the last training's net change be attributed to it? "Consistent with a training
    effect" only when :func:`benchlib.stats.attribution` says ``consistent``; otherwise the
    sentence names every check that fails or cannot be run (one text per reason key)."""
    a = v.meta.get("attribution")
    if a is None:
        return unavailable(v, "attribution") or ""
    if a["consistent"]:
        return t("wr_attr_consistent", v.lang)
    reasons = t("wr_attr_sep", v.lang).join(
        t(f"wr_attr_reason_{r}", v.lang, shop=v.name(v.shop)) for r in a["reasons"])
    return t("wr_attr_cannot", v.lang, reasons=reasons)


def _names(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + t("wr_and", lang) + items[-1]


def first_screen(v: ReportView) -> dict[str, str]:
    """The decision screen on top of the wave report: one sentence per point.

    Keys: ``rank``, ``market``, ``change`` (from the second wave on), ``dimensions``,
    ``training``, ``train_next``, ``sample``.
    """
    lang, shop = v.lang, v.name(v.shop)
    out: dict[str, str] = {}
    # where the shop ranks (ties where the data do not separate companies)
    rk = v.ranking
    row = rk[rk["company"] == v.shop] if len(rk) else rk
    if not v.available("ranking") or not len(row) or not bool(row["ranked"].iloc[0]):
        out["rank"] = unavailable(v, "ranking") or unavailable(v, "shop_sample") or ""
    else:
        r = row.iloc[0]
        lo, hi, of = int(r["rank_best"]), int(r["rank_worst"]), int(r["of"])
        ties = [v.name(c) for c in r["tied_with"]]
        key = "wr_fs_rank_exact" if lo == hi else "wr_fs_rank_range"
        out["rank"] = t(key, lang, shop=shop, rank=lo, best=lo, worst=hi, of=of) + (
            " " + t("wr_fs_rank_tied", lang, names=_names(ties, lang)) if ties else "")
    # shop vs market over every wave (comparable core of those waves)
    mt = v.market_trend
    if len(mt):
        gaps = [f"{r['wave']}: {_fn(r['gap_to_market'], lang)}"
                for r in mt[mt["group"] == "shop"].to_dict("records")]
        out["market"] = t("wr_fs_market", lang, shop=shop, gaps="; ".join(gaps))
    # what improved or worsened since the last wave: the total, then the dimensions
    if v.previous_wave is not None:
        out["change"] = change_sentence(v)
    if v.previous_wave is None:
        out["dimensions"] = t("wr_es_first_wave", lang)
    elif not v.available("dimension_change"):
        out["dimensions"] = unavailable(v, "dimension_change")
    else:
        dc = v.dimension_change.to_dict("records")
        up = [label(v.cfg, "dimension", r["dimension"], lang) for r in dc
              if claimed(r) and r["diff"] > 0]
        down = [label(v.cfg, "dimension", r["dimension"], lang) for r in dc
                if claimed(r) and r["diff"] < 0]
        held = [label(v.cfg, "dimension", r["dimension"], lang) for r in dc if gated(r)]
        parts = []
        if up:
            parts.append(t("wr_fs_improved", lang, names=_names(up, lang)))
        if down:
            parts.append(t("wr_fs_worsened", lang, names=_names(down, lang)))
        if held:
            parts.append(t("wr_fs_dims_gated", lang, names=_names(held, lang)))
        if not parts:
            parts.append(t("wr_fs_no_dim_change", lang))
        out["dimensions"] = t("wr_fs_dims_intro", lang, prev=v.previous_wave) + " " + \
            " ".join(parts)
    # the last training's net result with its attribution caveat
    last = _last_training(v)
    out["training"] = (training_sentence(v) + " " + attribution_sentence(v)
                       if v.training is not None else last)
    # three things to train next
    tn = v.train_next
    if not v.available("train_next") or not len(tn):
        out["train_next"] = unavailable(v, "train_next") or t("wr_fs_train_next_none", lang)
    else:
        picks = [label(v.cfg, r["kind"], r["id"], lang) for r in tn.head(3).to_dict("records")]
        out["train_next"] = t("wr_fs_train_next", lang, names=_names(picks, lang))
    # the sample note
    c = v.companies
    if len(c):
        out["sample"] = t("wr_fs_sample", lang, lo=int(c["n"].min()), hi=int(c["n"].max()),
                          companies=len(c), min_n=v.min_n, k=v.k)
    return {k: s for k, s in out.items() if s}


def _last_training(v: ReportView) -> str:
    tr = v.trainings
    if not len(tr):
        return t("wr_fs_no_training_yet", v.lang)
    last = tr.iloc[-1]
    return t("wr_fs_training_earlier", v.lang, wave=last["wave"])


def trend_summary(v: ReportView) -> list[str]:
    """The trend report's summary: the shop's level; over all waves, every training's net
    change vs the market with its verdict (:func:`training_facts`) and the market-wide moves
    (:func:`market_move_facts`); then its change (the wave report's number), the event
    study's last wave and how many items moved."""
    lang, shop = v.lang, v.name(v.shop)
    tr = v.trend
    cur = tr[(tr["company"] == v.shop) & (tr["wave"] == v.wave)]
    lines = []
    if len(cur) and not cur["suppressed"].iloc[0] and cur["mean"].notna().iloc[0]:
        r = cur.iloc[0]
        lines.append(t("tr_summary_score", lang, shop=shop, wave=v.wave,
                       mean=_fn(r["mean"], lang), low=_fn(r["ci_low"], lang),
                       high=_fn(r["ci_high"], lang), n=int(r["n"])))
    else:
        lines.append(unavailable(v, "shop_sample") or t("tr_first_wave", lang, wave=v.wave))
    lines += training_facts(v)  # over all waves first: the trainings and the market's moves
    lines += market_move_facts(v)
    if v.previous_wave is None:
        lines.append(t("tr_first_wave", lang, wave=v.wave))
    else:
        lines.append(t("tr_summary_change", lang, sentence=change_sentence(v)))
    es = v.event_study
    if len(es):
        last = es[es["wave"] == v.wave]
        if len(last) and not bool(last["reference"].iloc[0]):
            r = last.iloc[0]
            lines.append(t("tr_summary_event", lang, sentence=compare(
                {"diff": r["estimate"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                 "p_adj": r["p_adj"], "claim": r["claim"]}, lang, v.wave,
                str(es.loc[es["reference"].astype(bool), "wave"].iloc[0]), v.alpha)))
    mv = v.items_moved
    if len(mv) and v.previous_wave is not None:
        lines.append(t("tr_summary_moved", lang, previous=v.previous_wave,
                       n=int(mv["moved"].astype(bool).sum())))
    return lines


def _net(r: dict, lang: str) -> dict[str, str]:
    """The numbers of a net change (DiD) as the sentences show them."""
    return {"d": fmt.signed(r.get("estimate"), lang), "ci": fmt.ci(r.get("ci_low"),
                                                                     r.get("ci_high"), lang),
            "p": format_p_or_dash(r.get("p_adj"), lang)}


def _did_row(r: dict) -> dict:
    return {"diff": r.get("estimate"), "ci_low": r.get("ci_low"), "ci_high": r.get("ci_high"),
            "p_adj": r.get("p_adj"), "claim": bool(r.get("claim")),
            "tested": bool(r.get("tested"))}


def training_facts(v: ReportView) -> list[str]:
    """Every training up to the wave: its net change vs the market (DiD) and the verdict of
    the wave it preceded (``training_history`` of the results; one sentence each, after an
    overview naming the trainings that were a success).

    A training is "a success" only where that wave's multiplicity policy claims the net
    change and it is positive; before the first wave, or with too few contacts, the sentence
    says why there is no estimate.
    """
    from benchlib.trend import topic_label

    lang, shop = v.lang, v.name(v.shop)
    h = v.res.tables.get("training_history")
    if h is None:
        return []
    if not len(h):
        return [t("tr_fact_no_training", lang, wave=v.wave)]
    rows = h.to_dict("records")
    marks = {r["wave"]: f"T{i + 1}" for i, r in enumerate(rows)}
    success = [r for r in rows if claimed(_did_row(r)) and r["estimate"] > 0]
    names = [t("tr_fact_mark", lang, mark=marks[r["wave"]], wave=r["wave"]) for r in success]
    out = [t("tr_fact_trainings", lang, shop=shop, n=len(rows), wave=v.wave)
           + " " + (t("tr_fact_successes", lang, names=_names(names, lang)) if success
                    else t("tr_fact_no_success", lang))]
    for r in rows:
        topics = ", ".join(topic_label(v.cfg, x, lang) for x in r["topics"])
        head = t("tr_fact_training", lang, mark=marks[r["wave"]], wave=r["wave"],
                 topics=topics)
        did = _did_row(r)
        if not did["tested"] or r["estimate"] != r["estimate"]:
            reason = r.get("reason") or "not_estimable"
            out.append(head + " " + t(f"res_unavailable_{reason}", lang, shop=shop,
                                      wave=r["wave"], min_n=v.min_n))
            continue
        if claimed(did):
            key = "tr_verdict_success" if r["estimate"] > 0 else "tr_verdict_worse"
        elif gated(did):
            key = "tr_verdict_gated"
        else:
            key = "tr_verdict_none"
        out.append(head + " " + t("tr_fact_net", lang, shop=shop, previous=r["previous"],
                                  **_net(r, lang)) + " " + t(key, lang, wave=r["wave"]))
    return out


def market_move_facts(v: ReportView) -> list[str]:
    """The waves where the market (the competitors together) moved significantly — every
    competitor in the same direction, the market's change claimed under the policy
    (``wave_steps`` of the results) — and whether the shop moved with it."""
    lang, shop = v.lang, v.name(v.shop)
    st = v.res.tables.get("wave_steps")
    if st is None or not len(st):
        return []
    rows = [r for r in st.to_dict("records") if bool(r["market_wide"])]
    if not rows:
        return [t("tr_fact_market_none", lang, first=st["previous"].iloc[0], wave=v.wave)]
    out = []
    for r in rows:
        key = "tr_fact_market_down" if r["market_change"] < 0 else "tr_fact_market_up"
        move = t(key, lang, wave=r["wave"], previous=r["previous"],
                 n=int(r["n_competitors"]), d=fmt.number(abs(r["market_change"]), lang),
                 ci=fmt.ci(r["market_ci_low"], r["market_ci_high"], lang),
                 p=format_p_or_dash(r["market_p_adj"], lang))
        verdict = r["shop_verdict"]
        did = _did_row(r)
        if verdict == "with_market" and gated(did):
            verdict = "gated"
        shop_s = t(f"tr_fact_shop_{verdict}", lang, shop=shop,
                   own=fmt.signed(r["shop_change"], lang), wave=r["wave"], **_net(r, lang))
        out.append(move + " " + shop_s)
    return out


def calibration_summary(v: ReportView) -> list[str]:
    """The calibration report's summary: agreement on the recordings, evaluators' share."""
    lang = v.lang
    cal = v.calibration
    if cal is None:
        lines = [t("cal_none", lang, wave=v.wave)]
    else:
        lines = [t("cal_summary", lang, icc=_fn(cal["icc2_1"], lang, 2),
                   low=_fn(cal["icc2_1_ci_low"], lang, 2),
                   high=_fn(cal["icc2_1_ci_high"], lang, 2),
                   label=t(f"cal_label_{cal['label']}", lang), icck=_fn(cal["icc2_k"], lang, 2),
                   alpha=_fn(cal["alpha"], lang, 2), alow=_fn(cal["alpha_ci_low"], lang, 2),
                   ahigh=_fn(cal["alpha_ci_high"], lang, 2), n=cal["n_recordings"],
                   k=cal["n_evaluators"])]
    ev = v.evaluator_variance
    if ev is None:
        lines.append(unavailable(v, "mixed_model"))
    else:
        lines.append(t("cal_field_share", lang,
                       share=_fn(100 * ev["evaluator_share"], lang) + " %", n=ev["n"],
                       k=ev["n_evaluators"]))
        if ev.get("boundary"):
            lines.append(t("res_boundary", lang))
        elif ev.get("converged") is False:
            lines.append(t("res_not_converged", lang))
    return [x for x in lines if x]


def study_changes(v: ReportView) -> list[str]:
    """What changed in the study since the previous wave: grid items added, dropped or
    changed, and companies joining or leaving the panel (one sentence each; [] if none)."""
    from benchlib.trend import panel_sentence

    if v.previous_wave is None:
        return []
    out = []
    g = v.grid_changes
    for r in g[g["wave"] == v.wave].to_dict("records"):
        out.append(t(f"wr_grid_{r['change']}", v.lang, label=label(v.cfg, "item", r["item"],
                                                                   v.lang), wave=v.wave))
    pc = v.panel_changes
    recent = pc[pc["wave"].isin([v.previous_wave, v.wave])].to_dict("records") if len(pc) else []
    recent = [r for r in recent if (r["change"] == "left" and r["wave"] == v.previous_wave)
              or (r["change"] == "joined" and r["wave"] == v.wave)]
    if recent:
        out.append(panel_sentence(v.cfg, recent, v.lang))
    return out


def comparability_note(v: ReportView) -> str:
    """Footnote for cross-wave numbers: core vs full grid, and the panel used ('' if the
    comparison needed neither)."""
    from benchlib.trend import panel_sentence

    comp = v.comparability
    if not comp:
        return ""
    lang = v.lang
    parts = []
    if comp["score"] == "core":
        excluded = ", ".join(label(v.cfg, "item", x["item"], lang)
                             for x in comp["excluded_items"])
        parts.append(t("wr_core_note", lang, prev=comp["waves"][0], wave=comp["waves"][1],
                       n=comp["core_items"], excluded=excluded or "–",
                       mapped=", ".join(label(v.cfg, "item", i, lang)
                                        for i in comp["mapped_items"]) or "–"))
    if comp["panel_changes"]:
        names = ", ".join(v.name(c) for c in comp["panel_competitors"])
        parts.append(panel_sentence(v.cfg, comp["panel_changes"], lang) + " "
                     + t("wr_panel_note", lang, names=names))
    return " ".join(parts)


def design_sentence(v: ReportView) -> str:
    """Which method the comparisons with the market and each competitor used, and why (the
    design diagnostics of results.json); '' when there was no comparison."""
    svm = v.shop_vs_market
    if svm is None:
        return ""
    d = v.meta.get("design") or {}
    purity, cv = d.get("purity"), d.get("cramers_v")
    return t(METHOD_KEYS[svm["method"]], v.lang,
             purity=_fn(None if purity is None else 100 * purity, v.lang, 0),
             v=_fn(cv, v.lang, 2))


def notes(v: ReportView) -> dict[str, str]:
    """The wave report's explanatory notes, filled with the wave's settings and results."""
    lang, shop = v.lang, v.name(v.shop)
    out = {"companies": t("wr_companies_note", lang, min_n=v.min_n, k=v.k),
           "dimensions": t("wr_dim_note", lang, min_n=v.min_n, k=v.k),
           "items": t("wr_items_note", lang, shop=shop, min_n=v.min_n, k=v.k),
           "change": t("wr_change_note", lang, shop=shop),
           "training": t("wr_training_note", lang, shop=shop),
           "mail": t("wr_mail_note", lang, shop=shop),
           "method": t("wr_method", lang, min_n=v.min_n, k=v.k)}
    anova = v.welch_anova or {}
    if v.available("shop_vs_competitors"):
        out["forest"] = t("wr_forest_note", lang, shop=shop,
                          m=int(v.shop_vs_competitors["tested"].astype(bool).sum()),
                          F=_fn(anova.get("F"), lang, 2),
                          p=format_p_or_dash(anova.get("p"), lang))
        out["design"] = design_sentence(v)
    if v.meta.get("design"):
        out["design_table"] = t("wr_design_note", lang, k=v.k, threshold=_fn(
            100 * v.meta["design"]["nested_purity"], lang, 0))
    ev = v.evaluator_variance
    if ev is not None:
        out["mixed"] = t("wr_mixed_note", lang, share=_fn(100 * ev["evaluator_share"], lang),
                         n=ev["n_evaluators"])
    cal = v.calibration
    if cal is not None:
        out["calibration"] = t("wr_calibration", lang, icc=_fn(cal["icc2_1"], lang, 2),
                               lo=_fn(cal["icc2_1_ci_low"], lang, 2),
                               hi=_fn(cal["icc2_1_ci_high"], lang, 2),
                               alpha=_fn(cal["alpha"], lang, 2), n=cal["n_recordings"],
                               m=cal["n_evaluators"])
    if len(v.planning):
        plan = v.planning.iloc[0]
        out["planning"] = t("wr_planning_note", lang, sd=_fn(plan["sd_pooled"], lang),
                            n=_fn(plan["current_median_n"], lang, 0),
                            mdc=_fn(plan["mdc_at_current_n"], lang))
    for section, what in (("companies", "companies"), ("dimensions", "dimensions"),
                          ("items", "items"), ("mail_response", "mail")):
        df = v.res.tables[section]
        if "suppressed" in df and df["suppressed"].astype(bool).any():
            out[f"suppressed_{what}"] = t("wr_note_suppressed", lang, k=v.k,
                                          what=t(f"wr_sec_{what}", lang),
                                          groups=int(df["suppressed"].astype(bool).sum()))
    return out


def format_p_or_dash(p: Any, lang: str) -> str:
    from benchlib.stats import format_p

    return "–" if p is None or p != p else format_p(p, lang)
