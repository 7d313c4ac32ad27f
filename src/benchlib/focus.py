"""What to train next: the shop against the best competitor per item, and the training plan.

The workshop's focus comes from the study, never from a constant:

- **from the data** (:func:`shop_vs_best`): every grid item of the wave, the shop against the
  competitor with the best result on that item, as a difference with a 95 % CI;
  :func:`train_next` picks the items where the shop trails most, :func:`strengths` the ones
  where it leads;
- **from the training plan** (:func:`last_training`, :func:`addressed_items`): the dimensions
  and items the last training before the wave addressed (``addresses`` in
  ``config/waves.yaml``), so the workshop can follow up on them.

Results are on a 0–100 scale: yes/no items as the share of contacts meeting the criterion
(Wilson interval; a difference by Newcombe's interval and a chi-square or Fisher test), other
items as mean item points × 100 (the scoring's 0–1 points; t interval; a difference by Welch).
Only answered items count. Small cells follow the study's rules: a company with fewer than
``settings.min_n`` answered contacts on an item is not compared (and cannot be the best
competitor); a figure over fewer than ``settings.k_anonymity`` contacts is withheld by the one
suppression rule (:func:`benchlib.results.suppress_small`).

The best competitor is chosen after looking at the data, and a wave has many items: the
differences are exploratory. ``p_fdr`` controls the false-discovery rate over the items of
the wave (Benjamini–Hochberg, the project's rule for items) and ``supported`` says where the
gap holds after it; the selection itself is by size of the gap.

>>> import benchlib
>>> study = benchlib.load_study()
>>> nxt = train_next(study, "2026-10")
>>> len(nxt) <= 3 and bool((nxt["diff"] < 0).all())
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from benchlib.config import StudyConfig, Training
from benchlib.stats import bh, describe_scores, item_proportions, two_proportions
from benchlib.stats._common import DEFAULT_ALPHA, welch

__all__ = ["GAP_COLUMNS", "addressed_items", "cell_min_n", "item_results", "last_training", "shop_vs_best",
           "strengths", "train_next", "weakest_cells"]

RESULT_COLUMNS = ["item", "dimension", "scale", "company", "role", "n", "value", "ci_low",
                  "ci_high", "method", "too_few", "suppressed"]
GAP_COLUMNS = ["item", "dimension", "method", "n_shop", "shop", "shop_ci_low", "shop_ci_high",
               "best", "n_best", "best_value", "best_ci_low", "best_ci_high", "diff",
               "diff_ci_low", "diff_ci_high", "p", "p_fdr", "supported", "addressed",
               "suppressed"]
"""Columns of :func:`shop_vs_best` (``best`` is a company id; labels are the display's job)."""


def _thresholds(study, k: int | None, min_n: int | None) -> tuple[int, int]:
    from benchlib.results import effective_k  # results uses this module: import at call time

    return (effective_k(study) if k is None else k,
            study.config.settings.min_n if min_n is None else min_n)


# --------------------------------------------------------------------------- training plan


def last_training(config: StudyConfig, wave: str) -> Training | None:
    """The latest training held before ``wave`` (in its own or an earlier wave's
    ``trainings_before``), or None when the study has had no training yet.

    >>> from benchlib.config import load_config
    >>> cfg = load_config()
    >>> last_training(cfg, cfg.wave_ids[-1]).date < cfg.wave(cfg.wave_ids[-1]).start
    True
    >>> last_training(cfg, cfg.wave_ids[0]) is None  # the example's first wave had none
    True
    """
    config.wave(wave)
    held = [t for w in config.waves if w.id <= wave for t in w.trainings_before]
    return max(held, key=lambda t: t.date) if held else None


def addressed_items(config: StudyConfig, wave: str,
                    training: Training | None = None) -> list[str]:
    """Ids of the items valid in ``wave`` that ``training`` (default: :func:`last_training`)
    addresses — by item id or through its dimension — in grid order.

    >>> from benchlib.config import load_config
    >>> cfg = load_config()
    >>> wave = cfg.wave_ids[-1]
    >>> targets = last_training(cfg, wave).addresses
    >>> items = {i.id: i for i in cfg.grid.items_for_wave(wave)}
    >>> all(i in targets or items[i].dimension in targets for i in addressed_items(cfg, wave))
    True
    """
    training = last_training(config, wave) if training is None else training
    if training is None:
        return []
    targets = set(training.addresses)
    return list(dict.fromkeys(i.id for i in config.grid.items_for_wave(wave)
                              if i.id in targets or i.dimension in targets))


# --------------------------------------------------------------------------- per item


def _answered(study, wave: str, items: Sequence[str] | None) -> pd.DataFrame:
    study.config.wave(wave)
    valid = [i.id for i in study.config.grid.items_for_wave(wave)]
    keep = valid if items is None else [i for i in valid if i in set(items)]
    it = study.items
    it = it[(it["wave"] == wave) & it["item"].isin(keep) & (it["status"] == "answered")
            & it["points"].notna()]
    return it.astype({c: str for c in ("item", "company", "scenario", "scale")})


def item_results(study, wave: str, items: Sequence[str] | None = None, k: int | None = None,
                 min_n: int | None = None) -> pd.DataFrame:
    """Per item and company in ``wave``: result (0–100) with a 95 % CI.

    ``items`` restricts to these ids (default: every item valid in the wave). Groups with
    fewer than ``min_n`` answered contacts (default ``settings.min_n``) are ``too_few``; below
    ``k`` (default ``settings.k_anonymity``) value and CI are withheld (``suppressed``).

    Returns
    -------
    DataFrame
        ``item, dimension, scale, company, role, n, value, ci_low, ci_high, method ("share" |
        "mean_points"), too_few, suppressed``; grid order, the shop first within an item.
    """
    from benchlib.results import suppress_small

    k, min_n = _thresholds(study, k, min_n)
    it = _answered(study, wave, items)
    parts = []
    yn = it[it["scale"] == "yes_no"]
    if len(yn):
        p = item_proportions(yn, by=["item", "company"], value="points", min_n=min_n)
        parts.append(p.rename(columns={"share": "value"}).assign(method="share"))
    other = it[it["scale"] != "yes_no"]
    if len(other):
        d = describe_scores(other, dv="points", by=["item", "company"], min_n=min_n)
        parts.append(d.rename(columns={"mean": "value"}).assign(method="mean_points"))
    if not parts:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    keep = ["item", "company", "n", "value", "ci_low", "ci_high", "too_few", "method"]
    out = pd.concat([p[keep] for p in parts], ignore_index=True)
    out[["value", "ci_low", "ci_high"]] = out[["value", "ci_low", "ci_high"]] * 100
    defs = {i.id: i for i in study.config.grid.items_for_wave(wave)}
    out["dimension"] = out["item"].map(lambda i: defs[i].dimension)
    out["scale"] = out["item"].map(lambda i: defs[i].scale)
    roles = {c.id: c.role for c in study.config.companies}
    out["role"] = out["company"].map(roles)
    out["n"] = out["n"].astype(int)
    out = suppress_small(out, ["n"], ["value", "ci_low", "ci_high"], k)
    order = {i: n for n, i in enumerate(defs)}
    out = out.assign(_i=out["item"].map(order), _s=out["role"] != "shop")
    out = out.sort_values(["_i", "_s", "company"])
    return out[RESULT_COLUMNS].reset_index(drop=True)


def _diff(points: dict[tuple[str, str], np.ndarray], item: str, shop: str, best: str,
          method: str) -> dict[str, float]:
    """Shop − best competitor on one item (0–100 scale): CI and p; ``points`` by
    (item, company)."""
    x, y = points[item, shop], points[item, best]
    if method == "share":
        r = two_proportions(int(x.sum()), len(x), int(y.sum()), len(y))
        lo, hi, p = r["ci_low"], r["ci_high"], r["p"]
    elif np.var(x) == 0 and np.var(y) == 0:  # Welch is undefined without variation
        lo = hi = float(x.mean() - y.mean())
        p = 1.0 if lo == 0 else 0.0
    else:
        r = welch(x, y)
        lo, hi, p = r["ci_low"], r["ci_high"], r["p"]
    return {"diff_ci_low": 100 * lo, "diff_ci_high": 100 * hi, "p": p}


def shop_vs_best(study, wave: str, items: Sequence[str] | None = None, k: int | None = None,
                 min_n: int | None = None, alpha: float = DEFAULT_ALPHA) -> pd.DataFrame:
    """Per item: the shop against the best competitor on that item, difference with 95 % CI.

    The best competitor is the competitor with the highest result among those with at least
    ``min_n`` answered contacts (ties: the first company id). Items where the shop has fewer
    than ``min_n`` answered contacts, or no competitor has enough, are left out. ``diff`` =
    shop − best (negative: the shop trails); ``p_fdr`` is Benjamini–Hochberg over the items
    returned, ``supported`` = ``p_fdr < alpha``; ``addressed`` marks the items the last
    training addressed. Values over fewer than ``k`` contacts are withheld (``suppressed``).

    Returns
    -------
    DataFrame
        :data:`GAP_COLUMNS`, in grid order.
    """
    from benchlib.results import suppress_small

    k, min_n = _thresholds(study, k, min_n)
    res = item_results(study, wave, items, k=k, min_n=min_n)
    it = _answered(study, wave, items)
    points = {key: g.to_numpy(float)
              for key, g in it.groupby(["item", "company"], sort=False)["points"]}
    addressed = set(addressed_items(study.config, wave))
    shop_id = study.config.shop.id
    ok = res[~res["too_few"].astype(bool)]  # bool also when empty (else a column list)
    shops = ok[ok["company"] == shop_id].drop_duplicates("item").set_index("item")
    # per item the competitor with the highest value (ties: the first id; withheld last)
    bests = (ok[ok["role"] == "competitor"]
             .sort_values(["value", "company"], ascending=[False, True], kind="stable")
             .drop_duplicates("item").set_index("item"))
    shop_rows, best_rows = shops.to_dict("index"), bests.to_dict("index")
    rows = []
    for item in dict.fromkeys(res["item"]):  # grid order
        if item not in shop_rows or item not in best_rows:
            continue
        s, b = shop_rows[item], best_rows[item]
        rows.append({"item": item, "dimension": s["dimension"], "method": s["method"],
                     "n_shop": int(s["n"]), "shop": s["value"], "shop_ci_low": s["ci_low"],
                     "shop_ci_high": s["ci_high"], "best": b["company"], "n_best": int(b["n"]),
                     "best_value": b["value"], "best_ci_low": b["ci_low"],
                     "best_ci_high": b["ci_high"], "diff": s["value"] - b["value"],
                     **_diff(points, item, shop_id, b["company"], s["method"]),
                     "addressed": item in addressed,
                     "suppressed": bool(s["suppressed"] or b["suppressed"])})
    out = pd.DataFrame(rows, columns=[c for c in GAP_COLUMNS if c not in ("p_fdr", "supported")])
    out["p_fdr"] = bh(out["p"])
    out["supported"] = (out["p_fdr"] < alpha) & ~out["suppressed"]
    out = suppress_small(out, ["n_shop", "n_best"],
                         ["shop", "shop_ci_low", "shop_ci_high", "best_value", "best_ci_low",
                          "best_ci_high", "diff", "diff_ci_low", "diff_ci_high", "p", "p_fdr"], k)
    out["addressed"] = out["addressed"].astype(bool)
    return out[GAP_COLUMNS].reset_index(drop=True)


def train_next(study, wave: str, n: int = 3, gaps: pd.DataFrame | None = None,
               **kwargs) -> pd.DataFrame:
    """The ``n`` items to train next: where the shop trails the best competitor most.

    Rows of :func:`shop_vs_best` (``gaps``, computed when not given; ``kwargs`` go to it)
    with ``diff < 0`` and nothing withheld, ordered by the upper end of the difference's CI
    — the least the shop can be said to trail — so that a large but noisy gap from few
    contacts does not push out a firm one (ties: larger gap, then grid order). This is the
    wave report's "three things to train next": ``train_next(study, wave)``.

    Returns
    -------
    DataFrame
        :data:`GAP_COLUMNS`; at most ``n`` rows (none when the shop trails nowhere).
    """
    gaps = shop_vs_best(study, wave, **kwargs) if gaps is None else gaps
    behind = gaps[~gaps["suppressed"] & (gaps["diff"] < 0)]
    return behind.sort_values(["diff_ci_high", "diff"], kind="stable").head(n).reset_index(
        drop=True)


def strengths(study, wave: str, n: int = 3, gaps: pd.DataFrame | None = None,
              **kwargs) -> pd.DataFrame:
    """The ``n`` items where the shop leads even the best competitor.

    Rows of :func:`shop_vs_best` with ``diff > 0`` and nothing withheld, ordered by the
    lower end of the difference's CI (the least lead the data support; ties: larger lead,
    then grid order).

    Returns
    -------
    DataFrame
        :data:`GAP_COLUMNS`; at most ``n`` rows (none when the shop leads nowhere).
    """
    gaps = shop_vs_best(study, wave, **kwargs) if gaps is None else gaps
    ahead = gaps[~gaps["suppressed"] & (gaps["diff"] > 0)]
    return ahead.sort_values(["diff_ci_low", "diff"], ascending=False, kind="stable").head(
        n).reset_index(drop=True)


# --------------------------------------------------------------------------- role plays


def cell_min_n(study) -> int:
    """Fewest contacts of the shop in a scenario × item cell for :func:`weakest_cells` to
    choose it: ``settings.min_n``, and never below ``settings.k_anonymity``."""
    k, min_n = _thresholds(study, None, None)
    return max(k, min_n)


def weakest_cells(study, wave: str, items: Sequence[str] | None = None, n: int = 4,
                  k: int | None = None, min_n: int | None = None) -> pd.DataFrame:
    """The shop's weakest scenario × item cells in ``wave`` (prompts for role plays).

    Per scenario and item (of ``items``, default all): the shop's result (0–100) and the
    competitors' pooled result in the same cell. Cells where the shop has fewer than
    ``min_n`` answered contacts are not chosen; cells below ``k`` are never shown (the
    competitors' value is withheld when they have fewer than ``k``). Each item's weakest
    scenario, lowest shop result first (ties: larger gap to the competitors, then grid
    order), at most ``n`` cells — one situation per item, so the role plays differ.

    Returns
    -------
    DataFrame
        ``scenario, item, dimension, method, n, value, n_market, market, market_suppressed``.
    """
    from benchlib.results import suppress_small

    k, min_n = _thresholds(study, k, min_n)
    it = _answered(study, wave, items)
    cols = ["scenario", "item", "dimension", "method", "n", "value", "n_market", "market",
            "market_suppressed"]
    if it.empty:
        return pd.DataFrame(columns=cols)
    is_shop = it["company"] == study.config.shop.id
    g = it.assign(side=np.where(is_shop, "shop", "market")).groupby(
        ["scenario", "item", "side"], observed=True)["points"].agg(["size", "mean"]).unstack()
    g.columns = [f"{a}_{b}" for a, b in g.columns]
    g = g.reset_index()
    for c in ("size_shop", "size_market"):
        if c not in g:
            g[c] = 0
    g = g[g["size_shop"].fillna(0) >= max(min_n, k)]
    defs = {i.id: i for i in study.config.grid.items_for_wave(wave)}
    out = pd.DataFrame({
        "scenario": g["scenario"], "item": g["item"],
        "dimension": g["item"].map(lambda i: defs[i].dimension),
        "method": g["item"].map(lambda i: "share" if defs[i].scale == "yes_no"
                                else "mean_points"),
        "n": g["size_shop"].astype(int), "value": 100 * g["mean_shop"],
        "n_market": g["size_market"].fillna(0).astype(int),
        "market": 100 * g.get("mean_market", np.nan)})
    out = suppress_small(out, ["n_market"], ["market"], k).rename(
        columns={"suppressed": "market_suppressed"})
    scen = {s: i for i, s in enumerate(study.config.scenarios)}
    order = {i: j for j, i in enumerate(defs)}
    out = out.assign(_gap=out["value"] - out["market"].fillna(out["value"]),
                     _s=out["scenario"].map(scen), _i=out["item"].map(order))
    out = out.sort_values(["value", "_gap", "_i", "_s"])
    out = out.drop_duplicates("item", keep="first").head(n)  # one situation per item
    return out[cols].reset_index(drop=True)
