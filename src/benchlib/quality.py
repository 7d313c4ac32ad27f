"""Data-quality tables for the data-quality report: what arrived, what was kept, what not.

A row's wave comes from the data (the wave the cleaning determined for it), never from the
folder a file lies in: the tables are right for any folder layout (flat, per agency, per wave).
A quarantined row whose wave could not be determined counts under no wave (``wave=None``
shows every row).

>>> import benchlib
>>> study = benchlib.load_study()
>>> contact_counts(study, "2026-10").columns.tolist()[:3]
['company', 'channel', 'product_info']
"""

from __future__ import annotations

import pandas as pd

from benchlib.study import Study

FATE_COLUMNS = ["file", "encoding", "rows_read", "clean", "quarantined", "duplicates_dropped"]


def _in_wave(frame: pd.DataFrame, wave: str | None) -> pd.DataFrame:
    if wave is None:
        return frame
    return frame[frame["wave"].astype(str) == str(wave)]


def _clean_rows(study: Study) -> pd.DataFrame:
    """(source_file, wave) of every clean row: contacts and calibration ratings."""
    frames = [t[["source_file", "wave"]] for t in (study.contacts, study.calibration)
              if len(t) and "source_file" in t]
    return (pd.concat(frames, ignore_index=True) if frames
            else pd.DataFrame(columns=["source_file", "wave"]))


def file_fate(study: Study, wave: str | None = None, kind: str | None = None) -> pd.DataFrame:
    """Rows per raw file and their fate (clean / quarantined / duplicates dropped).

    With ``wave``, only the rows of that wave are counted (from the data) and files without
    any such row are left out; ``kind`` (``contacts`` or ``calibration``) keeps one kind of
    file.
    """
    rec = study.reconciliation.copy()
    if kind is not None:
        rec = rec[rec["kind"] == kind]
    if wave is None:
        return rec[FATE_COLUMNS].reset_index(drop=True)
    clean = _in_wave(_clean_rows(study), wave).groupby("source_file").size()
    q = _in_wave(study.quarantine, wave)
    quar = q.groupby("source_file")["source_row"].nunique()
    dup = _in_wave(study.duplicates, wave).groupby("source_file").size()
    out = rec[["file", "encoding"]].copy()
    out["clean"] = out["file"].map(clean).fillna(0).astype("int64")
    out["quarantined"] = out["file"].map(quar).fillna(0).astype("int64")
    out["duplicates_dropped"] = out["file"].map(dup).fillna(0).astype("int64")
    out["rows_read"] = out[["clean", "quarantined", "duplicates_dropped"]].sum(axis=1)
    out = out[out["rows_read"] > 0]
    return out[FATE_COLUMNS].reset_index(drop=True)


def quarantine_summary(study: Study, wave: str | None = None) -> pd.DataFrame:
    """Quarantined rows of a wave (all waves if None) with every problem found in them."""
    q = _in_wave(study.quarantine, wave)
    return q[["source_file", "source_row", "contact_id", "column", "value", "expected",
              "reason"]].reset_index(drop=True)


def duplicates_summary(study: Study, wave: str | None = None) -> pd.DataFrame:
    """Dropped exact duplicates of a wave (all if None): file, row, row it duplicates."""
    d = _in_wave(study.duplicates, wave)
    return d[["source_file", "source_row", "duplicate_of_row", "contact_id"]
             ].reset_index(drop=True)


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
