"""Which p a verdict uses: the multiplicity policy of :mod:`benchlib.stats.multiplicity`,
applied to every claim a report of the wave makes.

* **Primary endpoint** (one per wave, ``settings.primary_endpoint`` in study.yaml): by default
  the shop's total score vs the pooled market; or the shop's change vs the previous wave
  (``change``), or the last training's net change vs the market (``training``). Tested
  first, alone, at ``alpha`` — its adjusted p is its p.
* **Secondary families**, each Holm-adjusted within itself, and claimed only when the primary
  endpoint is significant (serial gatekeeping, the stats policy's default): the competitors
  (shop vs each competitor); the summary's other headline claims (of shop vs market, change
  and net change, the two that are not primary, one family); the
  dimensions of the change; the dimensions of the net change; the waves of the event study.
* **Items**: Benjamini–Hochberg (``p_fdr`` of the proportion tests), labelled exploratory.
* **Across waves** (the trend report's summary, :func:`apply_steps`): each training's net
  change keeps the verdict of the wave it preceded (that wave's policy, above); the
  market's change from one wave to the next is one Holm family over all steps shown
  (``market_moves``; a statement about the competitors, not gated by the shop's primary
  endpoint), and the shop's net change at a market-wide move without a training is
  another (``market_moves_shop``).

:func:`apply` builds the table of tests, runs :func:`benchlib.stats.apply_policy` once and
writes ``p_adj`` and ``claim`` back into the results' tables; the wording says "better",
"worse", "improved" only where ``claim`` is true.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FAMILIES", "PRIMARY", "apply", "apply_steps", "describe"]

PRIMARY = "shop_vs_market"
HEADLINES = ("shop_vs_market", "change", "training")  # the summary's three claims

FAMILIES: dict[str, str] = {
    "shop_vs_market": "primary",
    "shop_vs_competitors": "holm",
    "summary_cross_wave": "holm",
    "dimension_change": "holm",
    "training_by_dimension": "holm",
    "event_study": "holm",
    "items": "bh_exploratory",
    "market_moves": "holm",
    "market_moves_shop": "holm",
}
"""Family → adjustment (what ``meta["policy"]`` of every results.json records)."""


def _tests(table: pd.DataFrame, family: str, mask: Any = None) -> list[dict]:
    """One secondary test per row of ``table`` (where ``mask``); untested rows have no p."""
    if table is None or table.empty:
        return []
    rows = table if mask is None else table[mask]
    p = rows["p"].astype(float)
    if "tested" in rows:
        p = p.where(rows["tested"].astype(bool))
    return [{"family": family, "tier": "secondary", "p": v, "ref": (family, i)}
            for i, v in zip(rows.index, p, strict=True)]


def apply(shop: str, svm: dict | None, training: dict | None,
          tables: dict[str, pd.DataFrame], alpha: float,
          primary: str = PRIMARY) -> dict[str, Any]:
    """Adjust every claim of the wave; returns ``meta["policy"]`` (``summary_p``, ``claims``).

    Adds ``p_adj`` and ``claim`` to ``shop_vs_competitors``, ``dimension_change``,
    ``training_by_dimension`` (its dimensions; the total row is the summary's DiD) and
    ``event_study`` (in place), and to ``svm`` and ``training``.
    """
    from benchlib.stats import apply_policy

    if primary not in HEADLINES:
        raise ValueError(f"unknown primary endpoint {primary!r}; expected one of "
                         + ", ".join(HEADLINES))
    ch = tables["change"]
    shop_change = ch[(ch["company"] == shop)] if len(ch) else ch
    headline_p = {
        "shop_vs_market": np.nan if svm is None else svm["p"],
        "change": float(shop_change["p"].iloc[0]) if len(shop_change)
        and bool(shop_change["tested"].iloc[0]) else np.nan,
        "training": float(training["p"]) if training is not None and training.get("tested")
        else np.nan}
    refs = {"shop_vs_market": ("svm", 0), "change": ("change", 0), "training": ("training", 0)}
    rows = [{"family": primary, "tier": "primary", "p": headline_p[primary],
             "ref": refs[primary]}]
    rows += [{"family": "summary_cross_wave", "tier": "secondary", "p": headline_p[k],
              "ref": refs[k]} for k in HEADLINES if k != primary]
    rows += _tests(tables["shop_vs_competitors"], "shop_vs_competitors")
    rows += _tests(tables["dimension_change"], "dimension_change")
    td = tables["training_by_dimension"]
    rows += _tests(td, "training_by_dimension", td["dimension"] != "total" if len(td) else None)
    es = tables["event_study"]
    rows += _tests(es, "event_study", ~es["reference"].astype(bool) if len(es) else None)
    table = pd.DataFrame(rows)
    out = apply_policy(table, alpha=alpha)
    by_ref = {r["ref"]: (r["p_adj"], bool(r["claim"])) for r in out.to_dict("records")}
    for name in ("shop_vs_competitors", "dimension_change", "training_by_dimension",
                 "event_study"):
        df = tables[name]
        if df.empty:
            df["p_adj"], df["claim"] = pd.Series(dtype=float), pd.Series(dtype=bool)
            continue
        df["p_adj"] = [by_ref.get((name, i), (np.nan, False))[0] for i in df.index]
        df["claim"] = [by_ref.get((name, i), (np.nan, False))[1] for i in df.index]
    if len(td):  # the total row of the DiD table is the summary's net change
        tot = td["dimension"] == "total"
        td.loc[tot, "p_adj"] = by_ref[("training", 0)][0]
        td.loc[tot, "claim"] = by_ref[("training", 0)][1]
    if svm is not None:
        svm["p_adj"], svm["claim"] = by_ref[("svm", 0)]
    if training is not None:
        training["p_adj"], training["claim"] = by_ref[("training", 0)]
    return {"summary_p": {"shop_vs_market": by_ref[("svm", 0)][0],
                          "change": by_ref[("change", 0)][0],
                          "training": by_ref[("training", 0)][0]},
            "claims": {"shop_vs_market": by_ref[("svm", 0)][1],
                       "change": by_ref[("change", 0)][1],
                       "training": by_ref[("training", 0)][1]},
            "gate_open": bool(out["gate_open"].iloc[0])}


def describe(primary: str = PRIMARY) -> dict[str, object]:
    """The policy as recorded in results.json.

    >>> describe("change")["families"]["change"], describe("change")["families"]["shop_vs_market"]
    ('primary', 'holm')
    """
    families = {primary: "primary"} | {k: "holm" for k in HEADLINES if k != primary}
    families |= {k: v for k, v in FAMILIES.items() if k not in HEADLINES}
    return {"primary": primary, "families": families, "gatekeeping": True,
            "source": "benchlib.stats.apply_policy"}


def apply_steps(steps: pd.DataFrame, trainings: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """The verdicts on the steps from wave to wave (:func:`benchlib.trend.wave_steps`).

    Adds ``market_p_adj`` (Holm over every tested step), ``market_claim``,
    ``market_wide`` (the market's change is claimed *and* every competitor of the step
    moved in its direction), ``p_adj``/``claim`` of the shop's net change (from
    ``trainings`` — :func:`benchlib.trend.training_history`, each wave's own verdict — where
    a training preceded the step, else Holm over the market-wide steps without one) and
    ``shop_verdict`` at market-wide steps: ``"with_market"`` (no claimed difference from
    the market), ``"better"``/``"worse"`` than the market, ``"untested"``; ``""`` elsewhere.

    >>> s = pd.DataFrame({"wave": ["b", "c"], "market_p": [0.2, 0.001],
    ...                   "market_ci_low": [-1.0, -9.0], "market_ci_high": [3.0, -4.0],
    ...                   "market_change": [1.0, -6.5], "n_competitors": [3, 3],
    ...                   "n_competitors_down": [1, 3], "n_competitors_up": [2, 0],
    ...                   "estimate": [0.5, 0.4], "p": [0.8, 0.9], "tested": [True, True],
    ...                   "training_before": [False, False]})
    >>> apply_steps(s, pd.DataFrame(columns=["wave", "p_adj", "claim"]), 0.05)[
    ...     ["market_p_adj", "market_wide", "shop_verdict"]].values.tolist()
    [[0.2, False, ''], [0.002, True, 'with_market']]
    """
    from benchlib.stats._common import holm

    out = steps.copy()
    new = {"market_p_adj": np.nan, "market_claim": False, "market_wide": False,
           "p_adj": np.nan, "claim": False, "shop_verdict": ""}
    if out.empty:
        return out.assign(**{c: pd.Series(dtype=object) for c in new})
    out = out.assign(**new)
    num = {c: pd.to_numeric(out[c], errors="coerce") for c in (
        "market_p", "market_ci_low", "market_ci_high", "market_change", "n_competitors",
        "n_competitors_down", "n_competitors_up", "estimate", "p")}
    ok = num["market_p"].notna()
    if ok.any():
        out.loc[ok, "market_p_adj"] = holm(num["market_p"][ok].to_numpy(float))
    excludes_zero = (num["market_ci_low"] > 0) | (num["market_ci_high"] < 0)
    out["market_claim"] = (out["market_p_adj"] < alpha) & excludes_zero
    same = num["n_competitors_down"].where(num["market_change"] < 0, num["n_competitors_up"])
    out["market_wide"] = out["market_claim"] & (num["n_competitors"] > 0) & (
        same == num["n_competitors"])
    tested = out["tested"].fillna(False).astype(bool) & num["estimate"].notna()
    trained = out["training_before"].fillna(False).astype(bool)
    verdicts = {r["wave"]: (r["p_adj"], bool(r["claim"])) for r in trainings.to_dict("records")}
    for i in out.index[trained & out["wave"].isin(verdicts)]:
        out.loc[i, "p_adj"], out.loc[i, "claim"] = verdicts[out.loc[i, "wave"]]
    fam = out["market_wide"] & ~trained & tested & num["p"].notna()
    if fam.any():
        out.loc[fam, "p_adj"] = holm(num["p"][fam].to_numpy(float))
        out.loc[fam, "claim"] = out.loc[fam, "p_adj"] < alpha
    out["claim"] = out["claim"].astype(bool) & tested
    wide = out["market_wide"].astype(bool)
    out.loc[wide, "shop_verdict"] = np.select(
        [~tested[wide], out.loc[wide, "claim"] & (num["estimate"][wide] > 0),
         out.loc[wide, "claim"] & (num["estimate"][wide] < 0)],
        ["untested", "better", "worse"], "with_market")
    return out
