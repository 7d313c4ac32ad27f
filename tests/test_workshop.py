"""benchlib.workshop on the example study: anonymity (labels, no agents/evaluators, k),
comments scrubbed, item results equal the stats functions, calibration helpers."""

from __future__ import annotations

import re

import numpy as np
import pytest

from benchlib import workshop
from benchlib.privacy import EMAIL_RE, PHONE_RE
from benchlib.stats import describe_scores, evaluator_leniency, item_proportions


def test_competitor_labels(study):
    de = workshop.competitor_labels(study.config, "2026-10", "de")
    assert de == {"brandt": "Wettbewerber A", "elektroland": "Wettbewerber B",
                  "funkturm": "Wettbewerber C", "nordlicht": "Wettbewerber D",
                  "voltera": "Voltera"}
    en = workshop.competitor_labels(study.config, "2026-10", "en")
    assert en["nordlicht"] == "Competitor D"
    # before Nordlicht joined, Kabelkraft is in the panel and takes the fourth letter
    old = workshop.competitor_labels(study.config, "2025-07", "de")
    assert old["kabelkraft"] == "Wettbewerber D" and "nordlicht" not in old
    assert workshop.competitor_labels(study.config, "2026-10", "de") == de  # deterministic
    assert workshop._letter(0) == "A" and workshop._letter(25) == "Z"
    assert workshop._letter(26) == "AA"


def _raw_agent_names(root) -> set[str]:
    from benchlib.config import load_config
    from benchlib.reader import read_export

    cfg = load_config(root)
    names: set[str] = set()
    for src in cfg.sources:
        for path in sorted((root / "data" / "raw").glob(src.glob)):
            frame = read_export(path, cfg.exports[src.agency]).frame
            col = "agent_name" if "agent_name" in frame.columns else "agent"
            names |= {n.strip() for n in frame[col].dropna() if n.strip()}
    return names


def test_comments_have_no_agent_names_emails_or_phones(study, example_project):
    names = _raw_agent_names(example_project)
    assert len(names) >= 5  # the raw exports do contain agent names
    parts = {p for n in names for p in re.split(r"[\s.-]+", n) if len(p) >= 3}
    for wave in study.waves:
        com = workshop.example_comments(study, wave, max_n=1000)
        assert list(com.columns) == ["channel", "scenario", "comment", "contacts"]
        for text in com["comment"]:
            assert text.strip()
            assert not EMAIL_RE.search(text) and not PHONE_RE.search(text), text
            for p in parts:
                assert not re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text, re.I), (p, text)


def test_comments_deterministic_and_only_shop(study):
    a = workshop.example_comments(study, "2026-10")
    b = workshop.example_comments(study, "2026-10")
    assert a.equals(b) and len(a) <= 15
    assert a["comment"].is_unique
    c = study.contacts
    shop_texts = set(c.loc[(c["wave"] == "2026-10") & (c["company"] == study.shop),
                           "comment"].dropna())
    assert set(a["comment"]) <= shop_texts
    # the injection strings of the example study are kept verbatim (shown escaped later)
    assert any("<script>" in x for x in a["comment"])
    assert any("onerror" in x for x in a["comment"])
    # sorted by contact id: the first comment is that of the smallest shop contact id
    first = c[(c["wave"] == "2026-10") & (c["company"] == study.shop)
              & c["comment"].fillna("").str.strip().ne("")].sort_values("contact_id").iloc[0]
    assert a["comment"].iloc[0] == first["comment"].strip()
    assert a["contacts"].sum() <= len(c[(c["wave"] == "2026-10") & (c["company"] == study.shop)])


def test_item_results_match_stats(study):
    res = workshop.item_results(study, "2026-10", k=5)
    assert set(res["dimension"]) == {"closing", "complaint"}
    assert "callback_offered" in set(res["item"])
    assert not {"agent", "evaluator"} & set(res.columns)
    it = study.items
    yn = it[(it["wave"] == "2026-10") & (it["item"] == "closing_attempt")
            & (it["status"] == "answered")]
    ref = item_proportions(yn, by=["item", "company"], value="points").set_index("company")
    got = res[res["item"] == "closing_attempt"].set_index("company")
    for comp in ref.index:
        assert got.loc[comp, "value"] == pytest.approx(100 * ref.loc[comp, "share"])
        assert got.loc[comp, "ci_low"] == pytest.approx(100 * ref.loc[comp, "ci_low"])
        assert got.loc[comp, "method"] == "share"
    lk = it[(it["wave"] == "2026-10") & (it["item"] == "closing_quality")
            & (it["status"] == "answered")]
    ref = describe_scores(lk, dv="points", by="company").set_index("company")
    got = res[res["item"] == "closing_quality"].set_index("company")
    assert got.loc["voltera", "value"] == pytest.approx(100 * ref.loc["voltera", "mean"])
    assert got.loc["voltera", "method"] == "mean_points"


def test_k_anonymity_suppresses(study):
    res = workshop.item_results(study, "2026-10", k=25)
    small = res[res["n"] < 25]
    assert len(small) > 0  # complaint_ownership/compensation have ~20 contacts per company
    assert small["suppressed"].all() and small["value"].isna().all()
    assert small["ci_low"].isna().all()
    weak = workshop.weakest_items(res, workshop.competitor_labels(study.config, "2026-10"))
    assert not set(weak["item"]) & set(small.loc[small["role"] == "shop", "item"])
    ov = workshop.dimension_overview(study, "2026-10",
                                     workshop.competitor_labels(study.config, "2026-10"), k=10**6)
    assert ov["mean"].isna().all() and ov["suppressed"].all()


def test_weakest_items(study):
    labels = workshop.competitor_labels(study.config, "2026-10", "en")
    res = workshop.item_results(study, "2026-10")
    weak = workshop.weakest_items(res, labels, "en", study.config)
    assert weak["gap"].is_monotonic_increasing
    assert set(weak["best"]) <= {"Competitor A", "Competitor B", "Competitor C", "Competitor D"}
    top = weak.iloc[0]
    assert top["item"] == "callback_offered" and top["label"] == "Call-back offered"
    comp = res[(res["item"] == "callback_offered") & (res["role"] == "competitor")]
    assert top["best_value"] == pytest.approx(comp["value"].max())
    assert top["gap"] == pytest.approx(top["shop"] - top["best_value"])
    disp = workshop.weakest_display(weak, "Voltera", "de")
    assert "Bester Wettbewerber" in disp.columns
    for col in disp.columns:
        assert not disp[col].astype(str).str.contains("brandt|elektroland|funkturm|nordlicht",
                                                      case=False).any()


def test_dimension_overview(study):
    labels = workshop.competitor_labels(study.config, "2026-10", "de")
    ov = workshop.dimension_overview(study, "2026-10", labels)
    assert set(ov["dimension"]) == {"closing", "complaint"}
    assert ov.groupby("dimension").size().tolist() == [5, 5]
    assert ov.iloc[0]["role"] == "shop"
    ref = describe_scores(study.wave_contacts("2026-10"), dv="dim_closing", by="company")
    got = ov[ov["dimension"] == "closing"].set_index("company")["mean"]
    assert np.allclose(got.loc[ref["company"]].to_numpy(), ref["mean"].to_numpy())
    disp = workshop.dims_display(ov, "en")
    assert "Company" in disp.columns and "company" not in disp.columns
    assert set(disp["Company"]) == set(labels.values())


def test_calibration_helpers(study):
    assert len(workshop.calibration_for_wave(study, "2026-10")) == 96
    assert workshop.calibration_for_wave(study, "2026-07").empty
    side = workshop.leniency_side_by_side(study, "2026-10")
    assert side["evaluator"].tolist() == [f"E0{i}" for i in range(1, 9)]
    ref = evaluator_leniency(workshop.calibration_for_wave(study, "2026-10")).set_index("evaluator")
    assert side.set_index("evaluator")["calib_mean_dev"].to_numpy() == pytest.approx(
        ref["mean_dev"].to_numpy())
    assert side["field_blup"].notna().all() and (side["field_n"] > 0).all()
    none = workshop.leniency_side_by_side(study, "2026-07")
    assert none["calib_mean_dev"].isna().all() and (none["calib_n"] == 0).all()
    assert none["field_blup"].notna().all()
    assert workshop.evaluator_codes_ok(side["evaluator"])
    assert not workshop.evaluator_codes_ok(["E01", "Maria"])


def test_agreement_by_score(study):
    cal = workshop.calibration_for_wave(study, "2026-10")
    agree = workshop.agreement_by_score(cal, n_boot=50)
    assert agree["score"].iloc[0] == "total"
    row = agree.iloc[0]
    assert 0 <= row["icc"] <= 1 and row["ci_low"] <= row["icc"] <= row["ci_high"]
    assert row["n_evaluators"] == 8
    disp = workshop.agreement_display(agree, "de")
    assert disp.iloc[0, 0] == "Gesamtpunktzahl"


def test_leniency_figure(study):
    import matplotlib

    matplotlib.use("Agg")
    from benchlib import plots_trend

    fig = plots_trend.leniency_figure(workshop.leniency_side_by_side(study, "2026-10"), "c", "f")
    assert len(fig.axes) == 2
    matplotlib.pyplot.close(fig)
    fig = plots_trend.leniency_figure(workshop.leniency_side_by_side(study, "2026-07"), "c", "f")
    assert len(fig.axes) == 1
    matplotlib.pyplot.close(fig)
