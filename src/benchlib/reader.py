"""Read a raw export (CSV or XLSX) into a table of strings with canonical column names.

No value is interpreted here: every cell stays the string the agency exported (XLSX numbers
and dates are rendered as plain strings), so that validation can name the exact value it
rejects. What cannot be read at all raises :class:`~benchlib.errors.InputError` naming the
file, the row and what was expected.

>>> from benchlib.config import load_config
>>> from benchlib.paths import get_paths
>>> cfg = load_config()
>>> path = get_paths().raw / "2025-07" / "feldhaus_anrufe_2025-07.csv"
>>> t = read_export(path, cfg.exports["feldhaus"])
>>> t.encoding, t.frame.columns[0], int(t.frame["_row"].iloc[0])
('cp1252', 'contact_id', 2)
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from benchlib.config import ExportMapping, normalise_token
from benchlib.errors import InputError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted XLSX or legacy .xls
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class RawTable:
    """A raw export as strings: canonical columns plus ``_row`` (row number as in Excel)."""

    path: Path
    frame: pd.DataFrame
    encoding: str
    header_row: int
    headers: dict[str, str]  # canonical name -> header as found in the file


def read_export(path: Path, mapping: ExportMapping, display: str | None = None) -> RawTable:
    """Read one export through its mapping (see module docstring)."""
    path = Path(path)
    name = display or str(path)
    data = path.read_bytes()
    if not data.strip():
        raise InputError(name, "file", "the file is empty (expected a header row and data)")
    if mapping.format == "xlsx":
        rows, encoding = _xlsx_rows(data, name, mapping), "xlsx"
    else:
        rows, encoding = _csv_rows(data, name, mapping)
    return _to_table(path, name, rows, encoding, mapping)


# --------------------------------------------------------------------------- CSV
def _decode(data: bytes, name: str, mapping: ExportMapping) -> tuple[str, str]:
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC):
        raise InputError(name, "file", "this is an Excel workbook, but the export mapping "
                         f"'{mapping.id}' expects CSV (format: csv)")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(name, "file", "contains NUL bytes (binary or UTF-16 data?); expected "
                         "a text CSV", row=data.count(b"\n", 0, nul) + 1)
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    else:
        candidates = [e for e in mapping.encodings] or ["utf-8"]
    last_err: UnicodeDecodeError | None = None
    for enc in candidates:
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError as err:
            last_err = err
    else:
        assert last_err is not None
        line = data.count(b"\n", 0, last_err.start) + 1
        raise InputError(name, "encoding", f"byte {data[last_err.start]:#04x} cannot be decoded "
                         f"as {' or '.join(candidates)} (configured encodings)", row=line)
    bom = text.find("\ufeff", 1 if text.startswith("\ufeff") else 0)
    if bom >= 0:
        raise InputError(name, "encoding", "a byte-order mark (BOM) in the middle of the file: "
                         "two exports were concatenated?", row=text.count("\n", 0, bom) + 1)
    if enc == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8"
    return text.lstrip("\ufeff"), enc


def _csv_rows(data: bytes, name: str, mapping: ExportMapping) -> tuple[list[list[str]], str]:
    text, encoding = _decode(data, name, mapping)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=mapping.delimiter,
                               strict=True))
    except csv.Error as err:
        raise InputError(name, "csv", f"malformed CSV ({err})") from None
    return rows, encoding


# --------------------------------------------------------------------------- XLSX
def _xlsx_rows(data: bytes, name: str, mapping: ExportMapping) -> list[list[str]]:
    if data.startswith(OLE_MAGIC):
        raise InputError(name, "file", "the workbook is password-protected (encrypted) or a "
                         "legacy .xls; save it as an unprotected .xlsx")
    if not data.startswith(ZIP_MAGIC):
        raise InputError(name, "file", "not an XLSX workbook (expected a zip container); is it "
                         f"a CSV? The export mapping '{mapping.id}' says format: xlsx")
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for corrupt files
        raise InputError(name, "file", f"corrupt XLSX workbook ({type(err).__name__}: {err})"
                         ) from None
    try:
        ws = _pick_sheet(wb, name, mapping)
        return [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def _pick_sheet(wb, name: str, mapping: ExportMapping):
    sheets = wb.sheetnames
    if mapping.sheet is None:
        if len(sheets) > 1:
            raise InputError(name, "sheet", f"the workbook has {len(sheets)} sheets "
                             f"({', '.join(sheets)}); set 'sheet' in {mapping.file}")
        return wb[sheets[0]]
    if isinstance(mapping.sheet, int):
        if mapping.sheet >= len(sheets):
            raise InputError(name, "sheet", f"sheet index {mapping.sheet} does not exist "
                             f"(sheets: {', '.join(sheets)})")
        return wb[sheets[mapping.sheet]]
    if mapping.sheet not in sheets:
        raise InputError(name, "sheet", f"no sheet {mapping.sheet!r} (sheets: {', '.join(sheets)})")
    return wb[mapping.sheet]


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "ja" if v else "nein"
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time(0) else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


# --------------------------------------------------------------------------- header
def _header_score(row: list[str], lookup: dict[str, str]) -> int:
    return sum(normalise_token(c) in lookup for c in row)


def _to_table(path: Path, name: str, rows: list[list[str]], encoding: str,
              mapping: ExportMapping) -> RawTable:
    lookup = {normalise_token(a): canon.removeprefix("item:")
              for canon, aliases in mapping.columns.items() for a in aliases}
    h = mapping.title_rows
    if h >= len(rows) or _header_score(rows[h], lookup) < 3:
        found = [i for i, r in enumerate(rows[:HEADER_SEARCH_ROWS]) if _header_score(r, lookup) >= 3]
        if not found:
            first = rows[h] if h < len(rows) else []
            hint = ""
            if len(first) == 1 and mapping.format == "csv":
                hint = f" (the header is one column: is the delimiter really {mapping.delimiter!r}?)"
            raise InputError(name, "header", "no header row with the columns of export mapping "
                             f"'{mapping.id}' in the first {HEADER_SEARCH_ROWS} rows{hint}", row=h + 1)
        h = found[0]
    header = [c.strip() for c in rows[h]]
    canon_of: dict[int, str] = {}
    seen: dict[str, int] = {}
    ignore = {normalise_token(c) for c in mapping.ignore_columns}
    for j, col in enumerate(header):
        key = normalise_token(col)
        if key == "" and all(j >= len(r) or r[j] == "" for r in rows[h + 1:]):
            continue  # trailing empty column (Excel)
        if key in ignore:
            continue
        if key not in lookup:
            close = difflib.get_close_matches(key, list(lookup), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise InputError(name, f"column {col!r}", "unknown column: not in export mapping "
                             f"'{mapping.id}' (add it to the mapping or to ignore_columns){hint}",
                             row=h + 1)
        canon = lookup[key]
        if canon in seen:
            raise InputError(name, f"column {col!r}", f"duplicated header: columns "
                             f"{seen[canon] + 1} and {j + 1} both map to '{canon}'", row=h + 1)
        seen[canon] = j
        canon_of[j] = canon
    for req in ("contact_id", "contact_date", "channel", "scenario", "company", "evaluator"):
        if req not in seen:
            raise InputError(name, f"column {req!r}", "required column missing; expected one of "
                             + ", ".join(repr(a) for a in mapping.columns.get(req, ())), row=h + 1)
    body = rows[h + 1:]
    width = len(header)
    for i, r in enumerate(body):
        if len(r) > width and any(c.strip() for c in r[width:]):
            raise InputError(name, "row", f"{len(r)} fields but the header has {width} "
                             f"(wrong delimiter or unquoted {mapping.delimiter!r} in a cell?)",
                             row=h + 2 + i)
    keep = [i for i, r in enumerate(body) if any(c.strip() for c in r)]  # skip blank lines
    data = {canon: [body[i][j] if j < len(body[i]) else "" for i in keep]
            for j, canon in canon_of.items()}
    frame = pd.DataFrame(data, dtype=object)
    frame["_row"] = [h + 2 + i for i in keep]
    headers = {canon: header[j] for j, canon in canon_of.items()}
    return RawTable(path, frame, encoding, h + 1, headers)
