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

import yaml

TEXT_DIR = Path(__file__).parent / "texts"


@cache
def texts() -> dict[str, dict[str, str]]:
    """All texts: key → {"de": …, "en": …}; a key defined in two files is an error."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(TEXT_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
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
