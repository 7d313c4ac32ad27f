"""The example study: regenerating gives byte-identical files; the truth file is sane."""

from __future__ import annotations

import hashlib

import pytest

from benchlib.example import example_design, generate_example

from projects import ROOT, copy_project


@pytest.mark.slow
def test_regeneration_is_byte_identical(tmp_path):
    root = copy_project(tmp_path, with_raw=False)
    written = generate_example(root)
    assert len(written) == 14
    for p in written:
        rel = p.relative_to(root)
        assert p.read_bytes() == (ROOT / rel).read_bytes(), rel


def test_truth_lists_every_shipped_raw_file(truth):
    files = truth["files"]
    assert len(files) == 13
    for rel, digest in files.items():
        assert hashlib.sha256((ROOT / "data" / "raw" / rel).read_bytes()).hexdigest() == digest


def test_truth_states_the_planted_effects(truth):
    d = example_design()
    assert truth["effective_training"] == {"before": "2025-07", "after": d.training_wave}
    assert truth["market_shift"] == {"before": "2026-04", "after": "2026-07"}
    trainings = {t["after"]: t for t in truth["trainings"]}
    assert trainings["2025-10"]["effective"] and trainings["2025-10"]["total"]["did"] > 5
    shift = trainings["2026-07"]["total"]
    assert shift["naive_change_shop"] < -5 and abs(shift["did"]) < 2  # naive and DiD disagree
    assert truth["shop_gap_to_market"]["2025-07"] < -5  # the shop starts below the market
    assert truth["evaluator_leniency"]["evaluator"] == "E05"
    assert truth["evaluator_leniency"]["total_points_vs_others"] > 3


def test_example_covers_design(study):
    c = study.contacts
    n = c.groupby(["company", "wave", "channel"]).size()
    assert n.between(38, 41).all()  # ~40 per company x wave x channel (minus quarantine)
    assert c["evaluator"].nunique() >= 6
    assert set(c["scenario"]) == {"product_info", "order_payment", "returns", "complaint"}
    assert study.calibration["recording_id"].nunique() >= 10
    assert (study.calibration.groupby("recording_id")["evaluator"].nunique() == 8).all()
