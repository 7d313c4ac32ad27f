"""Every raw quirk of the domain brief, one test each, on the shipped example exports."""

from __future__ import annotations

import pandas as pd
import pytest

from benchlib.config import load_config
from benchlib.parse import parse_date, parse_duration_s, parse_item_cell, parse_number
from benchlib.reader import read_export
from benchlib.scoring import MISSING, NOT_APPLICABLE

from projects import ROOT

CFG = load_config(ROOT)
FH, QS = CFG.exports["feldhaus"], CFG.exports["qualiserv"]
RAW = ROOT / "data" / "raw"


def test_quirk_semicolon_delimiter():
    assert (RAW / "2026-04" / "feldhaus_anrufe_2026-04.csv").read_bytes().count(b";") > 5000
    t = read_export(RAW / "2026-04" / "feldhaus_anrufe_2026-04.csv", FH)
    assert len(t.frame) == 201 and "politeness" in t.frame.columns


def test_quirk_decimal_comma(study):
    assert parse_item_cell("7,5", "scale10", FH) == (7.5, 0, None)
    it = study.items
    half = it[(it["item"] == "answer_complete") & it["raw"].str.contains(",", regex=False)]
    assert len(half) > 50
    assert (half["value"] % 1 == 0.5).all()


def test_quirk_cp1252_encoding(study):
    t = read_export(RAW / "2025-07" / "feldhaus_anrufe_2025-07.csv", FH)
    assert t.encoding == "cp1252"
    assert t.frame["comment"].str.contains("Größe", regex=False).any()
    assert study.contacts["comment"].str.contains("Übertragung", regex=False).any()


def test_quirk_utf8_with_bom():
    assert (RAW / "2026-10" / "feldhaus_anrufe_2026-10.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    t = read_export(RAW / "2026-10" / "feldhaus_anrufe_2026-10.csv", FH)
    assert t.encoding == "utf-8-sig"
    assert t.headers["contact_id"] == "Kontakt-ID"  # no BOM glued to the first header


@pytest.mark.parametrize("token", ["k.A.", "n.v.", "entfällt", "-", " K.A. "])
def test_quirk_not_applicable_tokens(token):
    assert parse_item_cell(token, "likert5", FH)[1] == NOT_APPLICABLE


def test_quirk_not_applicable_tokens_in_data(study):
    na = study.items[study.items["status"] == "not_applicable"]
    assert set(na["raw"].str.strip()) >= {"k.A.", "n.v.", "entfällt", "-"}


def test_quirk_empty_applicable_cell_is_missing():
    assert parse_item_cell("  ", "yes_no", FH)[1] == MISSING


@pytest.mark.parametrize(("token", "value"), [("ja", 1.0), ("Ja", 1.0), ("JA ", 1.0),
                                              ("nein", 0.0), ("teilweise", 0.5)])
def test_quirk_ja_nein_teilweise(token, value):
    assert parse_item_cell(token, "yes_partly_no", FH)[0] == value


def test_quirk_dates_in_two_formats(study):
    fmts = FH.date_formats
    assert parse_date("03.02.2026", fmts)[0] == parse_date("2026-02-03", fmts)[0]
    t = read_export(RAW / "2026-10" / "feldhaus_anrufe_2026-10.csv", FH)
    assert t.frame["contact_date"].str.match(r"^\d{4}-\d{2}-\d{2}$").any()
    assert t.frame["contact_date"].str.match(r"^\d{2}\.\d{2}\.\d{4}$").any()
    assert study.contacts["contact_date"].notna().all()


@pytest.mark.parametrize(("text", "seconds"), [("2:35", 155), ("155 s", 155), ("155", 155),
                                               ("0:07", 7), ("1:02:03", 3723)])
def test_quirk_durations(text, seconds):
    assert parse_duration_s(text) == (float(seconds), 0, None)


def test_quirk_durations_in_data(study):
    raw = study.items.loc[study.items["item"] == "wait_s", "raw"]
    assert raw.str.contains(":", regex=False).any() and raw.str.endswith(" s").any()


def test_quirk_company_case_and_space_variants(study):
    t = read_export(RAW / "2026-10" / "feldhaus_anrufe_2026-10.csv", FH)
    spellings = set(t.frame["company"])
    assert {"VOLTERA Service", "voltera ", "Voltera GmbH"} <= spellings
    assert set(study.contacts["company"]) == {c.id for c in CFG.companies}


def test_quirk_xlsx_title_row_above_english_headers():
    t = read_export(RAW / "2026-10" / "qualiserv_mails_2026-10.xlsx", QS)
    assert t.header_row == 2 and t.headers["contact_id"] == "Contact ID"
    assert int(t.frame["_row"].iloc[0]) == 3  # Excel row of the first contact


def test_quirk_duplicate_rows_dropped_and_counted(study):
    rec = study.reconciliation.set_index("file")
    assert rec.loc["data/raw/2025-07/feldhaus_anrufe_2025-07.csv", "duplicates_dropped"] == 2
    assert rec["duplicates_dropped"].sum() == 6
    assert not study.contacts["contact_id"].duplicated().any()


def test_quirk_scores_out_of_range_quarantined(study):
    q = study.quarantine
    row = q[(q["column"] == "Structure (grade)") & (q["value"].astype(str) == "7")]
    assert len(row) == 1 and "1-6" in row["expected"].iloc[0]
    likert0 = q[(q["column"] == "Anliegen verstanden (1-5)") & (q["value"].astype(str) == "0")]
    assert len(likert0) == 1


@pytest.mark.parametrize("token", ["#WERT!", "#NV", "#DIV/0!"])
def test_quirk_excel_error_cells(study, token):
    assert parse_item_cell(token, "scale10", FH)[2].startswith("Excel error value")
    assert (study.quarantine["value"].astype(str) == token).sum() == 1


def test_quirk_school_grade_words():
    assert parse_item_cell("sehr gut", "grade6", FH)[0] == 1.0
    assert parse_item_cell("ungenügend", "grade6", FH)[0] == 6.0


def test_quirk_conflicting_duplicate_contact_id_quarantined(study):
    q = study.quarantine[study.quarantine["reason"] == "conflicting_duplicate"]
    assert q["contact_id"].tolist() == ["FH-202604-0016", "FH-202604-0016"]
    assert "FH-202604-0016" not in set(study.contacts["contact_id"])


def test_quirk_unknown_company_suggests_closest_alias(study):
    q = study.quarantine[study.quarantine["reason"] == "unknown_company"]
    assert q["value"].tolist() == ["Voltra GmbH"]
    assert "closest alias: 'Voltera GmbH' (voltera)" in q["expected"].iloc[0]


def test_quirk_impossible_date_and_duration(study):
    q = study.quarantine
    assert q.loc[q["value"] == "31.02.2026", "column"].tolist() == ["Datum"]
    assert q.loc[q["value"] == "2:75", "column"].tolist() == ["Wartezeit"]
    assert q.loc[q["value"] == "-0:30", "expected"].str.contains(">= 0").all()


def test_numbers_reject_formulas_and_exponents():
    assert parse_number("=1+1") is None and parse_number("1e3") is None
    assert parse_number("+3") == 3.0


def test_quarantine_rows_point_to_excel_rows(study):
    q = study.quarantine
    one = q[q["value"] == "Voltra GmbH"].iloc[0]
    raw = pd.read_csv(ROOT / one["source_file"], sep=";", encoding="cp1252", dtype=str,
                      keep_default_na=False)
    assert raw.iloc[int(one["source_row"]) - 2]["Unternehmen"] == "Voltra GmbH"
