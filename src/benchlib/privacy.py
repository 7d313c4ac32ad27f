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
from collections.abc import Iterable
from pathlib import Path

from benchlib.config import Settings, normalise_token
from benchlib.errors import ConfigError

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"(?<![\w])(?:\+|00)?\d[\d /().-]{5,}\d(?![\w])")


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


def name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """Regex matching full names and their parts of >= 3 letters (word-bounded, any case)."""
    parts: set[str] = set()
    for n in names:
        n = " ".join(str(n).split())
        if not n:
            continue
        parts.add(n)
        parts.update(p for p in re.split(r"[\s.-]+", n) if len(p) >= 3)
    if not parts:
        return None
    alt = "|".join(re.escape(p) for p in sorted(parts, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alt})(?!\w)", re.IGNORECASE)


def scrub(text: str, names: Iterable[str] = (), pattern: re.Pattern[str] | None = None) -> str:
    """Replace agent names, e-mail addresses and phone numbers in free text."""
    pat = pattern if pattern is not None else name_pattern(names)
    out = EMAIL_RE.sub("[E-Mail]", str(text))
    out = PHONE_RE.sub("[Telefon]", out)
    if pat is not None:
        out = pat.sub("[Name]", out)
    return out
