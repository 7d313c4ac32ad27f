"""Grid versions, comparable core and changing panel (the benchmark that lives for years)."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from benchlib import stats
from benchlib.comparable import comparable_contacts, comparable_core
from benchlib.config import load_config
from benchlib.pipeline import run_pipeline

from projects import ROOT, copy_project

CFG = load_config(ROOT)


def test_core_of_identical_grids_is_the_full_grid(study):
    core = comparable_core(CFG, ["2025-07", "2025-10"])
    assert core.is_full_grid and core.excluded.empty
    c, _ = comparable_contacts(study.contacts, study.items, CFG, ["2025-07", "2025-10"])
    np.testing.assert_allclose(c["total"], c["full_total"], atol=1e-9)
    assert (c["scored"] == c["full_scored"]).all()


def test_core_across_the_grid_change():
    core = comparable_core(CFG, ["2025-10", "2026-01"])
    assert core.excluded.to_dict("records") == [
        {"item": "callback_offered", "reason": "not in every wave (added 2026-01)"}]
    assert core.mapped == ("needs_questions",)  # yes/no -> yes/partly/no via core_mapping
    assert len(core.items) == 28


def test_scale_change_without_mapping_and_weight_change_leave_the_core(tmp_path):
    copy_project(tmp_path, with_raw=False)
    path = tmp_path / "config" / "grid.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\n     core_mapping: \{[^}]*\},", "", text)
    grid = yaml.safe_load(text)
    grid["items"].append({**next(i for i in grid["items"] if i["id"] == "politeness"),
                          "weight": 2, "valid_from": "2026-04"})
    for i in grid["items"]:
        if i["id"] == "politeness" and "valid_from" not in i:
            i["valid_to"] = "2026-01"
    path.write_text(yaml.safe_dump(grid, allow_unicode=True), encoding="utf-8")
    cfg = load_config(tmp_path)
    core = comparable_core(cfg, ["2025-10", "2026-01", "2026-04"])
    reasons = dict(zip(core.excluded["item"], core.excluded["reason"], strict=True))
    assert reasons["needs_questions"] == "scale changed from 2026-01"
    assert reasons["politeness"] == "weight changed from 2026-04"
    assert reasons["callback_offered"] == "not in every wave (added 2026-01)"


def test_old_waves_reprocess_to_identical_numbers(tmp_path, study):
    """Today's config (with grid versions) scores 2025 waves as the 2025 config did."""
    root = copy_project(tmp_path)
    for w in ("2026-01", "2026-04", "2026-07", "2026-10", "calibration"):
        shutil.rmtree(root / "data" / "raw" / w)
    grid_path = root / "config" / "grid.yaml"
    grid = yaml.safe_load(grid_path.read_text(encoding="utf-8"))
    old_items = []
    for i in grid["items"]:
        if i.get("valid_from", "0000") >= "2026-01":
            continue  # definitions that did not exist in 2025
        i.pop("valid_to", None)
        old_items.append(i)
    grid["items"] = old_items
    grid_path.write_text(yaml.safe_dump(grid, allow_unicode=True), encoding="utf-8")
    for exp in ("feldhaus", "qualiserv"):
        p = root / "config" / "exports" / f"{exp}.yaml"
        e = yaml.safe_load(p.read_text(encoding="utf-8"))
        header = e["items"].pop("callback_offered", None)
        if header:  # the exports carry the (empty) column; the 2025 mapping did not know it
            e["ignore_columns"] = header
        p.write_text(yaml.safe_dump(e, allow_unicode=True), encoding="utf-8")
    old = run_pipeline(root, write=False).contacts.set_index("contact_id")
    now = study.contacts.set_index("contact_id")
    now = now[now["wave"] <= "2025-10"]
    assert sorted(old.index) == sorted(now.index)
    cols = ["total", "coverage", "scored", "knockout",
            *[c for c in now.columns if c.startswith("dim_")]]
    pd.testing.assert_frame_equal(old.loc[now.index, cols], now[cols], check_exact=False,
                                  rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def across_change(study):
    c, core = comparable_contacts(study.contacts, study.items, CFG, ["2025-10", "2026-01"])
    return c[c["scored"]], core


def _truth(truth, after):
    return next(t for t in truth["trainings"] if t["after"] == after)


def test_core_score_matches_truth_where_full_grid_is_distorted(across_change, truth):
    c, core = across_change
    t = _truth(truth, "2026-01")
    assert t["core_items_excluded"] == ["callback_offered"]
    core_te = stats.training_effect(c, "2025-10", "2026-01", dv="dim_closing")
    full_te = stats.training_effect(c, "2025-10", "2026-01", dv="full_dim_closing")
    # the comparable core covers its truth (no training effect on closing) ...
    assert core_te.ci_low <= t["dim_closing_core"]["did"] <= core_te.ci_high
    assert core_te.ci_low < 0 < core_te.ci_high
    # ... while the full grid shows an artificial drop that the new item made
    assert full_te.ci_low <= t["dim_closing"]["did"] <= full_te.ci_high
    assert full_te.ci_high < t["dim_closing_core"]["did"] and full_te.ci_high < -10
    total = stats.training_effect(c, "2025-10", "2026-01", dv="total")
    assert total.ci_low <= t["total_core"]["did"] <= total.ci_high and total.p > 0.05


def test_did_uses_the_balanced_panel(study, truth):
    sc = study.contacts[study.contacts["scored"]]
    bal = stats.training_effect(sc, "2026-01", "2026-04")
    assert bal.panel == "balanced"
    assert bal.competitors == ("brandt", "elektroland", "funkturm")  # Kabelkraft left, Nordlicht new
    every = stats.training_effect(sc, "2026-01", "2026-04", panel="all")
    assert every.competitors == ("brandt", "elektroland", "funkturm", "kabelkraft", "nordlicht")
    # with company fixed effects a competitor seen in one wave only cannot move the DiD ...
    assert abs(bal.estimate - every.estimate) < 0.1
    # ... while the pooled model (no company effects) is shifted by the change of mix
    pooled = [stats.training_effect(sc, "2026-01", "2026-04", panel=p, fixed_effects=False)
              for p in ("balanced", "all")]
    assert abs(pooled[0].estimate - pooled[1].estimate) > 0.5
    assert bal.ci_low <= _truth(truth, "2026-04")["total_core"]["did"] <= bal.ci_high
    ev = stats.event_study(sc, "2025-07")
    assert set(ev["competitors"]) == {"brandt, elektroland, funkturm"}


def test_wave_report_compares_on_the_core_and_says_so(study, wave_view):
    from benchlib.results.wording import comparability_note, study_changes

    res = wave_view("2026-01", "en")
    comp = res.comparability
    assert comp["score"] == "core" and comp["mapped_items"] == ["needs_questions"]
    assert [x["item"] for x in comp["excluded_items"]] == ["callback_offered"]
    c, _ = study.comparable(["2025-10", "2026-01"])
    core_change = stats.change_vs_previous(c[c["scored"]], "2026-01", "2025-10")
    shop = res.change.set_index("company").loc[study.shop]
    assert shop["diff"] == pytest.approx(
        core_change.set_index("company").loc[study.shop, "diff"], abs=1e-12)
    assert shop["diff_full"] < shop["diff"]  # the new item drags the full-grid change down
    te = res.training
    assert te["score"] == "core" and te["did_full"] < te["estimate"]
    assert "comparable core (28 items" in comparability_note(res)
    assert "Call-back offered" in comparability_note(res)
    assert study_changes(res)[0].startswith('New item from 2026-01: "Call-back offered"')
    js = res.res.to_json_dict()
    assert js["training"]["score"] == "core" and js["comparability"]["score"] == "core"


def test_wave_report_panel_change_is_named(study, wave_view):
    from benchlib.results.wording import comparability_note

    res = wave_view("2026-04", "en")
    assert res.comparability["score"] == "full_grid"
    assert res.training["competitors"] == ["brandt", "elektroland", "funkturm"]
    note = comparability_note(res)
    assert "Kabelkraft left the panel after 2026-01" in note
    assert "present in both waves: Technikhaus Brandt, Elektroland Nord, Funkturm Direkt" in note
