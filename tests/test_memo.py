"""compute_wave remembers its results per content key (benchlib.results.memo)."""

from __future__ import annotations

import os

import pandas as pd
import pytest

import benchlib
from benchlib.results import compute_wave, memo

WAVE = "2026-10"
FIRST = "2025-07"  # no trend history: the cheapest wave to compute again


@pytest.fixture(scope="module")
def second_study_root(tmp_path_factory):
    """The fixture study (two waves, a training before the second), cleaned: for the tests
    that compute a wave afresh, each computation a fraction of an example wave's. Its tests
    run in one pytest-xdist worker (``tests/conftest.py``), so it is built once."""
    from fixture_study import write_fixture_study

    from benchlib.pipeline import run_pipeline

    fx = write_fixture_study(tmp_path_factory.mktemp("memo") / "study", notebooks=False)
    run_pipeline(fx.root)
    return fx.root


def test_same_inputs_are_computed_once_and_give_the_same_document(second_study_root,
                                                                  monkeypatch):
    monkeypatch.setattr(memo, "_FOLDER", None)  # memory only: count the computations
    study = benchlib.load_study(second_study_root)
    first_wave = study.config.waves[0].id
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    calls = []
    real = benchlib.results.compute._compute
    monkeypatch.setattr(benchlib.results.compute, "_compute",
                        lambda s, w: calls.append(w) or real(s, w))
    memo.clear()
    first = compute_wave(study, first_wave).to_json_dict()
    again = compute_wave(benchlib.load_study(second_study_root), first_wave).to_json_dict()
    assert calls == [first_wave]  # the second study object has the same content: no recomputation
    assert first == again


def test_a_hit_is_a_private_copy_with_a_new_build_time(example_project, monkeypatch):
    study = benchlib.load_study(example_project)
    a = compute_wave(study, FIRST)
    a.tables["companies"].loc[:, "mean"] = -1.0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    b = compute_wave(study, FIRST)
    assert (b.tables["companies"]["mean"] > 0).all()
    assert b.meta["provenance"]["built_at"] == "1970-01-01T00:00:00Z"


def test_a_table_changed_in_memory_is_recomputed(second_study_root):
    study = benchlib.load_study(second_study_root)
    first_wave = study.config.waves[0].id
    loaded = memo.key(study, first_wave)
    contacts = study.contacts
    assert memo.key(benchlib.load_study(second_study_root), first_wave) == loaded
    shop = (contacts["wave"] == first_wave) & (contacts["company"] == study.shop)
    contacts.loc[shop, "total"] = 0.0
    assert memo.key(study, first_wave) != loaded
    res = compute_wave(study, first_wave)
    row = res.tables["companies"].set_index("company").loc[study.shop]
    assert row["mean"] == 0.0


@pytest.mark.parametrize("table,column,to_missing", [
    ("contacts", "total", False), ("contacts", "scenario", False),
    ("contacts", "reached", False), ("contacts", "reached", True),
    ("contacts", "contact_date", False), ("contacts", "source_row", False),
    ("contacts", "scored", False), ("items", "status", False), ("items", "value", False)])
def test_a_change_of_any_kind_of_column_changes_the_key(example_project, table, column,
                                                        to_missing):
    """The key reads every column as the bytes it is held in (Arrow strings, masked
    booleans, categorical codes, numpy numbers and dates): one value changed in memory, of
    any of these kinds, or made missing, changes the key; an equal copy does not."""
    study = benchlib.load_study(example_project)
    before = memo.key(study, FIRST)
    t = getattr(study, table).copy()  # a writable copy, held as the study holds its tables
    study.__dict__[table] = t
    assert memo.key(study, FIRST) == before
    row = t.index[t[column].notna()][0]
    other = t[column].dropna().loc[lambda s: s != t.loc[row, column]].iloc[0]
    t.loc[row, column] = pd.NA if to_missing else other
    assert memo.key(study, FIRST) != before


def test_unhashable_table_is_not_remembered(example_project):
    study = benchlib.load_study(example_project)
    study.contacts["bad"] = [[1]] * len(study.contacts)
    assert memo.key(study, WAVE) is None
    assert isinstance(study.contacts, pd.DataFrame)


def test_the_key_is_the_same_in_every_interpreter(example_project):
    """Two interpreters seed string hashing differently, so a configuration's sets repr in
    another order; the key must not follow (pytest-xdist workers share results by it)."""
    import hashlib
    import subprocess
    import sys

    code = ("import hashlib, sys, benchlib; from benchlib.results import memo; "
            "s = benchlib.load_study(sys.argv[1]); print(memo.key(s, sys.argv[2]), "
            "hashlib.sha256(repr(s.config.exports).encode()).hexdigest())")
    study = benchlib.load_study(example_project)
    seen = {(memo.key(study, FIRST), hashlib.sha256(repr(study.config.exports).encode())
             .hexdigest())}
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code, str(example_project), FIRST],
                             env={**os.environ, "PYTHONHASHSEED": seed}, check=True,
                             capture_output=True, text=True).stdout.split()
        seen.add(tuple(out))
    assert len({k for k, _ in seen}) == 1
    assert len({r for _, r in seen}) > 1  # while the plain repr does differ


def test_results_are_shared_through_a_folder(example_project, tmp_path, monkeypatch):
    study = benchlib.load_study(example_project)
    res = compute_wave(study, FIRST)
    monkeypatch.setattr(memo, "_FOLDER", None)
    memo.persist_to(tmp_path)
    k = memo.key(study, FIRST)
    memo.put(k, res)
    assert len(list(tmp_path.glob("*.json"))) == 1
    memo.clear()  # another process: nothing in memory
    again = memo.get(k)
    assert again is not None and again.to_json_dict() == res.to_json_dict()
    memo.persist_to(None)
    memo.clear()
    assert memo.get(k) is None


def test_each_waves_headline_verdicts_are_computed_once(example_project, monkeypatch):
    """Every wave's trend history repeats the verdicts of each earlier wave with a training:
    computing all waves asks for each wave's verdicts once, whatever the order."""
    from benchlib import trend
    from benchlib.results import compute

    monkeypatch.setattr(memo, "_FOLDER", None)
    study = benchlib.load_study(example_project)
    calls = []
    real = compute._headline_verdicts
    monkeypatch.setattr(compute, "_headline_verdicts",
                        lambda s, w: calls.append(w) or real(s, w))
    memo.clear()
    waves = [w.id for w in study.config.waves]
    trained = [w.id for w in study.config.waves if w.trainings_before]
    for wave in (waves[-1], waves[-2], waves[-1]):  # the latest needs every earlier verdict
        trend.training_history(study, wave)  # as compute_wave(study, wave) asks for them
    assert sorted(calls) == sorted(trained) and len(trained) >= 3
    again = compute.headline_verdicts(study, trained[0])
    again["policy"]["gate_open"] = "changed by the caller"
    assert compute.headline_verdicts(study, trained[0])["policy"]["gate_open"] in (True, False)
    assert calls.count(trained[0]) == 1


def test_verdicts_are_shared_through_a_folder(example_project, tmp_path, monkeypatch):
    from benchlib.results import compute

    study = benchlib.load_study(example_project)
    wave = next(w.id for w in study.config.waves if w.trainings_before)
    v = compute.headline_verdicts(study, wave)
    monkeypatch.setattr(memo, "_FOLDER", None)
    memo.persist_to(tmp_path)
    memo.clear()
    assert compute.headline_verdicts(study, wave) == v  # computed, and written
    (path,) = tmp_path.glob("*.json")
    memo.clear()  # another process: read from the folder
    monkeypatch.setattr(compute, "_headline_verdicts", lambda s, w: pytest.fail("recomputed"))
    assert compute.headline_verdicts(study, wave) == v
    memo.persist_to(None)
    memo.clear()


def test_a_second_process_waits_for_the_first_instead_of_computing(example_project, tmp_path,
                                                                   monkeypatch):
    """Two test workers needing the same wave: one computes, the other waits for it (the
    lock file of the key) and reads its result from the shared folder."""
    import multiprocessing as mp
    import time

    study = benchlib.load_study(example_project)
    monkeypatch.setattr(memo, "_FOLDER", None)
    memo.persist_to(tmp_path)
    memo.clear()
    marker = tmp_path / "child_computed"
    k = f"demo\0{memo.key(study, WAVE)}"

    def child(conn):
        got = memo.remembered("demo", study, WAVE, lambda: marker.touch() or {"by": "child"})
        conn.send(got)

    recv, send = mp.get_context("fork").Pipe(duplex=False)
    with memo._computing(k):  # this process computes …
        proc = mp.get_context("fork").Process(target=child, args=(send,))
        proc.start()
        time.sleep(0.5)  # … while the child asks for the same key (and waits on the lock)
        memo.put(k, {"by": "parent"})
    proc.join(timeout=60)
    assert recv.recv() == {"by": "parent"} and proc.exitcode == 0
    assert not marker.exists()
    memo.persist_to(None)
    memo.clear()


def test_a_waves_own_headline_verdicts_come_from_its_results(second_study_root, monkeypatch):
    """compute_wave has the three headline tests of its wave: it hands their verdicts to the
    memo (its trend history then does not test them again), equal to what
    headline_verdicts computes on its own — unless one of the three failed there for a
    reason of its own (here: the per-dimension DiD), when the verdicts are computed apart.
    On the second study (two waves, a training before the second): each computation is a
    fraction of an example wave's."""
    from benchlib.results import compute

    monkeypatch.setattr(memo, "_FOLDER", None)
    study = benchlib.load_study(second_study_root)
    trained = next(w.id for w in study.config.waves if w.trainings_before)
    calls = []
    real = compute._headline_verdicts
    monkeypatch.setattr(compute, "_headline_verdicts",
                        lambda s, w: calls.append(w) or real(s, w))
    memo.clear()
    res = compute_wave(study, trained)
    assert calls == [] and res.meta["training"]["claim"] in (True, False)
    assert compute.headline_verdicts(study, trained) == real(study, trained)

    def fails(*a, **k):
        raise ValueError("by dimension: not estimable")

    monkeypatch.setattr(compute.stats, "training_effect_by_dimension", fails)
    memo.clear()
    try:
        res = compute_wave(study, trained)
        assert res.meta["training"] is None and calls == [trained]
        assert compute.headline_verdicts(study, trained)["training"]["claim"] in (True, False)
    finally:
        memo.clear()  # the results of the broken function must not serve later tests
