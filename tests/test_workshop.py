"""benchlib.workshop on the example study: anonymity (labels, no agents/evaluators, k),
comments scrubbed, item results equal the stats functions, calibration helpers."""

from __future__ import annotations

import re
from datetime import date

import pytest

from benchlib import focus, workshop
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


def test_k_anonymity_suppresses(study):
    res = focus.item_results(study, "2026-10", k=25)
    small = res[res["n"] < 25]
    assert len(small) > 0  # complaint_ownership/compensation have ~20 contacts per company
    assert small["suppressed"].all() and small["value"].isna().all()
    assert small["ci_low"].isna().all()
    gaps = focus.shop_vs_best(study, "2026-10", k=25)
    withheld = set(small.loc[small["role"] == "shop", "item"])
    assert gaps.set_index("item").loc[sorted(withheld & set(gaps["item"])), "suppressed"].all()
    assert not set(focus.train_next(study, "2026-10", gaps=gaps)["item"]) & withheld


def test_item_results_match_stats(study):
    res = focus.item_results(study, "2026-10", k=5)
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


def test_sentences_and_displays_have_no_ids(study):
    cfg = study.config
    labels = workshop.competitor_labels(cfg, "2026-10", "en")
    gaps = focus.shop_vs_best(study, "2026-10")
    nxt = focus.train_next(study, "2026-10", gaps=gaps)
    strong = focus.strengths(study, "2026-10", gaps=gaps)
    assert workshop.headline(cfg, nxt, strong, "en") == (
        "Train next: “Call-back offered”, “Mail response time” and “Structure (school grade)” "
        "– the largest gaps of Voltera to the best competitor (2 of 3 supported after the "
        "correction for many comparisons).")
    assert workshop.headline(cfg, nxt[nxt["supported"]], strong, "en") == (
        "Train next: “Call-back offered” and “Structure (school grade)” – where Voltera "
        "trails the best competitor most.")
    assert workshop.headline(cfg, nxt.iloc[:0], strong, "de") == (
        "Voltera liegt bei keinem Kriterium mit genügend Kontakten hinter dem jeweils besten "
        "Wettbewerber.")
    tr = focus.last_training(cfg, "2026-10")
    lines = workshop.summary_lines(cfg, "2026-10", gaps, strong, tr,
                                   focus.addressed_items(cfg, "2026-10", tr), "en")
    assert lines[0] == ("Strengths (ahead of the best competitor): “Empathy”, “Closing attempt "
                        "made” and “Quality of closing orientation”.")
    assert lines[1] == ("The last training (2026-08-26: Objection handling) addressed Closing "
                        "orientation.")
    assert len(lines) == 2  # all 29 items of the wave were compared
    sentences = workshop.gap_sentences(cfg, nxt, workshop.competitor_labels(cfg, "2026-10"),
                                       "de")
    # 12/33 at the shop against 30/39 at Wettbewerber B (Newcombe interval of the difference)
    assert sentences[0] == (
        "„Rückruf angeboten“: 36,4 % gegenüber 76,9 % bei Wettbewerber B (Abstand −40,6 Punkte, "
        "95-%-KI −58,2 bis −17,7; auch nach der Korrektur für Mehrfachvergleiche gesichert).")
    assert sentences[1].endswith("nach der Korrektur für Mehrfachvergleiche nicht gesichert).")
    assert "von 100 Punkten" in sentences[1]  # mail response time: item points, not a share
    disp = workshop.gaps_display(nxt, cfg, labels, "en")
    assert disp["Best competitor"].tolist() == ["Competitor B", "Competitor A", "Competitor A"]
    assert disp["Supported"].tolist() == ["yes", "no", "yes"]
    # no company id, and no snake_case id of an item, dimension or scenario
    ids = {c.id for c in cfg.companies if c.role == "competitor"} | {
        i for i in [*gaps["item"], *cfg.grid.dimensions, *cfg.scenarios] if "_" in i}
    for frame in (disp, workshop.cells_display(focus.weakest_cells(study, "2026-10"), cfg, "de"),
                  workshop.comments_display(workshop.example_comments(study, "2026-10"), cfg,
                                            "en")):
        text = " ".join(map(str, frame.columns)) + " " + " ".join(
            frame.astype(str).to_numpy().ravel())
        for ident in ids:
            assert ident not in text, ident


def test_training_sentence_adapts(study):
    from benchlib.config import Training

    cfg = study.config
    assert workshop.training_sentence(cfg, None, [], "en") == (
        "There has been no training in this study yet.")
    bare = Training(date=date(2026, 1, 1), topics=("spelling",))
    assert workshop.training_sentence(cfg, bare, [], "de").startswith(
        "Für das letzte Training (2026-01-01: Rechtschreibung) ist in der Konfiguration nicht")
    gone = Training(date=date(2025, 5, 1), topics=("spelling",), addresses=("callback_offered",))
    # callback_offered only exists from 2026-01: not measured in 2025-07
    assert focus.addressed_items(cfg, "2025-07", gone) == []
    assert workshop.training_sentence(cfg, gone, [], "en") == (
        "The last training (2025-05-01: Spelling) addressed Call-back offered; these items were "
        "not measured in this wave.")


def test_role_play_prompts(study):
    cells = focus.weakest_cells(study, "2026-10", items=["callback_offered", "mail_structure"])
    prompts = workshop.role_play_prompts(study.config, cells, "de")
    assert len(prompts) == len(cells) >= 1
    first = cells.iloc[0]
    assert prompts[0].startswith(study.config.label("scenario", first["scenario"], "de"))
    assert f"{int(first['n'])} Testkontakten" in prompts[0]


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
    assert workshop.evaluator_codes_ok(side["evaluator"], study.config)
    assert not workshop.evaluator_codes_ok(["E01", "Maria"], study.config)  # ^E\d{2,}$


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


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["second_study", "phone_one_scenario_no_training"])
def test_pack_builds_for_another_study(tmp_path, monkeypatch, variant):
    """The workshop pack of the second fixture study (another agency, grid, ids, two
    competitors, chat, no mail) builds in both languages by configuration alone, and so does
    one with a single channel, a single scenario and no training yet."""
    import nbformat
    import papermill as pm
    from fixture_study import Axes, write_fixture_study

    from benchlib.pipeline import run_pipeline

    axes = Axes() if variant == "second_study" else Axes(one_channel=True, one_scenario=True,
                                                          training=False)
    fx = write_fixture_study(tmp_path / "study", axes)
    run_pipeline(fx.root)
    monkeypatch.setenv("BENCHLIB_ROOT", str(fx.root))
    wave = fx.waves[-1]
    build = tmp_path / "build"  # as a report build: the second language loads the results
    build.mkdir()
    for lang in ("de", "en"):
        out = tmp_path / f"ws-{lang}.ipynb"
        pm.execute_notebook(str(fx.root / "notebooks" / "03_workshop.ipynb"), str(out),
                            parameters={"wave": wave, "lang": lang, "out_dir": str(build)},
                            kernel_name="python3", cwd=str(fx.root / "notebooks"),
                            progress_bar=False, log_output=False)
        nb = nbformat.read(out, as_version=4)
        html = "\n".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells
                         for o in c.get("outputs", []))
        assert not [o for c in nb.cells for o in c.get("outputs", [])
                    if o.get("output_type") == "error"]
        assert html.count('class="bl-headline"') == 1
        for ident in (*fx.items, *fx.scenarios, *(c for c in fx.companies if c != fx.shop)):
            assert f">{ident}<" not in html and f" {ident} " not in html, ident
        word = "Wettbewerber A" if lang == "de" else "Competitor A"
        assert word in html
        if variant == "second_study":
            assert ("Das letzte Training" if lang == "de" else "The last training") in html
        else:
            assert ("Bisher gab es in dieser Studie kein Training." if lang == "de"
                    else "There has been no training in this study yet.") in html
