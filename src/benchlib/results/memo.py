"""An in-process memory of computed wave results, keyed by what they are computed from.

:func:`benchlib.results.compute_wave` is a pure function of the configuration, the processed
tables and the wave (plus the library's code, fixed within a process). Recomputing it for the
same inputs — a notebook cell run again, a second report language, the next test — costs
seconds and returns the same numbers, so it is remembered here:

* the key hashes the configuration (its ``repr``: frozen dataclasses, deterministic), the
  processed generation (its folder and ``manifest.json``: a generation is never changed once
  written) and the content of the study's processed tables as it holds them in memory (an
  analyst may have edited ``study.contacts`` in place; reading them is work the computation
  does anyway, hashing them costs a few per cent of it);
* every hit is a private deep copy, so a caller that changes what it got changes nothing here;
* at most :data:`SIZE` results are kept (least recently used dropped).

The build time in ``provenance`` is not part of the computation: the caller renews it.

>>> put("k", {"n": 1}); got = get("k"); got["n"] = 2; get("k")
{'n': 1}
>>> get("unknown") is None
True
"""

from __future__ import annotations

import copy
import hashlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

from benchlib.errors import BenchlibError

__all__ = ["SIZE", "clear", "get", "key", "put"]

SIZE = 16
"""Results kept (a study of 8 waves in a session fits twice)."""

TABLES = ("contacts", "items", "calibration", "calibration_items")
"""Processed tables a :class:`benchlib.study.Study` caches in memory once read."""

_STORE: OrderedDict[str, Any] = OrderedDict()


def key(study: Any, wave: str) -> str | None:
    """The content key of ``wave``'s results of ``study`` (hex SHA-256); None when a table
    in memory cannot be hashed (then nothing is remembered)."""
    try:
        return _key(study, wave)
    except (TypeError, ValueError):  # e.g. an unhashable object put into a table
        return None


def _key(study: Any, wave: str) -> str:
    import pandas as pd

    h = hashlib.sha256()
    h.update(wave.encode())
    h.update(repr(study.config).encode())
    processed = Path(study.processed)
    h.update(str(processed.resolve()).encode())
    manifest = processed / "manifest.json"
    if manifest.is_file():
        h.update(manifest.read_bytes())
    for name in TABLES:  # the tables as the study holds them (they may be changed in memory)
        try:
            table = getattr(study, name)
        except BenchlibError:  # not written for this study (e.g. no calibration)
            continue
        h.update(name.encode())
        h.update(",".join(map(str, table.columns)).encode())
        h.update(pd.util.hash_pandas_object(table, index=True).to_numpy().tobytes())
    return h.hexdigest()


def get(k: str | None) -> Any:
    """A deep copy of the result remembered under ``k``, or None."""
    if k is None or k not in _STORE:
        return None
    _STORE.move_to_end(k)
    return copy.deepcopy(_STORE[k])


def put(k: str | None, value: Any) -> None:
    """Remember a deep copy of ``value`` under ``k`` (``None``: remember nothing)."""
    if k is None:
        return
    _STORE[k] = copy.deepcopy(value)
    _STORE.move_to_end(k)
    while len(_STORE) > SIZE:
        _STORE.popitem(last=False)


def clear() -> None:
    """Forget every result."""
    _STORE.clear()
