"""Privacy by design: keyed agent pseudonyms and scrubbing of free text.

Agent names noted by shoppers become ``AG-`` + the first 10 hex digits of
HMAC-SHA256(key, normalised name) before anything is written. The key comes from the
environment variable named in ``config/study.yaml`` (default ``BENCHLIB_PSEUDONYM_KEY``) or
from a key file outside the repository; the fictional example study may set a documented
demo key. A real study without a key stops with an error: there is no silent default.

>>> pseudonym("Sabine Schneider", b"k") == pseudonym("  sabine   SCHNEIDER ", b"k")
True
>>> pseudonym("Sabine Schneider", b"k")[:3]
'AG-'
>>> scrub("Frau Schneider: 0171 2345678, a@b.de", ["Sabine Schneider"])
'Frau [Name]: [Telefon], [E-Mail]'
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from benchlib.config import Settings, normalise_token
from benchlib.errors import ConfigError

EMAIL_RE = re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\.[\w-]+)+")
SHORTENED_RE = re.compile(r"… \(\d+ characters\)$")  # marker of a shortened cell (clean._shown)
PHONE_RE = re.compile(r"(?<![\w(])(?:\+|00|\()?\d[\d /().-]{5,}\d(?![\w])")


def pseudonym_key(settings: Settings, root: Path) -> bytes:
    """The HMAC key: environment, then key file (outside the repo), then the demo key."""
    env = os.environ.get(settings.pseudonym_key_env, "")
    if env:
        return env.encode()
    if settings.pseudonym_key_file:
        p = Path(os.path.expanduser(settings.pseudonym_key_file))
        if p.resolve().is_relative_to(root.resolve()):
            raise ConfigError("config/study.yaml", "settings.pseudonym_key_file",
                              "the key file must live outside the repository")
        if not p.is_file():
            raise ConfigError("config/study.yaml", "settings.pseudonym_key_file",
                              f"key file {p} not found")
        return p.read_bytes().strip()
    if settings.demo_pseudonym_key:
        return settings.demo_pseudonym_key.encode()
    raise ConfigError("config/study.yaml", "settings.pseudonym_key_env",
                      f"no pseudonym key: set the environment variable "
                      f"{settings.pseudonym_key_env} (or settings.pseudonym_key_file)")


def pseudonym(name: str, key: bytes) -> str:
    """Stable keyed pseudonym of an agent name (case/space-insensitive)."""
    digest = hmac.new(key, normalise_token(name).encode(), hashlib.sha256).hexdigest()
    return "AG-" + digest[:10]


SALUTATIONS = ("herr", "herrn", "frau", "hr", "fr", "mr", "mrs", "ms", "miss", "dr", "prof",
               "monsieur", "madame", "signor", "signora", "senor", "senora")
_ORG_WORDS = frozenset({
    "gmbh", "ag", "kg", "ohg", "se", "ug", "mbh", "ltd", "inc", "llc", "co", "corp", "plc",
    "sa", "sarl", "bv", "nv", "ab", "as", "oy", "group", "gruppe", "service", "services",
    "team", "shop", "store", "online", "support", "kundenservice", "kundendienst", "center",
    "centre", "zentrale", "handel", "markt", "international", "holding", "und", "and"})
_PARTICLES = frozenset({"von", "van", "de", "der", "den", "zu", "di", "da", "del", "la", "le",
                        "ten", "ter", "vom", "zum", "bin", "al", "el"})
_APOSTROPHES = "\u2019\u2018`\u00b4\u02bc\u2032"
_TRANSLIT = {"\u00f8": "o", "\u0111": "d", "\u0142": "l", "\u00fe": "th", "\u0131": "i",
             "\u00e6": "ae", "\u0153": "oe"}
_NAME_WORD = re.compile(r"^(?:[^\W\d_][.]|[^\W\d_](?:[^\W\d_]|['-](?=[^\W\d_]))+)$")
_GENITIVE = r"(?:'s|s'|'|s)?"
_DATE_LIKE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")


def _fold_map(text: str) -> tuple[str, list[int], list[int]]:
    """Folded text plus, per folded character, the original start and end index."""
    chars, starts, ends = [], [], []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKD", ch):
            if unicodedata.combining(c):
                continue
            for cc in _TRANSLIT.get(c.casefold(), c.casefold()):
                chars.append("'" if cc in _APOSTROPHES else cc)
                starts.append(i)
                ends.append(i + 1)
    out_c, out_s, out_e = [], [], []
    j = 0
    while j < len(chars):  # ae/oe/ue -> a/o/u: Mueller == Müller == Muller
        if chars[j] in "aou" and j + 1 < len(chars) and chars[j + 1] == "e":
            out_c.append(chars[j])
            out_s.append(starts[j])
            out_e.append(ends[j + 1])
            j += 2
            continue
        out_c.append(chars[j])
        out_s.append(starts[j])
        out_e.append(ends[j])
        j += 1
    return "".join(out_c), out_s, out_e


def fold(text: str) -> str:
    """The form names are compared in: NFKC/NFD-, case-, accent- and ß/ss-, ü/ue-insensitive.

    >>> fold("Müller") == fold("MUELLER") == fold("Mu\u0308ller") == fold("muller")
    True
    >>> fold("Strauß") == fold("STRAUSS"), fold("Ｓｃｈｕｌｚ") == fold("Schulz")
    (True, True)
    """
    return _fold_map(str(text))[0]


class NameScrubber:
    """Finds the names of known people in any text, however they are spelt.

    Full names and their parts of three letters or more match anywhere (as words, with an
    optional genitive ``s``/``'s``/``'``); a shorter part (a surname like "Li") matches after
    a salutation (Frau, Herr, Mr, Dr …) or, capitalised as in the name, on its own.

    >>> s = NameScrubber(["Jörg Weiß", "Anna Li"])
    >>> s.scrub("Joergs Antwort; Herr WEISS und Frau Li halfen, LI auch, ein Lied")
    '[Name] Antwort; Herr [Name] und Frau [Name] halfen, LI auch, ein Lied'
    >>> s.mentions("Wei\u0308ss"), s.mentions("Weiß's"), s.mentions("ganz weit")
    (True, True, False)
    """

    def __init__(self, names: Iterable[str]) -> None:
        full, long_parts, short_parts = set(), set(), set()
        for n in names:
            n = " ".join(str(n).split())
            if not n or n.lower() in ("nan", "none"):
                continue
            f = fold(n)
            if len(f) >= 2:
                full.add(r"\s+".join(re.escape(w) for w in f.split()))
            words = f.split()
            parts = [p for w in words for p in re.split(r"[.'-]+", w)]
            parts += [re.sub(r"[.'-]", "", w) for w in words]  # D'Arcy -> darcy too
            for part in parts:
                if not part or part in _PARTICLES:
                    continue
                (long_parts if len(part) >= 3 else short_parts).add(part)
        self.short = short_parts
        alts = sorted(full | {re.escape(p) for p in long_parts}, key=len, reverse=True)
        self._long = re.compile(rf"(?<!\w)(?:{'|'.join(alts)}){_GENITIVE}(?!\w)") if alts else None
        shorts = "|".join(re.escape(p) for p in sorted(short_parts, key=len, reverse=True))
        sal = "|".join(SALUTATIONS)
        self._short = (re.compile(rf"(?<!\w)(?:(?P<sal>(?:{sal})\.?\s+))?(?P<n>{shorts})"
                                  rf"{_GENITIVE}(?!\w)") if shorts else None)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every name in ``text`` (original indices), sorted, merged."""
        folded, starts, ends = _fold_map(text)
        found = []
        if self._long is not None:
            found += [(m.start(), m.end()) for m in self._long.finditer(folded)]
        if self._short is not None:
            for m in self._short.finditer(folded):
                a, b = m.start("n"), m.end()
                original = text[starts[a]:ends[m.end("n") - 1]]
                if m.group("sal") or (original[:1].isupper() and not original.isupper()):
                    found.append((a, b))
        merged: list[list[int]] = []
        for a, b in sorted((starts[a], ends[b - 1]) for a, b in found if b > a):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        return [(a, b) for a, b in merged]

    def mentions(self, text: str) -> bool:
        """Whether ``text`` names a known person."""
        return bool(self.spans(str(text)))

    def scrub(self, text: str, mask: str = "[Name]") -> str:
        """``text`` with every known name replaced by ``mask``."""
        text = str(text)
        out, last = [], 0
        for a, b in self.spans(text):
            out += [text[last:a], mask]
            last = b
        return "".join(out) + text[last:]


def name_pattern(names: Iterable[str]) -> NameScrubber | None:
    """A :class:`NameScrubber` for ``names`` (None when there are none)."""
    s = NameScrubber(names)
    return s if (s._long is not None or s._short is not None) else None


def looks_like_person_name(value: str, names: Iterable[str] | NameScrubber = (),
                           allowed: Iterable[str] = ()) -> bool:
    """Whether a cell value is (probably) a person's name rather than a code or category.

    True when it names a known person (``names``), or when it has the shape of a name:
    an optional salutation and two to four capitalised words (initials and particles like
    "von" allowed), none a word of an organisation (GmbH, Service …). ``allowed`` values
    (configured company names, aliases, codes) are never names. Used to withhold values in
    quarantine records and to refuse names in the evaluator column.

    >>> [looks_like_person_name(v) for v in ("Sabine Schneider", "Frau Li", "E05",
    ...  "Voltera GmbH", "k.A.", "Hans-Peter von Bülow", "ja", "Kundenservice Nord")]
    [True, True, False, False, False, True, False, False]
    >>> looks_like_person_name("schneider", ["Sabine Schneider"])
    True
    >>> looks_like_person_name("Müller, Jan"), looks_like_person_name("Berger")
    (True, False)
    """
    v = " ".join(str(value).split())
    if not v or len(v) > 80 or any(ch.isdigit() for ch in v):
        return False
    surname, comma, given = v.partition(",")
    if comma and surname.strip() and given.strip() and "," not in given:
        v = f"{given.strip()} {surname.strip()}"  # "Berger, Anna" as written in lists
    if fold(v) in {fold(a) for a in allowed}:
        return False
    scrubber = names if isinstance(names, NameScrubber) else name_pattern(names)
    if scrubber is not None and scrubber.mentions(v):
        return True
    words = v.split(" ")
    titled = 0
    while titled < len(words) - 1 and fold(words[titled]).rstrip(".") in SALUTATIONS:
        titled += 1
    if titled:
        rest = words[titled:]
        return len(rest) <= 3 and all(_NAME_WORD.match(w) for w in rest)
    if not 2 <= len(words) <= 4:
        return False
    capitalised = 0
    for w in words:
        if fold(w).rstrip(".") in _ORG_WORDS or not _NAME_WORD.match(w):
            return False
        if w.lower() in _PARTICLES:
            continue
        if not w[0].isupper() or (len(w) > 2 and w.isupper()):
            return False
        capitalised += 1
    return capitalised >= 2


def _is_phone(match: re.Match[str]) -> bool:
    t = match.group(0)
    before = match.string[max(0, match.start() - 2):match.start()]
    if before.endswith(("-", "_", "/")) and before[:1].isalnum():
        return False  # part of a code like FH-202604-0001
    digits = sum(ch.isdigit() for ch in t)
    return digits >= 7 and not _DATE_LIKE.match(t.strip()) and (
        t.lstrip("(").startswith(("+", "0")) or any(ch in t for ch in " /-")
        or ("(" in t and ")" in t))


def scrub(text: str, names: Iterable[str] = (), pattern: NameScrubber | None = None,
          strict_phones: bool = False) -> str:
    """Replace known names, e-mail addresses and phone numbers in free text.

    ``strict_phones`` keeps number-like values that are no phone numbers (dates, plain
    numbers): used for quarantine values, where a wrong date must stay readable.

    >>> scrub("am 03.02.2026, Tel. 0171/2345678", strict_phones=True)
    'am 03.02.2026, Tel. [Telefon]'
    """
    scrubber = pattern if pattern is not None else name_pattern(names)
    out = EMAIL_RE.sub("[E-Mail]", str(text))
    if strict_phones:
        out = PHONE_RE.sub(lambda m: "[Telefon]" if _is_phone(m) else m.group(0), out)
    else:
        out = PHONE_RE.sub("[Telefon]", out)
    if scrubber is not None:
        out = scrubber.scrub(out)
    return out


def scrub_value(value: str, scrubber: NameScrubber | None, allowed: Iterable[str] = ()) -> str:
    """A raw cell value as any output may show it: a name-like value is withheld whole,
    anything else scrubbed of names, e-mail addresses and phone numbers.

    The length marker of a shortened huge cell (``… (N characters)``) is kept as such, not
    mistaken for a phone number.

    >>> scrub_value("Sabine Schneider", None), scrub_value("12.13.2026", None)
    ('[Name]', '12.13.2026')
    >>> scrub_value("xx… (1048576 characters)", None)
    'xx… (1048576 characters)'
    """
    text, marker = str(value), ""
    m = SHORTENED_RE.search(text)
    if m:
        text, marker = text[:m.start()], m.group(0)
    text = scrub(text, strict_phones=True)  # e-mail addresses and phone numbers first
    if looks_like_person_name(text, scrubber if scrubber is not None else (), allowed):
        return "[Name]"
    return (scrubber.scrub(text) if scrubber is not None else text) + marker


def scrub_quarantine(quarantine, results, allowed: Iterable[str] = ()):
    """The quarantine table with every value scrubbed (:func:`scrub_value`); the names
    known are the agent names of every row read (``FileResult.names``)."""
    names = set().union(*(getattr(r, "names", frozenset()) for r in results)) if results \
        else set()
    scrubber = name_pattern(n for n in names if str(n).strip())
    allowed = tuple(allowed)
    if not len(quarantine):
        return quarantine
    out = quarantine.copy()
    cache: dict[str, str] = {}

    def one(v, cid):
        if not isinstance(v, str) or v == cid:  # the contact id is shown as such anyway
            return v
        if v not in cache:
            cache[v] = scrub_value(v, scrubber, allowed)
        return cache[v]

    out["value"] = [one(v, c) for v, c in zip(out["value"], out["contact_id"], strict=True)]
    return out
