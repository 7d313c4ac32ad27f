"""The bad-inputs corpus (tests/bad_inputs/cases.yaml): every case either stops with one
clear error (exit 2, file/row/column named, no traceback, no hang) or is cleaned with its bad
rows quarantined and every row accounted for.

Each case is built into a fresh project copy under ``tmp_path`` (config copied, the case file
under ``data/raw``); error cases run ``benchlib validate`` in this process
(:func:`projects.run_cli_inprocess`: what a subprocess would print on stderr, warnings and
log records included, under a time limit); a case with ``subprocess: true`` runs
``benchlib validate`` in a process of its own with a timeout, a hang or a crash to guard
(:func:`projects.run_cli_forked`: forked from a server that imported benchlib once). The
others run :func:`benchlib.pipeline.run_pipeline` in-process.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from benchlib.yamlio import safe_load

from projects import run_cli_forked, run_cli_inprocess

HERE = Path(__file__).parent / "bad_inputs"
REPO = Path(__file__).resolve().parents[1]
CASES = safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))["cases"]
TIMEOUT_S = 120
QS_TITLE = "QualiServ International – Mystery-Mail-Export – Welle 2026-04"
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


# --------------------------------------------------------------------------- building
def _base_rows(base: str) -> list[list[str]]:
    if base == "qualiserv":
        text = (HERE / "base" / "qualiserv_mails.csv").read_text(encoding="utf-8")
    else:
        text = (HERE / "base" / "feldhaus_anrufe.csv").read_text(encoding="utf-8-sig")
    return [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=";") if r]


def _edit_rows(rows: list[list[str]], spec: dict, first_row: int) -> list[list[str]]:
    """Apply the row/column edits of a case; ``first_row`` is the Excel row of rows[1]."""
    header = rows[0]

    def at(row: int) -> list[str]:
        return rows[row - first_row + 1]

    if "keep_rows" in spec:
        rows = rows[:1 + spec["keep_rows"]]
    for row, col, value in spec.get("set", []):
        at(row)[header.index(col)] = value
    if "set_long" in spec:
        row, col, char, n = spec["set_long"]
        at(row)[header.index(col)] = char * n
    if "set_padded" in spec:  # a text followed by padding up to n characters
        row, col, text, n = spec["set_padded"]
        at(row)[header.index(col)] = text + " bla" * ((n - len(text)) // 4 + 1)
    if "append_copy" in spec:
        row, changes = spec["append_copy"]
        copy = list(at(row))
        for col, value in changes.items():
            copy[header.index(col)] = value
        rows.append(copy)
    if spec.get("append_header"):
        rows.append(list(header))
    if "append_field" in spec:
        row, value = spec["append_field"]
        at(row).append(value)
    if "drop_column" in spec:
        j = header.index(spec["drop_column"])
        rows = [r[:j] + r[j + 1:] for r in rows]
    if "rename_column" in spec:
        old, new = spec["rename_column"]
        rows[0][header.index(old)] = new
    if "add_column" in spec:
        col, value = spec["add_column"]
        rows = [rows[0] + [col]] + [r + [value] for r in rows[1:]]
    return rows


def build_csv(spec: dict) -> bytes:
    """A CSV case: the base rows edited, serialised, then byte-patched."""
    base = spec.get("base", "feldhaus")
    rows = _edit_rows(_base_rows(base), spec, first_row=2)
    buf = io.StringIO()
    csv.writer(buf, delimiter=spec.get("delimiter", ";"), lineterminator="\r\n").writerows(rows)
    data = buf.getvalue().encode(spec.get("encoding", "utf-8-sig" if base == "feldhaus"
                                          else "utf-8"))
    for find, replace in spec.get("patch", []):
        needle = find.encode("latin-1")
        assert needle in data, f"patch target {find!r} not in the file"
        data = data.replace(needle, replace.encode("latin-1"), 1)
    if spec.get("concat_base"):
        data += (HERE / "base" / "feldhaus_anrufe.csv").read_bytes()
    return data


def _typed(header: str, value: str) -> object:
    """XLSX cells as an agency's Excel holds them: numbers as numbers, dates as dates."""
    if header == "Date" and re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return datetime.fromisoformat(value)
    if _NUMBER.match(value):
        return float(value) if "." in value else int(value)
    return value if value != "" else None


def build_xlsx(spec: dict) -> bytes:
    """An XLSX case from the qualiserv base (title row, header, rows)."""
    from openpyxl import Workbook

    rows = _edit_rows(_base_rows("qualiserv"), spec, first_row=3)
    wb = Workbook()
    ws = wb.active
    ws.title = "Export"
    if not spec.get("empty_sheet"):
        if not spec.get("no_title"):
            ws.append([QS_TITLE])
        ws.append(rows[0])
        for r in rows[1:]:
            ws.append([v if not isinstance(v, str) else _typed(h, v)
                       for h, v in zip(rows[0], r, strict=True)])
        for row in ws.iter_rows():
            for cell in row:  # text like '=1+1' stays text (an agency typed it, not a formula)
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
        for row, col, formula in spec.get("formulas", []):  # never computed: no cached value
            ws.cell(row=row, column=rows[0].index(col) + 1, value=formula)
        if spec.get("merge_title"):
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for title in spec.get("sheets_before", []):
        wb.create_sheet(title, 0).append(["Hinweise zum Export", "bitte beachten"])
    for title in spec.get("sheets_after", []):
        wb.create_sheet(title).append(["Summe", 12])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if "truncate" in spec:
        data = data[:int(len(data) * spec["truncate"])]
    if spec.get("break_sheet_xml"):
        data = _replace_member(data, "xl/worksheets/sheet1.xml",
                               b'<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1"')
    return data


def _replace_member(data: bytes, member: str, content: bytes) -> bytes:
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, content if info.filename == member else src.read(info))
    return out.getvalue()


def build_million_rows(path: Path, n: int) -> None:
    """``n`` valid rows (the base rows with fresh ids), written straight to disk."""
    lines = (HERE / "base" / "feldhaus_anrufe.csv").read_bytes().split(b"\r\n")
    tails = [line.split(b";", 1)[1] for line in lines[1:] if line]
    with path.open("wb") as fh:
        fh.write(lines[0] + b"\r\n")
        for start in range(0, n, 100_000):
            fh.write(b"".join(b"FH-M-%07d;%s\r\n" % (i, tails[i % len(tails)])
                              for i in range(start, min(n, start + 100_000))))


def materialise(case: dict, root: Path) -> Path:
    """Build ``case`` into the project at ``root``; return the case file's path."""
    shutil.copytree(REPO / "config", root / "config")
    for file, find, replace in case.get("config", []):
        p = root / "config" / file
        text = p.read_text(encoding="utf-8")
        assert find in text, f"config override target {find!r} not in {file}"
        p.write_text(text.replace(find, replace, 1), encoding="utf-8")
    path = root / "data" / "raw" / case["file"]
    path.parent.mkdir(parents=True)
    if "bytes" in case:
        path.write_bytes(case["bytes"].encode("latin-1"))
    elif "csv" in case:
        path.write_bytes(build_csv(case["csv"] or {}))
    elif "xlsx" in case:
        path.write_bytes(build_xlsx(case["xlsx"] or {}))
    elif case.get("generate") == "million_rows":
        build_million_rows(path, case["rows"])
    for op in case.get("layout", []):
        _layout(root, path, op)
    return path


def _layout(root: Path, case_file: Path, op: dict) -> None:
    """One file-system edit after the case file is built (paths relative to the project)."""
    if "move_case_to" in op:  # the case file lives elsewhere (then linked back)
        dest = root / op["move_case_to"]
        dest.parent.mkdir(parents=True, exist_ok=True)
        case_file.rename(dest)
        if not any(case_file.parent.iterdir()):
            case_file.parent.rmdir()
        return
    target = root / op["path"]
    target.parent.mkdir(parents=True, exist_ok=True)
    if "symlink_to" in op:
        target.symlink_to(op["symlink_to"])
    elif op.get("copy_of_case"):
        shutil.copy2(case_file, target)
    elif "bytes" in op:
        target.write_bytes(op["bytes"].encode("latin-1"))
    elif op.get("fifo"):
        os.mkfifo(target)
    elif op.get("folder"):
        target.mkdir(exist_ok=True)


# --------------------------------------------------------------------------- running
def _run_cli(root: Path, *args: str, timeout: float = TIMEOUT_S) -> subprocess.CompletedProcess:
    return run_cli_forked(root, *args, timeout=timeout)


def _params():
    for case in CASES:
        marks = [pytest.mark.slow] if case.get("slow") else []
        yield pytest.param(case, id=case["id"], marks=marks)


def test_corpus_is_big_and_unique():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 120
    assert {c["expect"] for c in CASES} <= {"error", "quarantine", "ok", "bounded"}


def test_committed_files_are_small():
    for p in HERE.rglob("*"):
        if p.is_file():
            assert p.stat().st_size < 50_000, p


@pytest.mark.parametrize("case", list(_params()))
def test_bad_input(case: dict, tmp_path: Path) -> None:
    path = materialise(case, tmp_path)
    {"error": _check_error, "quarantine": _check_rows, "ok": _check_rows,
     "bounded": _check_bounded}[case["expect"]](case, tmp_path, path)


def _check_error(case: dict, root: Path, path: Path) -> None:
    proc = (_run_cli(root, "validate", "--quiet") if case.get("subprocess")
            else run_cli_inprocess(root, "validate", "--quiet"))
    err = proc.stderr
    assert "Traceback" not in err, err
    assert proc.returncode == 2, (proc.returncode, err, proc.stdout[-2000:])
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    expected = list(case["message"])
    if case.get("path_in_message", True):
        expected.insert(0, f"data/raw/{case['file']}")
    for part in expected:
        assert part in lines[0], f"{part!r} not in {lines[0]!r}"


def _check_rows(case: dict, root: Path, path: Path) -> None:
    from benchlib.pipeline import run_pipeline

    today = case.get("today")
    outputs = any(k in case for k in ("absent", "csv_cells", "csv_safe"))
    result = run_pipeline(root=root, write=outputs, today=today if isinstance(today, date)
                          else None)
    assert result.reconciled
    assert result.ignored == [f"data/raw/{f}" for f in case.get("ignored", [])]
    for part in case.get("warnings", []):
        assert any(part in w for w in result.warnings), (part, result.warnings)
    assert set(case.get("contact_ids", [])) <= set(result.contacts["contact_id"])
    if outputs:
        _check_outputs(case, result.generation)
    (fr,) = result.files
    assert fr.file == f"data/raw/{case['file']}"
    assert fr.clean_rows == case["clean"]
    assert fr.duplicates_dropped == case.get("duplicates", 0)
    q = result.quarantine
    assert fr.rows_read == fr.clean_rows + fr.quarantined_rows + fr.duplicates_dropped
    assert len(result.contacts) == fr.clean_rows
    if case["expect"] == "ok":
        assert q.empty, q.to_string()
        contacts = result.contacts.set_index("source_row")
        for row, text in (case.get("comments") or {}).items():
            assert contacts.at[row, "comment"] == text
        return
    assert set(q["source_file"]) == {fr.file}
    want = case["quarantine"]
    assert set(q["source_row"]) == {w["row"] for w in want}, q.to_string()
    if not case.get("partial"):
        assert len(q) == len(want), q.to_string()
    for w in want:
        hit = q[(q["source_row"] == w["row"]) & (q["column"] == w["column"])]
        assert len(hit) == 1, (w, q.to_string())
        rec = hit.iloc[0]
        assert rec["reason"] == w["reason"], rec.to_dict()
        assert w.get("value", "") in rec["value"], rec.to_dict()
        assert w.get("expected", "") in rec["expected"], rec.to_dict()
        assert len(rec["value"]) <= 300, "quarantine values are shortened"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _check_outputs(case: dict, generation: Path) -> None:
    """Privacy grep and CSV-injection check of every file of the written generation."""
    texts = {p.name: p.read_bytes().decode("utf-8", errors="ignore")
             for p in generation.iterdir() if p.is_file()}
    for word in case.get("absent", []):  # a name, e-mail or phone: in no output, any case
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
        for name, text in texts.items():
            assert not pattern.search(text), f"{word!r} in {name}"
    for name in ("quarantine.csv", "reconciliation.csv", "corrections_applied.csv"):
        with (generation / name).open(encoding="utf-8", newline="") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        for c in cells:
            if c.lstrip()[:1] in _FORMULA_START or c[:1] in _FORMULA_START:
                assert _NUMBER.match(c.strip()), f"{name}: formula-like cell {c!r}"
        for want in case.get("csv_cells", []) if name == "quarantine.csv" else []:
            assert want in cells, (want, cells)


_MEASURE = """
import resource, sys, time
from pathlib import Path
from benchlib.clean import clean_file
from benchlib.config import load_config
cfg = load_config(sys.argv[1])
t = time.time()
res = clean_file(Path(sys.argv[2]), cfg.exports["feldhaus"], cfg, None)
print(res.rows_read, res.clean_rows, res.quarantined_rows, res.duplicates_dropped,
      int(res.reconciled), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
      round(time.time() - t, 1))
"""


def _check_bounded(case: dict, root: Path, path: Path) -> None:
    """Read, de-duplicate, parse and validate a huge export in a fresh process: it must
    finish within the timeout with peak RSS below the limit (ru_maxrss is KiB on Linux)."""
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(root), str(path)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    read, clean, quarantined, dups, reconciled, rss_mib, secs = proc.stdout.split()
    assert int(read) == case["rows"] and int(clean) == case["rows"]
    assert int(quarantined) == 0 and int(dups) == 0 and reconciled == "1"
    assert int(rss_mib) < case["max_rss_mib"], f"peak RSS {rss_mib} MiB ({secs} s)"
