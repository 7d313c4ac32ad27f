"""The second fixture study (tests/fixture_study.py) runs by configuration alone (#11)."""

from __future__ import annotations

import math
import subprocess
import sys

import pandas as pd
import pytest
from fixture_study import Axes, write_fixture_study


def _clean(root):
    from benchlib.pipeline import run_pipeline

    return run_pipeline(root)


@pytest.fixture(scope="module")
def fixture(tmp_path_factory):
    fx = write_fixture_study(tmp_path_factory.mktemp("fixture"), notebooks=False)
    result = _clean(fx.root)
    return fx, result


def test_clean_reconciles_via_cli(tmp_path):
    fx = write_fixture_study(tmp_path, notebooks=False)
    proc = subprocess.run([sys.executable, "-m", "benchlib.cli", "clean"], capture_output=True,
                          text=True, env={"BENCHLIB_ROOT": str(tmp_path), "PATH": "/usr/bin"},
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (f"rows read {fx.rows_written} = contacts "
            f"{fx.rows_written - fx.quarantined - fx.duplicates} + quarantined {fx.quarantined}"
            f" + duplicates dropped {fx.duplicates}") in proc.stdout
    assert "reconciled" in proc.stdout


def test_hand_computed_totals(fixture):
    _, result = fixture
    c = result.contacts.set_index("contact_id")
    # K-0001 (phone, beratung): weights F01 2, F02 1, F03 1, F04 1, F05 2, F06 3, F07 1,
    # F08 1, F09 2 = 14; points 1 (J), 1 (0:25 <= 30 s), 1 (J), 0.75 (4 -> 3/4),
    # 0.8 ("zwei" -> (6-2)/5), 0.5 (T), 0.75 ("7,5"/10), 1 (J), 0 (N)
    # -> 2 + 1 + 1 + 0.75 + 1.6 + 1.5 + 0.75 + 1 + 0 = 9.6; 100 * 9.6 / 14
    assert c.loc["K-0001", "total"] == pytest.approx(100 * 9.6 / 14)  # 68.5714
    assert c.loc["K-0001", "dim_zugang"] == pytest.approx(100.0)
    assert c.loc["K-0001", "dim_gespraech"] == pytest.approx(100 * 1.75 / 2)  # 87.5
    assert c.loc["K-0001", "dim_loesung"] == pytest.approx(100 * 4.85 / 7)  # 69.2857
    assert c.loc["K-0001", "dim_verkauf"] == pytest.approx(0.0)
    assert c.loc["K-0001", "wait_s"] == 25.0
    # K-0002: F08 "N" is a knockout -> total 0; its solution dimension is still scored:
    # F05 "1" -> 1, F06 J -> 1, F07 10 -> 1, F08 N -> 0: (2 + 3 + 1 + 0) / 7
    assert c.loc["K-0002", "total"] == 0.0 and bool(c.loc["K-0002", "knockout"])
    assert c.loc["K-0002", "dim_loesung"] == pytest.approx(100 * 6 / 7)  # 85.7143
    assert c.loc["K-0002", "dim_gespraech"] == pytest.approx(0.0)  # F03 N, F04 N/A
    assert c.loc["K-0002", "wait_s"] == 70.0  # 1:10
    # K-0003 (chat, kauf; no waiting time on chat): weights 2+1+1+2+3+1+1+2+1 = 14;
    # points 1, 1, 1 (5), 0 ("sechs"), 0 (N), 0.25 ("2,5"), 1, 1, 1 (F10) -> 8.25
    assert c.loc["K-0003", "total"] == pytest.approx(100 * 8.25 / 14)  # 58.9286
    assert math.isnan(c.loc["K-0003", "wait_s"])
    # K-0004: an unanswered e-mail: the reachability knockout fails
    assert c.loc["K-0004", "total"] == 0.0 and not bool(c.loc["K-0004", "reached"])
    assert c["response_h"].isna().all()  # the study measures no mail response time


def test_quirks_quarantined_listed_and_private(fixture):
    fx, result = fixture
    q = result.quarantine
    assert set(q["reason"]) >= {"unknown_wave", "wave_conflict", "privacy_name"}
    conflict = q[q["reason"] == "wave_conflict"].iloc[0]
    assert conflict["expected"] == ("the wave sources to agree: column says 2026-06, "
                                    "date says 2026-03")
    assert q["source_row"].nunique() == fx.quarantined
    dups = result.duplicates()
    assert len(dups) == fx.duplicates == 1
    d = dups.iloc[0]
    assert d["source_file"] == "data/raw/pruefdaten_gesamt.txt"
    assert d["source_row"] == d["duplicate_of_row"] + 1 and d["wave"] == "2026-03"
    from benchlib.paths import get_paths

    processed = get_paths(fx.root).current  # the current generation of processed data
    assert pd.read_csv(processed / "duplicates.csv")["source_row"].tolist() == [d["source_row"]]
    for p in (fx.root / "data" / "processed").rglob("*"):  # the name written as evaluator
        if p.is_file():                                    # code is never written anywhere
            assert b"Anna Berger" not in p.read_bytes(), p.name


def test_counts_per_wave_from_the_data_in_a_flat_layout(fixture):
    import benchlib
    from benchlib import quality

    fx, result = fixture
    study = benchlib.load_study(fx.root)
    fates = {w: quality.file_fate(study, w) for w in fx.waves}
    for w, fate in fates.items():
        assert len(fate) == 1 and fate["rows_read"].iloc[0] > 0, w
        assert fate["clean"].iloc[0] == (result.contacts["wave"] == w).sum()
    assert sum(int(f["rows_read"].iloc[0]) for f in fates.values()) == fx.rows_written
    assert fates["2026-03"]["duplicates_dropped"].iloc[0] == 1
    assert len(quality.quarantine_summary(study, "2026-03")) >= 2


@pytest.mark.parametrize("axes", [
    Axes(wave_from="source"), Axes(wave_from="date"),
    Axes(calibration=True, mail=True, competitors=4, shop_first=True, waves=3),
    Axes(one_channel=True, one_scenario=True, knockouts=False, training=False, quirks=False),
], ids=["wave-from-source", "wave-from-date", "calibration-mail-4comp", "minimal"])
def test_axes_reconcile(tmp_path, axes):
    fx = write_fixture_study(tmp_path, axes, notebooks=False)
    result = _clean(fx.root)
    assert result.reconciled
    t = result.totals
    assert t["raw_rows"] == fx.rows_written + fx.calibration_rows
    assert t["quarantined"] == fx.quarantined and t["duplicates_dropped"] == fx.duplicates
    assert set(result.contacts["wave"].astype(str)) == set(fx.waves)
    assert set(result.contacts["channel"].astype(str)) == set(fx.channels)
    if axes.mail:
        assert result.contacts.loc[result.contacts["channel"] == "email",
                                   "response_h"].notna().any()
    if axes.calibration:
        assert len(result.calibration) == fx.calibration_rows
    if not axes.knockouts:
        assert not result.contacts["knockout"].any()
