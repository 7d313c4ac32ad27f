"""Turn raw export strings into typed values, once per *distinct* value.

Exports repeat the same few strings (``ja``, ``k.A.``, ``2:35``) millions of times, so every
parser here runs once per distinct string and the result is broadcast back with integer
codes (``pandas.factorize``): the cost grows with the data, not with Python per row.

A parser returns ``(value, status, problem)``: ``problem`` is ``None`` or the sentence that
says what was expected; range checks are left to the schema (:mod:`benchlib.schema`).

>>> from benchlib.config import load_config
>>> m = load_config().exports["feldhaus"]
>>> parse_duration_s("2:35"), parse_duration_s("155 s"), parse_duration_s("2:75")[2]
((155.0, 0, None), (155.0, 0, None), 'expected a duration like 2:35 or 155 s (seconds < 60)')
>>> parse_item_cell("teilweise", "yes_partly_no", m), parse_item_cell(" k.A. ", "likert5", m)
((0.5, 0, None), (nan, 1, None))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

import numpy as np
import pandas as pd

from benchlib.config import ExportMapping, normalise_token
from benchlib.scales import SCALES
from benchlib.scoring import ANSWERED, MISSING, NOT_APPLICABLE

EXCEL_ERRORS = frozenset({
    "#wert!", "#value!", "#nv", "#n/a", "#div/0!", "#ref!", "#bezug!", "#name?", "#num!",
    "#zahl!", "#null!", "#leer!", "#spill!", "#überlauf!", "#getting_data", "#calc!"})
_NEG_NUM_RE = re.compile(r"^-\s*[\d.,]")
_NUM_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_DUR_RE = re.compile(r"^(-)?(?:(\d+):)?(\d+):(\d+)$")
_SEC_RE = re.compile(r"^(-?\d+(?:[.,]\d+)?)\s*(s|sek|sec|sekunden|seconds)?\.?$")
_HOUR_RE = re.compile(r"^(-?\d+(?:[.,]\d+)?)\s*(h|std|stunden|hours)?\.?$")

Parsed = tuple[float, int, str | None]
EXPECTED = {name: s.expected for name, s in SCALES.items()}  # defined in benchlib.scales


def parse_number(text: str, decimal: str | None = None,
                 thousands: str | None = None) -> float | None:
    """Parse ``7``, ``7,5`` or ``7.5``; ``None`` when it is not a plain number.

    Without a ``thousands`` separator either ``.`` or ``,`` is read as the decimal mark. With
    one (the mapping's ``thousands``), numbers are read as the locale writes them: groups of
    three digits after the separator, ``decimal`` as the only decimal mark; anything else
    (``1.5`` where ``.`` groups thousands) is ambiguous and returns ``None``.

    >>> parse_number("7,5"), parse_number("1e3"), parse_number("=1+1")
    (7.5, None, None)
    >>> parse_number("1.234,5", ",", "."), parse_number("1.5", ",", "."), parse_number("12", ",", ".")
    (1234.5, None, 12.0)
    """
    t = text.strip()
    if thousands:
        dec = re.escape(decimal or ".")
        grouped = rf"^[+-]?(\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|\d+)(?:{dec}\d+)?$"
        if not re.match(grouped, t):
            return None
        return float(t.replace(thousands, "").replace(decimal or ".", "."))
    if not _NUM_RE.match(t):
        return None
    return float(t.replace(",", "."))


def ambiguous_number(text: str, m: ExportMapping) -> str | None:
    """The problem sentence for a number that does not follow the mapping's separators.

    >>> from types import SimpleNamespace
    >>> ambiguous_number("1.5", SimpleNamespace(thousands=".", decimal=","))
    "ambiguous number '1.5': '.' separates thousands (1.234) and ',' is the decimal mark (1,5)"
    """
    t = text.strip()
    if m.thousands and m.thousands in t and parse_number(t, m.decimal, m.thousands) is None \
            and _NUM_RE.match(t.replace(m.thousands, "")):
        return (f"ambiguous number {t!r}: {m.thousands!r} separates thousands "
                f"(1{m.thousands}234) and {m.decimal!r} is the decimal mark (1{m.decimal}5)")
    return None


def formula_like(text: str) -> bool:
    """Whether a cell looks like a spreadsheet formula (``=``, ``+``, ``@``, or ``-`` not
    followed by a number): such cells are never valid item values (formula injection).

    >>> [formula_like(t) for t in ("=1+1", "+4", "@SUM(A1)", "-A1", "-0:30", "-", "4")]
    [True, True, True, True, False, False, False]
    """
    t = text.strip()
    return bool(t) and (t[0] in "=+@" or (t[0] == "-" and len(t) > 1
                                          and not _NEG_NUM_RE.match(t)))


def parse_duration_s(text: str) -> Parsed:
    """Seconds from ``2:35``, ``1:02:03``, ``155 s`` or ``155`` (negative kept for the schema)."""
    t = text.strip().casefold()
    m = _DUR_RE.match(t)
    if m:
        sign, h, mi, se = m.groups()
        if int(se) >= 60 or (h is not None and int(mi) >= 60):
            return np.nan, ANSWERED, EXPECTED["seconds"] + " (seconds < 60)"
        v = int(h or 0) * 3600 + int(mi) * 60 + int(se)
        return (-v if sign else v) * 1.0, ANSWERED, None
    m = _SEC_RE.match(t)
    if m:
        return float(m.group(1).replace(",", ".")), ANSWERED, None
    return np.nan, ANSWERED, EXPECTED["seconds"]


def _expected(scale: str, m: ExportMapping) -> str:
    first = {k: sorted(getattr(m, f"{k}_tokens"))[:2] for k in ("yes", "no", "partly")}
    return EXPECTED[scale].format(**{k: ", ".join(v) for k, v in first.items()})


def parse_item_cell(text: str, scale: str, m: ExportMapping) -> Parsed:
    """Value, status and problem for one item cell of the given scale."""
    t = str(text).strip()
    if t == "":
        return np.nan, MISSING, None
    n = normalise_token(t)
    if n in m.na_tokens:
        return np.nan, NOT_APPLICABLE, None
    if n in EXCEL_ERRORS:
        return np.nan, ANSWERED, f"Excel error value {t!r}; " + _expected(scale, m)
    if formula_like(t):
        return np.nan, ANSWERED, (f"a formula-like value {t!r} (starts with {t[0]!r}); "
                                  + _expected(scale, m))
    kind = SCALES[scale].parse_kind
    if kind == "tokens":
        if n in m.yes_tokens:
            return 1.0, ANSWERED, None
        if n in m.no_tokens:
            return 0.0, ANSWERED, None
        if 0.5 in SCALES[scale].valid_values and n in m.partly_tokens:
            return 0.5, ANSWERED, None
        return np.nan, ANSWERED, _expected(scale, m)
    if kind == "duration":
        return parse_duration_s(t)
    thousands = getattr(m, "thousands", None)
    if kind == "hours":
        hm = _HOUR_RE.match(n) if not thousands else re.match(
            r"^(.*?)\s*(h|std|stunden|hours)?\.?$", n)
        v = (None if not hm else float(hm.group(1).replace(",", ".")) if not thousands
             else parse_number(hm.group(1), m.decimal, thousands))
        if v is None:
            return np.nan, ANSWERED, ambiguous_number(hm.group(1) if hm else t, m) \
                or EXPECTED["hours"]
        return v, ANSWERED, None
    if SCALES[scale].grade_words and n in m.grade_words:
        return float(m.grade_words[n]), ANSWERED, None
    v = parse_number(t, m.decimal, thousands)
    if v is None:
        return np.nan, ANSWERED, ambiguous_number(t, m) or _expected(scale, m)
    return v, ANSWERED, None


def parse_date(text: str, formats: tuple[str, ...]) -> tuple[date | None, str | None]:
    """A date from the first matching format; impossible dates (31.02.) are problems.

    >>> parse_date("03.02.2026", ("%d.%m.%Y", "%Y-%m-%d"))
    (datetime.date(2026, 2, 3), None)
    >>> parse_date("31.02.2026", ("%d.%m.%Y",))[1]
    "expected a valid date as %d.%m.%Y (found '31.02.2026')"
    """
    t = str(text).strip()
    for fmt in formats:
        try:
            return datetime.strptime(t, fmt).date(), None
        except ValueError:
            continue
    if t[:10] != t:  # XLSX date-times: keep the date part
        for fmt in formats:
            try:
                return datetime.strptime(t[:10], fmt).date(), None
            except ValueError:
                continue
    return None, f"expected a valid date as {' or '.join(formats)} (found {t!r})"


def distinct_values(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the distinct strings they index (missing values read as ``""``);
    a categorical's own codes and categories are used as they are (no per-row work).

    >>> codes, uniques = distinct_values(pd.Series(["b", "a", "b"], dtype="category"))
    >>> codes.tolist(), uniques.tolist()
    ([1, 0, 1], ['a', 'b'])
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        uniques = np.asarray(series.cat.categories, dtype=object)
        if len(codes) and codes.min() < 0:
            codes = np.where(codes < 0, len(uniques), codes)
            uniques = np.append(uniques, "")
        return codes, uniques
    return pd.factorize(series.astype(object).fillna(""), use_na_sentinel=False)


def by_distinct(series: pd.Series, fn: Callable[[str], tuple]) -> list[np.ndarray]:
    """Apply ``fn`` once per distinct value of ``series``; return one array per output.

    >>> s = pd.Series(["ja", "nein", "ja"])
    >>> [a.tolist() for a in by_distinct(s, lambda t: (len(t), t.upper()))]
    [[2, 4, 2], ['JA', 'NEIN', 'JA']]
    """
    codes, uniques = distinct_values(series)
    results = [fn(u) for u in uniques]
    outs = []
    for k in range(len(results[0]) if results else 0):
        col = np.empty(len(results), dtype=object)
        col[:] = [r[k] for r in results]
        outs.append(col[codes])
    if not results:
        return []
    return outs
