"""The cleaning pipeline of a whole study: every raw export → processed tables.

``run_pipeline`` reads every file under ``data/raw`` through the export mapping of the
source it matches, cleans it (:mod:`benchlib.clean`), scores the clean contacts
(:mod:`benchlib.scoring`), pseudonymises agents and scrubs comments
(:mod:`benchlib.privacy`), reconciles the row counts per file and writes the processed
tables atomically (``write=True``). ``data/raw`` is only ever read.

>>> result = run_pipeline(write=False)
>>> result.reconciled, result.totals["raw_rows"] == (result.totals["contacts"]
...     + result.totals["quarantined"] + result.totals["duplicates_dropped"]
...     + result.totals["calibration_ratings"] + result.totals["calibration_quarantined"])
(True, True)
"""

from __future__ import annotations

import fnmatch
import io
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from benchlib.atomic import write_bytes, write_text, write_with
from benchlib.clean import QUARANTINE_COLUMNS, FileResult, clean_file
from benchlib.config import StudyConfig, load_config
from benchlib.errors import ConfigError, InputError, ReconciliationError
from benchlib.privacy import name_pattern, pseudonym, pseudonym_key, scrub
from benchlib.scoring import ANSWERED, STATUS_LABELS, score_contacts

EXPORT_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm", ".xls")
CORRECTION_COLUMNS = ["contact_id", "column", "value", "reason", "who"]


@dataclass
class PipelineResult:
    """The processed tables of a study and how every raw row was accounted for."""

    contacts: pd.DataFrame
    items: pd.DataFrame
    calibration: pd.DataFrame
    calibration_items: pd.DataFrame
    quarantine: pd.DataFrame
    files: list[FileResult]
    corrections: pd.DataFrame
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def reconciled(self) -> bool:
        return all(f.reconciled for f in self.files)

    def reconciliation(self) -> pd.DataFrame:
        """Per file: rows read = clean + quarantined + duplicates dropped."""
        rows = [{"file": f.file, "kind": f.kind, "encoding": f.encoding, "rows_read": f.rows_read,
                 "clean": f.clean_rows, "quarantined": f.quarantined_rows,
                 "duplicates_dropped": f.duplicates_dropped, "reconciled": f.reconciled}
                for f in self.files]
        return pd.DataFrame(rows)


def discover_sources(cfg: StudyConfig) -> list[tuple[Path, str, str]]:
    """(path, agency, kind) for every export under data/raw; unmatched exports are errors."""
    raw = cfg.root / "data" / "raw"
    found = []
    for p in sorted(raw.rglob("*")):
        if not p.is_file() or p.suffix.lower() not in EXPORT_SUFFIXES:
            continue
        rel = p.relative_to(raw).as_posix()
        match = [s for s in cfg.sources if fnmatch.fnmatch(rel, s.glob)]
        if not match:
            raise ConfigError("config/study.yaml", "sources", f"data/raw/{rel} matches no source "
                              "glob; add a source (agency) for it or move it out of data/raw")
        found.append((p, match[0].agency, match[0].kind))
    if not found:
        raise InputError("data/raw", "files", "no raw exports found (expected CSV/XLSX files "
                         "matching config/study.yaml sources); run `make example-data`?")
    return found


def load_corrections(cfg: StudyConfig) -> pd.DataFrame:
    """The analysts' corrections file (config/corrections.csv), validated."""
    path = cfg.root / "config" / "corrections.csv"
    if not path.is_file():
        return pd.DataFrame(columns=CORRECTION_COLUMNS)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    missing = [c for c in CORRECTION_COLUMNS if c not in df.columns]
    if missing:
        raise ConfigError("config/corrections.csv", "header", f"missing columns {missing}; "
                          f"expected {', '.join(CORRECTION_COLUMNS)}")
    for i, r in df.iterrows():
        for c in CORRECTION_COLUMNS:
            if not str(r[c]).strip():
                raise ConfigError("config/corrections.csv", f"row {i + 2}.{c}", "must not be empty")
    return df


def run_pipeline(root: Path | str | None = None, write: bool = True,
                 today: date | None = None, out_dir: Path | None = None) -> PipelineResult:
    """Clean, score and (optionally) write the whole study. See module docstring."""
    cfg = load_config(root)
    corrections = load_corrections(cfg)
    results = []
    for path, agency, kind in discover_sources(cfg):
        display = path.relative_to(cfg.root).as_posix()
        results.append(clean_file(path, cfg.exports[agency], cfg, corrections, kind=kind,
                                  display=display, today=today))
    contacts, items, quarantine_x = _assemble(cfg, [r for r in results if r.kind == "contacts"])
    cal, cal_items, quarantine_c = _assemble(cfg, [r for r in results if r.kind == "calibration"],
                                             calibration=True)
    quarantine = pd.concat([r.quarantine for r in results] + [quarantine_x, quarantine_c],
                           ignore_index=True)
    quarantine = quarantine.sort_values(["source_file", "source_row", "column"], kind="stable")
    quarantine = quarantine[QUARANTINE_COLUMNS].reset_index(drop=True)
    corr = pd.DataFrame([c for r in results for c in r.corrections_applied])
    result = PipelineResult(contacts, items, cal, cal_items, quarantine, results, corr)
    _adjust_for_cross_file(result, quarantine_x, quarantine_c)
    result.totals = _totals(result)
    if not result.reconciled:
        bad = result.reconciliation().query("not reconciled")
        raise ReconciliationError("row reconciliation failed:\n" + bad.to_string(index=False))
    if write:
        write_outputs(result, cfg, out_dir or cfg.root / "data" / "processed")
    return result


def _adjust_for_cross_file(result: PipelineResult, *cross: pd.DataFrame) -> None:
    """Rows quarantined across files (same id in two files) move from clean to quarantined."""
    for q in cross:
        for (file, row), _ in q.groupby(["source_file", "source_row"]):
            fr = next(f for f in result.files if f.file == file)
            fr.clean = fr.clean[fr.clean["_row"] != row]
            fr.quarantine = pd.concat([fr.quarantine, q[(q["source_file"] == file)
                                                        & (q["source_row"] == row)]])


def _totals(result: PipelineResult) -> dict[str, int]:
    c = [f for f in result.files if f.kind == "contacts"]
    k = [f for f in result.files if f.kind == "calibration"]
    return {"files": len(result.files), "raw_rows": sum(f.rows_read for f in result.files),
            "contacts": len(result.contacts), "quarantined": sum(f.quarantined_rows for f in c),
            "duplicates_dropped": sum(f.duplicates_dropped for f in result.files),
            "calibration_ratings": len(result.calibration),
            "calibration_quarantined": sum(f.quarantined_rows for f in k),
            "corrections_applied": len(result.corrections)}


# --------------------------------------------------------------------------- assembling
def _cross_file_conflicts(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    dup = df["contact_id"].duplicated(keep=False)
    if not dup.any():
        return df, pd.DataFrame(columns=QUARANTINE_COLUMNS)
    bad = df[dup]
    q = pd.DataFrame({"source_file": bad["source_file"], "source_row": bad["_row"],
                      "contact_id": bad["contact_id"], "column": "contact_id",
                      "value": bad["contact_id"],
                      "expected": "a contact id unique across files (it occurs in several)",
                      "reason": "conflicting_duplicate"})
    return df[~dup], q[QUARANTINE_COLUMNS]


def _assemble(cfg: StudyConfig, results: list[FileResult], calibration: bool = False):
    empty = pd.DataFrame()
    frames = [r.clean for r in results if len(r.clean)]
    if not frames:
        return empty, empty, pd.DataFrame(columns=QUARANTINE_COLUMNS)
    df = pd.concat(frames, ignore_index=True)
    df, q = _cross_file_conflicts(df)
    df = df.sort_values(["wave", "contact_id"], kind="stable").reset_index(drop=True)
    _mail_outcomes(df, cfg.settings.mail_window_h)
    ids = list(dict.fromkeys(i.id for i in cfg.grid.items))
    values = df[[f"v:{i}" for i in ids]].set_axis(ids, axis=1)
    status = df[[f"s:{i}" for i in ids]].set_axis(ids, axis=1)
    scores, points, final = score_contacts(values, status, df, cfg.grid.items,
                                           cfg.grid.dimensions, cfg.settings.min_coverage)
    contacts = _contact_table(cfg, df, scores, calibration)
    items = _items_long(cfg, df, contacts, values, points, final, calibration)
    return contacts, items, q


def _mail_outcomes(df: pd.DataFrame, window_h: float) -> None:
    """Mail answered within the window (event) and response time censored at the window."""
    mail = (df["channel"] == "mail").to_numpy()
    reach = df["v:reach_answered"].to_numpy()
    rh = df["v:mail_response_h"].to_numpy(dtype=float)
    answered = (reach == 1) & ~(rh > window_h)
    never = mail & ((reach == 0) | (rh > window_h))
    df["mail_answered"] = pd.array(np.where(mail & ~np.isnan(reach), answered, False),
                                   dtype="boolean")
    df.loc[~mail | np.isnan(reach), "mail_answered"] = pd.NA
    df["response_h"] = np.where(mail, np.where(never, window_h, rh), np.nan)
    df.loc[never, "v:mail_response_h"] = np.inf  # "later or never" scores 0 points
    df.loc[never, "s:mail_response_h"] = ANSWERED
    df["wait_s"] = np.where(mail, np.nan, df["v:wait_s"].to_numpy(dtype=float))


def _contact_table(cfg: StudyConfig, df: pd.DataFrame, scores: pd.DataFrame,
                   calibration: bool) -> pd.DataFrame:
    key = pseudonym_key(cfg.settings, cfg.root)
    names = df["agent_name"].astype(str)
    agents = names.map(lambda n: pseudonym(n, key) if n.strip() else None)
    pattern = name_pattern(sorted(set(names[names.str.strip() != ""])))
    comments = df["comment"].astype(str)
    uniq = {c: scrub(c, pattern=pattern) for c in comments.unique()}
    company = {c.id: c for c in cfg.companies}
    out = pd.DataFrame({
        "contact_id": df["contact_id"], "wave": df["wave"], "contact_date": df["contact_date"],
        "channel": df["channel"], "scenario": df["scenario"], "company": df["company"],
        "company_name": df["company"].map(lambda c: company[c].name),
        "role": df["company"].map(lambda c: company[c].role), "agency": df["agency"],
        "evaluator": df["evaluator"], "agent": agents.astype(object),
        "grid_version": df["wave"].map(cfg.grid.version_of),
        "reached": pd.array(df["v:reach_answered"] == 1, dtype="boolean"),
    })
    if calibration:
        out.insert(0, "recording_id", df["recording_id"])
    out = pd.concat([out, scores.reset_index(drop=True)], axis=1)
    out["wait_s"] = df["wait_s"]
    out["response_h"] = df["response_h"]
    out["mail_answered"] = df["mail_answered"]
    out["comment"] = comments.map(uniq)
    out["source_file"] = df["source_file"]
    out["source_row"] = df["_row"].astype("int64")
    return out


def _items_long(cfg, df, contacts, values, points, final, calibration: bool) -> pd.DataFrame:
    meta = ["contact_id", "wave", "company", "role", "channel", "scenario", "evaluator"]
    if calibration:
        meta = ["recording_id", *meta]
    defs = {}
    for it in cfg.grid.items:
        defs.setdefault(it.id, []).append(it)
    frames = []
    waves = df["wave"].to_numpy()
    for iid in values.columns:
        st = final[iid].to_numpy()
        keep = np.zeros(len(df), dtype=bool)
        scale = np.full(len(df), "", dtype=object)
        dim = np.full(len(df), "", dtype=object)
        for d in defs[iid]:
            m = np.array([d.valid_in(w) for w in waves]) if (d.valid_from or d.valid_to) else \
                np.ones(len(df), bool)
            keep |= m
            scale[m], dim[m] = d.scale, d.dimension
        part = contacts.loc[keep, meta].copy()
        part["item"] = iid
        part["dimension"] = dim[keep]
        part["scale"] = scale[keep]
        part["raw"] = df.loc[keep, f"r:{iid}"].to_numpy()
        v = values[iid].to_numpy(dtype=float)[keep]
        part["value"] = np.where(np.isinf(v), np.nan, v)
        part["points"] = points[iid].to_numpy()[keep]
        part["status"] = pd.Series(st[keep]).map(STATUS_LABELS).to_numpy()
        part["applicable"] = np.isin(st[keep], [0, 2])
        frames.append(part)
    long = pd.concat(frames, ignore_index=True)
    order = ["recording_id", "contact_id"] if calibration else ["wave", "contact_id"]
    return long.sort_values([*order, "item"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- writing
def _parquet_bytes(df: pd.DataFrame) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def write_outputs(result: PipelineResult, cfg: StudyConfig, out: Path) -> None:
    """Write every processed table atomically (temp file + rename), byte-reproducibly."""
    from benchlib.atomic import remove_stale_temps

    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out)  # left by a run that was killed mid-write
    tables = {"contacts.parquet": result.contacts, "items.parquet": result.items,
              "calibration.parquet": result.calibration,
              "calibration_items.parquet": result.calibration_items}
    for name, df in tables.items():
        write_bytes(out / name, _parquet_bytes(df))
    write_with(out / "quarantine.csv",
               lambda p: result.quarantine.to_csv(p, index=False, lineterminator="\n"))
    write_with(out / "reconciliation.csv",
               lambda p: result.reconciliation().to_csv(p, index=False, lineterminator="\n"))
    corr = result.corrections if len(result.corrections) else pd.DataFrame(
        columns=["file", "contact_id", "column", "old", "new", "reason", "who"])
    write_with(out / "corrections_applied.csv",
               lambda p: corr.to_csv(p, index=False, lineterminator="\n"))
    manifest = {"config_sha256": cfg.sha256, "totals": result.totals,
                "inputs": {f.file: _sha256(cfg.root / f.file) for f in result.files}}
    write_text(out / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()
