"""An in-process memory of computed wave results, keyed by what they are computed from.

:func:`benchlib.results.compute_wave` is a pure function of the configuration, the processed
tables and the wave (plus the library's code, fixed within a process). Recomputing it for the
same inputs — a notebook cell run again, a second report language, the next test — costs
seconds and returns the same numbers, so it is remembered here:

* the key hashes the configuration (its ``repr``: frozen dataclasses, deterministic; not its
  folder: a copy of a project computes the same, see the byte-identity tests), the processed
  generation (its ``manifest.json`` but its build time: the hashes of every input, the
  configuration and the library; a generation is never changed once written) and the content of the study's processed tables as it holds them in memory (an
  analyst may have edited ``study.contacts`` in place; reading them is work the computation
  does anyway, hashing them costs a few per cent of it);
* every hit is a private deep copy, so a caller that changes what it got changes nothing here;
* at most :data:`SIZE` results are kept (least recently used dropped).

The build time in ``provenance`` is not part of the computation: the caller renews it.

:func:`persist_to` adds a folder that processes share (a test session's workers): a result
missing in memory is read from there, and every new one is written there (atomically, as
results.json is; a plain dict of JSON types too), under a key that also hashes the library's
code. While one process computes a value, another that needs it waits for it (a lock file
per key) instead of computing it as well.

>>> put("k", {"n": 1}); got = get("k"); got["n"] = 2; get("k")
{'n': 1}
>>> get("unknown") is None
True
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchlib.errors import BenchlibError

__all__ = ["SIZE", "canonical", "clear", "get", "key", "persist_to", "put", "remembered", "sharing"]

SIZE = 32
"""Values kept: a study of 8 waves' results and headline verdicts fit twice."""

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


@contextlib.contextmanager
def sharing() -> Iterator[None]:
    """Share values between the processes forked inside this block (a report build's job
    pool: each wave's results job then computes an earlier wave's headline verdicts only
    when no other job has), through a temporary folder removed afterwards. A folder already
    set (:func:`persist_to`) is kept.

    >>> from benchlib.results import memo
    >>> with memo.sharing():
    ...     memo._FOLDER.is_dir()
    True
    """
    if _FOLDER is not None:
        yield
        return
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="benchlib-memo-")
    persist_to(folder)
    try:
        yield
    finally:
        persist_to(None)
        shutil.rmtree(folder, ignore_errors=True)


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
    h = hashlib.sha256()
    h.update(wave.encode())
    cfg = study.config  # everything but where the project lies: a copy computes the same
    h.update(repr([(f.name, canonical(getattr(cfg, f.name))) for f in dataclasses.fields(cfg)
                   if f.name != "root"]).encode())
    manifest = Path(study.processed) / "manifest.json"
    if manifest.is_file():  # its inputs' hashes; not when it was built (a copy computes the same)
        facts = json.loads(manifest.read_bytes())
        facts.pop("built_at", None)
        h.update(json.dumps(facts, sort_keys=True).encode())
    for name in TABLES:  # the tables as the study holds them (they may be changed in memory)
        try:
            table = getattr(study, name)
        except BenchlibError:  # not written for this study (e.g. no calibration)
            continue
        h.update(name.encode())
        h.update(",".join(map(str, table.columns)).encode())
        _digest_frame(h, table)
    return h.hexdigest()


def _digest_frame(h: Any, table: Any) -> None:
    """Feed ``table``'s index and every column, with its dtype, to the hash ``h``.

    Columns are read as the bytes they are held in (numpy data, a categorical's codes and
    categories, Arrow buffers, a masked array's data and mask): ~20× cheaper than
    :func:`pandas.util.hash_pandas_object`, and every change of a value changes those bytes.
    A column of Python objects is hashed value by value (an unhashable one: TypeError).

    >>> import hashlib, pandas as pd
    >>> def digest(t):
    ...     h = hashlib.sha256(); _digest_frame(h, t); return h.hexdigest()[:8]
    >>> t = pd.DataFrame({"a": [1.0, 2.0], "b": pd.Series(["x", None], dtype="str")})
    >>> u = t.copy(); u.loc[1, "b"] = "y"
    >>> digest(t) == digest(t.copy()), digest(t) == digest(u)
    (True, False)
    """
    import pandas as pd

    index = table.index
    if isinstance(index, pd.RangeIndex):
        h.update(repr(("range", index.start, index.stop, index.step)).encode())
    else:
        _digest_array(h, index.array)
    for _, col in table.items():
        _digest_array(h, col.array)


def _digest_array(h: Any, arr: Any) -> None:
    import numpy as np
    import pandas as pd

    h.update(f"\0{arr.dtype}:{len(arr)}\0".encode())
    if isinstance(arr, pd.Categorical):
        h.update(np.ascontiguousarray(arr.codes).tobytes())
        _digest_array(h, arr.categories.array)
    elif hasattr(arr, "_pa_array"):  # Arrow-backed (strings, …): the buffers as they are
        for chunk in arr._pa_array.chunks:
            h.update(repr((chunk.offset, len(chunk), chunk.null_count)).encode())
            for buf in chunk.buffers():
                h.update(b"-" if buf is None else memoryview(buf))
    elif hasattr(arr, "_mask") and hasattr(arr, "_data"):  # masked: Int64, boolean, …
        h.update(np.ascontiguousarray(arr._data).tobytes())
        h.update(np.ascontiguousarray(arr._mask).tobytes())
    else:
        values = np.asarray(arr)
        if values.dtype == object:
            values = pd.util.hash_array(values)  # TypeError when a value is unhashable
        h.update(np.ascontiguousarray(values).tobytes())


def canonical(x: Any) -> Any:
    """``x`` in a form whose ``repr`` is the same in every process: sets sorted, dataclasses
    and mappings as tuples of their fields and items (in their order). A set's order, and so
    its ``repr``, follows string hashing, which Python seeds anew in each interpreter: keyed
    by a plain ``repr``, two pytest-xdist workers would never share a result.

    >>> canonical({"b": frozenset({"y", "x"}), "a": (1, {2})})
    (('b', ('x', 'y')), ('a', (1, (2,))))
    """
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return (type(x).__name__,
                tuple((f.name, canonical(getattr(x, f.name))) for f in dataclasses.fields(x)))
    if isinstance(x, dict):  # insertion order is the file's order, the same everywhere
        return tuple((canonical(k), canonical(v)) for k, v in x.items())
    if isinstance(x, (set, frozenset)):
        return tuple(sorted((canonical(v) for v in x), key=repr))
    if isinstance(x, (list, tuple)):
        return tuple(canonical(v) for v in x)
    return x


def get(k: str | None) -> Any:
    """A deep copy of the result remembered under ``k``, or None."""
    if k is None:
        return None
    if k not in _STORE:
        path = _file(k)
        if path is None or not path.is_file():
            return None
        _STORE[k] = _read(path)
    _STORE.move_to_end(k)
    return copy.deepcopy(_STORE[k])


def put(k: str | None, value: Any) -> None:
    """Remember a deep copy of ``value`` under ``k`` (``None``: remember nothing)."""
    if k is None:
        return
    _STORE[k] = copy.deepcopy(value)
    _STORE.move_to_end(k)
    path = _file(k)
    if path is not None:
        _write(path, value)
    while len(_STORE) > SIZE:
        _STORE.popitem(last=False)


def _write(path: Path, value: Any) -> None:
    """Share ``value`` through ``path``: wave results as results.json holds them, a dict of
    JSON types as it is (anything else stays in this process)."""
    from benchlib.atomic import write_json

    if hasattr(value, "to_json_dict"):
        write_json(path, {"wave_results": value.to_json_dict()})
    elif isinstance(value, dict):
        write_json(path, {"json": value})


def _read(path: Path) -> Any:
    import json

    doc = json.loads(path.read_text(encoding="utf-8"))
    if "wave_results" in doc:
        from benchlib.results.model import from_json_dict

        return from_json_dict(doc["wave_results"])
    return doc["json"]


def remembered(kind: str, study: Any, wave: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, the ``kind`` of ``wave``'s results of ``study``, computed once per
    content key (:func:`key`; ``kind`` names what ``compute`` returns) and a deep copy after.

    >>> import benchlib
    >>> study, calls = benchlib.load_study(), []
    >>> [remembered("demo", study, "2026-10", lambda: calls.append(1) or {"n": 1})
    ...  for _ in "ab"]
    [{'n': 1}, {'n': 1}]
    >>> len(calls)
    1
    """
    k = key(study, wave)
    if k is None:
        return compute()
    k = f"{kind}\0{k}"
    hit = get(k)
    if hit is not None:
        return hit
    with _computing(k):  # another process computing the same: wait, then read its result
        hit = get(k)
        if hit is not None:
            return hit
        value = compute()
        put(k, value)
    return value


@contextlib.contextmanager
def _computing(k: str) -> Iterator[None]:
    """Hold the shared folder's lock of ``k`` (none without a folder or without ``fcntl``).

    A wave's results take the lock of its headline verdicts inside their own, never the
    reverse, so two processes cannot wait for each other."""
    path = _file(k)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: each process computes for itself
        fcntl = None
    if path is None or fcntl is None:
        yield
        return
    with path.with_suffix(".lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def clear() -> None:
    """Forget every result."""
    _STORE.clear()
