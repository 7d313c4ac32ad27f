"""An in-process memory of computed wave results, keyed by what they are computed from.

:func:`benchlib.results.compute_wave` is a pure function of the configuration, the processed
tables and the wave (plus the library's code, fixed within a process). Recomputing it for the
same inputs — a notebook cell run again, a second report language, the next test — costs
seconds and returns the same numbers, so it is remembered here:

* the key hashes the configuration (its ``repr``: frozen dataclasses, deterministic; not its
  folder: a copy of a project computes the same, see the byte-identity tests), the processed
  generation (its ``manifest.json``: the hashes of every input, the configuration and the
  library; a generation is never changed once written) and the content of the study's processed tables as it holds them in memory (an
  analyst may have edited ``study.contacts`` in place; reading them is work the computation
  does anyway, hashing them costs a few per cent of it);
* every hit is a private deep copy, so a caller that changes what it got changes nothing here;
* at most :data:`SIZE` results are kept (least recently used dropped).

The build time in ``provenance`` is not part of the computation: the caller renews it.

:func:`persist_to` adds a folder that processes share (a test session's workers): a result
missing in memory is read from there, and every new one is written there (atomically, as
results.json is), under a key that also hashes the library's code.

>>> put("k", {"n": 1}); got = get("k"); got["n"] = 2; get("k")
{'n': 1}
>>> get("unknown") is None
True
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

from benchlib.errors import BenchlibError

__all__ = ["SIZE", "clear", "get", "key", "persist_to", "put"]

SIZE = 16
"""Results kept (a study of 8 waves in a session fits twice)."""

TABLES = ("contacts", "items", "calibration", "calibration_items")
"""Processed tables a :class:`benchlib.study.Study` caches in memory once read."""

_STORE: OrderedDict[str, Any] = OrderedDict()
_FOLDER: Path | None = None


def persist_to(folder: Path | str | None) -> None:
    """Share results through ``folder`` too (None: memory only).

    >>> persist_to(None)
    """
    global _FOLDER
    _FOLDER = Path(folder) if folder is not None else None
    if _FOLDER is not None:
        _FOLDER.mkdir(parents=True, exist_ok=True)


@functools.cache
def _library() -> str:
    from benchlib.report import library_hash

    return library_hash()  # the code is fixed within a process


def _file(k: str) -> Path | None:
    if _FOLDER is None:
        return None
    return _FOLDER / (hashlib.sha256(f"{k}\0{_library()}".encode()).hexdigest() + ".json")


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
    cfg = study.config  # everything but where the project lies: a copy computes the same
    h.update(repr([(f.name, getattr(cfg, f.name)) for f in dataclasses.fields(cfg)
                   if f.name != "root"]).encode())
    manifest = Path(study.processed) / "manifest.json"
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
    if k is None:
        return None
    if k not in _STORE:
        path = _file(k)
        if path is None or not path.is_file():
            return None
        from benchlib.results.model import load

        _STORE[k] = load(path)
    _STORE.move_to_end(k)
    return copy.deepcopy(_STORE[k])


def put(k: str | None, value: Any) -> None:
    """Remember a deep copy of ``value`` under ``k`` (``None``: remember nothing)."""
    if k is None:
        return
    _STORE[k] = copy.deepcopy(value)
    _STORE.move_to_end(k)
    path = _file(k)
    if path is not None and hasattr(value, "to_json_dict"):
        from benchlib.results.model import write

        write(value, path)
    while len(_STORE) > SIZE:
        _STORE.popitem(last=False)


def clear() -> None:
    """Forget every result."""
    _STORE.clear()
