"""Configuration: the shipped config loads; each mistake is one ConfigError naming file and key."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from benchlib.config import load_config
from benchlib.errors import ConfigError

from projects import ROOT, copy_project


def test_shipped_config_loads():
    cfg = load_config()
    assert cfg.shop.id == "voltera"
    assert cfg.wave_ids == ("2025-07", "2025-10", "2026-01", "2026-04", "2026-07", "2026-10")
    assert len(cfg.grid.dimensions) >= 6
    assert {i.scale for i in cfg.grid.items} == {"yes_no", "yes_partly_no", "likert5", "grade6",
                                                  "scale10", "seconds", "hours"}
    assert len({i.id for i in cfg.grid.items}) >= 20
    assert {i.id for i in cfg.grid.items if i.knockout} == {"reach_answered", "info_no_harm"}
    assert all(w.trainings_before for w in cfg.waves[1:])


def test_grid_versions_are_labelled():
    cfg = load_config()
    assert cfg.grid.version_of("2025-10") == "grid-base"
    assert cfg.grid.version_of("2026-01") == cfg.grid.version_of("2026-10") == "grid-2026-01"
    scales = {i.scale for i in cfg.grid.items if i.id == "needs_questions"}
    assert scales == {"yes_no", "yes_partly_no"}


def _edit(tmp_path, file: str, change) -> None:
    path = tmp_path / "config" / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


CASES = {
    "negative_weight": ("grid.yaml", lambda d: d["items"][3].update(weight=-1),
                        "config/grid.yaml: items[3].weight: must be >= 0"),
    "alias_two_companies": ("companies.yaml",
                            lambda d: d["companies"][1]["aliases"].append("Voltera GmbH"),
                            "config/companies.yaml: companies[1].aliases: alias 'Voltera GmbH' "
                            "maps to two companies"),
    "overlapping_waves": ("waves.yaml", lambda d: d["waves"][1].update(start="2025-07-20"),
                          "config/waves.yaml: waves[2025-10].start: field period"),
    "item_missing_in_export": ("exports/feldhaus.yaml", lambda d: d["items"].pop("politeness"),
                               "config/exports/feldhaus.yaml: items.politeness: grid item has no "
                               "column"),
    "knockout_unknown_item": ("grid.yaml", lambda d: d["knockouts"].append("not_an_item"),
                              "config/grid.yaml: knockouts: knockout on unknown item 'not_an_item'"),
    "unknown_scale": ("grid.yaml", lambda d: d["items"][0].update(scale="stars"),
                      "config/grid.yaml: items[0].scale: unknown scale 'stars'"),
    "grade_higher_is_better": ("grid.yaml",
                               lambda d: d["items"][10].update(direction="higher_is_better"),
                               "items[10].direction: scale grade6 is lower-is-better by nature"),
    "two_shops": ("companies.yaml", lambda d: d["companies"][1].update(role="shop"),
                  "exactly one company must have role 'shop'"),
    "unknown_wave_in_item": ("grid.yaml", lambda d: d["items"][0].update(valid_from="2030-01"),
                             "items[0].valid_from: unknown wave '2030-01'"),
    "source_without_mapping": ("study.yaml", lambda d: d["sources"][0].update(agency="nobody"),
                               "config/study.yaml: sources[0].agency: no export mapping 'nobody'"),
    "k_below_3": ("study.yaml", lambda d: d["settings"].update(k_anonymity=2),
                  "settings.k_anonymity: must be >= 3"),
    "unknown_role": ("grid.yaml", lambda d: d["items"][1].update(role="wait"),
                     "config/grid.yaml: items[1].role: unknown role 'wait'"),
    "two_items_one_role": ("grid.yaml", lambda d: d["items"][2].update(role="wait_time",
                                                                        scale="seconds"),
                           "items[2].role: role 'wait_time' is claimed by two items: 'wait_s' "
                           "and 'mail_response_h'"),
    "role_wrong_scale": ("grid.yaml", lambda d: d["items"][3].update(role="reachability",
                                                                      scale="likert5"),
                         "items[3].scale: an item with role reachability needs scale yes_no"),
    "undeclared_topic": ("waves.yaml",
                         lambda d: d["waves"][1]["trainings_before"][0].update(
                             topics=["closing_orientaton"]),
                         "waves[1].trainings_before[0].topics: undeclared topic "
                         "'closing_orientaton'; declare it under 'topics' with id, de and en; "
                         "did you mean 'closing_orientation'?"),
    "training_addresses_unknown": ("waves.yaml",
                                   lambda d: d["waves"][1]["trainings_before"][0].update(
                                       addresses=["closin"]),
                                   "trainings_before[0].addresses: 'closin' is neither a "
                                   "dimension nor an item"),
    "bad_evaluator_pattern": ("study.yaml",
                              lambda d: d["settings"].update(evaluator_pattern="E(\\d"),
                              "settings.evaluator_pattern: not a valid regular expression"),
    "wave_map_two_labels_one_wave": ("exports/feldhaus.yaml",
                                     lambda d: d.update(wave_values={"Welle 1": "2025-07",
                                                                     "Welle 2": "2025-07"}),
                                     "config/exports/feldhaus.yaml: wave_values.Welle 2: maps "
                                     "to wave '2025-07' like 'Welle 1'"),
    "wave_map_unknown_wave": ("exports/feldhaus.yaml",
                              lambda d: d.update(wave_values={"Welle 1": "2025-08"}),
                              "wave_values: maps to unknown wave '2025-08'"),
    "wave_from_typo": ("exports/feldhaus.yaml", lambda d: d.update(wave_from=["colum"]),
                       "wave_from: unknown wave source 'colum'; expected any of column, "
                       "source, date; did you mean 'column'?"),
    "thousands_equals_decimal": ("exports/feldhaus.yaml", lambda d: d.update(thousands=","),
                                 "config/exports/feldhaus.yaml: thousands: expected one of"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_error_names_file_and_key(tmp_path, case):
    file, change, message = CASES[case]
    copy_project(tmp_path, with_raw=False)
    _edit(tmp_path, file, change)
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert message in str(err.value)


def test_invalid_yaml_names_line(tmp_path):
    copy_project(tmp_path, with_raw=False)
    (tmp_path / "config" / "waves.yaml").write_text("waves:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config/waves.yaml: line \d+: not valid YAML"):
        load_config(tmp_path)


def test_config_error_via_cli_exits_2_without_traceback(tmp_path):
    copy_project(tmp_path, with_raw=True)
    _edit(tmp_path, "grid.yaml", lambda d: d["items"][3].update(weight=-2))
    proc = subprocess.run([sys.executable, "-m", "benchlib.cli", "validate"], capture_output=True,
                          text=True, env={"BENCHLIB_ROOT": str(tmp_path), "PATH": "/usr/bin"},
                          timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("error: config/grid.yaml: items[3].weight: must be >= 0, "
                                   "found -2")
    assert "Traceback" not in proc.stderr


def test_labels_roles_and_declared_order():
    cfg = load_config()
    # labels come from the configuration, in both languages
    assert cfg.label("dimension", "complaint", "de") == "Reklamationsbehandlung"
    assert cfg.label("dimension", "complaint", "en") == "Complaint handling"
    assert cfg.label("channel", "mail", "de") == "E-Mail"
    assert cfg.label("scenario", "returns", "en") == "Returns & cancellation"
    assert cfg.label("item", "politeness", "en") == "Friendliness and politeness"
    assert cfg.label("company", cfg.shop.id, "en") == cfg.shop.name
    assert cfg.label("training", "product_knowledge", "en") == "Product knowledge"
    with pytest.raises(KeyError):
        cfg.label("dimension", "no_such_dimension", "en")
    assert cfg.grid.dimensions[0] == "reachability" and cfg.channels == ("call", "mail")
    assert cfg.grid.item_for_role("reachability").id == "reach_answered"
    assert cfg.grid.item_for_role("wait_time").id == "wait_s"
    assert cfg.grid.item_for_role("mail_response_time").id == "mail_response_h"
    with pytest.raises(ValueError):
        cfg.grid.item_for_role("waiting")
    tr = cfg.waves[1].trainings_before[0]
    assert tr.topics == ("closing_orientation", "complaint_handling")
    assert tr.addresses == ("closing", "complaint")
    assert cfg.settings.languages == ("de", "en")
    assert cfg.exports["feldhaus"].thousands is None
    assert cfg.exports["feldhaus"].allow_short_rows is False
    assert cfg.ignore == ("README.md", "example_truth.json")  # the example's non-exports


def test_grid_without_wait_and_mail_roles_is_valid(tmp_path):
    copy_project(tmp_path, with_raw=False)

    def drop_roles(d):
        for it in d["items"]:
            if it.get("role") in ("wait_time", "mail_response_time"):
                del it["role"]
    _edit(tmp_path, "grid.yaml", drop_roles)
    cfg = load_config(tmp_path)
    assert cfg.grid.item_for_role("wait_time") is None
    assert cfg.grid.item_for_role("mail_response_time") is None


SCHEMA_CASES = {
    "typo_key_weigth": ("grid.yaml", lambda d: d["items"][4].update(weigth=1.5),
                        "config/grid.yaml: items[4].weigth: unknown key; did you mean 'weight'?"),
    "typo_settings_key": ("study.yaml", lambda d: d["settings"].update(min_coverag=0.7),
                          "config/study.yaml: settings.min_coverag: unknown key; did you mean "
                          "'min_coverage'?"),
    "typo_column_key": ("exports/feldhaus.yaml",
                        lambda d: d["columns"].update(contct_id=d["columns"].pop("contact_id")),
                        "config/exports/feldhaus.yaml: columns.contct_id: unknown key; did you "
                        "mean 'contact_id'?"),
    "typo_label_key": ("grid.yaml", lambda d: d["dimensions"][2].update(lbl="x"),
                       "config/grid.yaml: dimensions[2].lbl: unknown key"),
    "wrong_type_weight": ("grid.yaml", lambda d: d["items"][4].update(weight="heavy"),
                          "config/grid.yaml: items[4].weight: expected a number, found 'heavy'"),
    "wrong_type_knockout": ("grid.yaml", lambda d: d["items"][4].update(knockout="ja"),
                            "config/grid.yaml: items[4].knockout: expected true or false, "
                            "found 'ja'"),
    "wrong_date": ("waves.yaml", lambda d: d["waves"][0].update(start="1st of July"),
                   "config/waves.yaml: waves[0].start: expected a date YYYY-MM-DD"),
    "wrong_value_kind": ("study.yaml", lambda d: d["sources"][2].update(kind="calibraton"),
                         "config/study.yaml: sources[2].kind: expected 'contacts' or "
                         "'calibration', found 'calibraton'; did you mean 'calibration'?"),
    "unquoted_yes": ("exports/qualiserv.yaml", lambda d: d.update(yes_tokens=["ja", True]),
                     "yes_tokens[1]: expected text, found True (YAML reads unquoted"),
    "missing_key": ("grid.yaml", lambda d: d["items"][4].pop("scale"),
                    "config/grid.yaml: items[4].scale: required key is missing"),
    "thresholds_not_pairs": ("grid.yaml", lambda d: d["items"][1].update(thresholds=[[20]]),
                             "config/grid.yaml: items[1].thresholds[0]: expected a [limit, "
                             "points] pair"),
}


@pytest.mark.parametrize("case", sorted(SCHEMA_CASES))
def test_schema_error_names_file_key_and_closest(tmp_path, case):
    file, change, message = SCHEMA_CASES[case]
    copy_project(tmp_path, with_raw=False)
    _edit(tmp_path, file, change)
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert message in str(err.value)


@pytest.mark.parametrize("case", ["typo_key_weigth", "wrong_type_weight"])
def test_schema_error_is_one_error_line(tmp_path, case):
    file, change, message = SCHEMA_CASES[case]
    copy_project(tmp_path, with_raw=False)
    _edit(tmp_path, file, change)
    proc = subprocess.run([sys.executable, "-m", "benchlib.cli", "validate"], capture_output=True,
                          text=True, env={"BENCHLIB_ROOT": str(tmp_path), "PATH": "/usr/bin"},
                          timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0] == f"error: {message}"


@pytest.mark.parametrize("file, change", [
    ("grid.yaml", lambda d: d["items"][1].update(role="wait")),
    ("grid.yaml", lambda d: d["items"][2].update(role="wait_time", scale="seconds")),
    ("exports/feldhaus.yaml", lambda d: d.update(wave_values={"W1": "2025-07", "W2": "2025-07"})),
], ids=["unknown_role", "two_items_one_role", "wave_map_two_labels_one_wave"])
def test_config_errors_are_one_error_line_via_cli(tmp_path, file, change):
    copy_project(tmp_path, with_raw=False)
    _edit(tmp_path, file, change)
    proc = subprocess.run([sys.executable, "-m", "benchlib.cli", "validate"], capture_output=True,
                          text=True, env={"BENCHLIB_ROOT": str(tmp_path), "PATH": "/usr/bin"},
                          timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: config/"), proc.stderr
    assert "Traceback" not in proc.stderr


def test_fast_yaml_reads_what_the_pure_python_parser_reads():
    """benchlib.yamlio parses with libyaml: the same objects as PyYAML's own parser for every
    YAML file the project ships, and the pure-Python parser's error (with its line) for a
    broken one."""
    from benchlib import yamlio

    assert yamlio._FAST is not None  # PyYAML's wheels carry libyaml: the fast path is tested
    files = [*ROOT.glob("config/**/*.yaml"), *ROOT.glob("src/benchlib/texts/*.yaml"),
             *ROOT.glob("tests/**/*.yaml")]
    assert len(files) >= 15
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yamlio.safe_load(text) == yaml.safe_load(text), path
    broken = "companies:\n  - id: a\n   name: b\n"
    with pytest.raises(yaml.YAMLError) as fast:
        yamlio.safe_load(broken)
    with pytest.raises(yaml.YAMLError) as pure:
        yaml.safe_load(broken)
    assert str(fast.value) == str(pure.value) and fast.value.problem_mark.line == 2
