"""One-sentence wording of a comparison that never overclaims (German and English).

Rules (docs/methodology-items.md):

* "better"/"worse" only when the (adjusted) p is **strictly** below ``alpha`` **and** the CI
  excludes 0 (a CI touching 0 does not); otherwise "no reliable difference" with the
  estimate, CI and p;
* untested / too few contacts: says so, gives no test and no CI;
* missing difference or CI: says that no comparison is possible;
* p is printed as ``p < 0.001`` (never ``p = 0``); rounding never moves p across ``alpha``
  (at most two extra decimals, else ``p < 0.050``); a p outside [0, 1] is an error;
* a CI bound that would print as 0.0 beside "better"/"worse" gets more decimals (at most
  two); if it still prints as 0 there is no claim;
* German numbers use a decimal comma; negative numbers use the minus sign "−" (U+2212).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["check_p", "describe_comparison", "format_number", "format_p"]

_MINUS = "\u2212"
_UNITS = {"points": {"de": "Punkte", "en": "points"},
          "pp": {"de": "Prozentpunkte", "en": "percentage points"},
          "hours": {"de": "Stunden", "en": "hours"}}
_NA = {"de": "k. A.", "en": "n/a"}


def _check_lang(lang: str) -> None:
    if lang not in ("de", "en"):
        raise ValueError(f"lang must be 'de' or 'en', got {lang!r}")


def _isnan(x: Any) -> bool:
    try:
        return x is None or math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def format_number(x: float | None, lang: str = "de", digits: int = 1) -> str:
    """Round ``x`` to ``digits`` decimals; decimal comma in German, "−" for negatives
    (a thin call into :func:`benchlib.fmt.number`; a missing value is "k. A." / "n/a" here,
    since it ends up inside a sentence).

    Examples
    --------
    >>> format_number(3.4567, "de", 2), format_number(-1234.5, "en"), format_number(-0.01)
    ('3,46', '−1234.5', '0,0')
    >>> format_number(float("nan"), "de"), format_number(None, "en")
    ('k. A.', 'n/a')
    """
    from benchlib import fmt  # the reports' one number formatter; only "k. A." is ours

    _check_lang(lang)
    if _isnan(x):
        return _NA[lang]
    return fmt.number(x, lang, digits)


P_TOL: float = 1e-9
"""p-values within this of [0, 1] (floating-point noise) are clipped; further out is an error."""


def check_p(p: float) -> float:
    """Return ``p`` as a float in [0, 1]; raise ``ValueError`` for an invalid p-value.

    NaN is passed through (a missing test); values within :data:`P_TOL` outside [0, 1] are
    clipped (floating-point noise of an adjustment); anything else outside is rejected.

    Examples
    --------
    >>> check_p(0.5), check_p(1 + 1e-12)
    (0.5, 1.0)
    >>> check_p(-0.2)
    Traceback (most recent call last):
    ...
    ValueError: p-value must be in [0, 1], got -0.2
    """
    try:
        x = float(p)
    except (TypeError, ValueError):
        raise ValueError(f"p-value must be a number in [0, 1], got {p!r}") from None
    if math.isnan(x):
        return x
    if not -P_TOL <= x <= 1 + P_TOL:
        raise ValueError(f"p-value must be in [0, 1], got {p!r}")
    return min(max(x, 0.0), 1.0)


def format_p(p: float | None, lang: str = "de", digits: int = 3,
             alpha: float | None = None) -> str:
    """Format a p-value: ``p < 0.001`` below 10^-digits, else ``p = 0.xyz``.

    A missing p (None or NaN: no test) is written ``p = n/a`` / ``p = k. A.``; a p outside
    [0, 1] (or not a number) raises ``ValueError`` (:func:`check_p`). With ``alpha`` given,
    rounding never moves p across ``alpha``: up to two more decimals are shown when rounding
    would put p on the other side (``p = 0.04996``), and if that is not enough the bound is
    written instead (``p < 0.050``) — never eight decimals.

    Examples
    --------
    >>> format_p(0.0004, "en"), format_p(0.0037, "de"), format_p(0.0, "en")
    ('p < 0.001', 'p = 0,004', 'p < 0.001')
    >>> format_p(0.04996, "en", alpha=0.05), format_p(0.05, "en", alpha=0.05)
    ('p = 0.04996', 'p = 0.050')
    >>> format_p(0.049999999, "en", alpha=0.05)
    'p < 0.050'
    >>> format_p(float("nan"), "de")
    'p = k. A.'
    """
    _check_lang(lang)
    if p is None:
        return f"p = {_NA[lang]}"
    p = check_p(p)
    if math.isnan(p):
        return f"p = {_NA[lang]}"
    floor = 10.0 ** -digits
    if p < floor:
        return "p < " + format_number(floor, lang, digits)
    d = digits
    if alpha is not None:
        while d < digits + 2 and (round(p, d) < alpha) != (p < alpha):
            d += 1
        if (round(p, d) < alpha) != (p < alpha):
            return "p < " + format_number(alpha, lang, digits)
    return "p = " + format_number(p, lang, d)


def _get(result: Any, *keys: str) -> Any:
    """First present key/attribute of ``keys`` in a mapping, Series or dataclass."""
    for k in keys:
        if isinstance(result, Mapping) or hasattr(result, "index"):
            if k in result:
                return result[k]
        elif hasattr(result, k):
            return getattr(result, k)
    return None


def _p_value(result: Any, p_key: str | None) -> Any:
    if p_key is not None:
        return _get(result, p_key)
    return _get(result, "p_holm", "p_fdr", "p_adj", "p")


_TEXT = {
    "en": {"ci": "{level}% CI {lo} to {hi}",
           "better": "{a} is {d} {unit} better than {b} ({ci}; {p}).",
           "worse": "{a} is {d} {unit} worse than {b} ({ci}; {p}).",
           "none": "No reliable difference between {a} and {b}: {d} {unit} ({ci}; {p}).",
           "few": "Too few contacts to compare {a} with {b}{n}; not tested.",
           "missing": "No comparison of {a} with {b} possible: the difference or its "
                      "confidence interval is missing.",
           "n": " (n = {na} and {nb})"},
    "de": {"ci": "{level}-%-KI {lo} bis {hi}",
           "better": "{a} ist um {d} {unit} besser als {b} ({ci}; {p}).",
           "worse": "{a} ist um {d} {unit} schlechter als {b} ({ci}; {p}).",
           "none": "Kein belastbarer Unterschied zwischen {a} und {b}: {d} {unit} ({ci}; {p}).",
           "few": "Zu wenige Kontakte für einen Vergleich von {a} mit {b}{n}; nicht getestet.",
           "missing": "Kein Vergleich von {a} mit {b} möglich: Differenz oder "
                      "Konfidenzintervall fehlt.",
           "n": " (n = {na} und {nb})"},
}


def _as_mapping(result: Any) -> Any:
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        # shallow: asdict() would deep-copy a fitted model held by the result
        return {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    return result


def describe_comparison(
    result: Any,
    lang: str = "de",
    label_a: str | None = None,
    label_b: str | None = None,
    unit: str = "points",
    alpha: float = 0.05,
    p_key: str | None = None,
    scale: float = 1.0,
    digits: int = 1,
    higher_is_better: bool = True,
) -> str:
    """Turn one comparison (A − B) into one sentence that never overclaims.

    Parameters
    ----------
    result : mapping, Series or dataclass
        Needs ``diff, ci_low, ci_high`` and a p-value; optional ``tested`` / ``too_few``
        flags, ``n_shop``/``n_comp`` (or ``n_a``/``n_b``) and labels (``shop``/``competitor``,
        ``label_a``/``label_b``, ``company``/``previous``).
    lang : {"de", "en"}
    label_a, label_b : str, optional
        Names of the two sides; default from ``result``.
    unit : str
        ``"points"``, ``"pp"`` (percentage points), ``"hours"`` or any literal text.
    alpha : float
        The p-value must be strictly below ``alpha`` (and the CI exclude 0) for
        "better"/"worse".
    p_key : str, optional
        Which p to use; default the first present of ``p_holm, p_fdr, p_adj, p`` (an adjusted
        p when the table has one).
    scale : float
        Multiplies diff and CI (``100`` turns a difference of shares into percentage points).
    digits : int
        Decimals of diff and CI.
    higher_is_better : bool
        ``False`` for e.g. response times or school grades (a negative difference is better).

    Examples
    --------
    >>> r = {"diff": 3.4, "ci_low": 1.2, "ci_high": 5.6, "p_holm": 0.004, "shop": "Shop",
    ...      "competitor": "Mitbewerber A"}
    >>> describe_comparison(r)
    'Shop ist um 3,4 Punkte besser als Mitbewerber A (95-%-KI 1,2 bis 5,6; p = 0,004).'
    >>> describe_comparison(r | {"ci_low": 0.0}, lang="en")
    'No reliable difference between Shop and Mitbewerber A: 3.4 points (95% CI 0.0 to 5.6; p = 0.004).'
    """
    _check_lang(lang)
    r = _as_mapping(result)
    t = _TEXT[lang]
    a = label_a or _get(r, "label_a", "shop", "company", "group_a") or "A"
    b = label_b or _get(r, "label_b", "competitor", "previous", "group_b") or "B"
    unit_text = _UNITS.get(unit, {}).get(lang, unit)
    tested, too_few = _get(r, "tested"), _get(r, "too_few")
    if (not _isnan(tested) and not bool(tested)) or (not _isnan(too_few) and bool(too_few)):
        na, nb = _get(r, "n_shop", "n_a", "n_wave"), _get(r, "n_comp", "n_b", "n_prev")
        n = "" if _isnan(na) or _isnan(nb) else t["n"].format(na=int(na), nb=int(nb))
        return t["few"].format(a=a, b=b, n=n)
    diff, lo, hi = (_get(r, k) for k in ("diff", "ci_low", "ci_high"))
    if any(_isnan(v) for v in (diff, lo, hi)):
        return t["missing"].format(a=a, b=b)
    diff, lo, hi = float(diff) * scale, float(lo) * scale, float(hi) * scale
    p = _p_value(r, p_key)
    reliable = not _isnan(p) and check_p(p) < alpha and (lo > 0 or hi < 0) and diff * lo > 0
    d_ci = digits
    if reliable:  # a bound shown as 0.0 would read as touching 0: more decimals, or no claim
        while d_ci < digits + 2 and 0 in (round(lo, d_ci), round(hi, d_ci)):
            d_ci += 1
        reliable = 0 not in (round(lo, d_ci), round(hi, d_ci))
        d_ci = d_ci if reliable else digits
    ci = t["ci"].format(level=format_number(100 * (1 - alpha), lang, 0),
                        lo=format_number(lo, lang, d_ci), hi=format_number(hi, lang, d_ci))
    p_text = format_p(p, lang, alpha=alpha)
    if not reliable:
        return t["none"].format(a=a, b=b, d=format_number(diff, lang, digits), unit=unit_text,
                                ci=ci, p=p_text)
    d = digits
    while d < 4 and round(abs(diff), d) == 0:
        d += 1
    better = (diff > 0) == higher_is_better
    return t["better" if better else "worse"].format(
        a=a, b=b, d=format_number(abs(diff), lang, d), unit=unit_text, ci=ci, p=p_text)
