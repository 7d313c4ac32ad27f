"""The CSV reader's row numbers and short records (Arrow fast path and strict fallback).

Rows are numbered as a spreadsheet shows them: a quoted cell that spans lines is one row.
A record with fewer fields than the header (an agency's export cut short) is quarantined
unless the mapping's ``allow_short_rows`` says trailing empty cells are left out.
"""

from __future__ import annotations

import csv
import io

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


def test_blank_cells_are_what_python_strips():
    """The reader's blank test (Arrow trim over categories) strips exactly what
    ``str.strip()`` strips: every character with ``str.isspace()``."""
    import pandas as pd

    from benchlib.reader import _WHITESPACE, _nonblank

    assert "".join(c for c in map(chr, range(0x110000)) if c.isspace()) == _WHITESPACE
    values = [*_WHITESPACE, *(c * 3 for c in _WHITESPACE), *("a" + c for c in _WHITESPACE),
              "\u200b", "x", ""]
    assert _nonblank(pd.Series(values, dtype="category")).tolist() == [
        bool(v.strip()) for v in values]
    assert _nonblank(pd.Series(values, dtype=object)).tolist() == [bool(v.strip()) for v in values]
