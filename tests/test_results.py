"""benchlib.results.wave_results on the example study: schema, agreement with benchlib.stats,
the planted effects, k-anonymity; benchlib.excel: formula injection and reproducibility."""

from __future__ import annotations

import json
import math
import re
import shutil
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest

from benchlib import stats
from benchlib.excel import write_tables_xlsx
from benchlib.results import (
    effective_k,
    reliable,
    suppress_small,
    wave_results,
    write_results_json,
)
from benchlib.study import Study

WAVE = "2026-10"


@pytest.fixture(scope="module")
def res(study):
    return wave_results(study, WAVE, "de")


@pytest.fixture(scope="module")
def doc(res):
    return res.to_json_dict()


def _num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _num_or_none(x) -> bool:
    return x is None or _num(x)


# --------------------------------------------------------------------------- schema


def test_json_schema(doc):
    assert doc["wave"] == WAVE and doc["previous_wave"] == "2026-07" and doc["lang"] == "de"
    assert set(doc["counts"]) >= {"raw_rows", "contacts", "quarantined", "duplicates_dropped"}
    assert all(isinstance(v, int) for v in doc["counts"].values())
    for r in doc["companies"]:
        assert isinstance(r["company"], str) and r["role"] in ("shop", "competitor")
        assert isinstance(r["n"], int)
        assert all(_num_or_none(r[k]) for k in ("mean", "sd", "ci_low", "ci_high"))
    assert [r["role"] for r in doc["companies"]].count("shop") == 1
    for r in doc["shop_vs_competitors"]:
        assert isinstance(r["competitor"], str)
        assert all(_num_or_none(r[k]) for k in ("diff", "ci_low", "ci_high", "p", "p_holm",
                                                "hedges_g"))
    assert set(doc["adjusted"]) >= {"emm", "mixed_model"}
    assert doc["adjusted"]["emm"] and doc["adjusted"]["mixed_model"]
    for r in doc["change_vs_previous"]:
        assert isinstance(r["company"], str)
        assert all(_num_or_none(r[k]) for k in ("diff", "ci_low", "ci_high", "p"))
    te = doc["training_effect"]
    assert isinstance(te["training"], str) and "Einwandbehandlung" in te["training"]
    assert all(_num(te[k]) for k in ("naive_change", "did", "se", "ci_low", "ci_high", "p"))
    for r in doc["items"]:
        assert isinstance(r["item"], str) and isinstance(r["company"], str)
        assert isinstance(r["n"], int) and all(_num_or_none(r[k]) for k in (
            "share", "ci_low", "ci_high", "p_fdr"))
        if r["company"] == "voltera":
            assert r["p_fdr"] is None
    for r in doc["mail_response"]:
        assert isinstance(r["company"], str) and _num_or_none(r["median_h"])
        assert _num(r["share_24h"])
    cal = doc["calibration"]
    assert _num(cal["icc2_1"]) and _num(cal["alpha"]) and len(cal["icc2_1_ci"]) == 2
    for r in doc["planning"]:
        assert _num(r["target_change"]) and isinstance(r["n_per_company"], int)
    assert 3 <= len(doc["executive_summary"]) <= 6
    assert all(isinstance(s, str) and s for s in doc["executive_summary"])
    prov = doc["provenance"]
    assert set(prov) >= {"inputs", "config_sha256", "packages", "git_commit", "parameters",
                         "built_at"}
    assert prov["parameters"] == {"wave": WAVE, "lang": "de"}
    json.dumps(doc, allow_nan=False)  # plain JSON types only, no NaN


def test_first_wave_has_no_change_or_training(study):
    doc = wave_results(study, "2025-07", "en").to_json_dict()
    assert doc["previous_wave"] is None
    assert doc["change_vs_previous"] is None and doc["training_effect"] is None
    assert doc["calibration"] is None  # the calibration round belongs to 2026-10
    assert 3 <= len(doc["executive_summary"]) <= 6


def test_unknown_wave_and_language(study):
    from benchlib.errors import ConfigError

    with pytest.raises(ConfigError, match="2026-10"):
        wave_results(study, "2030-01")
    with pytest.raises(ValueError, match="lang"):
        wave_results(study, WAVE, "fr")


# --------------------------------------------------------------------------- = library


def _close(a, b) -> bool:
    if a is None or b is None or (isinstance(b, float) and math.isnan(b)):
        return (a is None or (isinstance(a, float) and math.isnan(a))) and (
            b is None or (isinstance(b, float) and math.isnan(b)))
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)


def test_json_equals_library_functions(study, doc):
    w = study.wave_contacts(WAVE)
    scored = study.contacts[study.contacts["scored"]]
    desc = stats.describe_scores(w, by="company").set_index("company")
    for r in doc["companies"]:
        d = desc.loc[r["company"]]
        assert r["n"] == d["n"]
        assert all(_close(r[k], d[k]) for k in ("mean", "sd", "ci_low", "ci_high"))
    svc = stats.shop_vs_competitors(w).set_index("competitor")
    assert {r["competitor"] for r in doc["shop_vs_competitors"]} == set(svc.index)
    for r in doc["shop_vs_competitors"]:
        d = svc.loc[r["competitor"]]
        assert all(_close(r[k], d[k]) for k in ("diff", "ci_low", "ci_high", "p", "p_holm",
                                                "hedges_g"))
    mix = stats.mix_adjusted(w)
    emm = mix.emm.set_index("company")
    for r in doc["adjusted"]["emm"]:
        assert _close(r["emm"], emm.loc[r["company"], "emm"])
    lmm = stats.leniency_adjusted(w).contrasts.set_index("competitor")
    for r in doc["adjusted"]["mixed_model"]:
        assert _close(r["estimate"], lmm.loc[r["competitor"], "estimate"])
        assert _close(r["p_holm"], lmm.loc[r["competitor"], "p_holm"])
    ch = stats.change_vs_previous(scored, WAVE, "2026-07").set_index("company")
    for r in doc["change_vs_previous"]:
        assert all(_close(r[k], ch.loc[r["company"], k]) for k in ("diff", "ci_low", "ci_high",
                                                                    "p"))
    te = stats.training_effect(scored, "2026-07", WAVE)
    t = doc["training_effect"]
    assert _close(t["did"], te.estimate) and _close(t["naive_change"], te.naive_change)
    assert _close(t["ci_low"], te.ci_low) and _close(t["p"], te.p) and _close(t["se"], te.se)
    it = study.items
    it = it[(it["wave"] == WAVE) & (it["scale"] == "yes_no")]
    props = stats.item_proportions(it, by=["item", "company"]).set_index(["item", "company"])
    comp = stats.compare_proportions(it, by=[]).set_index(["item", "competitor"])
    assert len(doc["items"]) == len(props)
    for r in doc["items"]:
        p = props.loc[(r["item"], r["company"])]
        assert r["n"] == p["n"] and _close(r["share"], p["share"])
        assert _close(r["ci_low"], p["ci_low"]) and _close(r["ci_high"], p["ci_high"])
        if r["company"] != "voltera":
            assert _close(r["p_fdr"], comp.loc[(r["item"], r["company"]), "p_fdr"])
    mail = stats.response_summary(study.wave_contacts(WAVE, scored_only=False)).set_index(
        "company")
    for r in doc["mail_response"]:
        assert _close(r["median_h"], mail.loc[r["company"], "median_h"])
        assert _close(r["share_24h"], mail.loc[r["company"], "share_24h"])
    cal = stats.calibration_summary(study.calibration[study.calibration["wave"] == WAVE])
    assert _close(doc["calibration"]["icc2_1"], cal.icc2_1)
    assert _close(doc["calibration"]["alpha"], cal.alpha_interval)
    plan = stats.plan_next_wave(w)
    assert [r["n_per_company"] for r in doc["planning"]] == plan["n_per_company"].tolist()
    rec = study.reconciliation
    rec = rec[rec["file"].str.contains(f"/{WAVE}/", regex=False)]
    assert doc["counts"]["raw_rows"] == rec["rows_read"].sum()
    assert doc["counts"]["quarantined"] == rec["quarantined"].sum()
    assert doc["counts"]["duplicates_dropped"] == rec["duplicates_dropped"].sum()
    assert doc["counts"]["contacts"] == len(study.wave_contacts(WAVE, scored_only=False))


def test_summary_wording_agrees_with_describe_comparison(study):
    res = wave_results(study, "2025-10", "de")
    for r in res.shop_vs_competitors.to_dict("records"):
        sentence = stats.describe_comparison(r, "de")
        assert reliable(r) == (not sentence.startswith(("Kein", "Zu wenige")))
    summary = " ".join(res.executive_summary)
    # the planted training: shop reliably better than the market net of it; decimal comma
    assert "Netto des Marktes" in summary and re.search(r"\d,\d", summary)
    assert "Voltera (Veränderung) ist um" in summary and "besser als Markt" in summary


# --------------------------------------------------------------------------- planted effects


def test_planted_training_effect_is_recovered(study, truth):
    te = wave_results(study, "2025-10", "en").to_json_dict()["training_effect"]
    true = next(x for x in truth["trainings"] if x["after"] == "2025-10")
    assert true["effective"] and true is truth["trainings"][0]
    assert te["ci_low"] < true["total"]["did"] < te["ci_high"]
    assert te["ci_low"] > 0 and te["p"] < 0.05


def test_market_shift_is_not_credited_to_the_training(study, truth):
    te = wave_results(study, "2026-07", "en").to_json_dict()["training_effect"]
    true = next(x for x in truth["trainings"] if x["after"] == "2026-07")
    assert true["market_shift"]
    # the shop's own change is clearly negative …
    assert te["naive_change"] < 0 and te["naive_ci_high"] < 0 and te["naive_p"] < 0.05
    # … but net of the market there is no effect: the DiD CI holds the truth and 0
    assert te["ci_low"] < true["total"]["did"] < te["ci_high"]
    assert te["ci_low"] < 0 < te["ci_high"]


# --------------------------------------------------------------------------- privacy


@pytest.fixture(scope="module")
def small_study(study, tmp_path_factory):
    """The example study with only 3 contacts of one competitor in the wave."""
    dest = tmp_path_factory.mktemp("small") / "processed"
    shutil.copytree(study.processed, dest)
    c = study.contacts
    funk = c[(c["wave"] == WAVE) & (c["company"] == "funkturm")]
    keep = pd.concat([funk[funk["channel"] == "call"].head(2),
                      funk[funk["channel"] == "mail"].head(1)])["contact_id"]
    drop = funk.loc[~funk["contact_id"].isin(keep), "contact_id"]
    c[~c["contact_id"].isin(drop)].to_parquet(dest / "contacts.parquet", index=False)
    it = study.items
    it[~it["contact_id"].isin(drop)].to_parquet(dest / "items.parquet", index=False)
    return Study(study.config, dest)


def test_groups_below_k_are_suppressed(small_study):
    res = wave_results(small_study, WAVE, "de")
    assert res.k == 5
    comp = res.companies.set_index("company").loc["funkturm"]
    assert comp["n"] == 3 and comp["suppressed"] and comp["too_few"]
    assert all(np.isnan(comp[k]) for k in ("mean", "sd", "ci_low", "ci_high"))
    svc = res.shop_vs_competitors.set_index("competitor").loc["funkturm"]
    assert not svc["tested"] and svc["suppressed"] and np.isnan(svc["mean_comp"])
    assert np.isnan(svc["diff"])
    assert res.dimensions.loc[res.dimensions["company"] == "funkturm", "suppressed"].all()
    assert res.dimensions.loc[res.dimensions["company"] == "funkturm", "mean"].isna().all()
    f_items = res.items[res.items["company"] == "funkturm"]
    assert f_items["suppressed"].all() and f_items["share"].isna().all()
    assert res.mail_response.set_index("company").loc["funkturm", "suppressed"]
    assert "funkturm" not in set(res.km["company"])
    assert "funkturm" not in set(res.emm["company"])  # too few to enter the adjusted models
    assert res.notes and all("5" in n for n in res.notes)
    doc = res.to_json_dict()
    row = next(r for r in doc["companies"] if r["company"] == "funkturm")
    assert row["mean"] is None and row["n"] == 3
    assert "Funkturm Direkt" in " ".join(res.executive_summary)  # named as not tested
    from benchlib.results import display_table

    shown = display_table(res, "companies").set_index("Unternehmen").loc["Funkturm Direkt"]
    assert shown["Mittelwert"] == "–" and "unterdrückt" in shown["Hinweis"]


def test_suppress_small_and_k_floor():
    d = pd.DataFrame({"n_a": [10, 4, 10], "n_b": [10, 10, 2], "x": [1.0, 2.0, 3.0]})
    out = suppress_small(d, ["n_a", "n_b"], ["x"], 5)
    assert out["suppressed"].tolist() == [False, True, True]
    assert out["x"].isna().tolist() == [False, True, True]
    fake = SimpleNamespace(config=SimpleNamespace(settings=SimpleNamespace(k_anonymity=2)))
    assert effective_k(fake) == 3


def test_no_agent_level_data_and_evaluators_as_codes(res):
    tables = res.tables()
    for name, df in tables.items():
        assert "agent" not in df.columns, name
        text = df.astype(str).to_string()
        assert not re.search(r"AG-[0-9a-f]{10}", text), name
    assert res.evaluator_blups["evaluator"].str.fullmatch(r"E\d{2}").all()
    assert not re.search(r"AG-[0-9a-f]{10}", json.dumps(res.to_json_dict(), ensure_ascii=False))


# --------------------------------------------------------------------------- files


def test_results_json_written_atomically_and_reproducibly(study, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    write_results_json(wave_results(study, WAVE, "en"), a)
    write_results_json(wave_results(study, WAVE, "en"), b)
    assert a.read_bytes() == b.read_bytes()
    doc = json.loads(a.read_text(encoding="utf-8"))
    assert doc["provenance"]["built_at"] == "2026-01-01T00:00:00Z"
    assert list(doc) == sorted(doc)
    assert not list(tmp_path.glob(".*"))  # no temp files left behind


EVIL = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)", "=HYPERLINK(\"x\")",
        "\t=1", "harmless"]


def test_excel_formula_injection_is_neutralised(tmp_path):
    tables = {
        "a" * 40: pd.DataFrame({"text": EVIL, "value": np.arange(7) / 3,
                                "count": np.arange(7), "flag": [True, False] * 3 + [True]}),
        "a" * 45: pd.DataFrame({"=evil": ["x"], "nan": [np.nan]}),
        "bad/name:[x]?": pd.DataFrame({"x": [1.5]}),
    }
    path = tmp_path / "t.xlsx"
    write_tables_xlsx(tables, path, "en")
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    assert len(names) == 3 and len(set(n.lower() for n in names)) == 3
    assert all(len(n) <= 31 for n in names) and not any(set(n) & set("[]:*?/\\") for n in names)
    ws = wb[names[0]]
    assert [ws.cell(row=i, column=1).value for i in range(2, 9)] == EVIL
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    for i in range(2, 8):
        assert ws.cell(row=i, column=1).quotePrefix
    assert ws["B3"].value == pytest.approx(1 / 3) and ws["B3"].data_type == "n"
    assert ws["C4"].value == 2 and ws["B3"].number_format == "0.000"
    assert ws["D2"].value == "yes" and ws["D3"].value == "no"
    assert ws["A1"].font.bold and ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width >= len(EVIL[0])
    ws2 = wb[names[1]]
    assert ws2["A1"].value == "=evil" and ws2["A1"].data_type == "s" and ws2["B2"].value is None
    # formulas would also survive a round trip through openpyxl as data_type "f": check raw XML
    import zipfile

    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets"))
    assert "<f>" not in xml and "<f " not in xml
    again = tmp_path / "t2.xlsx"
    write_tables_xlsx(tables, again, "en")
    assert path.read_bytes() == again.read_bytes()


def test_result_tables_to_excel(res, tmp_path):
    path = tmp_path / "tables.xlsx"
    write_tables_xlsx(res.tables(), path, "de")
    wb = openpyxl.load_workbook(path)
    assert "companies" in wb.sheetnames and "training_effect" in wb.sheetnames
    ws = wb["companies"]
    header = [c.value for c in ws[1]]
    mean = ws.cell(row=2, column=header.index("mean") + 1)
    assert mean.data_type == "n" and mean.value == pytest.approx(res.companies["mean"].iloc[0])
