"""The whole pipeline: nothing lost, corrections, mail censoring, privacy, reproducibility."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from benchlib.pipeline import run_pipeline
from benchlib.reader import read_export

from projects import ROOT, copy_project, run_cli_inprocess, small_project


def _hashes(folder) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_reconciliation_totals(study):
    rec = study.reconciliation
    assert (rec["rows_read"] == rec["clean"] + rec["quarantined"] + rec["duplicates_dropped"]).all()
    t = study.manifest["totals"]
    assert t == {"files": 13, "raw_rows": 2503, "contacts": 2390, "quarantined": 11,
                 "duplicates_dropped": 6, "calibration_ratings": 96,
                 "calibration_quarantined": 0, "corrections_applied": 1}
    rows = study.quarantine.drop_duplicates(["source_file", "source_row"])
    assert len(study.contacts) == 2390 and len(rows) == 11


def test_correction_rescues_quarantined_row(study, example_project):
    c = study.contacts.set_index("contact_id").loc["FH-202510-0008"]
    assert c["wave"] == "2025-10"
    it = study.items
    assert it[(it["contact_id"] == "FH-202510-0008") & (it["item"] == "politeness")
              ]["value"].tolist() == [4.0]
    log = pd.read_csv(study.processed / "corrections_applied.csv")
    assert log[["contact_id", "column", "old", "new"]].values.tolist() == [
        ["FH-202510-0008", "politeness", 7, 4]]


def test_unreached_contacts_are_knockouts_not_missing(study):
    c = study.contacts
    unreached = c[c["reached"] == False]  # noqa: E712 - nullable boolean
    assert len(unreached) > 20
    assert (unreached["total"] == 0).all() and unreached["knockout"].all()
    assert unreached["knockout_items"].str.contains("reach_answered").all()


def test_mail_response_censored_at_window(study):
    mail = study.contacts[study.contacts["channel"] == "mail"]
    window = study.config.settings.mail_window_h
    never = mail[mail["mail_answered"] == False]  # noqa: E712
    assert len(never) > 5 and (never["response_h"] == window).all()
    answered = mail[mail["mail_answered"] == True]  # noqa: E712
    assert (answered["response_h"].dropna() <= window).all()
    it = study.items
    pts = it[(it["item"] == "mail_response_h") & it["contact_id"].isin(never["contact_id"])]
    assert (pts["points"] == 0).all()
    assert study.contacts.loc[study.contacts["channel"] == "call", "mail_answered"].isna().all()


def test_grid_version_recorded(study):
    c = study.contacts
    assert set(c.loc[c["wave"] <= "2025-10", "grid_version"]) == {"grid-base"}
    assert set(c.loc[c["wave"] >= "2026-01", "grid_version"]) == {"grid-2026-01"}
    it = study.items
    assert set(it.loc[it["item"] == "needs_questions", "scale"]) == {"yes_no", "yes_partly_no"}
    assert it.loc[it["item"] == "callback_offered", "wave"].min() == "2026-01"


def test_items_long_covers_every_contact(study):
    per = study.items.groupby("contact_id")["item"].nunique()
    assert set(per.index) == set(study.contacts["contact_id"])
    assert per.min() >= 20
    ok = study.items.dropna(subset=["points"])
    assert ok["points"].between(0, 1).all()
    assert (ok["status"] == "answered").all()


def test_scores_within_bounds(study):
    c = study.contacts
    assert c["total"].dropna().between(0, 100).all()
    assert c["scored"].mean() > 0.98


def test_agent_names_pseudonymised_and_scrubbed(study, example_project):
    names = set()
    for p in sorted((ROOT / "data" / "raw").glob("20*/*")):
        agency = "feldhaus" if p.suffix == ".csv" else "qualiserv"
        t = read_export(p, study.config.exports[agency])
        names |= {n for n in t.frame["agent_name"] if n.strip()}
    assert len(names) >= 10
    agents = study.contacts["agent"].dropna()
    assert agents.str.match(r"^AG-[0-9a-f]{10}$").all()
    assert study.contacts.loc[study.contacts["role"] == "competitor", "agent"].isna().all()
    parts = {p for n in names for p in re.split(r"[\s.-]+", n) if len(p) >= 3} | names
    for path in (example_project / "data" / "processed").rglob("*"):
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="ignore")
        for p in parts:
            assert not re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text), (path.name, p)


def test_comments_scrubbed_of_emails_and_phones(study):
    com = study.contacts["comment"]
    assert not com.str.contains("@beispiel-shop.de", regex=False).any()
    assert not com.str.contains("0171 2345678", regex=False).any()
    assert com.str.contains("[Telefon]", regex=False).any()
    assert com.str.contains("[Name]", regex=False).any()


def test_rerun_is_byte_identical_and_leaves_no_temp_files(tmp_path):
    root = small_project(tmp_path)
    processed = root / "data" / "processed"
    first = run_pipeline(root).generation
    before = _hashes(first)
    second = run_pipeline(root).generation
    assert second != first and _hashes(second) == before  # a new generation, the same bytes
    assert (processed / "CURRENT").read_text() == second.name + "\n"
    third = run_pipeline(root).generation
    # the two newest generations are kept (an open notebook may still read the previous one)
    assert sorted(p.name for p in processed.iterdir() if not p.name.startswith(".")) == [
        "CURRENT", second.name, third.name]
    assert {p.name for p in processed.iterdir() if p.name.startswith(".")} <= {
        ".lock", ".input-hashes.json"}  # no temp file, no staging folder


def test_raw_data_is_never_written(tmp_path):
    root = small_project(tmp_path)
    raw = root / "data" / "raw"
    before = _hashes(raw)
    for p in raw.rglob("*"):
        p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        if os.geteuid() != 0:
            with pytest.raises(PermissionError):
                (raw / "probe").write_text("x")
        result = run_pipeline(root)
        assert result.reconciled
    finally:
        for p in raw.rglob("*"):
            p.chmod(p.stat().st_mode | stat.S_IWUSR)
    assert _hashes(raw) == before


@pytest.mark.slow
def test_reproducible_across_folders_and_hash_seeds(tmp_path):
    outs = []
    for k, seed in enumerate(("1", "987")):
        root = copy_project(tmp_path / f"run{k}")
        env = {**os.environ, "BENCHLIB_ROOT": str(root), "PYTHONHASHSEED": seed}
        env.pop("SOURCE_DATE_EPOCH", None)  # by default the build time is the newest input's
        subprocess.run([sys.executable, "-m", "benchlib.cli", "clean", "--quiet"], env=env,
                       check=True, capture_output=True)
        outs.append(_hashes(root / "data" / "processed" / "gen-000001"))
    assert outs[0] == outs[1]
    import json
    from datetime import UTC, datetime

    run0 = tmp_path / "run0"
    manifest = json.loads((run0 / "data/processed/gen-000001/manifest.json").read_text())
    newest = max(int(p.stat().st_mtime) for d in ("data/raw", "config")
                 for p in (run0 / d).rglob("*") if p.is_file())
    assert manifest["built_at"] == datetime.fromtimestamp(newest, UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def test_quarantine_share_threshold_exit_code(tmp_path):
    root = small_project(tmp_path)  # one export: 1 of its 200 rows is quarantined
    ok = run_cli_inprocess(root, "validate", "--quiet")
    assert ok.returncode == 0, ok.stderr
    assert "rows read 200 = contacts 199 + quarantined 1" in ok.stdout
    strict = run_cli_inprocess(root, "validate", "--quiet", "--max-quarantine-share", "0.001")
    assert strict.returncode == 1
    assert strict.stderr.splitlines()[-1] == "error: 0.5% of rows quarantined (limit 0.1%)"
    assert not list((root / "data" / "processed").iterdir())  # validate writes nothing


def test_missing_pseudonym_key_for_real_study_is_an_error(tmp_path):
    root = small_project(tmp_path)
    study_yaml = root / "config" / "study.yaml"
    study_yaml.write_text(re.sub(r"\n  demo_pseudonym_key:.*", "", study_yaml.read_text("utf-8")),
                          encoding="utf-8")
    proc = run_cli_inprocess(root, "validate", env={"BENCHLIB_PSEUDONYM_KEY": None})
    assert proc.returncode == 2
    assert "no pseudonym key: set the environment variable BENCHLIB_PSEUDONYM_KEY" in proc.stderr
    proc = run_cli_inprocess(root, "validate", "--quiet", env={"BENCHLIB_PSEUDONYM_KEY": "s3cret"})
    assert proc.returncode == 0


def test_raw_file_matching_no_source_is_an_error(tmp_path):
    root = copy_project(tmp_path)
    shutil.copy(root / "data/raw/2026-10/feldhaus_anrufe_2026-10.csv",
                root / "data/raw/2026-10/other_agency.csv")
    from benchlib.errors import ConfigError

    with pytest.raises(ConfigError, match="data/raw/2026-10/other_agency.csv matches no source"):
        run_pipeline(root, write=False)


def test_dimension_scores_missing_when_no_item_answered(study):
    c = study.contacts
    assert np.isnan(c.loc[c["channel"] == "call", "dim_mail_form"]).all()
    assert c.loc[c["channel"] == "mail", "dim_mail_form"].notna().mean() > 0.9


@pytest.mark.parametrize(("content", "code", "message"), [
    ('contact_id,column,value,reason,who\n"FH-1,politeness,4,x,y\n', 2,
     "error: config/corrections.csv: (file): malformed CSV"),
    ("contact_id,column,value,reason,who\nFH-202510-0008,friendliness,4,typo,AK\n", 2,
     "error: config/corrections.csv: row 2.column: unknown column 'friendliness'"),
    ("contact_id,column,value,reason,who\nFH-202510-0008,politeness,,typo,AK\n", 2,
     "error: config/corrections.csv: row 2.value: must not be empty"),
    ("contact_id,column,value,reason,who\nFH-209901-0001,politeness,4,typo,AK\n", 0,
     "warning: config/corrections.csv: correction of FH-209901-0001.politeness changed nothing"),
])
def test_corrections_file_errors_and_warnings(tmp_path, content, code, message):
    root = small_project(tmp_path)
    (root / "config" / "corrections.csv").write_text(content, encoding="utf-8")
    proc = run_cli_inprocess(root, "validate", "--quiet")
    assert proc.returncode == code, proc.stderr
    assert proc.stderr.startswith(message) and "Traceback" not in proc.stderr
