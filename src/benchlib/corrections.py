"""Analysts' corrections: ``config/corrections.csv``, validated, applied during cleaning.

Raw files are never edited. A correction names the contact id, the column (a canonical
column such as ``company`` or a grid item id such as ``politeness``), the corrected value,
the reason and who made it. A malformed file or an unknown column stops with a
:class:`~benchlib.errors.ConfigError` naming the row; a correction whose contact id is found
in no export is reported by the pipeline (it would otherwise silently do nothing).

>>> from benchlib.config import load_config
>>> load_corrections(load_config())[["contact_id", "column", "value"]].values.tolist()
[['FH-202510-0008', 'politeness', '4']]
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from benchlib.config import CORE_COLUMNS, OPTIONAL_COLUMNS, StudyConfig
from benchlib.errors import ConfigError
from benchlib.paths import get_paths

CORRECTION_COLUMNS = ["contact_id", "column", "value", "reason", "who"]
FILE = "config/corrections.csv"


def load_corrections(cfg: StudyConfig) -> pd.DataFrame:
    """The corrections file as a table of strings (empty when there is none)."""
    path = get_paths(cfg.root).config / "corrections.csv"
    if not path.is_file():
        return pd.DataFrame(columns=CORRECTION_COLUMNS)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(FILE, "(file)", "not UTF-8 text") from None
    lines = [ln for ln in text.splitlines(keepends=True) if not ln.lstrip().startswith("#")]
    try:
        rows = list(csv.reader(io.StringIO("".join(lines)), strict=True))
    except csv.Error as err:
        raise ConfigError(FILE, "(file)", f"malformed CSV ({err})") from None
    if not rows:
        return pd.DataFrame(columns=CORRECTION_COLUMNS)
    header = [h.strip() for h in rows[0]]
    missing = [c for c in CORRECTION_COLUMNS if c not in header]
    if missing:
        raise ConfigError(FILE, "header", f"missing columns {missing}; expected "
                          + ",".join(CORRECTION_COLUMNS))
    allowed = set(CORE_COLUMNS) | set(OPTIONAL_COLUMNS) | {i.id for i in cfg.grid.items}
    records = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise ConfigError(FILE, f"row {n}", f"{len(row)} fields, expected {len(header)}")
        rec = dict(zip(header, (c.strip() for c in row), strict=True))
        for c in CORRECTION_COLUMNS:
            if not rec[c]:
                raise ConfigError(FILE, f"row {n}.{c}", "must not be empty")
        if rec["column"] not in allowed:
            raise ConfigError(FILE, f"row {n}.column", f"unknown column {rec['column']!r}; "
                              "expected a canonical column (e.g. company) or a grid item id")
        records.append({c: rec[c] for c in CORRECTION_COLUMNS})
    return pd.DataFrame(records, columns=CORRECTION_COLUMNS)


def unmatched(corrections: pd.DataFrame, applied: pd.DataFrame) -> pd.DataFrame:
    """Corrections that changed nothing in any export (unknown contact id or column)."""
    if corrections.empty:
        return corrections
    done = set() if applied.empty else set(zip(applied["contact_id"], applied["column"],
                                               strict=True))
    keep = [(r.contact_id, r.column) not in done for r in corrections.itertuples()]
    return corrections[keep].reset_index(drop=True)
