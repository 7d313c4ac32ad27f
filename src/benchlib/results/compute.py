"""Compute every number the reports of one wave show — once, language-independent.

:func:`compute_wave` runs the tested functions of :mod:`benchlib.stats` (and the library's
trend, calibration, ranking and data-quality helpers) on one wave and returns a
:class:`~benchlib.results.model.WaveResults`: the wave report, the trend report, the
calibration report and the data-quality report render it; ``results.json`` and
``tables.xlsx`` hold the same numbers. Mixed models are fitted once per wave.

Every table passes through :func:`~benchlib.results.suppression.suppress_small` (the one
small-cell rule). A section the study cannot support (no calibration round, no mail
response times, a shop below ``min_n``, a first wave, no training …) is not an error: it is
listed in ``meta["unavailable"]`` with a reason key whose sentence lives in the text
resources (``res_unavailable_<reason>``).

Cross-wave quantities are on the **comparable core** of the waves involved (items defined
identically in all of them, see :mod:`benchlib.comparable`); ``meta["basis"]`` says so for
each, and the full-grid value is kept beside it where the two differ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from benchlib import stats
from benchlib.results import memo, policy
from benchlib.results.model import WaveResults, from_json_dict, jsonable
from benchlib.results.suppression import effective_k, suppress_small
from benchlib.results.suppression import min_n as _min_n
from benchlib.stats.clustered import NESTED_PURITY
from benchlib.study import Study

__all__ = ["ALPHA", "compute_wave", "headline_verdicts", "wave_counts"]

ALPHA = 0.05
PLAN_CHANGES = (3, 5, 8)
SURV_HORIZONS = (4, 24)


class _Unavailable(Exception):
    """A section cannot be computed for this study/wave; ``reason`` is a text-resource key."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


class _Collector:
    """Runs a section; a failure that the study's design explains is recorded, not raised."""

    def __init__(self) -> None:
        self.unavailable: dict[str, dict[str, str]] = {}

    def run(self, section: str, fn: Callable[[], Any], default: Any) -> Any:
        try:
            return fn()
        except _Unavailable as u:
            self.unavailable[section] = {"reason": u.reason, "detail": u.detail}
        except ValueError as err:  # the statistics' own input checks (too few groups, …)
            self.unavailable[section] = {"reason": "not_estimable", "detail": str(err)}
        return default


def compute_wave(study: Study, wave: str, cache: bool = True) -> WaveResults:
    """All results of ``wave`` (see the module docstring); unknown wave → ConfigError.

    The same inputs are computed once per process (:mod:`benchlib.results.memo`: keyed by the
    configuration, the processed generation and any table changed in memory); ``cache=False``
    always computes.

    >>> import benchlib
    >>> res = compute_wave(benchlib.load_study(), "2026-10")
    >>> res.wave, res.previous_wave, res.shop, res.available("calibration")
    ('2026-10', '2026-07', 'voltera', True)
    """
    wave = study.config.wave(wave).id  # unknown wave -> ConfigError listing the valid waves
    if not cache:
        return _compute(study, wave)
    res = memo.remembered("wave_results", study, wave, lambda: _compute(study, wave))
    res.meta["provenance"] = jsonable(_provenance(study, wave))  # the build time is now's
    return res


def _compute(study: Study, wave: str) -> WaveResults:
    cfg = study.config
    prev = study.previous_wave(wave)
    k, min_n, shop = effective_k(study), _min_n(study), study.shop
    order = {c.id: i for i, c in enumerate(cfg.companies)}
    roles = {c.id: c.role for c in cfg.companies}
    all_w = study.wave_contacts(wave, scored_only=False)
    w = study.wave_contacts(wave)
    col = _Collector()
    tables: dict[str, pd.DataFrame] = {}

    names = {c.id: c.name for c in cfg.companies}  # display names: configuration, any language
    companies = _sort(_describe(w, k, min_n, roles, names), "company", order)
    tables["companies"] = companies
    shop_row = companies[companies["company"] == shop]
    shop_n = int(shop_row["n"].iloc[0]) if len(shop_row) else 0
    shop_comparable = shop_n >= min_n
    if not shop_comparable:
        col.unavailable["shop_sample"] = {"reason": "shop_too_small",
                                          "detail": f"n = {shop_n} < {min_n}"}
    tested_ids = companies.loc[~companies["too_few"], "company"].tolist()
    wt = w[w["company"].isin(tested_ids)]

    def need_shop() -> None:
        if not shop_comparable:
            raise _Unavailable("shop_too_small", f"n = {shop_n} < {min_n}")
        if len(tested_ids) < 2:
            raise _Unavailable("too_few_companies")

    # --- who rated what: the design decides the method of the primary comparison
    def design_fn():
        if "evaluator" not in w or w["evaluator"].notna().sum() == 0:
            raise _Unavailable("too_few_evaluators")
        return _design(w, shop, k, order)

    design, tables["design_by_company"], tables["design_by_scenario"] = col.run(
        "design", design_fn, (None, pd.DataFrame(columns=["evaluator", "company", "n",
                                                          "suppressed"]),
                              pd.DataFrame(columns=["evaluator", "scenario", "n",
                                                    "suppressed"])))

    # --- shop vs the market (primary endpoint) and vs each competitor, by the design
    def svc_fn():
        need_shop()
        data = w[w["company"].isin(companies["company"])]
        svm = _shop_vs_market(data, shop, min_n)
        svc = _competitors(data, shop, min_n, svm["method"])
        svc = _sort(svc, "competitor", order)
        svc.insert(2, "name", svc["competitor"].map(names))
        svc = suppress_small(svc, ["n_shop", "n_comp"], [
            "mean_shop", "mean_comp", "diff", "se", "ci_low", "ci_high", "t", "df", "p",
            "hedges_g", "g_ci_low", "g_ci_high", "p_holm"], k)
        return svc, svm

    svc, svm = col.run("shop_vs_competitors", svc_fn, (pd.DataFrame(columns=[
        "competitor", "n_shop", "n_comp", "diff", "ci_low", "ci_high", "p", "p_holm", "tested",
        "method", "suppressed"]), None))
    tables["shop_vs_competitors"] = svc
    if design is not None:  # the methods used, chosen from these diagnostics
        design["method"] = svm["method"] if svm is not None else None
        design["competitor_method"] = (str(svc["method"].iloc[0]) if len(svc)
                                       and "method" in svc else None)

    def anova_fn():
        if len(tested_ids) < 2:
            raise _Unavailable("too_few_companies")
        return stats.welch_anova(wt).iloc[0].to_dict(), stats.games_howell(wt, alpha=ALPHA)

    anova, gh = col.run("games_howell", anova_fn, (None, pd.DataFrame(columns=[
        "A", "B", "diff", "ci_low", "ci_high", "p"])))
    tables["games_howell"] = gh

    # --- adjusted models: scenario/channel mix (OLS) and evaluator leniency (mixed model)
    def mix_fn():
        need_shop()
        mix = stats.mix_adjusted(wt, shop=shop, alpha=ALPHA)
        return _sort(mix.emm, "company", order), _sort(mix.contrasts, "competitor", order)

    tables["emm"], tables["mix_contrasts"] = col.run("mix_adjusted", mix_fn, (
        pd.DataFrame(columns=["company", "emm", "ci_low", "ci_high"]),
        pd.DataFrame(columns=["competitor", "estimate", "ci_low", "ci_high", "p", "p_holm"])))

    def lmm_fn():
        need_shop()
        if wt["evaluator"].nunique() < 2:
            raise _Unavailable("too_few_evaluators")
        la = stats.leniency_adjusted(wt, shop=shop, alpha=ALPHA)
        ev = {"evaluator_var": la.evaluator_var, "residual_var": la.residual_var,
              "evaluator_share": la.icc, "n_evaluators": la.n_groups, "n": la.n,
              "converged": getattr(la, "converged", None),
              "boundary": getattr(la, "boundary", None)}
        return la, ev

    lmm, ev_var = col.run("mixed_model", lmm_fn, (None, None))
    tables["mixed_contrasts"] = (_sort(lmm.contrasts, "competitor", order) if lmm is not None
                                 else pd.DataFrame(columns=["competitor", "estimate", "ci_low",
                                                            "ci_high", "p", "p_holm"]))
    tables["evaluator_blups"] = (lmm.blups.sort_values("evaluator").reset_index(drop=True)
                                 if lmm is not None else pd.DataFrame(columns=["evaluator",
                                                                               "blup"]))

    # --- dimensions and items of this wave
    dims = stats.by_dimension(w, by="company", min_n=min_n, alpha=ALPHA) if len(w) else \
        pd.DataFrame(columns=["dimension", "company", "n", "mean", "ci_low", "ci_high",
                              "too_few"])
    dims["role"] = dims["company"].map(roles)
    dims = suppress_small(dims, ["n"], ["mean", "sd", "se", "ci_low", "ci_high"], k)
    dim_order = {d: i for i, d in enumerate(cfg.grid.dimensions)}
    tables["dimensions"] = dims.sort_values(["dimension", "company"], key=lambda s: s.map(
        dim_order if s.name == "dimension" else order)).reset_index(drop=True)
    tables["items"], tables["item_comparisons"] = col.run(
        "items", lambda: _items(study, wave, shop, k, min_n, order, shop_comparable),
        (pd.DataFrame(columns=["item", "company", "n", "share", "ci_low", "ci_high", "p_fdr",
                               "too_few", "suppressed"]),
         pd.DataFrame(columns=["item", "competitor", "diff", "p", "p_fdr", "tested"])))

    # --- cross-wave: change vs the previous wave, per dimension, training (comparable core)
    comparability = None
    tables["change"] = pd.DataFrame(columns=["company", "n_prev", "n_cur", "diff", "ci_low",
                                             "ci_high", "p", "tested", "suppressed"])
    tables["dimension_change"] = pd.DataFrame(columns=["dimension", "n_prev", "n_cur", "diff",
                                                       "ci_low", "ci_high", "p", "tested"])
    if prev is None:
        col.unavailable["change"] = {"reason": "first_wave", "detail": ""}
    else:
        core_c, core = study.comparable([prev, wave])
        comparability = _comparability(study, core, prev, wave)
        tables["change"] = col.run("change", lambda: _change(core_c, wave, prev, k, min_n,
                                                             order), tables["change"])
        tables["dimension_change"] = col.run(
            "dimension_change", lambda: _dimension_change(core_c, cfg, wave, prev, shop, k,
                                                          min_n, shop_comparable),
            tables["dimension_change"])
    training, by_dim = col.run("training", lambda: _training(study, wave, prev, min_n, k,
                                                             shop_comparable), (None, None))
    tables["training_by_dimension"] = by_dim if by_dim is not None else pd.DataFrame(
        columns=["dimension", "estimate", "ci_low", "ci_high", "p", "tested"])
    # this wave's headline verdicts are what headline_verdicts would compute from the same three
    # tests, unless one of them failed here for a reason of its own (by dimension, say): then
    # the trend history below computes them itself
    if not any(col.unavailable.get(s, {}).get("reason") == "not_estimable"
               for s in _VERDICT_SECTIONS):
        memo.remembered("headline_verdicts", study, wave, lambda: _verdicts(
            cfg, shop, wave, prev, svm, tables["change"], training, col))

    # --- mail response times (censored), if the study measures them
    def mail_fn():
        if cfg.grid.item_for_role("mail_response_time") is None:
            raise _Unavailable("no_mail_response")
        answered = all_w["mail_answered"].notna() if "mail_answered" in all_w else False
        if not np.any(answered):  # no contact of this wave is a mail with a response time
            raise _Unavailable("no_mail_response")
        mail = _sort(stats.response_summary(all_w, horizons=SURV_HORIZONS, alpha=ALPHA,
                                            min_n=min_n), "company", order)
        mail = suppress_small(mail, ["n"], [c for c in mail.columns
                                            if c.startswith(("median", "share"))], k)
        lr = (stats.logrank_shop_vs_competitors(all_w, shop=shop, min_n=min_n)
              if shop_comparable else pd.DataFrame(columns=["comparison", "competitor",
                                                            "n_shop", "n_comp", "p", "p_holm"]))
        km = stats.km_curves(all_w, alpha=ALPHA)
        km = km[km["company"].isin(mail.loc[~mail["suppressed"], "company"])]
        return mail, lr, km.reset_index(drop=True)

    tables["mail_response"], tables["logrank"], tables["km"] = col.run("mail", mail_fn, (
        pd.DataFrame(columns=["company", "n", "answered", "median_h", "share_24h",
                              "share_24h_ci_low", "share_24h_ci_high", "too_few",
                              "suppressed"]),
        pd.DataFrame(columns=["comparison", "competitor", "n_shop", "n_comp", "p", "p_holm"]),
        pd.DataFrame(columns=["company", "time", "surv", "ci_low", "ci_high"])))

    # --- calibration round and evaluator leniency (the same mixed-model fit as above)
    calibration, tables["calibration_agreement"], tables["leniency"] = col.run(
        "calibration", lambda: _calibration(study, wave, lmm, wt),
        (None, pd.DataFrame(columns=["score", "icc", "ci_low", "ci_high", "label", "alpha",
                                     "alpha_ci_low", "alpha_ci_high"]),
         pd.DataFrame(columns=["evaluator", "calib_n", "calib_mean_dev", "calib_ci_low",
                               "calib_ci_high", "field_n", "field_blup"])))
    tables["planning"] = col.run("planning", lambda: _planning(wt), pd.DataFrame(columns=[
        "target_change", "n_per_company", "sd_pooled", "current_median_n",
        "mdc_at_current_n"]))

    # --- across waves (trend report and the first screen)
    _trend_tables(study, wave, k, col, tables)

    # --- ranking with ties, and what to train next (first screen)
    tables["ranking"] = col.run("ranking", lambda: _ranking(companies, gh, min_n),
                                pd.DataFrame(columns=["company", "rank_best", "rank_worst",
                                                      "of", "tied_with"]))
    tables["train_next"] = col.run("train_next", lambda: _train_next(study, wave),
                                   pd.DataFrame(columns=["kind", "id"]))

    # --- data quality of the wave (from the data, not from folder names)
    counts = wave_counts(study, wave, all_w)
    _quality_tables(study, wave, tables)

    primary = getattr(study.config.settings, "primary_endpoint", policy.PRIMARY)
    applied = policy.apply(shop, svm, training, tables, ALPHA, primary=primary)

    # --- can the net change be attributed to the training? (after the policy: the DiD check
    # judges the adjusted p and the claim the wording uses)
    attribution, tables["attribution_checks"] = col.run(
        "attribution", lambda: _attribution(study, wave, prev, training, min_n, k),
        (None, pd.DataFrame(columns=["check", "status", "estimate", "p", "reason"])))

    meta: dict[str, Any] = {
        "wave": wave, "previous_wave": prev, "shop": shop,
        "names": names, "roles": roles,
        "company_order": [c.id for c in cfg.companies],
        "dimension_order": list(cfg.grid.dimensions),
        "item_higher_is_better": {i.id: i.direction == "higher_is_better"
                                  for i in cfg.grid.items_for_wave(wave)},
        "settings": {"k_anonymity": k, "min_n": min_n, "alpha": ALPHA},
        "k": k, "min_n": min_n, "alpha": ALPHA,
        "shop_n": shop_n, "shop_comparable": shop_comparable,
        "counts": counts, "shop_vs_market": svm, "welch_anova": anova, "design": design,
        "evaluator_variance": ev_var, "comparability": comparability, "training": training,
        "attribution": attribution, "calibration": calibration, "policy": policy.describe(primary) | applied,
        "basis": {"wave": "full_grid", "change": "comparable_core of previous and this wave",
                  "training": "comparable_core of the two waves (balanced panel)",
                  "attribution": "comparable_core of all waves up to this one (pre-trend, "
                                 "placebos, regression to the mean, logit scale); the DiD "
                                 "check judges the reported DiD and its adjusted p",
                  "trend": "comparable_core of all waves up to this one",
                  "event_study": "comparable_core of all waves up to this one"},
        "unavailable": col.unavailable,
        "provenance": _provenance(study, wave),
    }
    res = WaveResults(meta=jsonable(meta), tables=tables)
    return from_json_dict(res.to_json_dict())  # exactly what a reader of results.json gets


def headline_verdicts(study: Study, wave: str) -> dict[str, Any]:
    """The three headline tests of ``wave`` and the policy's verdict on them — exactly what
    the wave report of ``wave`` claims — without the rest of :func:`compute_wave`.

    The trend report uses it for every earlier wave with a training, so that its list of
    trainings repeats each wave's own verdict (:func:`benchlib.results.policy.apply` on the
    shop vs the market, the shop's change and the training's net change of that wave).
    Returns ``{"wave", "previous_wave", "training", "policy"}``; ``training`` is the
    wave's ``meta["training"]`` (None when the wave has no training or it cannot be
    estimated, ``training_reason`` then says why).

    >>> import benchlib
    >>> v = headline_verdicts(benchlib.load_study(), "2025-10")
    >>> v["previous_wave"], v["training"]["claim"]
    ('2025-07', True)
    """
    wave = study.config.wave(wave).id
    # the same inputs give the same verdicts: computed once (each later wave's trend history
    # asks for every earlier wave's)
    return memo.remembered("headline_verdicts", study, wave,
                           lambda: _headline_verdicts(study, wave))


def _headline_verdicts(study: Study, wave: str) -> dict[str, Any]:
    cfg = study.config
    prev = study.previous_wave(wave)
    k, min_n, shop = effective_k(study), _min_n(study), study.shop
    order = {c.id: i for i, c in enumerate(cfg.companies)}
    roles = {c.id: c.role for c in cfg.companies}
    names = {c.id: c.name for c in cfg.companies}
    w = study.wave_contacts(wave)
    companies = _describe(w, k, min_n, roles, names)
    shop_row = companies[companies["company"] == shop]
    shop_comparable = len(shop_row) > 0 and int(shop_row["n"].iloc[0]) >= min_n
    n_tested = int((~companies["too_few"].astype(bool)).sum()) if len(companies) else 0
    col = _Collector()
    data = w[w["company"].isin(companies["company"])]  # as compute_wave tests it
    svm = (col.run("shop_vs_competitors", lambda: _shop_vs_market(data, shop, min_n), None)
           if shop_comparable and n_tested >= 2 else None)
    change = pd.DataFrame(columns=["company", "p", "tested"])
    if prev is not None:
        core_c, _core = study.comparable([prev, wave])
        change = col.run("change", lambda: _change(core_c, wave, prev, k, min_n, order), change)
    training, _ = col.run("training", lambda: _training(study, wave, prev, min_n, k,
                                                        shop_comparable, by_dimension=False),
                          (None, None))
    return _verdicts(cfg, shop, wave, prev, svm, change, training, col)


_VERDICT_SECTIONS = ("shop_vs_competitors", "change", "training")


def _verdicts(cfg, shop: str, wave: str, prev: str | None, svm: dict | None,
              change: pd.DataFrame, training: dict | None, col: _Collector) -> dict[str, Any]:
    """The policy's verdict on the three headline tests (the last step of
    :func:`headline_verdicts`, shared with :func:`compute_wave`, which has the same three)."""
    empty = {"shop_vs_competitors": pd.DataFrame(columns=["p", "tested"]),
             "dimension_change": pd.DataFrame(columns=["p", "tested"]),
             "training_by_dimension": pd.DataFrame(columns=["dimension", "p", "tested"]),
             "event_study": pd.DataFrame(columns=["p", "reference"])}
    primary = getattr(cfg.settings, "primary_endpoint", policy.PRIMARY)
    applied = policy.apply(shop, svm, training, {"change": change, **empty}, ALPHA,
                           primary=primary)
    reason = col.unavailable.get("training", {}).get("reason")
    return jsonable({"wave": wave, "previous_wave": prev, "training": training,
                     "training_reason": reason, "policy": applied})


# --------------------------------------------------------------------------- sections


def _shop_vs_market(data: pd.DataFrame, shop: str, min_n: int) -> dict[str, Any]:
    """The primary endpoint: the shop vs the pooled competitors of the wave, by the design
    (:func:`benchlib.stats.shop_vs_market`, ``method="auto"``: CR2-BM when evaluators are
    nested in companies, the evaluator mixed model when crossed, Welch without codes)."""
    svm = stats.shop_vs_market(data, shop=shop, alpha=ALPHA, min_n=min_n,
                               method="auto").iloc[0].to_dict()
    svm = {c: svm[c] for c in ("n_shop", "n_comp", "mean_shop", "mean_comp", "diff", "se",
                               "ci_low", "ci_high", "t", "df", "p", "tested", "method")}
    svm["family"] = "shop_vs_market"  # the primary endpoint (p_adj, claim: policy)
    return svm


def _sort(df: pd.DataFrame, col: str, order: dict[str, int]) -> pd.DataFrame:
    if df.empty:
        return df.reset_index(drop=True)
    return df.sort_values(col, key=lambda s: s.map(order).fillna(len(order)),
                          kind="stable").reset_index(drop=True)


def _describe(w: pd.DataFrame, k: int, min_n: int, roles: dict, names: dict) -> pd.DataFrame:
    if w.empty:
        return pd.DataFrame(columns=["company", "name", "role", "n", "mean", "sd", "ci_low", "ci_high",
                                     "too_few", "suppressed"])
    out = stats.describe_scores(w, by="company", min_n=min_n, alpha=ALPHA)
    out.insert(1, "name", out["company"].map(names))
    out.insert(2, "role", out["company"].map(roles))
    return suppress_small(out, ["n"], ["mean", "sd", "se", "ci_low", "ci_high"], k)


def _design(w: pd.DataFrame, shop: str, k: int,
            order: dict[str, int]) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """Design diagnostics of the wave's scored contacts (:func:`stats.design_diagnostics`).

    The assignment tables pass the one small-cell rule: a cell is a group size (it stays,
    :mod:`benchlib.results.suppression`), flagged ``suppressed`` below ``k``.
    """
    dd = stats.design_diagnostics(w, shop=shop)
    by_company = suppress_small(_sort(dd.by_company, "company", order), ["n"], [], k)
    by_company = by_company.sort_values(["evaluator"], kind="stable").reset_index(drop=True)
    by_scenario = suppress_small(dd.by_scenario.sort_values(["evaluator", "scenario"])
                                 .reset_index(drop=True), ["n"], [], k)
    epc = dd.evaluators_per_company.set_index("company")["n_evaluators"]
    return (dd.to_dict() | {"nested_purity": NESTED_PURITY,
                            "evaluators_per_company": {c: int(v) for c, v in epc.items()}},
            by_company, by_scenario)


def _competitors(data: pd.DataFrame, shop: str, min_n: int, method: str) -> pd.DataFrame:
    """Shop vs each competitor, with the method the design calls for.

    The Welch table (:func:`stats.shop_vs_competitors`) gives n, means and Hedges' g for
    every competitor. When the primary comparison is ``CR2-BM`` (evaluators nested in
    companies) its difference, CI, t, df, p and Holm p are replaced by
    :func:`stats.clustered_comparison` (OLS, evaluator-clustered CR2 errors, Bell–McCaffrey
    df); a pair rated by a single evaluator on a side is then not tested
    (``few_evaluators``). Otherwise (evaluators crossed with companies, or no evaluator
    codes) it stays Welch + Holm: in the crossed design that family holds the nominal
    familywise rate in the simulations (5.3 % / 4.8 %), the evaluator mixed model with its
    z reference does not (7.6 % / 6.4 %; tests/stats/test_sim_fieldwork.py,
    docs/methodology.md, "Clustering").
    """
    welch = stats.shop_vs_competitors(data, shop=shop, alpha=ALPHA, min_n=min_n)
    welch["method"] = "welch"
    welch["few_evaluators"] = False
    if method != "CR2-BM":
        return welch
    cols = ["diff", "se", "ci_low", "ci_high", "t", "df", "p", "p_holm"]
    inf = stats.clustered_comparison(data, shop=shop, alpha=ALPHA, min_n=min_n).set_index(
        "competitor")
    out = welch.copy()
    idx = out["competitor"]
    ok = (out["tested"].astype(bool).to_numpy()
          & idx.map(inf["tested"]).fillna(False).to_numpy(bool))
    for c in cols:
        out[c] = np.where(ok, idx.map(inf[c]).to_numpy(float), np.nan)
    out["few_evaluators"] = out["tested"].astype(bool) & ~ok
    out["tested"] = ok
    out["method"] = method
    out["n_evaluators_shop"] = idx.map(inf["n_evaluators_shop"]).to_numpy()
    out["n_evaluators_comp"] = idx.map(inf["n_evaluators_comp"]).to_numpy()
    return out


def _items(study: Study, wave: str, shop: str, k: int, min_n: int, order: dict,
           shop_comparable: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    it = study.items
    it = it[(it["wave"] == wave) & (it["scale"] == "yes_no")]
    it = it[it["contact_id"].isin(set(study.wave_contacts(wave)["contact_id"]))]
    if it.empty:
        raise _Unavailable("no_yes_no_items")
    props = stats.item_proportions(it, by=["item", "company"], alpha=ALPHA, min_n=min_n)
    if shop_comparable and it["company"].nunique() > 1:
        comps = stats.compare_proportions(it, shop=shop, by=[], alpha=ALPHA, min_n=min_n)
        comps = suppress_small(comps, ["n_shop", "n_comp"], [
            "share_shop", "share_comp", "diff", "ci_low", "ci_high", "statistic", "p",
            "p_fdr"], k)
    else:
        comps = pd.DataFrame(columns=["item", "competitor", "n_shop", "n_comp", "diff", "p",
                                      "p_fdr", "tested", "suppressed"])
    p_fdr = comps.set_index(["item", "competitor"])["p_fdr"] if len(comps) else pd.Series(
        dtype=float)
    props["p_fdr"] = [p_fdr.get((i, c), np.nan) for i, c in zip(props["item"], props["company"],
                                                                strict=True)]
    props = suppress_small(props, ["n"], ["successes", "share", "ci_low", "ci_high"], k)
    item_order = {i: n for n, i in enumerate(dict.fromkeys(x.id for x in study.config.grid.items))}
    props = props.sort_values(["item", "company"], key=lambda s: s.map(
        item_order if s.name == "item" else order)).reset_index(drop=True)
    if len(comps):
        comps = comps.sort_values(["item", "competitor"], key=lambda s: s.map(
            item_order if s.name == "item" else order)).reset_index(drop=True)
    return props, comps


def _change(core_c: pd.DataFrame, wave: str, prev: str, k: int, min_n: int,
            order: dict) -> pd.DataFrame:
    change = stats.change_vs_previous(core_c[core_c["scored"]], wave, prev, min_n=min_n,
                                      alpha=ALPHA)
    full = stats.change_vs_previous(core_c[core_c["full_scored"]], wave, prev,
                                    dv="full_total", min_n=min_n, alpha=ALPHA)
    change["diff_full"] = change["company"].map(full.set_index("company")["diff"])
    return suppress_small(_sort(change, "company", order), ["n_prev", "n_cur"], [
        "mean_prev", "mean_cur", "diff", "ci_low", "ci_high", "t", "df", "p", "diff_full"], k)


def _dimension_change(core_c: pd.DataFrame, cfg, wave: str, prev: str, shop: str, k: int,
                      min_n: int, shop_comparable: bool) -> pd.DataFrame:
    """The shop's change per dimension (comparable core), Holm over the dimensions tested."""
    if not shop_comparable:
        raise _Unavailable("shop_too_small")
    d = core_c[core_c["scored"] & (core_c["company"] == shop)]
    rows = []
    for dim in cfg.grid.dimensions:
        col = f"dim_{dim}"
        if col not in d or d.loc[d["wave"] == wave, col].notna().sum() == 0 \
                or d.loc[d["wave"] == prev, col].notna().sum() == 0:
            continue
        r = stats.change_vs_previous(d, wave, prev, dv=col, min_n=min_n, alpha=ALPHA)
        rows.append({"dimension": dim} | r.iloc[0].drop("company").to_dict())
    out = pd.DataFrame(rows, columns=["dimension", "n_prev", "n_cur", "mean_prev", "mean_cur",
                                      "diff", "ci_low", "ci_high", "t", "df", "p", "tested"])
    return suppress_small(out, ["n_prev", "n_cur"], ["mean_prev", "mean_cur", "diff", "ci_low",
                                                     "ci_high", "t", "df", "p"], k)


def training_label(study: Study, wave: str) -> list[dict[str, Any]] | None:
    """The trainings held before ``wave`` as ``{"date", "topics"}`` (topic ids); None if none."""
    tr = study.config.wave(wave).trainings_before
    if not tr:
        return None
    return [{"date": x.date.isoformat(), "topics": list(x.topics)} for x in tr]


def _training(study: Study, wave: str, prev: str | None, min_n: int, k: int,
              shop_comparable: bool, by_dimension: bool = True):
    trainings = training_label(study, wave)
    if prev is None:
        raise _Unavailable("first_wave")
    if trainings is None:
        raise _Unavailable("no_training")
    if not shop_comparable:
        raise _Unavailable("shop_too_small")
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
    if not by_dimension:
        by_dim = None
    else:
        by_dim = stats.training_effect_by_dimension(data, prev, wave,
                                                    dims=study.config.grid.dimensions,
                                                    shop=study.shop, alpha=ALPHA,
                                                    min_n=min_n)
    if min(cells) < k and by_dim is not None:
        by_dim[["naive_change", "market_change", "estimate", "se", "ci_low", "ci_high",
                "p"]] = np.nan
    addresses = [a for x in study.config.wave(wave).trainings_before
                 for a in getattr(x, "addresses", ())]
    return ({"trainings": trainings, "before": prev, "after": wave, "addresses": addresses}
            | d), by_dim


def _attribution(study: Study, wave: str, prev: str | None, training: dict | None,
                 min_n: int, k: int) -> tuple[dict[str, Any], pd.DataFrame]:
    """:func:`stats.attribution` for the training before ``wave``: may its net change be
    called "consistent with a training effect"? The DiD check judges the reported DiD (its
    policy-adjusted p and claim); pre-trend, placebos, regression to the mean and the logit
    scale use every wave up to ``wave`` on their comparable core."""
    from benchlib.trend import waves_up_to

    if training is None:
        raise _Unavailable("no_training" if prev is not None else "first_wave")
    cells = [training[c] for c in ("n_shop_before", "n_shop_after", "n_comp_before",
                                   "n_comp_after")]
    if min(cells) < k:  # the DiD itself is withheld: nothing to attribute
        raise _Unavailable("not_estimable")
    cfg = study.config
    waves = waves_up_to(cfg, wave)
    core_c, _ = study.comparable(waves)
    trained = [w.id for w in cfg.waves if w.trainings_before and w.id in waves]
    a = stats.attribution(core_c[core_c["scored"]], prev, wave, shop=study.shop, alpha=ALPHA,
                    min_n=min_n, trained_waves=trained,
                    did={"estimate": training["estimate"], "p": training["p_adj"],
                         "tested": training["tested"], "claim": training["claim"]})
    d = a.to_dict()
    return ({k_: d[k_] for k_ in ("verdict", "consistent", "reasons", "before", "after")},
            a.checks)


def _planning(wt: pd.DataFrame) -> pd.DataFrame:
    if wt.empty or wt["company"].nunique() < 2:
        raise _Unavailable("too_few_companies")
    return stats.plan_next_wave(wt, changes=PLAN_CHANGES, alpha=ALPHA)


def _calibration(study: Study, wave: str, lmm, wt: pd.DataFrame):
    from benchlib import workshop

    cal = workshop.calibration_for_wave(study, wave)
    summary = None
    agree = pd.DataFrame(columns=["score", "icc", "ci_low", "ci_high", "label", "alpha",
                                  "alpha_ci_low", "alpha_ci_high"])
    if len(cal):
        s = stats.calibration_summary(cal)
        summary = {"icc2_1": s.icc2_1, "icc2_1_ci_low": s.icc2_1_ci[0],
                   "icc2_1_ci_high": s.icc2_1_ci[1], "icc2_k": s.icc2_k,
                   "icc2_k_ci_low": s.icc2_k_ci[0], "icc2_k_ci_high": s.icc2_k_ci[1],
                   "label": s.label, "alpha": s.alpha_interval, "alpha_ci_low": s.alpha_ci[0],
                   "alpha_ci_high": s.alpha_ci[1], "n_recordings": s.n_recordings,
                   "n_evaluators": s.n_evaluators}
        agree = workshop.agreement_by_score(cal)
    if lmm is None and not len(cal):
        raise _Unavailable("no_calibration")
    side = (workshop.leniency_side_by_side(study, wave, fit=lmm) if lmm is not None
            else pd.DataFrame(columns=["evaluator", "calib_n", "calib_mean_dev",
                                       "calib_ci_low", "calib_ci_high", "field_n",
                                       "field_blup"]))
    return summary, agree, side


def _ranking(companies: pd.DataFrame, gh: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """The companies ranked with ties where the Games–Howell simultaneous intervals do not
    separate them (:func:`benchlib.ranking.rank_from_pairs`, on the pairs computed above)."""
    from benchlib.ranking import rank_from_pairs

    if len(companies) < 2 or gh.empty:
        raise _Unavailable("too_few_companies")
    return rank_from_pairs(companies, gh, min_n=min_n, basis="games_howell")


def _train_next(study: Study, wave: str) -> pd.DataFrame:
    """The three things to train next (:func:`benchlib.focus.train_next`), as ``kind, id``
    plus the gap to the best competitor."""
    from benchlib.focus import train_next

    nxt = train_next(study, wave)
    return nxt.assign(kind="item", id=nxt["item"])[["kind", "id", *nxt.columns]]


def _trend_tables(study: Study, wave: str, k: int, col: _Collector,
                  tables: dict[str, pd.DataFrame]) -> None:
    from benchlib import trend

    cfg = study.config
    tables["trend"] = trend.trend_table(study, wave, k=k)
    tables["market_trend"] = col.run("market_trend", lambda: trend.market_trend(study, wave,
                                                                                k=k),
                                     pd.DataFrame(columns=["wave", "x", "group", "n", "mean",
                                                           "ci_low", "ci_high"]))
    marks = trend.training_marks(cfg, wave)
    tables["trainings"] = marks.assign(date=marks["date"].map(lambda d: d.isoformat()))
    es = col.run("event_study", lambda: trend.event_study_table(study, wave),
                 pd.DataFrame(columns=["wave", "x", "estimate", "ci_low", "ci_high", "p",
                                       "reference", "n", "training_before"]))
    tables["event_study"] = es
    tables["items_moved"] = col.run("items_moved", lambda: trend.items_that_moved(
        study, wave, k=k), pd.DataFrame(columns=["item", "wave", "previous", "diff", "p",
                                                 "p_fdr", "tested", "grid_changed", "moved"]))
    # the trend summary's facts: each training's net change with its wave's verdict, and
    # the steps from wave to wave (market-wide moves, and whether the shop moved with them)
    history = col.run("training_history", lambda: trend.training_history(study, wave),
                      pd.DataFrame(columns=trend.TRAINING_HISTORY_COLUMNS))
    tables["training_history"] = history
    steps = col.run("wave_steps", lambda: trend.wave_steps(study, wave, k=k),
                    pd.DataFrame(columns=trend.WAVE_STEP_COLUMNS))
    tables["wave_steps"] = policy.apply_steps(steps, history, ALPHA)
    tables["grid_changes"] = trend.grid_changes(cfg, wave).drop(
        columns=["label_de", "label_en"], errors="ignore")
    tables["panel_changes"] = trend.panel_changes(cfg, trend.waves_up_to(cfg, wave))


def _quality_tables(study: Study, wave: str, tables: dict[str, pd.DataFrame]) -> None:
    from benchlib import quality

    tables["file_fate"] = quality.file_fate(study, wave)
    tables["quarantine_reasons"] = quality.quarantine_reasons(study, wave)
    tables["quarantine_rows"] = quality.quarantine_summary(study, wave)
    tables["duplicates"] = quality.duplicates_summary(study, wave)
    tables["contact_counts"] = quality.contact_counts(study, wave)
    tables["outcome_counts"] = quality.outcome_counts(study, wave)
    tables["item_coverage"] = quality.item_coverage(study, wave)


def wave_counts(study: Study, wave: str, all_w: pd.DataFrame | None = None) -> dict[str, int]:
    """Raw rows, contacts, scored, quarantined and dropped duplicates of ``wave``.

    The wave's rows are counted from the data (:func:`benchlib.quality.file_fate`), so any
    folder layout works.
    """
    from benchlib.quality import file_fate

    if all_w is None:
        all_w = study.wave_contacts(wave, scored_only=False)
    rec = file_fate(study, wave, kind="contacts")
    return {"raw_rows": int(rec["rows_read"].sum()), "contacts": len(all_w),
            "scored": int(all_w["scored"].sum()), "quarantined": int(rec["quarantined"].sum()),
            "duplicates_dropped": int(rec["duplicates_dropped"].sum())}


def _comparability(study: Study, core, prev: str, wave: str) -> dict[str, Any]:
    """What a cross-wave comparison of ``prev`` → ``wave`` is computed on (for footnotes)."""
    from benchlib.trend import panel_changes

    present = {w: {c.id for c in study.config.companies if c.active_in(w)} for w in (prev, wave)}
    balanced = sorted((present[prev] & present[wave]) - {study.shop})
    return {"waves": [prev, wave], "score": "full_grid" if core.is_full_grid else "core",
            "core_items": len(core.items),
            "excluded_items": core.excluded.to_dict("records"),
            "mapped_items": list(core.mapped), "panel": "balanced",
            "panel_competitors": balanced,
            "panel_changes": panel_changes(study.config, [prev, wave]).to_dict("records")}


def _provenance(study: Study, wave: str) -> dict[str, Any]:
    from benchlib.report import provenance

    return provenance(study, {"wave": wave})
