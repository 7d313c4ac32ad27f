"""Clean one raw export: corrections → exact duplicates → conflicting ids → parse → schema.

The cleaning order follows docs/methodology.md: exact duplicate rows are dropped first (the
first copy stays, the drop is counted); every row of a contact id that still occurs with
different content is quarantined; rows with an invalid cell are quarantined whole, one
quarantine record per problem. Every row read ends up clean, quarantined or counted as a
dropped duplicate — :class:`FileResult` reconciles it.

>>> from benchlib.config import load_config
>>> from benchlib.paths import get_paths
>>> cfg = load_config()
>>> res = clean_file(get_paths().raw / "2025-07" / "feldhaus_anrufe_2025-07.csv",
...                  cfg.exports["feldhaus"], cfg, corrections=None)
>>> res.rows_read == res.clean_rows + res.quarantined_rows + res.duplicates_dropped
True
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from benchlib.config import ExportMapping, StudyConfig, normalise_token
from benchlib.errors import BenchlibError, InputError
from benchlib.parse import by_distinct, distinct_values, parse_date, parse_item_cell
from benchlib.privacy import looks_like_person_name
from benchlib.reader import RawTable, read_export
from benchlib.schema import build_schema, schema_problems
from benchlib.scoring import ANSWERED

META = ("contact_id", "wave", "contact_date", "channel", "scenario", "company", "evaluator",
        "agent_name", "comment", "recording_id")
MAX_SHOWN_CHARS = 200  # longer cells are shortened in quarantine records
QUARANTINE_COLUMNS = ["source_file", "source_row", "contact_id", "wave", "column", "value",
                      "expected", "reason"]
# every dropped exact duplicate: its file and row (as the spreadsheet numbers it) and the row
# of the first copy, which was kept; wave of that copy when it could be determined
DUPLICATE_COLUMNS = ["source_file", "source_row", "duplicate_of_row", "contact_id", "wave"]
WITHHELD = "(withheld: looks like a person's name)"


@dataclass
class FileResult:
    """What became of one export's rows."""

    file: str
    agency: str
    kind: str
    encoding: str
    rows_read: int
    duplicates_dropped: int
    clean: pd.DataFrame  # typed canonical rows (meta + v:/s:/r: item columns)
    quarantine: pd.DataFrame
    corrections_applied: list[dict] = field(default_factory=list)
    duplicates: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=DUPLICATE_COLUMNS))
    names: frozenset[str] = frozenset()  # agent names of every row read (for the scrubber)

    @property
    def clean_rows(self) -> int:
        return len(self.clean)

    @property
    def quarantined_rows(self) -> int:
        return int(self.quarantine["source_row"].nunique()) if len(self.quarantine) else 0

    @property
    def reconciled(self) -> bool:
        return self.rows_read == self.clean_rows + self.quarantined_rows + self.duplicates_dropped


def _shown(value: object) -> str:
    """The value as recorded in quarantine: verbatim, but a huge cell is shortened."""
    text = "" if value is None else str(value)
    if len(text) <= MAX_SHOWN_CHARS:
        return text
    return text[:MAX_SHOWN_CHARS] + f"… ({len(text)} characters)"


def stripped(col: pd.Series) -> pd.Series:
    """``col`` as ``str`` without surrounding whitespace (a categorical: stripped once per
    distinct value, then taken by code)."""
    if isinstance(col.dtype, pd.CategoricalDtype) and (len(col) == 0 or col.cat.codes.min() >= 0):
        cats = col.cat.categories.astype(str).str.strip()
        return pd.Series(cats.take(col.cat.codes.to_numpy()), index=col.index, name=col.name)
    return col.astype(str).str.strip()


def _problem(rows: pd.DataFrame, idx, header: str, value, expected: str, reason: str) -> dict:
    shown = WITHHELD if reason == "privacy_name" else _shown(value)
    return {"_idx": idx, "column": header, "value": shown, "expected": expected,
            "reason": reason}


def apply_corrections(raw: RawTable, corrections: pd.DataFrame | None, name: str) -> list[dict]:
    """Apply analyst corrections (contact id, column, value) to the raw strings, in place."""
    applied: list[dict] = []
    if corrections is None or corrections.empty:
        return applied
    f = raw.frame
    ids = stripped(f["contact_id"])
    for c in corrections.itertuples(index=False):
        hit = ids == str(c.contact_id).strip()
        col = str(c.column)
        if not hit.any() or col not in f.columns:
            continue
        old = f.loc[hit, col].iloc[0]
        new = str(c.value)
        if isinstance(f[col].dtype, pd.CategoricalDtype) and new not in f[col].cat.categories:
            f[col] = f[col].cat.add_categories([new])
        f.loc[hit, col] = new
        if col == "contact_id":
            ids = stripped(f["contact_id"])
        applied.append({"file": name, "contact_id": c.contact_id, "column": col, "old": old,
                        "new": new, "reason": c.reason, "who": c.who})
    return applied


def clean_file(path: Path, mapping: ExportMapping, cfg: StudyConfig,
               corrections: pd.DataFrame | None, kind: str = "contacts",
               display: str | None = None, today: date | None = None,
               wave: str | None = None) -> FileResult:
    """Read, correct, de-duplicate, parse and validate one export.

    ``wave`` is the wave its source names (``sources[].wave``), if any.

    Problems with the input are :class:`InputError` (whole file) or quarantine records (rows);
    an unexpected library exception is reported as an :class:`InputError` naming the file
    rather than escaping as a traceback.
    """
    name = display or str(path)
    try:
        return _clean_file(path, mapping, cfg, corrections, kind, name, today, wave)
    except (BenchlibError, MemoryError):
        raise
    except Exception as err:  # a failure deep inside pandas/pyarrow: name the file
        raise InputError(name, "processing", f"unexpected {type(err).__name__}: {err} "
                         "(a bug in benchlib; please report it with this file)") from err


def _clean_file(path: Path, mapping: ExportMapping, cfg: StudyConfig,
                corrections: pd.DataFrame | None, kind: str, name: str,
                today: date | None, source_wave: str | None = None) -> FileResult:
    raw = read_export(path, mapping, display=name)
    if kind == "calibration" and "recording_id" not in raw.frame.columns:
        raise InputError(name, "column 'recording_id'", "a calibration export needs a recording "
                         "id column; expected one of "
                         + ", ".join(mapping.columns.get("recording_id", ())), row=raw.header_row)
    applied = apply_corrections(raw, corrections, name)
    f = raw.frame
    rows_read = len(f)
    content = [c for c in f.columns if c != "_row"]
    dup, first_row = duplicate_rows(f, content)
    dropped = pd.DataFrame({"source_file": name, "source_row": f.loc[dup, "_row"].to_numpy(),
                            "duplicate_of_row": first_row[dup].to_numpy(),
                            "contact_id": f.loc[dup, "contact_id"].astype(str).str.strip()
                            .to_numpy()})
    f = f[~dup].reset_index(drop=True)
    problems: list[dict] = []
    ids = stripped(f["contact_id"])
    conflict = ids.duplicated(keep=False) & (ids != "")
    rows_of = f.loc[conflict, "_row"].groupby(ids[conflict]).agg(list).to_dict()
    for i in np.flatnonzero(conflict.to_numpy()):
        others = [r for r in rows_of[ids.iat[i]] if r != f.at[i, "_row"]]
        problems.append(_problem(f, i, raw.headers["contact_id"], ids.iat[i],
                                 f"a contact id that occurs once (differing copies in rows "
                                 f"{', '.join(map(str, others))})", "conflicting_duplicate"))
    if raw.short_rows and not mapping.allow_short_rows:
        problems += _short_row_problems(raw, f, mapping)
    typed, parse_probs = parse_table(raw, f, mapping, cfg, name, source_wave)
    problems += parse_probs
    item_ids = [c[2:] for c in typed.columns if c.startswith("v:")]
    schema = build_schema(cfg, item_ids, today=today)
    for p in schema_problems(schema, typed).itertuples(index=False):
        col = p.column[2:] if p.column.startswith("v:") else p.column
        header = raw.headers.get(col, col)
        raw_value = f.at[p.row, col] if col in f.columns else p.value
        problems.append(_problem(f, p.row, header, raw_value, p.expected, "invalid_value"))
    quarantine = _quarantine_frame(problems, f, name, typed["wave"])
    bad = sorted({p["_idx"] for p in problems})
    clean = typed.drop(index=bad).reset_index(drop=True)
    clean["source_file"] = name
    clean["agency"] = mapping.id
    kept = typed["_row"].isin(dropped["duplicate_of_row"]).to_numpy()  # the first copies
    wave_of_row = dict(zip(typed["_row"].to_numpy()[kept], typed["wave"].to_numpy()[kept],
                           strict=True))
    dropped["wave"] = dropped["duplicate_of_row"].map(wave_of_row)
    dropped = dropped[DUPLICATE_COLUMNS].astype({"source_row": "int64",
                                                  "duplicate_of_row": "int64"})
    names = (frozenset(str(v) for v in f["agent_name"].unique()) if "agent_name" in f.columns
             else frozenset())
    return FileResult(name, mapping.id, kind, raw.encoding, rows_read, int(dup.sum()), clean,
                      quarantine, applied, dropped, names)


def duplicate_rows(f: pd.DataFrame, columns: list[str]) -> tuple[pd.Series, pd.Series]:
    """Exact duplicates over ``columns``: a mask of every copy after the first (as
    ``DataFrame.duplicated(keep="first")``) and, per row, the ``_row`` of its first copy.

    Rows are grouped by their integer codes (a categorical's own codes), one column at a
    time, so no string is hashed per row.

    >>> f = pd.DataFrame({"a": ["x", "y", "x", "x"], "b": ["1", "1", "1", "2"],
    ...                   "_row": [2, 3, 4, 5]}).astype({"a": "category", "b": "category"})
    >>> dup, first = duplicate_rows(f, ["a", "b"])
    >>> dup.tolist(), first.tolist()
    ([False, False, True, False], [2, 3, 2, 5])
    """
    n = len(f)
    group = np.zeros(n, dtype=np.int64)
    for c in columns:
        col = f[c]
        codes = (col.cat.codes.to_numpy().astype(np.int64) + 1
                 if isinstance(col.dtype, pd.CategoricalDtype)
                 else pd.factorize(col, use_na_sentinel=False)[0].astype(np.int64) + 1)
        width = int(codes.max()) + 1 if n else 1
        group = pd.factorize(group * width + codes)[0].astype(np.int64)
    _, first_at = np.unique(group, return_index=True)  # groups are 0..G-1 (factorize)
    dup = first_at[group] != np.arange(n)
    rows = f["_row"].to_numpy()
    return (pd.Series(dup, index=f.index), pd.Series(rows[first_at[group]], index=f.index))


def _short_row_problems(raw: RawTable, f: pd.DataFrame, mapping: ExportMapping) -> list[dict]:
    """A CSV record with fewer fields than the header is quarantined (the agency may have cut
    it), unless the mapping says trailing empty cells are left out (``allow_short_rows``)."""
    out = []
    for i in np.flatnonzero(f["_row"].isin(list(raw.short_rows)).to_numpy()):
        found, width, missing = raw.short_rows[int(f["_row"].iat[i])]
        out.append(_problem(f, i, missing or f"column {found + 1}", "",
                            f"{width} fields as in the header row, found {found} (if the "
                            f"agency leaves out trailing empty cells, set allow_short_rows: "
                            f"true in {mapping.file})", "short_row"))
    return out


def _quarantine_frame(problems: list[dict], f: pd.DataFrame, name: str,
                      waves: pd.Series) -> pd.DataFrame:
    if not problems:
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    q = pd.DataFrame(problems)
    q["source_file"] = name
    q["source_row"] = f["_row"].to_numpy()[q["_idx"].to_numpy()]
    q["contact_id"] = stripped(f["contact_id"]).to_numpy()[q["_idx"].to_numpy()]
    q["wave"] = waves.to_numpy()[q["_idx"].to_numpy()]
    q = q.sort_values(["source_row", "column"], kind="stable")
    return q[QUARANTINE_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- parsing
def _map_values(series: pd.Series, table: dict[str, str], allowed: tuple[str, ...]):
    lookup = {**{normalise_token(a): a for a in allowed}, **table}

    def fn(t: str):
        n = normalise_token(t)
        return (lookup[n], None) if n in lookup else (None, n)

    return by_distinct(series, fn)


def parse_table(raw: RawTable, f: pd.DataFrame, mapping: ExportMapping, cfg: StudyConfig,
                name: str, source_wave: str | None = None) -> tuple[pd.DataFrame, list[dict]]:
    """Typed canonical table and the parse problems of each row."""
    problems: list[dict] = []
    out = pd.DataFrame(index=f.index)
    h = raw.headers
    out["contact_id"] = stripped(f["contact_id"])
    out["_row"] = f["_row"].to_numpy()

    def fail(mask: np.ndarray, col: str, expected, reason: str) -> None:
        """Record a problem for every row in ``mask``; ``expected`` may be per-row."""
        src = f[col] if col in f.columns else pd.Series("", index=f.index)
        idx = np.flatnonzero(mask) if mask.dtype == bool else mask
        exp = expected if isinstance(expected, np.ndarray) else None
        for i in idx:
            problems.append(_problem(f, i, h.get(col, col), src.iat[i],
                                     exp[i] if exp is not None else expected, reason))

    dates, dprob = by_distinct(f["contact_date"], lambda t: parse_date(t, mapping.date_formats))
    fail(dprob != None, "contact_date", dprob, "invalid_value")  # noqa: E711 - object array
    out["contact_date"] = pd.to_datetime(pd.Series(dates, index=f.index), errors="coerce")
    _parse_company(f, out, cfg, fail)
    _parse_wave(f, out, cfg, mapping, source_wave, fail)
    chans = mapping.channels or cfg.channels
    for col, table, allowed in (("channel", mapping.channel_values, tuple(chans)),
                                ("scenario", mapping.scenario_values, tuple(cfg.scenarios))):
        vals, bad = _map_values(f[col], table, allowed)
        if col == "channel":
            vals = np.where(np.isin(vals.astype(str), allowed), vals, None)
            bad = np.where(vals == None, bad, None)  # noqa: E711
        fail(bad != None, col, f"expected one of {', '.join(sorted(set(table) | set(allowed)))}",  # noqa: E711
             f"unknown_{col}")
        out[col] = vals
    _parse_evaluator(f, out, cfg, fail)
    for col in ("agent_name", "comment", "recording_id"):
        out[col] = stripped(f[col]) if col in f.columns else ""
    items: dict[str, object] = {}
    _parse_items(f, out, items, cfg, mapping, fail, name, raw)
    # ~100 item columns: one frame built at once instead of ~100 insertions
    return pd.concat([out, pd.DataFrame(items, index=f.index)], axis=1), problems


def _parse_company(f, out, cfg: StudyConfig, fail) -> None:
    aliases = cfg.alias_map()
    spelled = {normalise_token(a): a for c in cfg.companies for a in (c.name, *c.aliases)}

    def fn(t: str):
        n = normalise_token(t)
        if n in aliases:
            return aliases[n], None
        close = difflib.get_close_matches(n, list(spelled), n=1, cutoff=0.6)
        hint = (f"; closest alias: {spelled[close[0]]!r} ({aliases[close[0]]})" if close
                else "")
        return None, "expected a configured company name or alias" + hint

    ids, prob = by_distinct(f["company"], fn)
    fail(prob != None, "company", prob, "unknown_company")  # noqa: E711
    out["company"] = ids


def wave_sources(mapping: ExportMapping, source_wave: str | None) -> tuple[str, ...]:
    """Where the rows of an export take their wave from: the mapping's ``wave_from``, else
    the wave column if mapped, else the source's wave if it names one, else the date."""
    if mapping.wave_from:
        return mapping.wave_from
    if "wave" in mapping.columns:
        return ("column",)
    return ("source",) if source_wave else ("date",)


def _parse_wave(f, out, cfg: StudyConfig, mapping: ExportMapping, source_wave: str | None,
                fail) -> None:
    valid = cfg.wave_ids
    n = len(f)
    found: dict[str, np.ndarray] = {}  # wave source -> wave id per row (None: not known)
    bad_any = np.zeros(n, dtype=bool)
    for src in wave_sources(mapping, source_wave):
        if src == "column" and "wave" in f.columns:
            lookup = {**{normalise_token(w): w for w in valid}, **mapping.wave_values}
            labels = ", ".join(sorted({*valid, *mapping.wave_labels}))
            waves, _ = by_distinct(f["wave"], lambda t, lk=lookup: (lk.get(normalise_token(t)),
                                                                    None))
            bad = (waves == None)  # noqa: E711 - object array
            fail(bad, "wave", "expected a configured wave or wave label: " + labels,
                 "unknown_wave")
            bad_any |= bad.astype(bool)
            found["column"] = waves
        elif src == "source" and source_wave is not None:
            found["source"] = np.full(n, source_wave, dtype=object)
        elif src == "date":
            d = out["contact_date"]
            wave = pd.Series(None, index=f.index, dtype=object)
            for wv in cfg.waves:
                wave[(d >= pd.Timestamp(wv.start)) & (d <= pd.Timestamp(wv.end))] = wv.id
            bad = (wave.isna() & d.notna()).to_numpy()
            fail(bad, "contact_date", "a date inside a configured wave's field period",
                 "unknown_wave")
            bad_any |= bad
            found["date"] = wave.to_numpy(dtype=object)
    wave = np.full(n, None, dtype=object)
    for w in found.values():
        known = (w != None) & (wave == None)  # noqa: E711
        wave[known] = w[known]
    if len(found) > 1:
        conflict = np.zeros(n, dtype=bool)
        for w in found.values():
            conflict |= (w != None) & (w != wave)  # noqa: E711
        conflict &= ~bad_any
        expected = np.full(n, None, dtype=object)
        for i in np.flatnonzero(conflict):  # few rows: a sentence for each
            expected[i] = "the wave sources to agree: " + ", ".join(
                f"{k} says {w[i]}" for k, w in found.items() if w[i] is not None)
        fail(conflict, "wave" if "column" in found else "contact_date", expected,
             "wave_conflict")
    out["wave"] = wave




def _parse_evaluator(f, out, cfg: StudyConfig, fail) -> None:
    """Evaluator codes as written (stripped), checked against ``settings.evaluator_pattern``;
    a name-like value is quarantined for privacy and never written."""
    pattern = re.compile(cfg.settings.evaluator_pattern)

    def fn(t: str):
        code = str(t).strip()
        if pattern.fullmatch(code):
            return code, None
        if looks_like_person_name(code):
            return None, "privacy_name"
        return None, "invalid_value"

    codes, reason = by_distinct(f["evaluator"], fn)
    expected = f"an evaluator code matching {cfg.settings.evaluator_pattern}"
    fail(reason == "invalid_value", "evaluator", expected, "invalid_value")
    fail(reason == "privacy_name", "evaluator", expected + " (a code, never a person's name)",
         "privacy_name")
    out["evaluator"] = codes


def _raw_strings(col: pd.Series) -> pd.Series:
    """An item's raw cells as kept for the item table: a categorical of strings."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col
    codes, uniques = distinct_values(col)
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(
        pd.array(uniques.astype(str), dtype="str"))), index=col.index)


def _parse_items(f, out, items: dict, cfg: StudyConfig, mapping: ExportMapping, fail, name,
                 raw) -> None:
    """Parse every grid item's column into ``items`` (``v:``/``s:``/``r:`` per item)."""
    waves = set(out["wave"].dropna().unique())
    wcodes, wuniq = pd.factorize(out["wave"])  # validity decided once per distinct wave
    chans = set(mapping.channels or cfg.channels)
    ids = list(dict.fromkeys(i.id for i in cfg.grid.items))
    for iid in ids:
        defs = [d for d in cfg.grid.items if d.id == iid and chans & set(d.channels)]
        needed = [d for d in defs if any(d.valid_in(w) for w in waves)]
        if iid not in f.columns:
            if needed:
                raise InputError(name, f"column for item {iid!r}", "missing; expected one of "
                                 + ", ".join(repr(a) for a in mapping.columns.get(f"item:{iid}", ()))
                                 + f" (grid item valid in wave {sorted(waves)[-1]})",
                                 row=raw.header_row)
            items[f"v:{iid}"] = np.full(len(f), np.nan)
            items[f"s:{iid}"] = np.full(len(f), 3, dtype="int8")
            items[f"r:{iid}"] = pd.Series("", index=f.index, dtype="str")
            continue
        values = np.full(len(f), np.nan)
        status = np.full(len(f), ANSWERED, dtype="int8")
        for d in defs or [next(i for i in cfg.grid.items if i.id == iid)]:
            rows = np.array([d.valid_in(w) for w in wuniq] + [False], dtype=bool)[wcodes]
            if not rows.any():
                continue
            v, s, prob = by_distinct(f.loc[rows, iid],
                                     lambda t, sc=d.scale: parse_item_cell(t, sc, mapping))
            values[rows] = v.astype(float)
            status[rows] = s.astype("int8")
            expected = np.full(len(f), None, dtype=object)
            expected[rows] = prob
            fail(expected != None, iid, expected, "invalid_value")  # noqa: E711
        items[f"v:{iid}"], items[f"s:{iid}"], items[f"r:{iid}"] = values, status, _raw_strings(
            f[iid])
