"""Ingest rules of #11/#14: numbers as the locale writes them, evaluator codes, wave maps."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from benchlib.parse import parse_item_cell, parse_number
from benchlib.privacy import looks_like_person_name


def _mapping(**kw):
    base = dict(na_tokens=frozenset({"./."}), yes_tokens=frozenset({"j"}),
                no_tokens=frozenset({"n"}), partly_tokens=frozenset({"t"}), grade_words={},
                decimal=",", thousands=".")
    return SimpleNamespace(**{**base, **kw})


@pytest.mark.parametrize("text, expected", [
    ("1.234", 1234.0), ("1.234,5", 1234.5), ("12,5", 12.5), ("7", 7.0), ("12.345.678", 12345678.0),
    ("1.5", None), ("1.23", None), ("1,234.5", None), ("12.34,5", None),
])
def test_thousands_separator_as_the_locale_writes(text, expected):
    assert parse_number(text, ",", ".") == expected


def test_without_thousands_either_mark_is_decimal():
    assert parse_number("7.5") == parse_number("7,5") == 7.5


def test_ambiguous_number_is_a_problem_naming_both_separators():
    v, _, problem = parse_item_cell("1.5", "hours", _mapping())
    assert math.isnan(v)
    assert problem == ("ambiguous number '1.5': '.' separates thousands (1.234) and ',' is "
                       "the decimal mark (1,5)")
    assert parse_item_cell("1.234,5 h", "hours", _mapping())[0] == 1234.5
    assert parse_item_cell("7,5", "scale10", _mapping())[0] == 7.5
    assert "ambiguous number" in parse_item_cell("7.5", "scale10", _mapping())[2]


@pytest.mark.parametrize("text, name", [
    ("Anna Berger", True), ("Berger, Anna", True), ("Jean-Luc Picard", True), ("SH-07", False),
    ("E05", False), ("tester_3", False), ("QS 12", False), ("Berger", False),
])
def test_name_like_evaluator_values(text, name):
    assert looks_like_person_name(text) is name


@pytest.mark.parametrize("cid", ["FH-0042", "1001", "0042", "000", "0", "A0B12", "A01", "x", "",
                                 "a-0", "a0", "  07", "FH-202507-0001-r03", "٠٠٤٢", "a-0٤2",
                                 "ab-00١"])
def test_stripped_ids_by_arrow_equal_the_python_rule(cid):
    import pandas as pd

    from benchlib.pipeline import _stripped_arrow, normalise_contact_id

    got = _stripped_arrow(pd.Series([cid, "pad-007"], dtype="str"))
    assert got.to_pylist() == [normalise_contact_id(cid, "strip_leading_zeros"), "pad-7"]
