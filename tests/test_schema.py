"""The value rules of benchlib.schema: one record per failing cell, which rule wins."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from benchlib.config import load_config
from benchlib.schema import (
    EMPTY_EVALUATOR,
    EMPTY_ID,
    FUTURE,
    LONG_COMMENT,
    PANEL,
    PERIOD,
    build_schema,
    schema_problems,
)


@pytest.fixture(scope="module")
def cfg():
    return load_config()


def _frame(cfg, n: int, **columns) -> pd.DataFrame:
    wave = cfg.waves[-1]
    company = next(c.id for c in cfg.companies if c.active_in(wave.id))
    base = {"contact_id": [f"c{i}" for i in range(n)], "wave": [wave.id] * n,
            "contact_date": pd.to_datetime([wave.start] * n), "company": [company] * n,
            "evaluator": ["E01"] * n, "comment": [""] * n}
    base.update(columns)
    return pd.DataFrame(base)


def test_valid_rows_have_no_problem(cfg):
    df = _frame(cfg, 3)
    assert schema_problems(build_schema(cfg, [], today=date(2100, 1, 1)), df).empty


def test_outside_the_period_wins_over_in_the_future(cfg):
    wave = cfg.waves[-1]
    late = pd.Timestamp(wave.end) + pd.Timedelta(days=40)
    inside_future = pd.Timestamp(wave.start)
    df = _frame(cfg, 3, contact_date=pd.to_datetime([late, inside_future, pd.NaT]))
    today = date(wave.start.year, wave.start.month, wave.start.day) - pd.Timedelta(days=1)
    got = schema_problems(build_schema(cfg, [], today=today), df)
    assert got[["row", "column", "expected"]].to_dict("records") == [
        {"row": 0, "column": "contact_date", "expected": PERIOD},
        {"row": 1, "column": "contact_date", "expected": FUTURE},
    ]
    assert got["value"].tolist() == [late.date().isoformat(), inside_future.date().isoformat()]


def test_no_period_check_without_a_wave_and_no_panel_check_without_a_company(cfg):
    df = _frame(cfg, 2, wave=[None, cfg.waves[-1].id], company=[None, None],
                contact_date=pd.to_datetime(["2001-01-01"] * 2))
    got = schema_problems(build_schema(cfg, [], today=date(2100, 1, 1)), df)
    assert got[["row", "expected"]].to_dict("records") == [{"row": 1, "expected": PERIOD}]


def test_company_outside_its_panel(cfg):
    left = next((c for c in cfg.companies if any(not c.active_in(w) for w in cfg.wave_ids)),
                None)
    if left is None:
        pytest.skip("every company of the example is in every wave's panel")
    wave = next(w for w in cfg.waves if not left.active_in(w.id))
    df = _frame(cfg, 1, wave=[wave.id], company=[left.id],
                contact_date=pd.to_datetime([wave.start]))
    got = schema_problems(build_schema(cfg, [], today=date(2100, 1, 1)), df)
    assert got[["row", "column", "expected"]].to_dict("records") == [
        {"row": 0, "column": "company", "expected": PANEL}]


def test_text_rules_ignore_missing_values(cfg):
    df = _frame(cfg, 4, contact_id=["a", "  ", "b", "c"], evaluator=["E01", " ", None, ""],
                comment=["x" * 5001, "x" * 5000, None, ""])
    got = schema_problems(build_schema(cfg, [], today=date(2100, 1, 1)), df)
    assert got[["row", "column", "expected"]].to_dict("records") == [
        {"row": 0, "column": "comment", "expected": LONG_COMMENT},
        {"row": 1, "column": "contact_id", "expected": EMPTY_ID},
        {"row": 1, "column": "evaluator", "expected": EMPTY_EVALUATOR},
        {"row": 3, "column": "evaluator", "expected": EMPTY_EVALUATOR},
    ]


def test_item_ranges_whole_numbers_and_value_sets(cfg):
    by_scale = {}
    for it in cfg.grid.items:
        by_scale.setdefault(it.scale, it.id)
    likert, yes_no = by_scale["likert5"], by_scale["yes_no"]
    schema = build_schema(cfg, [likert, yes_no], today=date(2100, 1, 1))
    df = _frame(cfg, 5, **{f"v:{likert}": [1.0, 5.0, 4.5, 6.0, np.nan],
                           f"v:{yes_no}": [0.0, 1.0, 0.5, np.inf, np.nan]})
    got = schema_problems(schema, df)
    assert got[["row", "column"]].to_dict("records") == [
        {"row": 2, "column": f"v:{likert}"}, {"row": 2, "column": f"v:{yes_no}"},
        {"row": 3, "column": f"v:{likert}"}, {"row": 3, "column": f"v:{yes_no}"}]
    assert got["value"].tolist() == ["4.5", "0.5", "6.0", "inf"]
