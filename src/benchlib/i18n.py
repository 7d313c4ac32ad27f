"""Report texts in German and English, kept in ``benchlib/texts/*.yaml`` (one file per report,
``common.yaml`` for shared texts) so that wording is edited without touching code.
Numbers are formatted by :mod:`benchlib.viz`.

>>> t("dq_title", "en", wave="2026-10")
'Data quality – wave 2026-10'
>>> t("dq_title", "de", wave="2026-10")
'Datenqualität – Welle 2026-10'
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from benchlib.yamlio import safe_load

TEXT_DIR = Path(__file__).parent / "texts"


@cache
def texts() -> dict[str, dict[str, str]]:
    """All texts: key → {"de": …, "en": …}; a key defined in two files is an error."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(TEXT_DIR.glob("*.yaml")):
        data = safe_load(path.read_text(encoding="utf-8")) or {}
        for key, entry in data.items():
            if key in out:
                raise ValueError(f"{path.name}: text key {key!r} is defined twice")
            if not isinstance(entry, dict) or "de" not in entry:
                raise ValueError(f"{path.name}: {key}: expected a mapping with at least 'de'")
            out[key] = entry
    return out


def t(key: str, lang: str = "de", **kwargs: object) -> str:
    """The text ``key`` in ``lang`` (falls back to German), formatted with ``kwargs``."""
    entry = texts()[key]
    return entry.get(lang, entry["de"]).format(**kwargs)


GLOSSARY_PREFIX = "glossary_"


def glossary() -> dict[str, dict[str, object]]:
    """The glossary (``texts/glossary.yaml``): concept → ``{"de": term, "en": term,
    "avoid_de": [...], "avoid_en": [...]}``; texts use the term of their language only.

    >>> g = glossary()
    >>> g["competitor"]["de"], "Mitbewerber" in g["competitor"]["avoid_de"]
    ('Wettbewerber', True)
    """
    return {k.removeprefix(GLOSSARY_PREFIX): v for k, v in texts().items()
            if k.startswith(GLOSSARY_PREFIX)}


def foreign_words(lang: str) -> list[str]:
    """Words a report in ``lang`` must not contain: the other language's glossary terms and
    the avoided synonyms of its own.

    >>> "Testkunde" in foreign_words("en"), "Prüfer" in foreign_words("de")
    (True, True)
    """
    other = "en" if lang == "de" else "de"
    words: list[str] = []
    for entry in glossary().values():
        if entry[other] != entry[lang]:
            words.append(str(entry[other]))
        words.extend(str(w) for w in entry.get(f"avoid_{lang}") or [])  # type: ignore[union-attr]
    return words
