"""The glossary (texts/glossary.yaml) is complete and the text resources follow it."""

from __future__ import annotations

import re

from benchlib.i18n import foreign_words, glossary, texts


def _offending(lang: str) -> dict[str, list[str]]:
    words = foreign_words(lang)
    out = {}
    for key, entry in texts().items():
        if key.startswith("glossary_") or lang not in entry:
            continue
        text = re.sub(r"\{[^{}]*\}", " ", str(entry[lang]))  # placeholders are not words
        hits = [w for w in words if re.search(rf"\b{re.escape(w)}", text,
                                              flags=re.I if lang == "de" else 0)]
        if hits:
            out[key] = hits
    return out


def test_glossary_has_one_term_per_language_and_no_overlap():
    g = glossary()
    assert {"evaluator", "competitor", "total_score", "wave"} <= set(g)
    for concept, entry in g.items():
        assert entry["de"] and entry["en"], concept
        assert entry["de"] not in (entry.get("avoid_de") or []), concept
        assert entry["en"] not in (entry.get("avoid_en") or []), concept


def test_checker_finds_a_foreign_word():
    assert "Mitbewerber" in foreign_words("de") and "Testkunde" in foreign_words("en")


def test_english_texts_follow_the_glossary():
    assert _offending("en") == {}


def test_german_texts_follow_the_glossary():
    assert _offending("de") == {}
