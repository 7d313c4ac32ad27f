"""No person leaks into processed data or reports; reports are reproducible across folders."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile

import pytest

from benchlib.config import load_config
from benchlib.pipeline import run_pipeline
from benchlib.reader import read_export
from benchlib.report import build_wave_reports

from projects import ROOT, copy_project

pytestmark = pytest.mark.slow


def _raw_agent_names() -> set[str]:
    cfg = load_config(ROOT)
    names = set()
    for p in sorted((ROOT / "data" / "raw").glob("*/*")):
        if p.suffix not in (".csv", ".xlsx"):
            continue
        agency = "qualiserv" if p.suffix == ".xlsx" else "feldhaus"
        names |= {n.strip() for n in read_export(p, cfg.exports[agency]).frame["agent_name"]
                  if n.strip()}
    return names


def _texts(folder):
    """(path, text) of every output file; XLSX parts are unzipped."""
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        if p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                for name in z.namelist():
                    yield f"{p}:{name}", z.read(name).decode("utf-8", errors="ignore")
        else:
            yield str(p), p.read_bytes().decode("utf-8", errors="ignore")


def test_no_agent_name_in_processed_data_or_any_report(example_project, example_reports):
    names = _raw_agent_names()
    assert len(names) >= 10
    parts = names | {p for n in names for p in re.split(r"[\s.-]+", n) if len(p) >= 3}
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in sorted(parts)) + r")(?!\w)")
    checked = 0
    for folder in (example_project / "data" / "processed", example_reports):
        for where, text in _texts(folder):
            hit = pattern.search(text)
            assert hit is None, f"{where}: agent name part {hit.group(0)!r}"
            checked += 1
    assert checked >= 20
    html = (example_reports / "2026-10" / "de" / "workshop.html").read_text(encoding="utf-8")
    assert "[Name]" in html  # comments that named an agent are shown scrubbed
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", html)  # no e-mail address
    for wave in ("2026-10", "2026-04"):
        for p in (example_reports / wave).rglob("*.html"):
            assert "AG-" not in p.read_text(encoding="utf-8"), p  # no agent pseudonyms either


def test_reports_byte_identical_across_folders_and_hash_seeds(tmp_path, example_project,
                                                              example_reports):
    """Another folder, another hash seed, another process (the CLI): the processed data and
    the wave's results.json and tables.xlsx equal the session's build byte by byte."""
    from benchlib.paths import get_paths

    from projects import REPORT_EPOCH

    root = copy_project(tmp_path / "copy")
    env = {**os.environ, "BENCHLIB_ROOT": str(root), "PYTHONHASHSEED": "4242"}
    env.pop("SOURCE_DATE_EPOCH", None)  # the data's build time: its raw files' (copied) times
    for cmd, epoch in ((["clean", "--quiet"], {}),
                       (["report", "--wave", "2026-01", "--lang", "en", "--notebooks",
                         "01_wave_report"], {"SOURCE_DATE_EPOCH": REPORT_EPOCH})):
        subprocess.run([sys.executable, "-m", "benchlib.cli", *cmd], env=env | epoch,
                       check=True, capture_output=True, timeout=600)
    outs = []
    for processed, rep in ((get_paths(root).current, root / "reports" / "2026-01"),
                           (get_paths(example_project).current, example_reports / "2026-01")):
        outs.append({p.name: p.read_bytes() for p in processed.iterdir()}
                    | {p.name: p.read_bytes() for p in (rep / "en" / "tables.xlsx",
                                                        rep / "results.json")})
    assert set(outs[0]) >= {"contacts.parquet", "items.parquet", "quarantine.csv",
                            "results.json", "tables.xlsx", "manifest.json"}
    for name in outs[0]:
        assert outs[0][name] == outs[1][name], name


# name variants planted in one wave's call export: (agent as noted, comment, company cell)
PLANTED = [
    ("Jörg Weiß", "Joerg Weiss war freundlich, Weiss' Kollege auch; JÖRG rief zurück.", None),
    ("Anna Li", "Frau Li half, Antwort an anna.li@voltera.example oder 0171 2345678.", None),
    ("Karl Müller", "Herr Mu\u0308ller (NFD) und Ｍüｌｌｅｒ (Vollbreite) waren höflich.", None),
    ("", None, "Sabine Schneider"),  # a name in the company cell: quarantined
    ("Sabine Schneider", "Schneiders Antwort: ruf 0171/9876543 an. " + "lang " * 1300, None),
]
VARIANTS = ["Jörg", "Joerg", "JÖRG", "Weiß", "Weiss", "Li", "anna.li", "Müller", "Mueller",
            "Mu\u0308ller", "Ｍüｌｌｅｒ", "Sabine", "Schneider", "Schneiders", "2345678",
            "9876543", "voltera.example"]


def test_every_output_free_of_every_name_variant(tmp_path):
    import csv
    import io

    from benchlib.paths import get_paths

    root = copy_project(tmp_path)
    path = root / "data" / "raw" / "2026-10" / "feldhaus_anrufe_2026-10.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""),
                           delimiter=";"))
    head = rows[0]
    agent, comment, company = (head.index(c) for c in
                               ("Mitarbeiter (lt. Tester)", "Kommentar", "Unternehmen"))
    shop_rows = [r for r in rows[1:] if r[company].startswith("Voltera")]
    for r, (name, text, firm) in zip(shop_rows[5:], PLANTED, strict=False):
        r[agent] = name
        if text is not None:
            r[comment] = text
        if firm is not None:
            r[company] = firm
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8-sig")
    result = run_pipeline(root)
    assert "[Name]" in set(result.quarantine["value"])  # the company-cell name, withheld
    build_wave_reports("2026-10", root=root, only=["00_data_quality", "03_workshop"])
    outputs = [get_paths(root).current, root / "reports"]
    checked = 0
    for folder in outputs:
        for where, text in _texts(folder):
            for v in VARIANTS:
                hit = re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text)
                assert hit is None, f"{where}: {v!r}"
            checked += 1
    assert checked >= 10
