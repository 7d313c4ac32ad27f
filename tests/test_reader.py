"""The CSV reader's row numbers and short records (Arrow fast path and strict fallback),
blank cells, and ODS spreadsheets read like the same XLSX workbooks.

Rows are numbered as a spreadsheet shows them: a quoted cell that spans lines is one row.
A record with fewer fields than the header (an agency's export cut short) is quarantined
unless the mapping's ``allow_short_rows`` says trailing empty cells are left out.
"""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from test_bad_inputs import HERE, materialise

from benchlib.pipeline import run_pipeline

FILE = "2026-04/feldhaus_anrufe_2026-04.csv"


def _rows() -> list[list[str]]:
    text = (HERE / "base" / "feldhaus_anrufe.csv").read_text(encoding="utf-8-sig")
    return [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=";") if r]


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def _project(tmp_path, data: bytes, allow_short: bool = False):
    case = {"id": "x", "file": FILE, "bytes": ""}
    if allow_short:
        case["config"] = [["exports/feldhaus.yaml", "allow_short_rows: false",
                           "allow_short_rows: true"]]
    path = materialise(case, tmp_path)
    path.write_bytes(data)
    return tmp_path


def _multiline_then_short() -> tuple[bytes, int]:
    rows = _rows()
    comment = rows[0].index("Kommentar")
    rows[2][comment] = "erste Zeile\r\nzweite Zeile\r\ndritte Zeile"  # Excel row 3
    rows[5] = rows[5][:30]  # Excel row 6 (physical line 8): cut to 30 of 33 fields
    return _csv_bytes(rows), 6


def test_short_row_is_quarantined_with_its_spreadsheet_row(tmp_path):
    data, row = _multiline_then_short()
    result = run_pipeline(_project(tmp_path, data), write=False)
    assert result.reconciled
    q = result.quarantine
    assert list(q["source_row"]) == [row], q.to_string()
    rec = q.iloc[0]
    assert rec["reason"] == "short_row"
    assert rec["column"] == "Kompensation"  # the first missing field (31st of 33)
    assert "33 fields as in the header row, found 30" in rec["expected"]
    assert "allow_short_rows" in rec["expected"]
    (fr,) = result.files
    assert fr.clean_rows == len(_rows()) - 2


def test_short_rows_allowed_by_the_mapping_are_padded(tmp_path):
    data, row = _multiline_then_short()
    result = run_pipeline(_project(tmp_path, data, allow_short=True), write=False)
    assert result.quarantine.empty, result.quarantine.to_string()
    c = result.contacts.set_index("source_row")
    assert c.at[3, "comment"].startswith("erste Zeile")
    assert row in c.index


@pytest.mark.parametrize("strict", [False, True])
def test_rows_after_a_multiline_cell_are_spreadsheet_rows(tmp_path, strict):
    """Same numbers from the Arrow path and from the strict csv-module fallback."""
    from benchlib.config import load_config
    from benchlib.reader import read_export

    data, _ = _multiline_then_short()
    root = _project(tmp_path, data)
    mapping = load_config(root).exports["feldhaus"]
    path = root / "data" / "raw" / FILE
    if strict:  # a record with one field more sends the reader to the strict path
        rows = _rows()
        rows[2][rows[0].index("Kommentar")] = "a\nb"
        rows.append(rows[1] + ["extra"])
        path.write_bytes(_csv_bytes(rows))
        from benchlib.errors import InputError

        with pytest.raises(InputError, match=f"row {len(rows)}"):
            read_export(path, mapping)
        return
    t = read_export(path, mapping)
    assert list(t.frame["_row"]) == list(range(2, len(_rows()) + 1))
    assert t.short_rows == {6: (30, 33, "Kompensation")}


def test_undecodable_byte_after_a_multiline_cell_names_the_spreadsheet_row(tmp_path):
    rows = _rows()
    rows[2][rows[0].index("Kommentar")] = "eins\r\nzwei\r\ndrei"
    rows[4][rows[0].index("Kommentar")] = "BAD"
    data = _csv_bytes(rows).replace(b"BAD", b"\xff\xfe")
    root = _project(tmp_path, data)
    from benchlib.config import load_config
    from benchlib.errors import InputError
    from benchlib.reader import read_export

    with pytest.raises(InputError) as err:
        read_export(root / "data" / "raw" / FILE, load_config(root).exports["feldhaus"])
    assert "row 5" in str(err.value), str(err.value)  # physical line 7


@pytest.mark.parametrize("arrow_from", [0, 10**6], ids=["arrow", "python"])
def test_blank_cells_are_what_python_strips(monkeypatch, arrow_from):
    """The reader's blank test (Arrow trim over many categories, Python's over few) strips
    exactly what ``str.strip()`` strips: every character with ``str.isspace()``."""
    import pandas as pd

    from benchlib import reader
    from benchlib.reader import _WHITESPACE, _nonblank

    monkeypatch.setattr(reader, "_ARROW_MIN_STRINGS", arrow_from)
    assert "".join(c for c in map(chr, range(0x110000)) if c.isspace()) == _WHITESPACE
    values = [*_WHITESPACE, *(c * 3 for c in _WHITESPACE), *("a" + c for c in _WHITESPACE),
              "\u200b", "x", ""]
    assert _nonblank(pd.Series(values, dtype="category")).tolist() == [
        bool(v.strip()) for v in values]
    assert _nonblank(pd.Series(values, dtype=object)).tolist() == [bool(v.strip()) for v in values]


# --------------------------------------------------------------------------- ODS
def _ods_cell(v) -> str:
    from datetime import datetime
    from xml.sax.saxutils import escape, quoteattr

    if v is None or v == "":
        return "<table:table-cell/>"
    if isinstance(v, datetime):
        iso = v.date().isoformat() if v.time() == v.min.time() else v.isoformat()
        return (f'<table:table-cell office:value-type="date" office:date-value="{iso}">'
                f"<text:p>{iso}</text:p></table:table-cell>")
    if isinstance(v, bool):
        return (f'<table:table-cell office:value-type="boolean" office:boolean-value='
                f'"{str(v).lower()}"><text:p>{v}</text:p></table:table-cell>')
    if isinstance(v, int | float):
        return (f'<table:table-cell office:value-type="float" office:value="{v!r}">'
                f"<text:p>{v}</text:p></table:table-cell>")
    if isinstance(v, str) and v.startswith("#"):  # an error cell, as LibreOffice stores it
        return (f'<table:table-cell table:formula="of:=1/0" office:value-type="string" '
                f"office:string-value={quoteattr(v)} calcext:value-type=\"error\">"
                f"<text:p>{escape(v)}</text:p></table:table-cell>")
    return (f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p>'
            "</table:table-cell>")


def ods_bytes(sheets: dict[str, list[list]]) -> bytes:
    """A minimal OpenDocument spreadsheet (mimetype, content.xml, manifest) of the rows."""
    import zipfile

    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"')
    tables = "".join(
        f'<table:table table:name="{name}">' + "".join(
            "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
            for row in rows) + "</table:table>" for name, rows in sheets.items())
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} '
               f'office:version="1.2"><office:body><office:spreadsheet>{tables}'
               "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type='
                '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _xlsx_as_ods(path) -> bytes:
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True)
    return ods_bytes({ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb})


def test_ods_exports_read_like_the_same_workbooks_as_xlsx(tmp_path):
    """The example's XLSX mail exports saved as ODS give the same clean rows, quarantine
    (rows and columns as the spreadsheet numbers them) and duplicates."""
    from projects import copy_project

    xlsx = copy_project(tmp_path / "xlsx", with_raw=True)
    for p in (xlsx / "data" / "raw").rglob("*.csv"):  # the other agency's exports: not read
        p.unlink()  # by this reader, and without them both cleans take half the time
    ods = tmp_path / "ods"
    shutil.copytree(xlsx, ods)
    for p in sorted((ods / "data" / "raw").glob("*/qualiserv_mails_*.xlsx")):
        p.with_suffix(".ods").write_bytes(_xlsx_as_ods(p))
        p.unlink()
    study = ods / "config" / "study.yaml"
    study.write_text(study.read_text(encoding="utf-8").replace(
        "qualiserv_mails_*.xlsx", "qualiserv_mails_*.ods"), encoding="utf-8")
    mapping = ods / "config" / "exports" / "qualiserv.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("format: xlsx",
                                                                   "format: ods"),
                       encoding="utf-8")
    a, b = run_pipeline(xlsx, write=False), run_pipeline(ods, write=False)

    def same_names(df):
        out = df.copy()
        for c in ("source_file", "file"):
            if c in out.columns:
                out[c] = out[c].astype(str).str.replace(".ods", ".xlsx", regex=False)
        return out.reset_index(drop=True)

    assert (b.reconciliation()["encoding"] == "ods").sum() == 6
    for table in ("contacts", "items", "quarantine"):
        pd_a, pd_b = same_names(getattr(a, table)), same_names(getattr(b, table))
        assert pd_a.astype(str).equals(pd_b.astype(str)), table
    assert same_names(a.duplicates()).equals(same_names(b.duplicates()))
    assert len(a.quarantine[a.quarantine["source_file"].str.contains("qualiserv")]) > 0


@pytest.mark.parametrize(("data", "message"), [
    (b"Contact ID;Date\n", "not an ODS spreadsheet (expected a zip container)"),
    (b"PK\x03\x04broken", "corrupt ODS spreadsheet"),
    (ods_bytes({"A": [["x"]], "B": [["y"]]}), "the workbook has 2 sheets (A, B)"),
    (ods_bytes({"Export": [[None], [""]]}), "the sheet is empty"),
])
def test_ods_file_errors(tmp_path, data, message):
    import dataclasses

    from benchlib.config import load_config
    from benchlib.errors import InputError
    from benchlib.reader import read_export

    mapping = load_config().exports["qualiserv"]
    p = tmp_path / "x.ods"
    p.write_bytes(data)
    with pytest.raises(InputError) as err:
        read_export(p, dataclasses.replace(mapping, format="ods", sheet=None))
    assert message in str(err.value)


def test_ods_formula_without_computed_value_is_refused(tmp_path):
    import dataclasses
    import zipfile

    from benchlib.config import load_config
    from benchlib.errors import InputError
    from benchlib.reader import read_export

    data = ods_bytes({"Export": [["Contact ID"], ["a"]]})

    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "content.xml":
                body = body.replace(b"<table:table-cell/>", b"").replace(
                    b"</table:table-row></table:table>",
                    b'<table:table-cell table:formula="of:=SUM([.A1:.A2])"/>'
                    b"</table:table-row></table:table>")
            dst.writestr(info, body)
    p = tmp_path / "x.ods"
    p.write_bytes(buf.getvalue())
    mapping = dataclasses.replace(load_config().exports["qualiserv"], format="ods")
    with pytest.raises(InputError) as err:
        read_export(p, mapping)
    assert "a formula cell without a computed value" in str(err.value)
