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
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchlib.atomic import csv_safe, json_bytes, sha256_file
from benchlib.clean import DUPLICATE_COLUMNS, QUARANTINE_COLUMNS, FileResult, clean_file
from benchlib.config import Grid, StudyConfig, load_config
from benchlib.corrections import load_corrections, unmatched
from benchlib.errors import ConfigError, InputError, ReconciliationError
from benchlib.generation import (
    RawFile,
    build_time,
    input_fingerprint,
    matches,
    walk_raw,
    write_generation,
)
from benchlib.paths import get_paths
from benchlib.privacy import name_pattern, pseudonym, pseudonym_key, scrub, scrub_quarantine
from benchlib.scoring import ANSWERED, STATUS_LABELS, score_contacts


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
    unmatched_corrections: pd.DataFrame = field(default_factory=pd.DataFrame)
    ignored: list[str] = field(default_factory=list)  # raw files matched by an ignore glob
    generation: Path | None = None  # the generation written (write=True)
    warnings: list[str] = field(default_factory=list)  # printed by the CLI as "warning: …"
    max_quarantine_share: float | None = None  # settings.max_quarantine_share of the run

    @property
    def reconciled(self) -> bool:
        return all(f.reconciled for f in self.files)

    def duplicates(self) -> pd.DataFrame:
        """Every dropped exact duplicate: file, row, the row it duplicates, contact id, wave."""
        frames = [f.duplicates for f in self.files if len(f.duplicates)]
        return (pd.concat(frames, ignore_index=True) if frames
                else pd.DataFrame(columns=DUPLICATE_COLUMNS))

    def reconciliation(self) -> pd.DataFrame:
        """Per file: rows read = clean + quarantined + duplicates dropped."""
        rows = [{"file": f.file, "kind": f.kind, "encoding": f.encoding, "rows_read": f.rows_read,
                 "clean": f.clean_rows, "quarantined": f.quarantined_rows,
                 "duplicates_dropped": f.duplicates_dropped, "reconciled": f.reconciled}
                for f in self.files]
        rows += [{"file": f, "kind": "ignored", "encoding": "", "rows_read": 0, "clean": 0,
                  "quarantined": 0, "duplicates_dropped": 0, "reconciled": True}
                 for f in self.ignored]
        return pd.DataFrame(rows, columns=["file", "kind", "encoding", "rows_read", "clean",
                                           "quarantined", "duplicates_dropped", "reconciled"])


FORMAT_SUFFIXES = {"csv": (".csv", ".txt", ".tsv"), "xlsx": (".xlsx", ".xlsm"),
                   "ods": (".ods",)}


@dataclass(frozen=True)
class RawInventory:
    """Every file under data/raw and what it is: an export of a source, or ignored."""

    exports: list[tuple[RawFile, str, str]]  # (file, agency, kind)
    ignored: list[RawFile]


def inventory(cfg: StudyConfig, files: list[RawFile] | None = None) -> RawInventory:
    """Account for every file under data/raw: matched by a source, ignored, or an error.

    A file that matches neither a source glob nor an ``ignore`` glob of config/study.yaml is
    an error; so is an export in a format its mapping cannot read (``.ods`` for an xlsx
    mapping, ``.xls``, ...)
    and the same bytes under two names (a copy would quarantine every row of both).
    """
    found, ignored = [], []
    for f in walk_raw(get_paths(cfg.root)) if files is None else files:
        if matches(f.rel, cfg.ignore):
            ignored.append(f)
            continue
        match = [s for s in cfg.sources if fnmatch.fnmatchcase(f.rel, s.glob)]
        if not match:
            raise ConfigError("config/study.yaml", "sources", f"{f.display} matches no source "
                              "glob and no ignore glob; add a source (agency) for it, an "
                              "`ignore` pattern, or move it out of data/raw")
        src = match[0]
        fmt = cfg.exports[src.agency].format if src.agency in cfg.exports else "csv"
        ok = FORMAT_SUFFIXES.get(fmt, ())
        if f.path.suffix.lower() not in ok:
            raise InputError(f.display, "format", f"a {f.path.suffix or 'suffix-less'} file, "
                             f"but the export mapping '{src.agency}' reads {fmt} "
                             f"({', '.join(ok)}); save it as {fmt.upper()} or add an `ignore` "
                             "pattern for it in config/study.yaml")
        found.append((f, src.agency, src.kind))
    if not found:
        raise InputError("data/raw", "files", "no raw exports found (expected CSV/XLSX files "
                         "matching config/study.yaml sources); run `make example-data`?")
    _refuse_copies([f for f, _, _ in found])
    return RawInventory(found, ignored)


def _refuse_copies(files: list[RawFile]) -> None:
    """Two names with the same bytes: one clear error naming both (only same-size files
    are hashed)."""
    by_size: dict[int, list[RawFile]] = {}
    for f in files:
        by_size.setdefault(f.path.stat().st_size, []).append(f)
    for group in by_size.values():
        if len(group) < 2:
            continue
        seen: dict[str, RawFile] = {}
        for f in group:
            digest = sha256_file(f.path)
            if digest in seen:
                raise InputError(f.display, "file", f"is byte-identical to "
                                 f"{seen[digest].display} (the same export under two names); "
                                 "remove one of them (or add an `ignore` pattern for it)")
            seen[digest] = f


def discover_sources(cfg: StudyConfig) -> list[tuple[Path, str, str]]:
    """(path, agency, kind) for every export under data/raw (see :func:`inventory`)."""
    return [(f.path, agency, kind) for f, agency, kind in inventory(cfg).exports]


def run_pipeline(root: Path | str | None = None, write: bool = True,
                 today: date | None = None, out_dir: Path | None = None) -> PipelineResult:
    """Clean, score and (optionally) write the whole study. See module docstring.

    With ``write`` the tables become a new generation of ``data/processed`` (or of
    ``out_dir``), switched in atomically (:mod:`benchlib.generation`).
    """
    cfg = load_config(root)
    paths = get_paths(cfg.root)
    files = walk_raw(paths)
    fingerprint = input_fingerprint(paths, files) if write else None  # before reading
    inv = inventory(cfg, files)
    corrections = load_corrections(cfg)
    jobs = [(f.path, cfg.exports[agency], cfg, corrections, kind, f.display, today,
             _source_wave(cfg, f.rel)) for f, agency, kind in inv.exports]
    results = _clean_all(jobs)
    warnings = _normalise_ids(cfg, results)
    scrubber = name_pattern(sorted({n for r in results for n in r.names if n.strip()}))
    contacts, items, quarantine_x = _assemble(cfg, [r for r in results if r.kind == "contacts"],
                                              scrubber=scrubber)
    cal, cal_items, quarantine_c = _assemble(cfg, [r for r in results if r.kind == "calibration"],
                                             calibration=True, scrubber=scrubber)
    quarantine = pd.concat([r.quarantine for r in results] + [quarantine_x, quarantine_c],
                           ignore_index=True)
    quarantine = quarantine.sort_values(["source_file", "source_row", "column"], kind="stable")
    quarantine = quarantine[QUARANTINE_COLUMNS].reset_index(drop=True)
    quarantine = scrub_quarantine(quarantine, results, allowed=_known_values(cfg))
    corr = pd.DataFrame([c for r in results for c in r.corrections_applied])
    result = PipelineResult(contacts, items, cal, cal_items, quarantine, results, corr,
                            unmatched_corrections=unmatched(corrections, corr),
                            ignored=[f.display for f in inv.ignored], warnings=warnings,
                            max_quarantine_share=cfg.settings.max_quarantine_share)
    _adjust_for_cross_file(result, quarantine_x, quarantine_c)
    result.totals = _totals(result)
    if not result.reconciled:
        bad = result.reconciliation().query("not reconciled")
        raise ReconciliationError("row reconciliation failed:\n" + bad.to_string(index=False))
    if write:
        result.generation = write_outputs(result, cfg, out_dir or paths.processed,
                                          fingerprint=fingerprint,
                                          built_at=build_time(paths, files))
    return result


_TAIL_DIGITS = re.compile(r"^(.*?)(\d+)$")
MAX_ID_WARNINGS = 10


def normalise_contact_id(cid: str, rule: str | None) -> str:
    """A contact id under an export mapping's ``contact_id_normalise`` rule (applied to the
    id's trailing digits: ``strip_leading_zeros`` or ``zero_pad:<width>``).

    >>> normalise_contact_id("FH-0042", "strip_leading_zeros"), normalise_contact_id(
    ...     "42", "zero_pad:5"), normalise_contact_id("00042", None)
    ('FH-42', '00042', '00042')
    """
    m = _TAIL_DIGITS.match(cid) if rule else None
    if m is None:
        return cid
    head, digits = m.groups()
    digits = digits.lstrip("0") or "0"
    if rule.startswith("zero_pad:"):
        digits = digits.zfill(int(rule.split(":", 1)[1]))
    return head + digits


def _normalise_ids(cfg: StudyConfig, results: list[FileResult]) -> list[str]:
    """Apply each mapping's ``contact_id_normalise`` to the clean rows; warn about two ids
    that become one (both rows are then quarantined as conflicting duplicates) and, without
    a rule, about ids that differ only in leading zeros (``00042`` and ``42``)."""
    seen: dict[tuple[str, str], tuple[str, str, int]] = {}
    warnings: list[str] = []
    raws = {}
    for i, r in enumerate(results):
        if not len(r.clean):
            continue
        rule = cfg.exports[r.agency].contact_id_normalise
        raws[i] = r.clean["contact_id"].astype(str)
        if rule:
            r.clean["contact_id"] = [normalise_contact_id(c, rule) for c in raws[i].tolist()]
    # only ids whose leading-zero-free form is shared by another id can warn: found with
    # array operations, then those few rows are walked in file and row order
    suspects = _ids_sharing_a_stripped_form({i: (results[i].kind, ids)
                                             for i, ids in raws.items()})
    for i, rows_at in suspects.items():
        r = results[i]
        mapping = cfg.exports[r.agency]
        rule = mapping.contact_id_normalise
        raw = raws[i].to_numpy(dtype=object)[rows_at].tolist()
        for cid, row in zip(raw, r.clean["_row"].to_numpy()[rows_at].tolist(), strict=True):
            key = (r.kind, normalise_contact_id(cid, "strip_leading_zeros"))
            first = seen.setdefault(key, (cid, r.file, row))
            if first[0] == cid:
                continue
            where = f"{r.file} row {row}: contact id {cid!r} and {first[0]!r} ({first[1]} row " \
                    f"{first[2]})"
            if rule and normalise_contact_id(first[0], rule) == normalise_contact_id(cid, rule):
                warnings.append(f"{where} are the same after contact_id_normalise ({rule}): "
                                "both rows are quarantined as conflicting duplicates")
            elif not rule:
                warnings.append(f"{where} differ only in leading zeros; if they are one contact,"
                                f" set contact_id_normalise in {mapping.file or 'the mapping'}")
    if len(warnings) > MAX_ID_WARNINGS:
        warnings = warnings[:MAX_ID_WARNINGS] + [f"… and {len(warnings) - MAX_ID_WARNINGS} "
                                                 "more contact ids like these"]
    return warnings


_STRIPPED_RE = r"(^|\D)0+(\d+)$"  # the digits ending an id, leading zeros removed (ASCII)


def _stripped_arrow(ids: pd.Series):
    """``normalise_contact_id(id, "strip_leading_zeros")`` of every id as an Arrow string
    array, by one Arrow regex; ids with non-ASCII characters (Unicode digits) go through
    Python."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(ids.to_numpy(dtype=object), type=pa.string())
    out = pc.replace_substring_regex(arr, pattern=_STRIPPED_RE, replacement=r"\1\2")
    other = np.flatnonzero(~pc.string_is_ascii(arr).to_numpy(zero_copy_only=False))
    if len(other):
        values = out.to_pylist()
        for k in other:
            values[k] = normalise_contact_id(str(ids.iat[k]), "strip_leading_zeros")
        out = pa.array(values, type=pa.string())
    return out


def _ids_sharing_a_stripped_form(ids: dict[int, tuple[str, pd.Series]]
                                 ) -> dict[int, np.ndarray]:
    """Per result: the row positions of ids that share their stripped form (kind and id
    without leading zeros) with a different id, in any file of the same kind."""
    import pyarrow as pa

    out: dict[int, np.ndarray] = {}
    for kind in dict.fromkeys(k for k, _ in ids.values()):
        files = [i for i, (k, _) in ids.items() if k == kind]
        series = [ids[i][1] for i in files]
        keys = pd.factorize(pd.Series(pd.array(pa.chunked_array(
            [_stripped_arrow(s) for s in series], type=pa.string()), dtype="str")))[0]
        cids = pd.factorize(pd.concat(series, ignore_index=True).astype("str"))[0]
        width = np.int64(cids.max() + 1) if len(cids) else np.int64(1)
        pairs = np.unique(keys.astype(np.int64) * width + cids)  # distinct (key, id) pairs
        per_key = np.bincount(pairs // width, minlength=keys.max() + 1 if len(keys) else 0)
        shared = per_key[keys] > 1
        if not shared.any():
            continue
        sizes = np.cumsum([0] + [len(s) for s in series])
        for i, lo, hi in zip(files, sizes[:-1], sizes[1:], strict=True):
            hit = np.flatnonzero(shared[lo:hi])
            if len(hit):
                out[i] = hit
    return dict(sorted(out.items()))


def _source_wave(cfg: StudyConfig, rel: str) -> str | None:
    """The wave the (first) source matching ``rel`` (relative to data/raw) names, if any."""
    return next((s.wave for s in cfg.sources if fnmatch.fnmatchcase(rel, s.glob)), None)


PARALLEL_MIN_BYTES = 64 * 2**20  # below this much raw data, cleaning files one by one is faster
_JOBS: list[tuple] = []  # the cleaning jobs, inherited by forked workers (never pickled)


def _clean_job(i: int):
    path, mapping, cfg, corrections, kind, display, today, wave = _JOBS[i]
    try:
        return clean_file(path, mapping, cfg, corrections, kind=kind, display=display,
                          today=today, wave=wave)
    except Exception as err:  # sent back as (type, args, attributes): see _clean_all
        return _Failed(type(err), err.args, dict(vars(err)))


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent (one "error: interrupted", no worker tracebacks)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


@dataclass
class _Failed:
    kind: type
    args: tuple
    attrs: dict

    def reraise(self):
        err = self.kind.__new__(self.kind)
        err.args = self.args
        vars(err).update(self.attrs)
        raise err


def _clean_all(jobs: list[tuple]) -> list[FileResult]:
    """Clean every file; a large study's files are cleaned side by side (one process per
    CPU, forked, results in file order), a small one's one by one in this process."""
    size = sum(j[0].stat().st_size for j in jobs)
    workers = min(os.cpu_count() or 1, len(jobs))
    if size < PARALLEL_MIN_BYTES or workers < 2 or not hasattr(os, "fork"):
        return [clean_file(p, m, c, corr, kind=k, display=d, today=t, wave=w)
                for p, m, c, corr, k, d, t, w in jobs]
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    global _JOBS
    _JOBS = jobs
    try:
        order = sorted(range(len(jobs)), key=lambda i: -jobs[i][0].stat().st_size)
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"),
                                 initializer=_ignore_sigint) as pool:
            futures = {i: pool.submit(_clean_job, i) for i in order}
            results = [futures[i].result() for i in range(len(jobs))]
    finally:
        _JOBS = []
    for r in results:
        if isinstance(r, _Failed):
            r.reraise()
    return results


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
                      "contact_id": bad["contact_id"], "wave": bad["wave"],
                      "column": "contact_id",
                      "value": bad["contact_id"],
                      "expected": "a contact id unique across files (it occurs in several)",
                      "reason": "conflicting_duplicate"})
    return df[~dup], q[QUARANTINE_COLUMNS]


def _known_values(cfg: StudyConfig) -> set[str]:
    """Configured names that are never a person's (companies, aliases, channels, scenarios)."""
    out = {v for c in cfg.companies for v in (c.id, c.name, *c.aliases)}
    out |= set(cfg.channels) | set(cfg.scenarios)
    for m in cfg.exports.values():
        out |= set(m.channel_values) | set(m.scenario_values)
    return out


def _common_categories(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """The files' categorical columns (raw item strings) recoded to one set of categories,
    so that concatenating them stays categorical (codes, no string per cell)."""
    if len(frames) < 2:
        return frames
    cols = [c for c in frames[0].columns
            if any(isinstance(f[c].dtype, pd.CategoricalDtype) for f in frames)]
    out: list[dict] = [{} for _ in frames]
    for c in cols:
        parts = [f[c] if isinstance(f[c].dtype, pd.CategoricalDtype)
                 else f[c].astype(str).astype("category") for f in frames]
        cats = pd.Index(pd.unique(pd.concat([pd.Series(p.cat.categories) for p in parts],
                                            ignore_index=True)))
        dtype = pd.CategoricalDtype(cats)  # one dtype object: the concat only joins codes
        for f, p in zip(out, parts, strict=True):
            recode = np.append(cats.get_indexer(p.cat.categories), -1).astype(np.int32)
            f[c] = pd.Categorical.from_codes(recode[p.cat.codes.to_numpy()], dtype=dtype)
    return [pd.DataFrame({c: new.get(c, f[c]) for c in f.columns}, index=f.index, copy=False)
            for f, new in zip(frames, out, strict=True)]


def _assemble(cfg: StudyConfig, results: list[FileResult], calibration: bool = False,
              scrubber=None):
    empty = pd.DataFrame()
    frames = [r.clean for r in results if len(r.clean)]
    if not frames:
        return empty, empty, pd.DataFrame(columns=QUARANTINE_COLUMNS)
    df = pd.concat(_common_categories(frames), ignore_index=True)
    df, q = _cross_file_conflicts(df)
    df = df.sort_values(["wave", "contact_id"], kind="stable").reset_index(drop=True)
    _mail_outcomes(df, cfg.grid, cfg.settings.mail_window_h)
    ids = list(dict.fromkeys(i.id for i in cfg.grid.items))
    values = df[[f"v:{i}" for i in ids]].set_axis(ids, axis=1)
    status = df[[f"s:{i}" for i in ids]].set_axis(ids, axis=1)
    scores, points, final = score_contacts(values, status, df, cfg.grid.items,
                                           cfg.grid.dimensions, cfg.settings.min_coverage)
    contacts = _contact_table(cfg, df, scores, calibration, scrubber)
    items = _items_long(cfg, df, contacts, values, points, final, calibration)
    return contacts, items, q


def _mail_outcomes(df: pd.DataFrame, grid: Grid, window_h: float) -> None:
    """Reached flag, call waiting time and mail outcomes, from the items with those roles.

    A mail counts as answered within the window (event) or its response time is censored at
    the window. A grid without a reachability item records only reached contacts; without a
    wait-time or mail-response item the columns stay empty (the study does not measure it).
    """
    n = len(df)
    reach_item = grid.item_for_role("reachability")
    mail_item = grid.item_for_role("mail_response_time")
    wait_item = grid.item_for_role("wait_time")
    reach = (df[f"v:{reach_item.id}"].to_numpy(dtype=float) if reach_item
             else np.ones(n))
    df["reached"] = pd.array(reach == 1, dtype="boolean") if reach_item else pd.array(
        np.ones(n, dtype=bool), dtype="boolean")
    if mail_item is None:
        df["mail_answered"] = pd.array([pd.NA] * n, dtype="boolean")
        df["response_h"] = np.full(n, np.nan)
    else:
        mail = df["channel"].isin(mail_item.channels).to_numpy()
        rh = df[f"v:{mail_item.id}"].to_numpy(dtype=float)
        answered = (reach == 1) & ~(rh > window_h)
        never = mail & ((reach == 0) | (rh > window_h))
        df["mail_answered"] = pd.array(np.where(mail & ~np.isnan(reach), answered, False),
                                       dtype="boolean")
        df.loc[~mail | np.isnan(reach), "mail_answered"] = pd.NA
        df["response_h"] = np.where(mail, np.where(never, window_h, rh), np.nan)
        df.loc[never, f"v:{mail_item.id}"] = np.inf  # "later or never" scores 0 points
        df.loc[never, f"s:{mail_item.id}"] = ANSWERED
    if wait_item is None:
        df["wait_s"] = np.full(n, np.nan)
    else:
        waits = df["channel"].isin(wait_item.channels).to_numpy()
        df["wait_s"] = np.where(waits, df[f"v:{wait_item.id}"].to_numpy(dtype=float), np.nan)


def _per_distinct(series: pd.Series, fn) -> np.ndarray:
    """``fn`` applied once per distinct value of ``series``, broadcast back (object array)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [fn(u) for u in uniques]
    return mapped[codes]


def _contact_table(cfg: StudyConfig, df: pd.DataFrame, scores: pd.DataFrame,
                   calibration: bool, scrubber=None) -> pd.DataFrame:
    key = pseudonym_key(cfg.settings, cfg.root)
    names = df["agent_name"].astype(str)
    # every per-value step runs once per distinct value (agents, companies, waves, comments)
    name_codes, name_uniq = pd.factorize(names, use_na_sentinel=False)
    agent_of = np.empty(len(name_uniq), dtype=object)
    agent_of[:] = [pseudonym(n, key) if n.strip() else None for n in name_uniq]
    pattern = scrubber or name_pattern(sorted({n for n in name_uniq if n.strip() != ""}))
    comments = df["comment"].astype(str)
    company = {c.id: c for c in cfg.companies}
    out = pd.DataFrame({
        "contact_id": df["contact_id"], "wave": df["wave"], "contact_date": df["contact_date"],
        "channel": df["channel"], "scenario": df["scenario"], "company": df["company"],
        "company_name": pd.Series(_per_distinct(df["company"], lambda c: company[c].name),
                                  index=df.index, dtype=df["company"].dtype),
        "role": pd.Series(_per_distinct(df["company"], lambda c: company[c].role),
                          index=df.index, dtype=df["company"].dtype),
        "agency": df["agency"],
        "evaluator": df["evaluator"], "agent": pd.Series(agent_of[name_codes], index=df.index,
                                                         dtype=object),
        "grid_version": pd.Series(_per_distinct(df["wave"], cfg.grid.version_of),
                                  index=df.index, dtype=df["wave"].dtype),
        "reached": df["reached"],
    })
    if calibration:
        out.insert(0, "recording_id", df["recording_id"])
    out = pd.concat([out, scores.reset_index(drop=True)], axis=1)
    out["wait_s"] = df["wait_s"]
    out["response_h"] = df["response_h"]
    out["mail_answered"] = df["mail_answered"]
    out["comment"] = pd.Series(_per_distinct(comments, lambda c: scrub(c, pattern=pattern)),
                               index=df.index, dtype=comments.dtype)
    out["source_file"] = df["source_file"]
    out["source_row"] = df["_row"].astype("int64")
    return out


def _code_dtype(n: int) -> type:
    """The integer type pandas keeps categorical codes in for ``n`` categories."""
    return np.int8 if n < 127 else np.int16 if n < 32767 else np.int32


def _strings_at(dictionary, codes: np.ndarray, rows: np.ndarray | None = None) -> pd.Series:
    """A categorical Series of ``dictionary[codes[rows]]`` (a code of -1 is a missing value).

    The item table repeats a few distinct strings millions of times; as categoricals they
    cost an integer code per row instead of a string, in memory and in the Parquet file
    (dictionary-encoded), and building them needs no per-row work. The codes are recoded
    to one category per distinct string *before* they are gathered at ``rows``, in the
    smallest integer type, so a 30-million-row column costs 30 MB, not 240 MB of int64s.
    """
    values = np.asarray(dictionary.to_pylist() if hasattr(dictionary, "to_pylist")
                        else dictionary, dtype=object)
    dedup, cats = pd.factorize(values, use_na_sentinel=True)  # one category per string
    remap = np.append(dedup, -1).astype(_code_dtype(len(cats)))  # code -1 -> remap[-1] = -1
    cat_codes = remap[codes] if rows is None else remap[codes][rows]
    return pd.Series(pd.Categorical.from_codes(cat_codes, categories=pd.Index(cats)))


def _gather_strings(col: pd.Series, rows: np.ndarray) -> pd.Series:
    """``col`` taken at ``rows`` (positions), through its distinct values (categorical)."""
    codes, uniq = pd.factorize(col, use_na_sentinel=True)
    return _strings_at(np.asarray(uniq, dtype=object), codes, rows)


def _labels(codes: np.ndarray, names: list[str]) -> pd.Series:
    return _strings_at(np.asarray(names, dtype=object), codes)


def _items_long(cfg, df, contacts, values, points, final, calibration: bool) -> pd.DataFrame:
    """Contact × item (long), in the order of (wave | recording, contact id, item).

    Built without a sort of the long table: contact ids are unique here (cross-file
    conflicts were removed), so the order is the contact order times the sorted item
    names; every column is gathered once with integer positions (strings through a
    dictionary per column), so the cost is linear in contacts × items.
    """
    meta = ["contact_id", "wave", "company", "role", "channel", "scenario", "evaluator"]
    if calibration:
        meta = ["recording_id", *meta]
    defs: dict[str, list] = {}
    for it in cfg.grid.items:
        defs.setdefault(it.id, []).append(it)
    n, cols = len(df), list(values.columns)
    wcodes, wuniq = pd.factorize(df["wave"], use_na_sentinel=False)
    keep = np.zeros((n, len(cols)), dtype=bool)
    scale_names: list[str] = []
    dim_names: list[str] = []
    scale = np.zeros((n, len(cols)), dtype=np.int16)
    dim = np.zeros((n, len(cols)), dtype=np.int16)
    for j, iid in enumerate(cols):
        for d in defs[iid]:
            if d.valid_from or d.valid_to:
                m = np.array([d.valid_in(w) for w in wuniq], dtype=bool)[wcodes]
            else:
                m = np.ones(n, dtype=bool)
            keep[:, j] |= m
            if d.scale not in scale_names:
                scale_names.append(d.scale)
            if d.dimension not in dim_names:
                dim_names.append(d.dimension)
            scale[m, j] = scale_names.index(d.scale)
            dim[m, j] = dim_names.index(d.dimension)
    if calibration:  # contacts come sorted by (wave, contact id); calibration needs recording
        order = contacts[["recording_id", "contact_id"]].reset_index(drop=True)
        perm = order.sort_values(["recording_id", "contact_id"], kind="stable").index.to_numpy()
    else:
        perm = np.arange(n)
    item_order = np.array(sorted(range(len(cols)), key=lambda j: cols[j]), dtype=np.intp)
    # (contact, item) pairs kept, contact-major with items sorted by name, as positions in
    # the wide arrays; int32 while they fit (a third of the memory of np.nonzero's pairs)
    pos = np.flatnonzero(keep[perm][:, item_order])
    itype = np.int32 if n * max(len(cols), 1) < 2**31 else np.int64
    pos = pos.astype(itype)
    ci = perm.astype(itype)[pos // len(cols)] if len(cols) else pos
    jj = item_order.astype(itype)[pos % len(cols)] if len(cols) else pos
    del pos
    flat = ci * itype(len(cols)) + jj  # position in the (contact, item) wide arrays
    status_names = [STATUS_LABELS[k] for k in range(len(STATUS_LABELS))]
    st = final.to_numpy().ravel()[flat]
    jobs = {c: (lambda c=c: _gather_strings(contacts[c].reset_index(drop=True), ci))
            for c in meta}
    jobs["item"] = lambda: _labels(jj, cols)
    jobs["dimension"] = lambda: _labels(dim.ravel()[flat], dim_names)
    jobs["scale"] = lambda: _labels(scale.ravel()[flat], scale_names)
    jobs["raw"] = lambda: _gather_raw(df, cols, flat)
    jobs["status"] = lambda: _labels(st, status_names)
    # the string columns are Arrow takes that release the GIL: build them side by side
    strings = _side_by_side(jobs, cells=len(flat), threads=4)
    out = {c: strings[c] for c in meta}
    # waves compare and sort chronologically (YYYY-MM): an ordered categorical over every
    # configured wave, so analysts can write items.wave >= "2026-01" or items.wave.min()
    waves = sorted(set(cfg.wave_ids) | set(out["wave"].cat.categories))
    out["wave"] = out["wave"].cat.set_categories(waves, ordered=True)
    for c in ("item", "dimension", "scale", "raw"):
        out[c] = strings[c]
    v = values.to_numpy(dtype=float).ravel()[flat]
    v[np.isinf(v)] = np.nan  # "later or never" mails: 0 points, no value
    out["value"] = v
    out["points"] = points.to_numpy(dtype=float).ravel()[flat]
    out["status"] = strings["status"]
    out["applicable"] = (st == 0) | (st == 2)
    return pd.DataFrame(out, copy=False)  # no consolidation copy of the float columns


THREADS_MIN_CELLS = 1_000_000
"""Below this many table cells a thread pool costs more than it saves (its start, locks and
hand-overs, a few ms a clean of a small file, which the bad-input corpus pays ~100 times)."""


def _side_by_side(jobs: dict[str, Callable[[], Any]], cells: int,
                  threads: int) -> dict[str, Any]:
    """Each job's result by name: on up to ``threads`` threads (capped at the CPUs) for work
    on ``cells`` table cells that releases the GIL; one after the other in this thread below
    :data:`THREADS_MIN_CELLS`.

    >>> _side_by_side({"a": lambda: 1, "b": lambda: 2}, cells=10, threads=4)
    {'a': 1, 'b': 2}
    """
    threads = min(threads, len(jobs), os.cpu_count() or 1)
    if threads < 2 or cells < THREADS_MIN_CELLS:
        return {k: f() for k, f in jobs.items()}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=threads) as pool:
        done = {k: pool.submit(f) for k, f in jobs.items()}
        return {k: f.result() for k, f in done.items()}


def _gather_raw(df: pd.DataFrame, cols: list[str], flat: np.ndarray) -> pd.Series:
    """The raw strings of (contact, item) pairs: one dictionary over all ``r:`` columns."""
    codes = np.empty((len(df), len(cols)), dtype=np.int32)
    uniques, offset = [], 0
    for j, iid in enumerate(cols):
        c, u = pd.factorize(df[f"r:{iid}"], use_na_sentinel=False)
        codes[:, j] = c + offset
        uniques.append(np.asarray(u, dtype=object))
        offset += len(u)
    dictionary = np.concatenate(uniques) if uniques else np.array([], dtype=object)
    return _strings_at(dictionary, codes.ravel(), flat)


# --------------------------------------------------------------------------- writing
def _parquet_bytes(df: pd.DataFrame) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def write_outputs(result: PipelineResult, cfg: StudyConfig, out: Path,
                  fingerprint: dict | None = None, built_at: str | None = None) -> Path:
    """Write every processed table as one new generation of ``out`` (byte-reproducibly) and
    switch to it atomically; returns the generation's folder."""
    paths = get_paths(cfg.root)
    if fingerprint is None:
        fingerprint = input_fingerprint(paths)
    tables = {"contacts.parquet": result.contacts, "items.parquet": result.items,
              "calibration.parquet": result.calibration,
              "calibration_items.parquet": result.calibration_items}
    encoded = _side_by_side({name: (lambda t=t: _parquet_bytes(t)) for name, t in tables.items()},
                            cells=sum(t.size for t in tables.values()), threads=len(tables))
    corr = result.corrections if len(result.corrections) else pd.DataFrame(
        columns=["file", "contact_id", "column", "old", "new", "reason", "who"])
    inputs = {f.file: fingerprint["raw"][f.file.removeprefix("data/raw/")]
              for f in result.files}
    manifest = {"config_sha256": cfg.sha256, "totals": result.totals, "inputs": inputs,
                "ignored": sorted(result.ignored), "fingerprint": fingerprint,
                "built_at": built_at or build_time(paths),
                "max_quarantine_share": cfg.settings.max_quarantine_share}

    def blob(data: bytes):
        return lambda p: p.write_bytes(data)

    members = [(name, blob(encoded.pop(name))) for name in tables]
    members += [("quarantine.csv", lambda p: _csv(result.quarantine, p)),
                ("duplicates.csv", lambda p: _csv(result.duplicates(), p)),
                ("reconciliation.csv", lambda p: _csv(result.reconciliation(), p)),
                ("corrections_applied.csv", lambda p: _csv(corr, p)),
                ("manifest.json", lambda p: p.write_bytes(json_bytes(manifest)))]
    return write_generation(out, members, root=cfg.root)


def _csv(df: pd.DataFrame, path: Path) -> None:
    csv_safe(df).to_csv(path, index=False, lineterminator="\n")
