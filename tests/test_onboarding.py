"""Onboarding (#11 point 11) and the config schema export (#11 point 8), on the second study."""

from __future__ import annotations

import contextlib
import json
import os
import re

import yaml
from fixture_study import Axes, write_fixture_study

from benchlib.config_models import json_schemas, splice_reference
from benchlib.onboarding import detect, find_todos, init_from_export

from projects import ROOT, run_cli_inprocess


def test_committed_schemas_and_docs_match_the_models():
    for kind, schema in json_schemas().items():
        committed = json.loads((ROOT / "config" / "schema" / f"{kind}.schema.json")
                               .read_text(encoding="utf-8"))
        assert committed == schema, f"run `benchlib schema`: {kind}.schema.json is stale"
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert splice_reference(doc) == doc, "run `benchlib schema`: docs/configuration.md is stale"
    assert "| `items[].weight` | number | `1.0` |" in doc


def _new_project(tmp_path, axes=None):
    """The fixture study's export alone in a fresh project folder (no config yet)."""
    fx = write_fixture_study(tmp_path / "fixture", axes or Axes(), notebooks=False)
    new = tmp_path / "new"
    (new / "data" / "raw").mkdir(parents=True)
    for f in fx.files:
        (new / "data" / "raw" / f).write_bytes((fx.root / "data" / "raw" / f).read_bytes())
    return fx, new


def _cli(root, *args, env=None):
    """``benchlib --root root <args>`` in-process, as from a shell in ``root`` with no
    ``BENCHLIB_*`` variable but those of ``env`` (a new user's)."""
    unset = dict.fromkeys((k for k in os.environ if k.startswith("BENCHLIB_")), None)
    with contextlib.chdir(root):
        return run_cli_inprocess(root, "--root", str(root), *args,
                                 env={**unset, **(env or {})})


def test_detect_the_unseen_format(tmp_path):
    fx, new = _new_project(tmp_path)
    det = detect(new / "data" / "raw" / fx.files[0])
    assert (det.format, det.encoding, det.delimiter, det.decimal) == ("csv", "utf-8", "\t", ",")
    assert det.title_rows == 0 and det.header[:2] == ["LfdNr", "Erhebungswelle"]
    assert len(det.rows) == fx.rows_written


def test_init_drafts_config_and_never_overwrites(tmp_path):
    fx, new = _new_project(tmp_path)
    export = new / "data" / "raw" / fx.files[0]
    lines = init_from_export(export, root=new, echo=lambda s: None)
    assert lines[0] == ("read pruefdaten_gesamt.txt: csv, encoding utf-8, delimiter '\\t', "
                        "decimal ',', thousands None")
    assert "  'Erhebungswelle': meta field wave: '1. Welle', 'Sonderwelle', '2. Welle'" in lines
    assert any(line.startswith("  'F05 Fachwissen Note': item f05, scale grade6") for line in lines)
    mapping = yaml.safe_load((new / "config" / "exports" / "pruefdaten.yaml").read_text("utf-8"))
    assert mapping["delimiter"] == "\t" and mapping["date_formats"] == ["%Y-%m-%dT%H:%M:%S"]
    assert mapping["wave_values"]["1. Welle"] == "2026-03"
    assert set(mapping["yes_tokens"]) == {"j"} and mapping["grade_words"]["sechs"] == 6
    grid = yaml.safe_load((new / "config" / "grid.yaml").read_text("utf-8"))
    roles = {i["id"]: i.get("role") for i in grid["items"]}
    assert roles["f01"] == "reachability" and roles["f02"] == "wait_time"
    before = {p: p.read_bytes() for p in (new / "config").rglob("*.yaml")}
    again = init_from_export(export, root=new, echo=lambda s: None)
    assert "kept     config/grid.yaml (exists; not overwritten)" in again
    assert before == {p: p.read_bytes() for p in (new / "config").rglob("*.yaml")}


# what an analyst decides for the fixture's draft (file, TODO-key regex, value)
DECISIONS = {
    "companies.yaml": lambda d: [c.update(role="shop" if c["id"] == "nordwind" else
                                          "competitor") for c in d["companies"]],
    "study.yaml": lambda d: d.update(name="Prüfwerk Testmarkt"),
    "exports/pruefdaten.yaml": lambda d: (d.update(name="Prüfwerk"),
                                          d["wave_values"].pop("Sonderwelle")),
}


def _decide_grid(d):
    for c in d["channels"] + d["scenarios"]:
        c["en"] = c["de"]
    d["dimensions"] = [{"id": "zugang", "de": "Zugang", "en": "Access"},
                       {"id": "gespraech", "de": "Gespräch", "en": "Conversation"},
                       {"id": "loesung", "de": "Lösung", "en": "Solution"},
                       {"id": "verkauf", "de": "Verkauf", "en": "Sales"}]
    d["knockouts"] = ["f01", "f08"]
    dims = {"f01": "zugang", "f02": "zugang", "f03": "gespraech", "f04": "gespraech",
            "f05": "loesung", "f06": "loesung", "f07": "loesung", "f08": "loesung",
            "f09": "verkauf", "f10": "gespraech"}
    weights = {"f01": 2, "f05": 2, "f06": 3, "f09": 2}
    for it in d["items"]:
        it.update(dimension=dims[it["id"]], weight=weights.get(it["id"], 1),
                  label_en=it["label_de"])
        if it["id"] == "f02":
            it.update(thresholds=[[30, 1.0], [90, 0.5]], channels=["telefon"])
        if it["id"] == "f10":
            it["channels"] = ["chat"]
        if it["id"] == "f09":
            it["scenarios"] = ["beratungsgespraech", "kaufabwicklung"]


def test_walk_init_validate_clean(tmp_path):
    """docs/onboarding.md's walk, on the second study: init, decide the TODOs, validate."""
    fx, new = _new_project(tmp_path)
    proc = _cli(new, "init", "--from", f"data/raw/{fx.files[0]}")
    assert proc.returncode == 0, proc.stderr
    proc = _cli(new, "validate")
    assert proc.returncode == 2
    todo_lines = [x for x in proc.stderr.splitlines() if x.startswith("todo: ")]
    assert len(todo_lines) == len(find_todos(new)) > 10
    assert "todo: config/grid.yaml: items[0].weight: TODO: weight" in todo_lines
    assert proc.stderr.splitlines()[-1].startswith("error: ")
    assert re.match(r"error: \d+ decision\(s\) left", proc.stderr.splitlines()[-1])
    for file, change in [*DECISIONS.items(), ("grid.yaml", _decide_grid)]:
        path = new / "config" / file
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    assert find_todos(new) == []
    proc = _cli(new, "validate")  # a real study's pseudonym key comes from the environment
    assert proc.stderr.strip().startswith("error: config/study.yaml: settings.pseudonym_key_env")
    proc = _cli(new, "validate", env={"BENCHLIB_PSEUDONYM_KEY": "walk-key"})
    assert proc.returncode == 0, proc.stderr
    assert f"rows read {fx.rows_written} =" in proc.stdout and "reconciled" in proc.stdout


def test_detect_xlsx_title_row_and_separators(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Export Mystery Shopping Q2/2026"])  # a title row above the header
    ws.append(["Contact ID", "Wave", "Date", "Channel", "Company", "Evaluator", "Answered",
               "Response time (h)"])
    for k in range(6):
        ws.append([f"C{k}", "Q2/2026", "2026-04-0" + str(k + 1), "Mail", "Shop", f"QS{k:02d}",
                   "yes" if k % 2 else "no", f"{k}.5"])
    wb.save(tmp_path / "export.xlsx")
    det = detect(tmp_path / "export.xlsx")
    assert (det.format, det.title_rows, det.header[0], len(det.rows)) == ("xlsx", 1,
                                                                         "Contact ID", 6)
    assert det.decimal == "."
    csv_path = tmp_path / "semi.csv"
    csv_path.write_bytes("Kontakt-ID;Welle;Wartezeit;Umsatz\nA;1;2:05;1.234,50\nB;1;0:40;12,5\n"
                         .encode("cp1252"))
    det = detect(csv_path)
    assert (det.delimiter, det.decimal, det.thousands) == (";", ",", ".")
