"""compute_wave remembers its results per content key (benchlib.results.memo)."""

from __future__ import annotations

import pandas as pd

import benchlib
from benchlib.results import compute_wave, memo

WAVE = "2026-10"


def test_same_inputs_are_computed_once_and_give_the_same_document(example_project, monkeypatch):
    study = benchlib.load_study(example_project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    fresh = compute_wave(study, WAVE, cache=False).to_json_dict()
    calls = []
    real = benchlib.results.compute._compute
    monkeypatch.setattr(benchlib.results.compute, "_compute",
                        lambda s, w: calls.append(w) or real(s, w))
    memo.clear()
    first = compute_wave(study, WAVE).to_json_dict()
    again = compute_wave(benchlib.load_study(example_project), WAVE).to_json_dict()
    assert calls == [WAVE]  # the second study object has the same content: no recomputation
    assert first == again == fresh


def test_a_hit_is_a_private_copy_with_a_new_build_time(example_project, monkeypatch):
    study = benchlib.load_study(example_project)
    a = compute_wave(study, WAVE)
    a.tables["companies"].loc[:, "mean"] = -1.0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    b = compute_wave(study, WAVE)
    assert (b.tables["companies"]["mean"] > 0).all()
    assert b.meta["provenance"]["built_at"] == "1970-01-01T00:00:00Z"


def test_a_table_changed_in_memory_is_recomputed(example_project):
    study = benchlib.load_study(example_project)
    loaded = memo.key(study, WAVE)
    contacts = study.contacts
    assert memo.key(benchlib.load_study(example_project), WAVE) == loaded
    shop = (contacts["wave"] == WAVE) & (contacts["company"] == study.shop)
    contacts.loc[shop, "total"] = 0.0
    assert memo.key(study, WAVE) != loaded
    res = compute_wave(study, WAVE)
    row = res.tables["companies"].set_index("company").loc[study.shop]
    assert row["mean"] == 0.0


def test_unhashable_table_is_not_remembered(example_project):
    study = benchlib.load_study(example_project)
    study.contacts["bad"] = [[1]] * len(study.contacts)
    assert memo.key(study, WAVE) is None
    assert isinstance(study.contacts, pd.DataFrame)
