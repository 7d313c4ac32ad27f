"""Comparisons that stay honest when the rating grid changes between waves.

A cross-wave comparison (change vs previous wave, trend, difference-in-differences, event
study) is computed by default on the **comparable core**: the items defined identically in
every wave involved (same dimension, channels, scenarios, scale, direction, weight, knockout,
thresholds). An item whose scale changed stays in the core only where its newer definition
carries a documented ``core_mapping`` (value → points on the old scale); an item added,
dropped or re-weighted leaves the core. The core score uses the same formula as the full
score (coverage rule, knockouts) over core items only.

>>> from benchlib.config import load_config
>>> core = comparable_core(load_config(), ["2025-10", "2026-01"])
>>> "callback_offered" in core.items, core.mapped
(False, ('needs_questions',))
>>> core.excluded.to_dict("records")
[{'item': 'callback_offered', 'reason': 'not in every wave (added 2026-01)'}]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchlib.config import Item, StudyConfig
from benchlib.scoring import contact_scores, dimension_score, knocked_out


@dataclass(frozen=True)
class CoreItems:
    """The comparable core of a set of waves."""

    waves: tuple[str, ...]
    items: tuple[str, ...]
    mapped: tuple[str, ...]
    excluded: pd.DataFrame  # item, reason
    reference: dict[str, Item]  # item id -> the definition whose weight/dimension is used

    @property
    def is_full_grid(self) -> bool:
        """True when nothing was left out (the core equals the full grid)."""
        return self.excluded.empty and not self.mapped


def _definition(cfg: StudyConfig, item_id: str, wave: str) -> Item | None:
    return next((i for i in cfg.grid.items if i.id == item_id and i.valid_in(wave)), None)


def comparable_core(cfg: StudyConfig, waves: Sequence[str]) -> CoreItems:
    """Items that can be compared across ``waves`` (see module docstring)."""
    waves = tuple(sorted(waves))
    ids = list(dict.fromkeys(i.id for i in cfg.grid.items))
    keep, mapped, excluded, reference = [], [], [], {}
    for iid in ids:
        defs = [_definition(cfg, iid, w) for w in waves]
        if any(d is None for d in defs):
            have = [w for w, d in zip(waves, defs, strict=True) if d is not None]
            if not have:
                continue
            how = f"added {have[0]}" if have[0] != waves[0] else f"dropped after {have[-1]}"
            excluded.append((iid, f"not in every wave ({how})"))
            continue
        reason, used_mapping = _compare_versions(defs)
        if reason:
            excluded.append((iid, reason))
            continue
        keep.append(iid)
        reference[iid] = defs[0]
        if used_mapping:
            mapped.append(iid)
    return CoreItems(waves, tuple(keep), tuple(mapped),
                     pd.DataFrame(excluded, columns=["item", "reason"]), reference)


def _compare_versions(defs: list[Item]) -> tuple[str | None, bool]:
    used_mapping = False
    for old, new in zip(defs, defs[1:], strict=False):
        diff = [] if new is old else old.scoring_differences(new)
        if not diff:
            continue
        if diff == ["scale"] and new.core_mapping is not None:
            used_mapping = True
            continue
        where = f"from {new.valid_from}" if new.valid_from else ""
        return f"{', '.join(diff)} changed {where}".strip(), False
    return None, used_mapping


def core_points(items: pd.DataFrame, cfg: StudyConfig, core: CoreItems) -> pd.Series:
    """Points of the item rows on the core's scale (mapped where a core_mapping applies)."""
    pts = items["points"].to_numpy(dtype=float).copy()
    for iid in core.mapped:
        for d in (i for i in cfg.grid.items if i.id == iid and i.core_mapping):
            rows = ((items["item"] == iid) & items["wave"].map(d.valid_in)).to_numpy(bool)
            lookup = dict(d.core_mapping)
            vals = items.loc[rows, "value"].to_numpy(dtype=float)
            pts[rows] = [lookup.get(v, np.nan) if v == v else np.nan for v in vals]
    return pd.Series(pts, index=items.index)


def core_scores(items: pd.DataFrame, cfg: StudyConfig, core: CoreItems,
                min_coverage: float | None = None) -> pd.DataFrame:
    """Total, coverage, knockout and dimension scores per contact over the core items.

    ``items`` is the long item table (``contact_id, wave, item, value, points, status``).
    Same rules as :func:`benchlib.scoring.score_contacts`.
    """
    min_cov = cfg.settings.min_coverage if min_coverage is None else min_coverage
    it = items[items["wave"].isin(core.waves) & items["item"].isin(core.items)]
    it = it[it["status"].isin(["answered", "missing"])]
    ref = core.reference
    w = it["item"].map({k: v.weight for k, v in ref.items()}).to_numpy(float)
    dim = it["item"].map({k: v.dimension for k, v in ref.items()})
    ko_item = it["item"].map({k: v.knockout for k, v in ref.items()}).to_numpy(bool)
    p = core_points(it, cfg, core).to_numpy(float)
    ans = (it["status"] == "answered").to_numpy() & ~np.isnan(p)
    frame = pd.DataFrame({"contact_id": it["contact_id"].to_numpy(), "dim": dim.to_numpy(),
                          "num": np.where(ans, w * np.nan_to_num(p), 0.0),
                          "den": np.where(ans, w, 0.0), "app": w,
                          "ko": ko_item & knocked_out(p, ans)})
    g = frame.groupby("contact_id", sort=True)
    tot = g[["num", "den", "app"]].sum()
    ko = g["ko"].any().to_numpy()
    total, cov, scored = contact_scores(tot["num"].to_numpy(), tot["den"].to_numpy(),
                                        tot["app"].to_numpy(), ko, min_cov)
    out = pd.DataFrame({"coverage": cov, "knockout": ko, "scored": scored}, index=tot.index)
    out["total"] = total
    dims = frame.groupby(["contact_id", "dim"], sort=True)[["num", "den"]].sum()
    dims = pd.Series(dimension_score(dims["num"].to_numpy(), dims["den"].to_numpy()),
                     index=dims.index).unstack()
    for d in cfg.grid.dimensions:
        out[f"dim_{d}"] = dims[d].reindex(out.index) if d in dims else np.nan
    return out.reset_index()


def comparable_contacts(contacts: pd.DataFrame, items: pd.DataFrame, cfg: StudyConfig,
                        waves: Sequence[str]) -> tuple[pd.DataFrame, CoreItems]:
    """Contacts of ``waves`` scored on their comparable core.

    ``total`` and ``dim_*`` hold the core scores (so every statistic runs on them unchanged);
    the full-grid values are kept as ``full_total``, ``full_dim_*``, ``full_scored`` …
    (prefixed, so that they are never taken for a dimension); ``scored`` follows the core.
    Returns the table and the core definition (for the report's footnote).
    """
    core = comparable_core(cfg, waves)
    c = contacts[contacts["wave"].isin(core.waves)].copy()
    score_cols = ["total", *[f"dim_{d}" for d in cfg.grid.dimensions]]
    for col in [*score_cols, "scored", "knockout", "coverage"]:
        c[f"full_{col}"] = c[col]
    cs = core_scores(items, cfg, core).set_index("contact_id")
    for col in [*score_cols, "scored", "knockout", "coverage"]:
        c[col] = c["contact_id"].map(cs[col])
    c["scored"] = c["scored"].fillna(False).astype(bool)
    return c, core
