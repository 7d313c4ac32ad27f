"""Data-quality tables for the data-quality report: what arrived, what was kept, what not.

>>> import benchlib
>>> study = benchlib.load_study()
>>> contact_counts(study, "2026-10").columns.tolist()[:3]
['company', 'channel', 'product_info']
"""

from __future__ import annotations

import pandas as pd

from benchlib.study import Study


def wave_files(study: Study, wave: str) -> set[str]:
    """Raw files that belong to ``wave``: those that delivered contacts of the wave, and those
    whose quarantined rows name the wave — found from the data, never from folder names."""
    c = study.contacts
    files = set(c.loc[c["wave"] == wave, "source_file"].dropna())
    q = study.quarantine
    if "wave" in q.columns:
        files |= set(q.loc[q["wave"] == wave, "source_file"].dropna())
    return files


def file_fate(study: Study, wave: str | None = None) -> pd.DataFrame:
    """Rows per raw file and their fate (clean / quarantined / duplicates dropped).

    With ``wave``: the files of that wave (:func:`wave_files`; any folder layout).
    """
    rec = study.reconciliation.copy()
    if wave is not None:
        rec = rec[rec["file"].isin(wave_files(study, wave))]
    return rec[["file", "encoding", "rows_read", "clean", "quarantined", "duplicates_dropped"]
               ].reset_index(drop=True)


def quarantine_summary(study: Study, wave: str | None = None) -> pd.DataFrame:
    """Quarantined rows of a wave (all waves if None) with every problem found in them."""
    q = study.quarantine
    if wave is not None:
        in_files = q["source_file"].isin(wave_files(study, wave))
        q = q[(q["wave"] == wave) | (q["wave"].isna() & in_files)] if "wave" in q.columns \
            else q[in_files]
    return q[["source_file", "source_row", "contact_id", "column", "value", "expected",
              "reason"]].reset_index(drop=True)


def quarantine_reasons(study: Study, wave: str | None = None) -> pd.DataFrame:
    """Counts of quarantine problems by reason."""
    q = quarantine_summary(study, wave)
    return (q.groupby("reason").size().rename("problems").reset_index()
            .sort_values("problems", ascending=False, kind="stable").reset_index(drop=True))


def contact_counts(study: Study, wave: str) -> pd.DataFrame:
    """Contacts (scored or not) per company × channel, one column per scenario, plus total."""
    c = study.wave_contacts(wave, scored_only=False)
    t = pd.crosstab([c["company"], c["channel"]], c["scenario"])
    t = t.reindex(columns=list(study.config.scenarios), fill_value=0)
    t["total"] = t.sum(axis=1)
    return t.reset_index().rename_axis(columns=None)


def outcome_counts(study: Study, wave: str) -> pd.DataFrame:
    """Per company: contacts, scored, not scored (coverage), knockouts, unreached."""
    c = study.wave_contacts(wave, scored_only=False)
    g = c.groupby("company")
    return pd.DataFrame({"contacts": g.size(), "scored": g["scored"].sum(),
                         "not_scored": (~c["scored"]).groupby(c["company"]).sum(),
                         "knockouts": g["knockout"].sum(),
                         "unreached": (~c["reached"].fillna(False)).groupby(c["company"]).sum()}
                        ).reset_index()


def item_coverage(study: Study, wave: str) -> pd.DataFrame:
    """Per item: applicable cells and the share answered, missing and not applicable (N/A)."""
    it = study.items
    it = it[(it["wave"] == wave) & (it["status"] != "out_of_scope")]
    counts = pd.crosstab(it["item"], it["status"])
    for col in ("answered", "missing", "not_applicable"):
        if col not in counts:
            counts[col] = 0
    n = counts[["answered", "missing", "not_applicable"]].sum(axis=1)
    out = pd.DataFrame({"cells": n, "answered": counts["answered"] / n,
                        "missing": counts["missing"] / n,
                        "not_applicable": counts["not_applicable"] / n})
    order = list(dict.fromkeys(i.id for i in study.config.grid.items))
    return out.reindex([i for i in order if i in out.index]).rename_axis("item").reset_index()
