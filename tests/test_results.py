"""benchlib.results on the example study: schema, agreement with benchlib.stats, the planted
effects, the multiplicity policy, the one suppression rule over every output, a shop below
min_n, results.json round trip; benchlib.excel: formula injection, p formats, reproducibility."""

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
    compute_wave,
    display,
    display_table,
    effective_k,
    load,
    reliable,
    suppress_small,
    view,
    wave_results,
    wording,
    write,
    xlsx_tables,
)
from benchlib.study import Study

WAVE = "2026-10"


@pytest.fixture(scope="module")
def computed(wave_result):
    return wave_result(WAVE)


@pytest.fixture(scope="module")
def res(study, computed):
    return view(computed, study.config, "de")


@pytest.fixture(scope="module")
def doc(computed):
    return computed.to_json_dict()


def rows(doc: dict, table: str) -> list[dict]:
    """The records of one table of a results.json document."""
    return doc["tables"][table]["rows"]


def _num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _num_or_none(x) -> bool:
    return x is None or _num(x)


# --------------------------------------------------------------------------- schema


def test_json_schema(doc):
    assert doc["wave"] == WAVE and doc["previous_wave"] == "2026-07" and "lang" not in doc
    assert set(doc["counts"]) >= {"raw_rows", "contacts", "quarantined", "duplicates_dropped"}
    assert all(isinstance(v, int) for v in doc["counts"].values())
    for r in rows(doc, "companies"):
        assert isinstance(r["company"], str) and r["role"] in ("shop", "competitor")
        assert isinstance(r["n"], int)
        assert all(_num_or_none(r[k]) for k in ("mean", "sd", "ci_low", "ci_high"))
    assert [r["role"] for r in rows(doc, "companies")].count("shop") == 1
    for r in rows(doc, "shop_vs_competitors"):
        assert isinstance(r["competitor"], str)
        assert all(_num_or_none(r[k]) for k in ("diff", "ci_low", "ci_high", "p", "p_holm",
                                                "hedges_g"))
    assert rows(doc, "emm") and rows(doc, "mixed_contrasts")
    for r in rows(doc, "change"):
        assert isinstance(r["company"], str)
        assert all(_num_or_none(r[k]) for k in ("diff", "ci_low", "ci_high", "p"))
    te = doc["training"]
    topics = [x for tr in te["trainings"] for x in tr["topics"]]
    assert topics and all(isinstance(x, str) for x in topics)  # ids, labelled at display
    assert all(_num(te[k]) for k in ("naive_change", "estimate", "se", "ci_low", "ci_high", "p",
                                     "p_adj"))
    for r in rows(doc, "items"):
        assert isinstance(r["item"], str) and isinstance(r["company"], str)
        assert isinstance(r["n"], int) and all(_num_or_none(r[k]) for k in (
            "share", "ci_low", "ci_high", "p_fdr"))
        if r["company"] == "voltera":
            assert r["p_fdr"] is None
    for r in rows(doc, "mail_response"):
        assert isinstance(r["company"], str) and _num_or_none(r["median_h"])
        assert _num(r["share_24h"])
    cal = doc["calibration"]
    assert _num(cal["icc2_1"]) and _num(cal["alpha"]) and _num(cal["icc2_1_ci_low"])
    for r in rows(doc, "planning"):
        assert _num(r["target_change"]) and isinstance(r["n_per_company"], int)
    # the trend, calibration and data-quality reports read the same file
    assert {"trend", "market_trend", "event_study", "items_moved", "calibration_agreement",
            "leniency", "file_fate", "quarantine_reasons"} <= set(doc["tables"])
    assert doc["policy"]["primary"] == "shop_vs_market"
    assert set(doc["unavailable"]) <= {"ranking", "train_next"}  # the example has it all
    prov = doc["provenance"]
    assert set(prov) >= {"inputs", "config_sha256", "packages", "git_commit", "parameters",
                         "built_at"}
    assert prov["parameters"] == {"wave": WAVE}  # one file for every language
    json.dumps(doc, allow_nan=False)  # plain JSON types only, no NaN


def test_first_wave_has_no_change_or_training(study, wave_view):
    res = wave_view("2025-07", "en")
    assert res.previous_wave is None
    assert res.change.empty and res.training is None
    assert res.unavailable["change"]["reason"] == "first_wave"
    assert res.calibration is None  # the calibration round belongs to 2026-10
    summary = wording.executive_summary(res)
    assert 3 <= len(summary) <= 6
    assert "First wave of the study" in " ".join(summary)


def test_unknown_wave_and_language(study, computed):
    from benchlib.errors import ConfigError

    with pytest.raises(ConfigError, match="2026-10"):
        compute_wave(study, "2030-01")
    with pytest.raises(ValueError, match="lang"):
        view(computed, study.config, "fr")


def test_results_json_round_trip(computed, tmp_path):
    path = write(computed, tmp_path / "results.json")
    back = load(path)
    assert back.to_json_dict() == computed.to_json_dict()
    for name, df in computed.tables.items():
        pd.testing.assert_frame_equal(back.tables[name], df, check_dtype=False, obj=name)


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
    for r in rows(doc, "companies"):
        d = desc.loc[r["company"]]
        assert r["n"] == d["n"]
        assert all(_close(r[k], d[k]) for k in ("mean", "sd", "ci_low", "ci_high"))
    # the example's evaluators are crossed with the companies: the primary comparison uses
    # the evaluator random-intercept model, shop vs each competitor stays Welch + Holm
    svm = stats.shop_vs_market(w, shop=study.shop).iloc[0]
    assert svm["method"] == doc["shop_vs_market"]["method"] == "LMM"
    assert all(_close(doc["shop_vs_market"][k], svm[k]) for k in ("diff", "se", "ci_low",
                                                                  "ci_high", "p"))
    svc = stats.shop_vs_competitors(w).set_index("competitor")
    assert {r["competitor"] for r in rows(doc, "shop_vs_competitors")} == set(svc.index)
    for r in rows(doc, "shop_vs_competitors"):
        d = svc.loc[r["competitor"]]
        assert r["method"] == "welch" and r["tested"]
        assert all(_close(r[k], d[k]) for k in ("diff", "ci_low", "ci_high", "p", "p_holm",
                                                "hedges_g"))
    mix = stats.mix_adjusted(w)
    emm = mix.emm.set_index("company")
    for r in rows(doc, "emm"):
        assert _close(r["emm"], emm.loc[r["company"], "emm"])
    lmm = stats.leniency_adjusted(w).contrasts.set_index("competitor")
    for r in rows(doc, "mixed_contrasts"):
        assert _close(r["estimate"], lmm.loc[r["competitor"], "estimate"])
        assert _close(r["p_holm"], lmm.loc[r["competitor"], "p_holm"])
    ch = stats.change_vs_previous(scored, WAVE, "2026-07").set_index("company")
    for r in rows(doc, "change"):
        assert all(_close(r[k], ch.loc[r["company"], k]) for k in ("diff", "ci_low", "ci_high",
                                                                    "p"))
    te = stats.training_effect(scored, "2026-07", WAVE)
    t = doc["training"]
    assert _close(t["estimate"], te.estimate) and _close(t["naive_change"], te.naive_change)
    assert _close(t["ci_low"], te.ci_low) and _close(t["p"], te.p) and _close(t["se"], te.se)
    it = study.items
    it = it[(it["wave"] == WAVE) & (it["scale"] == "yes_no")]
    props = stats.item_proportions(it, by=["item", "company"]).set_index(["item", "company"])
    comp = stats.compare_proportions(it, by=[]).set_index(["item", "competitor"])
    assert len(rows(doc, "items")) == len(props)
    for r in rows(doc, "items"):
        p = props.loc[(r["item"], r["company"])]
        assert r["n"] == p["n"] and _close(r["share"], p["share"])
        assert _close(r["ci_low"], p["ci_low"]) and _close(r["ci_high"], p["ci_high"])
        if r["company"] != "voltera":
            assert _close(r["p_fdr"], comp.loc[(r["item"], r["company"]), "p_fdr"])
    mail = stats.response_summary(study.wave_contacts(WAVE, scored_only=False)).set_index(
        "company")
    for r in rows(doc, "mail_response"):
        assert _close(r["median_h"], mail.loc[r["company"], "median_h"])
        assert _close(r["share_24h"], mail.loc[r["company"], "share_24h"])
    cal = stats.calibration_summary(study.calibration[study.calibration["wave"] == WAVE])
    assert _close(doc["calibration"]["icc2_1"], cal.icc2_1)
    assert _close(doc["calibration"]["alpha"], cal.alpha_interval)
    plan = stats.plan_next_wave(w)
    assert [r["n_per_company"] for r in rows(doc, "planning")] == plan["n_per_company"].tolist()
    files = set(study.wave_contacts(WAVE, scored_only=False)["source_file"])
    assert files == {f"data/raw/{WAVE}/feldhaus_anrufe_{WAVE}.csv",
                     f"data/raw/{WAVE}/qualiserv_mails_{WAVE}.xlsx"}
    rec = study.reconciliation
    rec = rec[rec["file"].isin(files)]
    assert doc["counts"]["raw_rows"] == rec["rows_read"].sum()
    assert doc["counts"]["quarantined"] == rec["quarantined"].sum()
    assert doc["counts"]["duplicates_dropped"] == rec["duplicates_dropped"].sum()
    assert doc["counts"]["contacts"] == len(study.wave_contacts(WAVE, scored_only=False))


def test_summary_wording_agrees_with_describe_comparison(study, wave_view):
    res = wave_view("2025-10", "de")
    for r in res.shop_vs_competitors.to_dict("records"):
        sentence = stats.describe_comparison(r, "de")
        assert reliable(r) == (not sentence.startswith(("Kein", "Zu wenige")))
    summary = " ".join(wording.executive_summary(res))
    # the planted training: shop reliably better than the market net of it; decimal comma
    assert "Netto des Marktes" in summary and re.search(r"\d,\d", summary)
    assert "Voltera (Veränderung) ist um" in summary and "besser als Markt" in summary
    assert "Abschlussorientierung, Reklamationsbehandlung" in summary  # topics labelled


@pytest.mark.parametrize("wave", ["2026-01", "2026-07"])
def test_summary_uses_the_policy_adjusted_p(study, wave, wave_view):
    from benchlib.stats import format_p
    from benchlib.stats._common import holm

    res = wave_view(wave, "en")
    shop = res.change.set_index("company").loc[study.shop]
    te = res.training
    # the shop's change and the net training effect are one Holm family of two claims
    expected = holm([shop["p"], te["p"]])
    pol = res.meta["policy"]["summary_p"]
    assert pol["change"] == pytest.approx(expected[0], abs=1e-15)
    assert pol["training"] == pytest.approx(expected[1], abs=1e-15) == te["p_adj"]
    change, did = wording.change_sentence(res), wording.training_sentence(res)
    for raw, adj, sentence in ((shop["p"], expected[0], change), (te["p"], expected[1], did)):
        assert format_p(adj, "en", alpha=0.05) in sentence
        if format_p(raw, "en", alpha=0.05) != format_p(adj, "en", alpha=0.05):
            assert format_p(raw, "en", alpha=0.05) not in sentence  # never the raw p
    # 2026-01: DiD p 0.060 -> 0.120; 2026-07: change p 0.0055 -> 0.011 (both visibly adjusted)
    assert max(expected - [shop["p"], te["p"]]) > 0.005
    assert "Comparable core" in change  # the basis is said where the number appears
    # the primary endpoint is tested alone: its p is its own; it opens the gate or not
    assert pol["shop_vs_market"] == res.shop_vs_market["p"]
    gate = res.shop_vs_market["p"] < 0.05
    assert res.meta["policy"]["gate_open"] == gate
    # dimensions of the change and of the DiD: Holm within the dimensions
    dc = res.dimension_change
    assert dc["p_adj"].tolist() == pytest.approx(holm(dc["p"]).tolist(), abs=1e-15)
    td = res.training_by_dimension
    dims = td[td["dimension"] != "total"]
    assert dims["p_adj"].tolist() == pytest.approx(holm(dims["p"]).tolist(), abs=1e-15)
    if wave == "2026-07":  # primary p = 0.022: the gate is open, the change is claimed
        assert gate
        assert res.meta["policy"]["claims"]["change"] and "worse than" in change
    else:  # 2026-01: primary p = 0.275, nothing secondary is claimed (gatekeeping)
        assert not gate and not any(res.meta["policy"]["claims"].values())
        assert not dc["claim"].any() and not res.shop_vs_competitors["claim"].any()
        assert "better than" not in change and "worse than" not in change


def test_first_screen_of_2025_10(study, wave_view):
    res = wave_view("2025-10", "en")
    fs = wording.first_screen(res)
    assert set(fs) >= {"market", "dimensions", "training", "train_next", "sample", "rank"}
    # shop vs market over every wave up to this one, on the comparable core
    mt = res.market_trend
    gap = mt[mt["group"] == "shop"].set_index("wave")["gap_to_market"]
    assert list(gap.index) == ["2025-07", "2025-10"]
    assert gap["2025-10"] == pytest.approx(
        mt[(mt.wave == "2025-10") & (mt.group == "shop")]["mean"].iloc[0]
        - mt[(mt.wave == "2025-10") & (mt.group == "market")]["mean"].iloc[0], abs=1e-12)
    assert "2025-07: −7.0; 2025-10: 5.8" in fs["market"]
    # the trained dimensions improved reliably (Holm over the dimensions), named by label
    assert "Closing orientation" in fs["dimensions"] and "Complaint handling" in fs["dimensions"]
    assert "closing" not in fs["dimensions"]
    # the DiD is claimed (the planted training), but the attribution checks cannot all run:
    # the first screen says which, and never "consistent with a training effect"
    assert res.training["claim"] and res.attribution["reasons"] == [
        "no_pretraining_wave", "placebo_time_untestable", "regression_to_mean_untestable"]
    assert "Not attributable to the training, because there is no wave before the " \
        "comparison wave to check parallel trends" in fs["training"]
    assert "regression to the mean" in fs["training"]
    assert "consistent with a training effect" not in fs["training"].lower()
    assert "79 to 80 scored contacts" in fs["sample"]


# --------------------------------------------------------------------------- planted effects


def test_planted_training_effect_is_recovered(study, truth, wave_result):
    te = wave_result("2025-10").training
    true = next(x for x in truth["trainings"] if x["after"] == "2025-10")
    assert true["effective"] and true is truth["trainings"][0]
    assert te["ci_low"] < true["total"]["did"] < te["ci_high"]
    assert te["ci_low"] > 0 and te["p"] < 0.05 and te["p_adj"] < 0.05


def test_market_shift_is_not_credited_to_the_training(study, truth, wave_result):
    te = wave_result("2026-07").training
    true = next(x for x in truth["trainings"] if x["after"] == "2026-07")
    assert true["market_shift"]
    # the shop's own change is clearly negative …
    assert te["naive_change"] < 0 and te["naive_ci_high"] < 0 and te["naive_p"] < 0.05
    # … but net of the market there is no effect: the DiD CI holds the truth and 0
    assert te["ci_low"] < true["total"]["did"] < te["ci_high"]
    assert te["ci_low"] < 0 < te["ci_high"]


# --------------------------------------------------------------------------- privacy


SMALL_WAVE = "2025-10"
"""The wave of the small-cell study: a wave with a previous one (changes, a training) and
cheap to compute — a changed study has no earlier wave's results to reuse."""


@pytest.fixture(scope="module")
def small_study(study, tmp_path_factory):
    """The example study with only 3 contacts of one competitor in the wave."""
    dest = tmp_path_factory.mktemp("small") / "processed"
    shutil.copytree(study.processed, dest)
    c = study.contacts
    funk = c[(c["wave"] == SMALL_WAVE) & (c["company"] == "funkturm")]
    keep = pd.concat([funk[funk["channel"] == "call"].head(2),
                      funk[funk["channel"] == "mail"].head(1)])["contact_id"]
    drop = funk.loc[~funk["contact_id"].isin(keep), "contact_id"]
    c[~c["contact_id"].isin(drop)].to_parquet(dest / "contacts.parquet", index=False)
    it = study.items
    it[~it["contact_id"].isin(drop)].to_parquet(dest / "items.parquet", index=False)
    return Study(study.config, dest)


@pytest.fixture(scope="module")
def small_res(small_study):
    return wave_results(small_study, SMALL_WAVE, "de")


def test_groups_below_k_are_suppressed(small_res):
    res = small_res
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
    assert f_items["successes"].isna().all()  # x of n is withheld with the share
    mail = res.mail_response.set_index("company").loc["funkturm"]
    assert mail["suppressed"] and np.isnan(mail["answered"])
    assert "funkturm" not in set(res.km["company"])
    assert "funkturm" not in set(res.emm["company"])  # too few to enter the adjusted models
    notes = wording.notes(res)
    assert "suppressed_companies" in notes and "5" in notes["suppressed_companies"]
    assert "Funkturm Direkt" in " ".join(wording.executive_summary(res))  # named as not tested
    shown = display_table(res, "companies").set_index("Unternehmen").loc["Funkturm Direkt"]
    assert shown["Mittelwert"] == "–" and "unterdrückt" in shown["Hinweis"]


def _funkturm_cells(df: pd.DataFrame, key: str = "company") -> list[dict]:
    return [r for r in df.to_dict("records") if r.get(key) == "funkturm"]


def test_suppression_matrix_over_outputs(small_res, tmp_path):
    """The one rule in every output: results.json, tables.xlsx (counts too), report tables,
    the trend report (the n = 3 competitor) — nothing over fewer than k contacts is shown."""
    res = small_res
    doc = res.res.to_json_dict()
    stat_cols = ("mean", "sd", "ci_low", "ci_high", "share", "successes", "answered",
                 "median_h", "share_24h", "diff", "mean_comp", "share_comp", "p", "p_holm")
    # results.json
    checked = 0
    for table in ("companies", "dimensions", "items", "mail_response", "shop_vs_competitors",
                  "item_comparisons", "trend"):
        key = "competitor" if table in ("shop_vs_competitors", "item_comparisons") else "company"
        recs = [r for r in rows(doc, table) if r.get(key) == "funkturm"
                and (table != "trend" or r["wave"] == SMALL_WAVE)]
        assert recs, table
        for r in recs:
            assert r["suppressed"] is True, table
            for c in stat_cols:
                if c in r:
                    assert r[c] is None, (table, c)
                    checked += 1
    assert checked > 20
    # tables.xlsx, German and English: the same cells are empty
    for lang in ("de", "en"):
        path = tmp_path / f"tables-{lang}.xlsx"
        from benchlib.excel import write_tables_xlsx

        write_tables_xlsx(xlsx_tables(res.res), path, lang)
        wb = openpyxl.load_workbook(path)
        for sheet, key in (("companies", "company"), ("items", "company"),
                           ("mail_response", "company"), ("trend", "company")):
            ws = wb[sheet]
            header = [c.value for c in ws[1]]
            for row in ws.iter_rows(min_row=2, values_only=True):
                r = dict(zip(header, row, strict=True))
                if r[key] != "funkturm" or (sheet == "trend" and r["wave"] != SMALL_WAVE):
                    continue
                for c in stat_cols:
                    if c in r:
                        assert r[c] is None, (lang, sheet, c, r[c])
    # report tables (wave report and trend report) show a dash
    for lang in ("de", "en"):
        v = view(res.res, res.cfg, lang)
        col = "Funkturm Direkt"
        assert display_table(v, "dimensions")[col].eq("–").all()
        shown_items = display_table(v, "items")
        # items that applied to none of its 3 contacts have no row: a dash too, never NaN
        assert len(shown_items) > len(_funkturm_cells(res.items))
        assert shown_items[col].eq("–").all()
        trend = display_table(v, "trend_scores").set_index(display_table(v, "trend_scores")
                                                           .columns[0])
        assert trend.loc[col, SMALL_WAVE] == "–"
        mail = display_table(v, "mail").set_index(display_table(v, "mail").columns[0])
        assert mail.loc[col].iloc[2] == "–"  # answered mails withheld too


def test_shop_below_min_n_still_gets_its_results(study, tmp_path_factory):
    """A shop with fewer than min_n contacts: every report still builds from its results,
    and the first sentence says why nothing is compared. (The second wave: the first with a
    training before it, and the cheapest to compute — a changed study has no earlier
    wave's results to reuse.)"""
    wave = next(w.id for w in study.config.waves if w.trainings_before)
    dest = tmp_path_factory.mktemp("tiny_shop") / "processed"
    shutil.copytree(study.processed, dest)
    c = study.contacts
    shop = c[(c["wave"] == wave) & (c["company"] == study.shop)]
    drop = shop["contact_id"].iloc[7:]
    c[~c["contact_id"].isin(drop)].to_parquet(dest / "contacts.parquet", index=False)
    it = study.items
    it[~it["contact_id"].isin(drop)].to_parquet(dest / "items.parquet", index=False)
    tiny = Study(study.config, dest)
    for lang in ("de", "en"):
        res = wave_results(tiny, wave, lang)
        assert not res.shop_comparable and res.shop_n == 7
        head = wording.headline(res)
        assert ("zu wenige" in head) if lang == "de" else ("too few" in head)
        assert "Voltera" in head
        assert res.unavailable["shop_vs_competitors"]["reason"] == "shop_too_small"
        assert res.unavailable["training"]["reason"] == "shop_too_small"
        summary = " ".join(wording.executive_summary(res))
        assert summary and "Traceback" not in summary
        fs = wording.first_screen(res)
        assert fs["sample"]
        for name in ("companies", "dimensions", "items", "trend_scores", "counts"):
            display_table(res, name)  # every table renders
        shop_row = display_table(res, "companies").iloc[
            res.companies.index[res.companies["company"] == study.shop][0]]
        assert shop_row.iloc[2] == "7"  # shown (n ≥ k), labelled, never tested


def test_suppress_small_and_k_floor():
    d = pd.DataFrame({"n_a": [10, 4, 10], "n_b": [10, 10, 2], "x": [1.0, 2.0, 3.0]})
    out = suppress_small(d, ["n_a", "n_b"], ["x"], 5)
    assert out["suppressed"].tolist() == [False, True, True]
    assert out["x"].isna().tolist() == [False, True, True]
    fake = SimpleNamespace(config=SimpleNamespace(settings=SimpleNamespace(k_anonymity=2)))
    assert effective_k(fake) == 3


def test_no_agent_level_data_and_evaluators_as_codes(res, doc):
    tables = xlsx_tables(res.res) | res.res.tables
    for name, df in tables.items():
        assert "agent" not in df.columns, name
        text = df.astype(str).to_string()
        assert not re.search(r"AG-[0-9a-f]{10}", text), name
    assert res.evaluator_blups["evaluator"].str.fullmatch(r"E\d{2}").all()
    assert not re.search(r"AG-[0-9a-f]{10}", json.dumps(doc, ensure_ascii=False))


# --------------------------------------------------------------------------- files


def test_results_json_written_atomically_and_reproducibly(study, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    first = study.config.waves[0].id  # the cheapest wave to compute again
    write(compute_wave(study, first, cache=False), a)  # computed now ...
    write(compute_wave(study, first), b)  # ... and as remembered from an earlier computation
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
    write_tables_xlsx(xlsx_tables(res.res), path, "de")
    wb = openpyxl.load_workbook(path)
    assert {"companies", "net_change_vs_market_did", "design", "design_by_company",
            "attribution_checks", "calibration", "trend"} <= set(wb.sheetnames)
    ws = wb["companies"]
    header = [c.value for c in ws[1]]
    mean = ws.cell(row=2, column=header.index("mean") + 1)
    assert mean.data_type == "n" and mean.value == pytest.approx(res.companies["mean"].iloc[0])
    # p-values are numbers shown as the HTML shows them: "< 0,001" below 0.001
    ws = wb["change"]
    header = [c.value for c in ws[1]]
    p = [ws.cell(row=i, column=header.index("p") + 1) for i in range(2, ws.max_row + 1)]
    assert all(c.data_type == "n" and c.number_format == '[<0.001]"< 0,001";0.000' for c in p)
    assert any(c.value < 0.001 for c in p)  # the case the old "0.000" format hid
    # confidence intervals are numbers in two columns (calibration included)
    ws = wb["calibration"]
    header = [c.value for c in ws[1]]
    assert {"icc2_1_ci_low", "icc2_1_ci_high", "alpha_ci_low", "alpha_ci_high"} <= set(header)
    assert ws.cell(row=2, column=header.index("icc2_1_ci_low") + 1).data_type == "n"
    en = tmp_path / "en.xlsx"
    write_tables_xlsx(xlsx_tables(res.res), en, "en")
    ws = openpyxl.load_workbook(en)["change"]
    assert ws.cell(row=2, column=header_index(ws, "p")).number_format == \
        '[<0.001]"< 0.001";0.000'


def header_index(ws, name: str) -> int:
    return [c.value for c in ws[1]].index(name) + 1


@pytest.mark.parametrize("primary", ["shop_vs_market", "change", "training"])
def test_configured_primary_endpoint_is_tested_first(primary):
    """settings.primary_endpoint picks the one claim tested alone; the summary's other two
    headline claims form one Holm family, gated by the primary."""
    import numpy as np
    import pandas as pd

    from benchlib.results import policy
    from benchlib.stats._common import holm

    p = {"shop_vs_market": 0.03, "change": 0.20, "training": 0.01}
    tables = {
        "shop_vs_competitors": pd.DataFrame({"p": [0.04, 0.5], "tested": [True, True]}),
        "change": pd.DataFrame({"company": ["s", "c"], "p": [p["change"], 0.9],
                                "tested": [True, True]}),
        "dimension_change": pd.DataFrame({"p": [0.01], "tested": [True]}),
        "training_by_dimension": pd.DataFrame({"dimension": ["total", "d1"], "p": [0.01, 0.02],
                                               "tested": [True, True]}),
        "event_study": pd.DataFrame({"reference": [True, False], "p": [np.nan, 0.3],
                                     "tested": [False, True]}),
    }
    svm, training = {"p": p["shop_vs_market"]}, {"p": p["training"], "tested": True}
    out = policy.apply("s", svm, training, tables, 0.05, primary=primary)
    others = [k for k in policy.HEADLINES if k != primary]
    assert out["summary_p"][primary] == p[primary]  # alone, unadjusted
    expected = holm([p[k] for k in others])
    for k, e in zip(others, expected, strict=True):
        assert out["summary_p"][k] == pytest.approx(e, abs=1e-15)
    assert out["gate_open"] is (p[primary] < 0.05)
    if primary == "change":  # p = 0.20 closes the gate: nothing else is claimed
        assert not any(out["claims"].values())
    else:
        assert out["claims"][primary]
    assert policy.describe(primary)["families"][primary] == "primary"
    with pytest.raises(ValueError, match="unknown primary endpoint"):
        policy.apply("s", svm, training, tables, 0.05, primary="items")


# --------------------------------------------------------------------------- design, attribution


def test_design_diagnostics_in_results_json(study, doc, res):
    """results.json carries the design diagnostics the method was chosen from; the report
    says which method and why, and shows the evaluator × company table."""
    w = study.wave_contacts(WAVE)
    dd = stats.design_diagnostics(w, shop=study.shop)
    d = doc["design"]
    assert {k: d[k] for k in dd.to_dict()} == pytest.approx(dd.to_dict(), abs=1e-12)
    # the example agency rotates its shoppers: 8 evaluators, all at every company
    assert d["n_evaluators"] == 8 and not d["nested"] and d["method"] == "LMM"
    assert d["competitor_method"] == "welch"
    assert d["purity"] == pytest.approx(0.2731829573934837, abs=1e-12)
    assert d["cramers_v"] == pytest.approx(0.12750506970210576, abs=1e-12)
    assert d["nested_purity"] == 0.8 and set(d["evaluators_per_company"].values()) == {8}
    cells = rows(doc, "design_by_company")
    assert sum(r["n"] for r in cells) == len(w) == 399
    # the one small-cell rule: a cell below k is flagged, the group size stays
    small = [(r["evaluator"], r["company"], r["n"]) for r in cells if r["suppressed"]]
    assert small == [("E03", "nordlicht", 4)]
    assert all(r["n"] >= res.k for r in cells if not r["suppressed"])
    assert sum(r["n"] for r in rows(doc, "design_by_scenario")) == len(w)
    shown = display_table(res, "design").set_index("Testkunde")
    assert shown.loc["E03", "Nordlicht Elektro"] == "4 *"
    assert shown.loc["E01", "Voltera"] == "10" and shown.loc["E01", "gesamt"] == "56"
    en = view(res.res, res.cfg, "en")
    sentence = wording.design_sentence(en)
    assert sentence.startswith("Method: the comparison with the market uses a mixed model "
                               "with the evaluators as a random effect")
    assert "each competitor use the Welch test with Holm correction" in sentence
    assert sentence.count(". ") == 0  # one sentence
    assert "only 27% of the contacts" in sentence and "Cramér's V = 0.13" in sentence
    assert "gemischtes Modell" in wording.design_sentence(res)


@pytest.mark.slow
def test_nested_evaluators_make_the_report_use_cr2(tmp_path_factory):
    """A generated study whose companies are each rated by their own two evaluators: the
    primary comparison and shop vs each competitor are CR2-BM (evaluator clusters), in
    results.json and in the built wave report, with the assignment table in the appendix."""
    from fixture_study import Axes, write_fixture_study
    from inprocess import run_notebook

    import benchlib
    from benchlib.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("nested")
    fx = write_fixture_study(root, Axes(nested_evaluators=True))
    run_pipeline(root)
    nested = benchlib.load_study(root)
    wave = fx.waves[-1]
    out_dir = root / "reports" / wave / "en"
    out_dir.mkdir(parents=True)
    page = run_notebook(root / "notebooks" / "01_wave_report.ipynb", root, wave=wave,
                        lang="en", out_dir=str(out_dir))
    done = load(root / "reports" / wave / "results.json")
    d = done.design
    assert d["nested"] and d["purity"] == 1.0
    assert d["method"] == d["competitor_method"] == "CR2-BM"
    w = nested.wave_contacts(wave)
    svm = stats.shop_vs_market(w, shop=nested.shop).iloc[0]
    cl = stats.clustered_comparison(w, shop=nested.shop).set_index("competitor")
    assert svm["method"] == done.shop_vs_market["method"] == "CR2-BM"
    assert done.shop_vs_market["p"] == pytest.approx(svm["p"], abs=1e-12)
    assert done.shop_vs_market["df"] == pytest.approx(svm["df"], abs=1e-12) and svm["df"] < 3
    for r in done.shop_vs_competitors.to_dict("records"):
        c = cl.loc[r["competitor"]]
        assert r["method"] == "CR2-BM" and r["tested"]
        for k in ("diff", "se", "df", "p", "p_holm"):
            assert r[k] == pytest.approx(c[k], abs=1e-12), k
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert ("cluster-robust standard errors by evaluator (CR2 with Bell–McCaffrey degrees of "
            "freedom), because the evaluators are nested in the companies (100% of the "
            "contacts") in text
    assert "Who rated what: contacts per evaluator and company" in text
    for r in done.design_by_company.to_dict("records"):
        assert r["evaluator"] in text


def test_attribution_verdicts_of_the_example_waves(study):
    """stats.attribution for the training before each wave, in results.json and in words:
    "consistent with a training effect" only when consistent — never in the example, whose
    trainings precede every wave, so placebo in time and pre-trends cannot be clean."""
    expected = {
        "2025-10": ["no_pretraining_wave", "placebo_time_untestable",
                    "regression_to_mean_untestable"],
        "2026-01": ["did_not_significant", "pretrend_failed", "placebo_competitor_failed",
                    "placebo_time_trained", "scale_sensitive"],
        "2026-10": ["did_not_significant", "pretrend_failed", "placebo_time_trained",
                    "scale_sensitive"],
    }
    for wave, reasons in expected.items():
        v = wave_results(study, wave, "en")
        a = v.attribution
        assert a["reasons"] == reasons and not a["consistent"], wave
        assert a["verdict"] == "cannot_attribute" and a["after"] == wave
        checks = v.attribution_checks.set_index("check")
        assert list(checks.index) == ["did", "pretrend", "placebo_competitors", "placebo_time",
                                      "regression_to_mean", "logit_scale"]
        # the DiD check judges the reported DiD with the policy's adjusted p
        assert checks.loc["did", "estimate"] == v.training["estimate"]
        assert checks.loc["did", "p"] == pytest.approx(v.training["p_adj"], abs=1e-15)
        sentence = wording.attribution_sentence(v)
        assert sentence.startswith("Not attributable to the training, because ")
        for r in reasons:
            assert wording.t(f"wr_attr_reason_{r}", "en", shop="Voltera") in sentence, r
        assert sentence in wording.first_screen(v)["training"]
        shown = display_table(v, "attribution")
        assert shown["Result"].tolist().count("passed") == 6 - len(reasons)
    # 2025-10: the planted effect passes the DiD, the placebo competitors and the logit scale
    checks = wave_results(study, "2025-10", "de").attribution_checks.set_index("check")
    assert checks["status"].to_dict() == {
        "did": "pass", "pretrend": "untestable", "placebo_competitors": "pass",
        "placebo_time": "untestable", "regression_to_mean": "untestable",
        "logit_scale": "pass"}
    assert checks.loc["pretrend", "p"] != checks.loc["pretrend", "p"]  # NaN: not run
    # 2026-10: the gap already moved before (earlier trainings): joint lead test rejects
    late = wave_results(study, "2026-10", "en").attribution_checks.set_index("check")
    assert late.loc["pretrend", "p"] < 0.001
    assert wave_results(study, "2025-07", "en").attribution is None  # first wave


def test_attribution_consistent_wording():
    """The one sentence that may say "consistent with a training effect"."""
    from benchlib.i18n import t

    meta = {"attribution": {"consistent": True, "reasons": [], "verdict": "x"},
            "names": {"s": "S"}, "shop": "s"}
    v = SimpleNamespace(meta=meta, lang="en", shop="s", name=lambda c: "S")
    assert wording.attribution_sentence(v) == t("wr_attr_consistent", "en")
    assert wording.attribution_sentence(v).startswith("Consistent with a training effect")
    v.meta["attribution"] = {"consistent": False, "reasons": ["did_gated"], "verdict": "x"}
    assert "gatekeeping" in wording.attribution_sentence(v)


def test_forest_plot_fills_exactly_the_claims(study, computed):
    """A point is filled only where the wording claims better/worse: the policy's claim
    (gatekeeping included), never Holm p alone."""
    from benchlib.plots.wave import forest_plot, forest_points
    from benchlib.results import from_json_dict

    for wave in ("2025-07", "2026-07"):  # waves with claims, and without for some rows
        v = wave_results(study, wave, "en")
        pts = forest_points(v)
        claims = [bool(r["claim"]) for r in v.shop_vs_competitors.to_dict("records")]
        assert [p["filled"] for p in pts] == [*claims, v.meta["policy"]["claims"][
            "shop_vs_market"]]
        summary = " ".join(wording.executive_summary(v))
        for p in pts[:-1]:
            assert (v.name(p["competitor"]) in summary.split("No reliable")[0]) == p["filled"]
    # gatekeeping: a competitor whose Holm p is small but whose claim the policy withholds
    doc = computed.to_json_dict()
    row = doc["tables"]["shop_vs_competitors"]["rows"][0]
    row.update(diff=-8.0, ci_low=-12.0, ci_high=-4.0, p_holm=0.001, p_adj=0.001, claim=False)
    v = view(from_json_dict(doc), study.config, "en")
    pts = forest_points(v)
    assert not pts[0]["filled"] and display.verdict(pts[0], "en") == \
        "no claim (primary comparison not significant)"
    fig = forest_plot(v)
    faces = [ln.get_markerfacecolor() for ln in fig.axes[0].lines if ln.get_marker() in "oD"]
    assert len(faces) == 5 and all(f == "white" for f in faces)
