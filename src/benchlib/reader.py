"""Read a raw export (CSV, XLSX or ODS) into a table of strings with canonical column names.

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
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from benchlib.config import ExportMapping, normalise_token
from benchlib.errors import InputError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted XLSX or legacy .xls
HEADER_SEARCH_ROWS = 10
BOM = b"\xef\xbb\xbf"
_FORMULA_TAG = re.compile(rb"<f[ >]")


@dataclass(frozen=True)
class RawTable:
    """A raw export as strings: canonical columns plus ``_row`` (row number as in Excel).

    Every canonical column is a categorical of the strings found (pandas ``category`` over
    ``str``): exports repeat a few strings per column, so a cell costs an integer code."""

    path: Path
    frame: pd.DataFrame
    encoding: str
    header_row: int
    headers: dict[str, str]  # canonical name -> header as found in the file
    # CSV records with fewer fields than the header: Excel row -> (fields found, fields in
    # the header, header of the first missing field); the cells are padded with ""
    short_rows: dict[int, tuple[int, int, str]] = field(default_factory=dict)


def read_export(path: Path, mapping: ExportMapping, display: str | None = None) -> RawTable:
    """Read one export through its mapping (see module docstring).

    Whatever goes wrong while reading (a pandas or openpyxl exception deep inside) surfaces
    as an :class:`InputError` naming the file, never as a traceback.
    """
    path = Path(path)
    name = display or str(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(name, "file", f"cannot be read ({err.strerror or err})") from None
    if not data.strip() or data.strip() == BOM:
        raise InputError(name, "file", "the file is empty (expected a header row and data)")
    try:
        if mapping.format == "xlsx":
            grid, encoding = _xlsx_grid(data, name, mapping), "xlsx"
        elif mapping.format == "ods":
            grid, encoding = _ods_grid(data, name, mapping), "ods"
        else:
            grid, encoding = _csv_grid(data, name, mapping)
        del data
        return _to_table(path, name, grid, encoding, mapping)
    except (InputError, MemoryError):
        raise
    except Exception as err:  # any library failure becomes a named input error
        raise InputError(name, "file", f"cannot be read ({type(err).__name__}: {err})") from None


# --------------------------------------------------------------------------- CSV
def _column_at(data: bytes, offset: int, delimiter: str) -> str:
    """Best-effort ``column N ('Header')`` of the byte at ``offset`` (quotes ignored)."""
    start = data.rfind(b"\n", 0, offset) + 1
    delim = delimiter.encode()
    j = data.count(delim, start, offset)
    first = data[:data.find(b"\n")] if b"\n" in data else data
    header = first.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r").split(delimiter)
    text = header[j].strip() if j < len(header) else ""
    label = f" ({text!r})" if text.isprintable() and text else ""
    return f"column {j + 1}{label}"


def _record_number(data: bytes, offset: int, delimiter: str) -> int:
    r"""The 1-based record (spreadsheet row) holding byte ``offset``: a quoted cell spanning
    several lines is one record, as Excel shows it.

    >>> _record_number(b'a;b\n"x\ny";2\n3;\xff\n', 14, ";")
    3
    """
    prefix = data[:offset].decode("utf-8", errors="replace").lstrip("\ufeff")
    records = list(csv.reader(io.StringIO(prefix, newline=""), delimiter=delimiter))
    if not records or prefix.endswith(("\n", "\r")) and prefix.count('"') % 2 == 0:
        return len(records) + 1
    return len(records)


def _decode(data: bytes, name: str, mapping: ExportMapping) -> tuple[str, str]:
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC):
        raise InputError(name, "file", "this is an Excel workbook, but the export mapping "
                         f"'{mapping.id}' expects CSV (format: csv)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(name, "encoding", "the file is UTF-16 (Excel 'Unicode text'); export "
                         "it as 'CSV UTF-8' or CSV (cp1252) instead", row=1)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(name, _column_at(data, nul, mapping.delimiter),
                         "contains NUL bytes (binary or UTF-16 data?); expected a text CSV",
                         row=_record_number(data, nul, mapping.delimiter))
    if data.startswith(BOM):
        candidates = ["utf-8-sig"]
    else:
        candidates = [e for e in mapping.encodings] or ["utf-8"]
    last_err: UnicodeDecodeError | None = None
    for enc in candidates:
        try:
            text = data.decode(enc)
            break
        except (UnicodeDecodeError, LookupError) as err:
            if isinstance(err, LookupError):
                raise InputError(name, "encoding", f"unknown encoding {enc!r} in {mapping.file}"
                                 ) from None
            last_err = err
    else:
        assert last_err is not None
        start = last_err.start + (len(BOM) if data.startswith(BOM) else 0)  # -sig strips it
        line = _record_number(data, start, mapping.delimiter)
        bad = data[start:start + last_err.end - last_err.start]
        raise InputError(name, _column_at(data, start, mapping.delimiter),
                         f"byte {bad[:1].hex(' ')} ({bad!r}) cannot be decoded as "
                         f"{' or '.join(candidates)} (configured encodings"
                         + ("; the file starts with a UTF-8 BOM" if data.startswith(BOM) else "")
                         + ")", row=line)
    bom = text.find("\ufeff", 1 if text.startswith("\ufeff") else 0)
    if bom >= 0:
        raise InputError(name, "encoding", "a byte-order mark (BOM) in the middle of the file: "
                         "two exports were concatenated?", row=text.count("\n", 0, bom) + 1)
    if enc == "utf-8-sig" and not data.startswith(BOM):
        enc = "utf-8"
    return text.lstrip("\ufeff"), enc


def _csv_records(text: str, mapping: ExportMapping, name: str,
                 limit: int | None = None) -> list[list[str]]:
    """Records read strictly by the csv module (all, or the first ``limit``); a broken
    record is an :class:`InputError` naming the row where it starts."""
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # a cell may be huge
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=mapping.delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        rows.extend(itertools.islice(reader, limit))
    except csv.Error as err:
        raise InputError(name, "csv", f"malformed CSV ({err}); the record starting in this "
                         "row is broken (an unclosed quote, or text after a closing quote?)",
                         row=len(rows) + 1) from None
    return rows


def _csv_grid(data: bytes, name: str, mapping: ExportMapping) -> tuple[pd.DataFrame, str]:
    """All records as a string grid, grid row i = record i + 1 as a spreadsheet numbers it
    (a quoted cell spanning lines is one record). Fast path: Arrow's CSV reader on the bytes
    (every column a string, de-duplicated per distinct value so a million rows stay small);
    a record longer than the first records is re-read strictly by the csv module, which
    names the offending row. Records with fewer fields than the widest of the first rows
    are padded and listed in ``grid.attrs["fields"]`` (grid row → field count)."""
    text, encoding = _decode(data, name, mapping)
    head = _csv_records(text, mapping, name, HEADER_SEARCH_ROWS)
    width = max((len(r) for r in head), default=0)
    if width == 0:
        raise InputError(name, "file", "the file is empty (expected a header row and data)")
    del text  # a second copy of the whole file; decoded again only for the strict reader
    grid = _csv_grid_arrow(data, encoding, width, mapping)
    if grid is None:
        grid = _csv_grid_strict(_decode(data, name, mapping)[0], name, mapping)
    return grid, encoding


def _csv_grid_arrow(data: bytes, encoding: str, width: int, mapping: ExportMapping
                    ) -> pd.DataFrame | None:
    """Arrow's CSV parser (single-threaded, so invalid rows carry their record number);
    None when a record has more fields than ``width`` (the strict reader explains it).
    Every column becomes a categorical straight from Arrow's dictionary encoding: no
    Python string per cell."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv as pacsv

    names = [str(j) for j in range(width)]
    short: dict[int, list[str]] = {}  # record number (1-based) -> fields
    too_long: list[int] = []

    def invalid(row) -> str:
        if row.actual_columns > row.expected_columns or row.number is None:
            too_long.append(row.number or 0)
        else:
            (fields,) = _csv_records(row.text, mapping, "", None) or [[""]]
            short[row.number] = fields
        return "skip"

    body = data[len(BOM):] if data.startswith(BOM) else data
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False,
                                           encoding="utf8" if encoding.startswith("utf-8")
                                           else encoding, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=mapping.delimiter, quote_char='"',
                                             double_quote=True, escape_char=False,
                                             newlines_in_values=True, ignore_empty_lines=False,
                                             invalid_row_handler=invalid),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, csv.Error, InputError):
        return None
    if too_long:
        return None
    total = table.num_rows + len(short)
    valid = np.ones(total, dtype=bool)
    short_at = np.array(sorted(short), dtype=np.int64) - 1
    valid[short_at] = False
    columns = {}
    arrays = dict(zip(names, table.columns, strict=True))
    del table  # each Arrow column is released as soon as it has become a categorical
    for j, n in enumerate(names):
        enc = pc.dictionary_encode(arrays.pop(n)).combine_chunks()
        codes = np.full(total, -1, dtype=np.int32)
        codes[valid] = enc.indices.to_numpy()
        dictionary = enc.dictionary
        if len(short_at):  # the few padded records: their fields join the dictionary
            extra = pa.array([(lambda f: f[j] if j < len(f) else "")(short[int(i) + 1])
                              for i in short_at], type=pa.string())
            new = pc.unique(extra)
            new = new.filter(pc.invert(pc.is_in(new, value_set=dictionary)))
            dictionary = pa.concat_arrays([dictionary, new])
            codes[short_at] = pc.index_in(extra, value_set=dictionary).to_numpy()
        columns[j] = pd.Categorical.from_codes(
            codes, dtype=pd.CategoricalDtype(pd.Index(pd.array(dictionary, dtype="str"))))
    grid = pd.DataFrame(columns)  # a code per cell and each distinct string once
    grid.attrs["fields"] = {int(i): len(short[int(i) + 1]) for i in short_at}
    return grid


def _csv_grid_strict(text: str, name: str, mapping: ExportMapping) -> pd.DataFrame:
    records = _csv_records(text, mapping, name)
    width = max((len(r) for r in records), default=0)
    fields = {i: len(r) for i, r in enumerate(records) if len(r) < width}
    for i in fields:
        records[i] = records[i] + [""] * (width - len(records[i]))
    grid = pd.DataFrame(records, dtype=object)
    grid.attrs["fields"] = fields
    return grid


# --------------------------------------------------------------------------- XLSX
def _check_container(data: bytes, name: str, mapping: ExportMapping, noun: str,
                     kind: str) -> None:
    """An encrypted or legacy file, or no zip at all, is an InputError saying what it is."""
    if data.startswith(OLE_MAGIC):
        raise InputError(name, "file", f"the {noun} is password-protected (encrypted) or a "
                         f"legacy .xls; save it as an unprotected .{mapping.format}")
    if not data.startswith(ZIP_MAGIC):
        raise InputError(name, "file", f"not an {kind} (expected a zip container); is it a "
                         f"CSV? The export mapping '{mapping.id}' says format: {mapping.format}")


def _xlsx_grid(data: bytes, name: str, mapping: ExportMapping) -> pd.DataFrame:
    """The sheet as a string grid (row 1 of the sheet is grid row 0). A plain workbook is
    read by calamine (Rust, fast); one with formulas or merged cells by openpyxl, which can
    show an uncomputed formula's text — decided per file, same strings either way."""
    _check_container(data, name, mapping, "workbook", "XLSX workbook")
    grid = _xlsx_grid_calamine(data, name, mapping) if _plain_workbook(data) else None
    return grid if grid is not None else _xlsx_grid_openpyxl(data, name, mapping)


def _plain_workbook(data: bytes) -> bool:
    """No formula, merged cell or error cell (``#DIV/0!``, which calamine reads as empty) in
    any worksheet; False when the zip is unreadable (openpyxl then names the problem)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return not any(_FORMULA_TAG.search(x) or b"<mergeCell" in x or b't="e"' in x
                           for x in (z.read(n) for n in z.namelist()
                                     if n.startswith("xl/worksheets/") and n.endswith(".xml")))
    except Exception:  # corrupt container: the openpyxl path reports it
        return False


class _Sheets:
    """The sheet-name interface :func:`_pick_sheet` needs, over a calamine workbook."""

    def __init__(self, wb) -> None:
        self.wb, self.sheetnames = wb, list(wb.sheet_names)

    def __getitem__(self, title: str):
        return title


def _xlsx_grid_calamine(data: bytes, name: str, mapping: ExportMapping) -> pd.DataFrame | None:
    """Read with python-calamine; None when calamine cannot (openpyxl then decides)."""
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = _Sheets(wb)
    except Exception:
        return None
    title = _pick_sheet(sheets, name, mapping)  # InputError for a missing/ambiguous sheet
    try:
        values = wb.get_sheet_by_name(title).to_python(skip_empty_area=False)
    except Exception:
        return None
    return _sheet_grid(values, name, title, sheets)


def _xlsx_grid_openpyxl(data: bytes, name: str, mapping: ExportMapping) -> pd.DataFrame:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for corrupt files
        raise InputError(name, "file", f"corrupt XLSX workbook ({type(err).__name__}: {err})"
                         ) from None
    try:
        ws = _pick_sheet(wb, name, mapping)
        try:
            rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
            if _has_formulas(data):
                _fill_uncomputed_formulas(data, ws.title, rows)
        except Exception as err:  # the sheet XML is parsed lazily
            raise InputError(name, f"sheet {ws.title!r}", "corrupt worksheet "
                             f"({type(err).__name__}: {err})") from None
    finally:
        wb.close()
    return _text_grid(rows, name, ws.title, wb.sheetnames)


# an ODS cell with a formula but no computed value (office:value-type), as software that
# writes formulas without calculating them leaves it
_ODS_UNCOMPUTED = re.compile(rb"<table:table-cell(?=[^>]*table:formula=)"
                             rb"(?![^>]*office:value-type=)")


def _ods_grid(data: bytes, name: str, mapping: ExportMapping) -> pd.DataFrame:
    """An OpenDocument spreadsheet's sheet as a string grid, read by calamine (row 1 of the
    sheet is grid row 0, as for XLSX). Formula cells show their computed values, error
    cells their error text (``#DIV/0!``, rejected by the item parser); a formula that was
    never computed would read as an empty cell, so such a file is refused."""
    _check_container(data, name, mapping, "spreadsheet", "ODS spreadsheet")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            content = z.read("content.xml")
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as err:  # zipfile and calamine raise many types for corrupt files
        raise InputError(name, "file", f"corrupt ODS spreadsheet ({type(err).__name__}: {err})"
                         ) from None
    if _ODS_UNCOMPUTED.search(content):
        raise InputError(name, "file", "a formula cell without a computed value (written by "
                         "software that does not calculate); open and save the file in a "
                         "spreadsheet program, or export values")
    sheets = _Sheets(wb)
    title = _pick_sheet(sheets, name, mapping)
    try:
        values = wb.get_sheet_by_name(title).to_python(skip_empty_area=False)
    except Exception as err:
        raise InputError(name, f"sheet {title!r}", "corrupt worksheet "
                         f"({type(err).__name__}: {err})") from None
    return _sheet_grid(values, name, title, sheets)


def _sheet_grid(values, name: str, title: str, sheets) -> pd.DataFrame:
    """A calamine sheet's cell values (XLSX or ODS) as the grid of texts every reader gives."""
    return _text_grid([[_cell_text(v) for v in row] for row in values], name, title,
                      sheets.sheetnames)


def _text_grid(rows: list[list[str]], name: str, title: str, sheetnames) -> pd.DataFrame:
    """A sheet's rows of cell texts as a grid, the sheet named for messages (any reader);
    an empty sheet is an InputError."""
    if not any(any(c.strip() for c in r) for r in rows):
        raise InputError(name, f"sheet {title!r}", "the sheet is empty (expected a header "
                         "row and data)")
    grid = pd.DataFrame(rows, dtype=object).fillna("")
    grid.attrs["sheet"] = f"sheet {title!r} (sheets: {', '.join(sheetnames)})"
    return grid


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet of the workbook holds a formula (``<f>`` element)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return any(_FORMULA_TAG.search(z.read(n)) for n in z.namelist()
                   if n.startswith("xl/worksheets/") and n.endswith(".xml"))


def _fill_uncomputed_formulas(data: bytes, sheet: str, rows: list[list[str]]) -> None:
    """A formula that was never computed (workbooks written by software, not Excel) has no
    cached value and would read as an empty cell: show its formula text instead, so that it
    is rejected visibly rather than silently counted as missing."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        for i, row in enumerate(wb[sheet].iter_rows(values_only=True)):
            for j, v in enumerate(row):
                if isinstance(v, str) and v.startswith("=") and not rows[i][j]:
                    rows[i][j] = v
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
    if isinstance(v, timedelta):  # calamine: a duration cell
        total = int(round(v.total_seconds()))
        return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v)


# --------------------------------------------------------------------------- header
def _header_score(row: list[str], lookup: dict[str, str]) -> int:
    return sum(normalise_token(c) in lookup for c in row)


# every character Python's str.strip() removes (str.isspace()), for Arrow's utf8_trim
_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003"
               "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


_ARROW_MIN_STRINGS = 256  # fewer distinct strings are trimmed faster by Python (same rule)


def _nonblank(col: pd.Series) -> np.ndarray:
    """Cells that hold more than whitespace (``str.strip()`` leaves something), decided
    once per distinct string; a categorical's categories are trimmed by Arrow at once.

    >>> _nonblank(pd.Series(["a", " ", "\\x1f", "", " b"], dtype="category")).tolist()
    [True, False, False, False, True]
    """
    if isinstance(col.dtype, pd.CategoricalDtype) and (len(col) == 0 or col.cat.codes.min() >= 0):
        categories = col.cat.categories
        if len(categories) < _ARROW_MIN_STRINGS:  # Arrow's set-up costs more than it saves
            return _stripped_nonempty(categories)[col.cat.codes.to_numpy()]
        import pyarrow as pa
        import pyarrow.compute as pc

        cats = pa.array(categories.to_numpy(dtype=object), type=pa.string())
        filled = pc.greater(pc.utf8_length(pc.utf8_trim(cats, characters=_WHITESPACE)), 0)
        return filled.to_numpy(zero_copy_only=False)[col.cat.codes.to_numpy()]
    codes, uniques = pd.factorize(col, use_na_sentinel=False)
    return _stripped_nonempty(uniques)[codes] if len(uniques) else np.zeros(len(col), dtype=bool)


def _stripped_nonempty(values) -> np.ndarray:
    """Per distinct value: does ``str.strip()`` leave something (Python's side of the rule)."""
    return np.array([bool(str(v).strip()) for v in values], dtype=bool)


def _find_header(name: str, grid: pd.DataFrame, lookup: dict[str, str],
                 mapping: ExportMapping) -> int:
    top = grid.iloc[:HEADER_SEARCH_ROWS].to_numpy().tolist()
    h = mapping.title_rows
    if h < len(top) and _header_score(top[h], lookup) >= 3:
        return h
    found = [i for i, r in enumerate(top) if _header_score(r, lookup) >= 3]
    if found:
        return found[0]
    first = [c for c in top[h] if str(c).strip()] if h < len(top) else []
    hint = ""
    if len(first) == 1 and mapping.format == "csv":
        hint = f" (the header is one column: is the delimiter really {mapping.delimiter!r}?)"
    elif first:
        hint = f" (found {', '.join(repr(c) for c in first[:4])}{', …' if len(first) > 4 else ''})"
    where = f" of {grid.attrs['sheet']}" if "sheet" in grid.attrs else ""
    raise InputError(name, "header", "no header row with the columns of export mapping "
                     f"'{mapping.id}' in the first {HEADER_SEARCH_ROWS} rows{where}{hint}",
                     row=h + 1)


def _categorical(col: pd.Series, keep: np.ndarray) -> pd.Categorical:
    """The cells of ``col`` at ``keep`` as a categorical of strings (each distinct string
    once; the Arrow CSV grid is categorical already, the others are factorised here)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return pd.Categorical.from_codes(col.cat.codes.to_numpy()[keep], dtype=col.dtype)
    codes, uniques = pd.factorize(col.to_numpy(dtype=object)[keep], use_na_sentinel=False)
    categories = pd.Index(pd.array(np.asarray(uniques, dtype=object), dtype="str"))
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))


def _to_table(path: Path, name: str, grid: pd.DataFrame, encoding: str,
              mapping: ExportMapping) -> RawTable:
    lookup = {normalise_token(a): canon.removeprefix("item:")
              for canon, aliases in mapping.columns.items() for a in aliases}
    h = _find_header(name, grid, lookup, mapping)
    header = [str(c).strip() for c in grid.iloc[h]]
    body = grid.iloc[h + 1:]
    filled = {j: _nonblank(body[j]) for j in grid.columns}
    canon_of: dict[int, str] = {}
    seen: dict[str, int] = {}
    ignore = {normalise_token(c) for c in mapping.ignore_columns}
    width = max((j + 1 for j, c in enumerate(header) if c), default=0)
    for j, col in enumerate(header):
        key = normalise_token(col)
        if key == "":
            if filled[j].any():
                row = h + 2 + int(np.argmax(filled[j]))
                raise InputError(name, f"column {j + 1}", f"a value in column {j + 1} but the "
                                 f"header has {width} named columns (wrong delimiter, unquoted "
                                 f"{mapping.delimiter!r} in a cell, or a column without header?)"
                                 if mapping.format == "csv" else
                                 f"a value in column {j + 1}, which has no header", row=row)
            continue  # trailing or spacer column without header and data (Excel)
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
    keep = np.zeros(len(body), dtype=bool)
    for j in grid.columns:
        keep |= filled[j]  # blank lines are skipped
    if not keep.any():
        raise InputError(name, "file", "a header row but no data rows (an empty export is "
                         "almost always a failed export; if the agency really delivered nothing, "
                         "remove the file)", row=h + 1)
    data = {canon: _categorical(body[j], keep) for j, canon in canon_of.items()}
    frame = pd.DataFrame(data)
    frame["_row"] = h + 2 + np.flatnonzero(keep)
    headers = {canon: header[j] for j, canon in canon_of.items()}
    short = {}
    for g, found in grid.attrs.get("fields", {}).items():
        if g > h and found < width and keep[g - h - 1]:
            short[g + 1] = (found, width, header[found])
    return RawTable(path, frame, encoding, h + 1, headers, short)
