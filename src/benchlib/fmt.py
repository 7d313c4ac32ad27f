"""The one formatter for every number a report, a chart or tables.xlsx shows.

Rules (one way per language, nowhere else):

* decimal comma in German, point in English; digits grouped only from five integer digits
  on (``12.345`` / ``12,345``; ``1234`` stays ``1234``);
* negative numbers with the minus sign "−" (U+2212); a value that rounds to zero is ``0``;
* a missing value (None, NaN) is :data:`MISSING` ("–") in both languages;
* a confidence interval is ``1,2 bis 5,6`` / ``1.2 to 5.6``, with its label
  ``95-%-KI 1,2 bis 5,6`` / ``95% CI 1.2 to 5.6`` (the wording of
  :func:`benchlib.stats.describe_comparison`);
* a percentage is ``45 %`` in German (no-break space) and ``45%`` in English;
* p-values follow :func:`benchlib.stats.wording.format_p` (``p < 0,001``, never ``p = 0``,
  rounding never moves p across alpha; an invalid p is an error).

:func:`benchlib.stats.format_number` / :func:`benchlib.stats.format_p` are the statistics'
own names for :func:`number` and :func:`p`; :func:`benchlib.viz.fmt_number` is a thin call into
:func:`number`.

>>> number(1234.5, "de"), number(12345.5, "en"), number(-0.04), number(float("nan"))
('1234,5', '12,345.5', '0,0', '–')
>>> ci(-1.25, 3.5, "de"), ci(-1.25, 3.5, "en", label=True)
('−1,2 bis 3,5', '95% CI −1.2 to 3.5')
>>> percent(0.456, "de"), percent(0.456, "en", digits=1), p_value(0.0004, "de")
('46\\xa0%', '45.6%', 'p < 0,001')
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["MISSING", "ci", "ci_label", "number", "p_value", "percent", "signed"]

MISSING = "–"
"""How a missing value is written (both languages)."""

_MINUS = "\u2212"
_NBSP = "\u00a0"
_SEP = {"de": (",", "."), "en": (".", ",")}  # (decimal, group)
_CI = {"de": ("{level}-%-KI {lo} bis {hi}", "{lo} bis {hi}"),
       "en": ("{level}% CI {lo} to {hi}", "{lo} to {hi}")}


def _lang(lang: str) -> str:
    if lang not in _SEP:
        raise ValueError(f"lang must be 'de' or 'en', got {lang!r}")
    return lang


def is_missing(x: Any) -> bool:
    """True for None, NaN, pandas' NA and anything that is not a number.

    >>> is_missing(None), is_missing(float("nan")), is_missing(0), is_missing("x")
    (True, True, False, True)
    """
    if x is None or isinstance(x, bool):
        return x is None
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def number(x: Any, lang: str = "de", digits: int = 1) -> str:
    """``x`` rounded to ``digits`` decimals in the language's notation (see module rules).

    >>> number(3.4567, "de", 2), number(-1234.5, "en"), number(20_000, "de", 0)
    ('3,46', '−1234.5', '20.000')
    """
    decimal, group = _SEP[_lang(lang)]
    if is_missing(x):
        return MISSING
    v = float(x)
    text = f"{abs(v):,.{digits}f}"
    whole = text.split(".")[0].replace(",", "")
    if len(whole) < 5:
        text = text.replace(",", "")
    text = text.replace(",", "\0").replace(".", decimal).replace("\0", group)
    negative = v < 0 and any(ch not in "0.," for ch in text)
    return (_MINUS if negative else "") + text


def signed(x: Any, lang: str = "de", digits: int = 1) -> str:
    """A change with its sign: ``+2,5`` / ``−2,5`` / ``0,0``.

    >>> signed(2.5, "de"), signed(-2.5, "en"), signed(0.01, "en")
    ('+2,5', '−2.5', '0.0')
    """
    text = number(x, lang, digits)
    if text == MISSING or text.startswith(_MINUS) or not any(c in "123456789" for c in text):
        return text
    return "+" + text


def ci(lo: Any, hi: Any, lang: str = "de", digits: int = 1, scale: float = 1.0,
       label: bool = False, level: float = 95) -> str:
    """A confidence interval ``lo bis hi`` / ``lo to hi`` (with ``label``: ``95-%-KI …``).

    ``scale`` multiplies both bounds (100 turns shares into percentages). A missing bound
    gives :data:`MISSING`.

    >>> ci(0.1, 0.25, "en", 0, scale=100), ci(None, 2, "de")
    ('10 to 25', '–')
    """
    if is_missing(lo) or is_missing(hi):
        return MISSING
    with_label, bare = _CI[_lang(lang)]
    return (with_label if label else bare).format(
        level=number(level, lang, 0), lo=number(float(lo) * scale, lang, digits),
        hi=number(float(hi) * scale, lang, digits))


def ci_label(lang: str = "de", level: float = 95) -> str:
    """The label of a CI column: ``95-%-KI`` / ``95% CI``.

    >>> ci_label("de"), ci_label("en")
    ('95-%-KI', '95% CI')
    """
    return _CI[_lang(lang)][0].split(" {lo}")[0].format(level=number(level, lang, 0))


def percent(share: Any, lang: str = "de", digits: int = 0) -> str:
    """A share in [0, 1] as a percentage: ``46 %`` (German, no-break space) / ``46%``.

    >>> percent(1, "en"), percent(None, "de")
    ('100%', '–')
    """
    if is_missing(share):
        return MISSING
    text = number(100 * float(share), lang, digits)
    return text + (_NBSP + "%" if lang == "de" else "%")


def p_value(p: Any, lang: str = "de", alpha: float | None = 0.05, digits: int = 3) -> str:
    """A p-value (``p = 0,012``, ``p < 0,001``); missing → :data:`MISSING`.

    The rules live in :func:`benchlib.stats.wording.format_p` (statistics decide how a
    p-value may be rounded); this is the reports' entry point.

    >>> p_value(0.0123, "de"), p_value(float("nan"), "en")
    ('p = 0,012', '–')
    """
    from benchlib.stats.wording import format_p

    _lang(lang)
    if p is None or (not isinstance(p, str) and is_missing(p)):
        return MISSING
    return format_p(p, lang, digits=digits, alpha=alpha)
