"""The one scrubber: names in any spelling, e-mails, phones; name-like values withheld."""

from __future__ import annotations

import pytest

from benchlib.atomic import csv_safe, neutralise_formula
from benchlib.privacy import NameScrubber, fold, looks_like_person_name, scrub, scrub_value

AGENTS = ["Jörg Weiß", "Anna Li", "Karl Müller", "Sabine Schneider", "Zoë D'Arcy"]


@pytest.mark.parametrize("text", [
    "Jörg", "Joerg", "JOERG", "jörg", "Jo\u0308rg", "Ｊöｒｇ", "Weiß", "Weiss", "WEISS",
    "Weiss'", "Mueller", "Muller", "Mu\u0308ller", "Müllers", "Müller's", "Schneiders",
    "Frau Li", "Li", "Herr Li's", "Zoe", "D'Arcy", "D\u2019Arcy", "Darcy's", "Sabine  Schneider",
])
def test_every_variant_of_a_known_name_is_scrubbed(text):
    s = NameScrubber(AGENTS)
    out = s.scrub(f"Heute hat {text} geholfen.")
    assert out.startswith("Heute hat ") and out.endswith(" geholfen.")
    assert "[Name]" in out and fold(text.split()[-1]).strip("'s") not in fold(out), out


@pytest.mark.parametrize("text", ["Liebe Grüße", "li", "LI", "Weisheit", "müll", "Anliegen",
                                  "Lieferung", "Darm", "Schneiderei"])
def test_words_that_only_resemble_a_name_stay(text):
    assert NameScrubber(AGENTS).scrub(text) == text


def test_emails_and_phones():
    out = scrub("a.b@c.de, x (at) y.org, +49 171 2345678, 0171/2345678, (030) 1234567")
    assert out == "[E-Mail], [E-Mail], [Telefon], [Telefon], [Telefon]"
    # in quarantine values dates, times, ids and plain numbers stay readable
    for v in ("31.13.2026", "2026-13-01", "FH-202604-0016", "1234567", "2:75", "-0:30"):
        assert scrub_value(v, None) == v


@pytest.mark.parametrize(("value", "name_like"), [
    ("Klaus-Dieter Wendt", True), ("Frau Li", True), ("Herr Dr. Obermaier", True),
    ("Hans von Bülow", True), ("Zoë D'Arcy", True), ("SABINE SCHNEIDER", False),
    ("Voltera GmbH", False), ("Voltra GmbH", False), ("Kundenservice Nord", False),
    ("E05", False), ("k.A.", False), ("#WERT!", False), ("Produktberatung", False),
    ("Retoure/Widerruf", False), ("Elektroland Nord", True),
])
def test_looks_like_person_name(value, name_like):
    assert looks_like_person_name(value) is name_like


def test_known_names_and_allowed_values():
    assert looks_like_person_name("SABINE SCHNEIDER", AGENTS)  # known, in capitals
    assert not looks_like_person_name("Elektroland Nord", AGENTS, allowed=["elektroland nord"])
    assert scrub_value("Elektroland Nord", NameScrubber(AGENTS),
                       allowed=["Elektroland Nord"]) == "Elektroland Nord"


@pytest.mark.parametrize(("cell", "safe"), [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("  =1", "'  =1"), ("=HYPERLINK(\"x\")",
                                                               "'=HYPERLINK(\"x\")"),
    ("-3", "-3"), ("+1,5", "+1,5"), ("-0.25", "-0.25"), ("ok", "ok"), ("", ""),
    ("a=b", "a=b"),
])
def test_formula_cells_are_neutralised(cell, safe):
    assert neutralise_formula(cell) == safe


def test_csv_safe_leaves_numbers_and_missing_values():
    import pandas as pd

    df = pd.DataFrame({"t": ["=x", None, "y"], "n": [-1.5, 2.0, None]})
    out = csv_safe(df)
    assert out["t"].tolist()[0] == "'=x" and out["t"].isna().tolist() == [False, True, False]
    assert out["n"].equals(df["n"])
