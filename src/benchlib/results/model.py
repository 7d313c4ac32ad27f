"""The results artefact of one wave: a frozen container, written to and read from results.json.

:class:`WaveResults` holds ``meta`` (plain JSON values: ids, settings, counts, single
estimates, the multiplicity policy, what could not be computed and why) and ``tables``
(tidy DataFrames, unrounded, company/dimension/item *ids*, no text of any language). It is
language-independent: German and English reports render the same object.

``results.json`` is ``meta`` plus ``tables`` as ``{"columns": [...], "rows": [{...}]}``,
keys sorted, NaN as ``null``. :func:`load` gives back an equal object (:func:`compute_wave
<benchlib.results.compute_wave>` itself returns the round-tripped object, so a report
rendered from a computed result and one rendered from the file are the same).

>>> r = WaveResults({"wave": "w1", "names": {"a": "A"}}, {"t": pd.DataFrame({"x": [1.5]})})
>>> r.wave, r.t["x"].tolist(), r.name("a"), from_json_dict(r.to_json_dict()).t.equals(r.t)
('w1', [1.5], 'A', True)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["FORMAT", "WaveResults", "from_json_dict", "jsonable", "load", "write"]

FORMAT = 1
"""Version of the results.json layout (bumped when a reader would misread an older file)."""


@dataclass(frozen=True, eq=False)
class WaveResults:
    """Every number the reports of one wave show (see the module docstring).

    Attribute access reaches both parts: ``res.wave`` is ``res.meta["wave"]``,
    ``res.companies`` is ``res.tables["companies"]``.
    """

    meta: dict[str, Any]
    tables: dict[str, pd.DataFrame]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        meta = object.__getattribute__(self, "meta")
        tables = object.__getattribute__(self, "tables")
        if name in tables:
            return tables[name]
        if name in meta:
            return meta[name]
        raise AttributeError(f"WaveResults has no table or field {name!r}")

    def name(self, company: str) -> str:
        """Display name of a company id (names are configuration, the same in every language)."""
        return self.meta["names"].get(company, company)

    def available(self, section: str) -> bool:
        """False when ``section`` could not be computed (``meta["unavailable"]`` says why)."""
        return section not in self.meta.get("unavailable", {})

    def to_json_dict(self) -> dict[str, Any]:
        """The ``results.json`` content: plain Python types, unrounded, NaN → None."""
        tables = {str(name): {"columns": [str(c) for c in df.columns],
                              "rows": [jsonable(r) for r in df.to_dict("records")]}
                  for name, df in self.tables.items()}  # plain already: not walked again
        return {"format": FORMAT, **jsonable(self.meta), "tables": tables}


def from_json_dict(doc: dict[str, Any]) -> WaveResults:
    """The :class:`WaveResults` of a ``results.json`` document."""
    doc = dict(doc)
    fmt = doc.pop("format", FORMAT)
    if fmt != FORMAT:
        raise ValueError(f"results.json format {fmt} is not {FORMAT}: rebuild the wave's results")
    raw = doc.pop("tables", {})
    tables = {name: pd.DataFrame.from_records(t["rows"], columns=t["columns"]) if t["rows"]
              else pd.DataFrame(columns=t["columns"]) for name, t in raw.items()}
    return WaveResults(meta=doc, tables=tables)


def write(results: WaveResults, path: Path | str) -> Path:
    """Write ``results.json`` atomically (sorted keys, NaN → null); returns the path."""
    from benchlib.atomic import write_json

    path = Path(path)
    write_json(path, results.to_json_dict())
    return path


def load(path: Path | str) -> WaveResults:
    """Read a ``results.json`` written by :func:`write`."""
    return from_json_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def jsonable(x: Any) -> Any:
    """``x`` as plain JSON types: numpy scalars unwrapped, NaN/NA → None, tuples → lists.

    >>> import numpy as np
    >>> jsonable({"a": (np.int64(1), float("nan")), 2: pd.NA})
    {'a': [1, None], '2': None}
    """
    t = type(x)  # the plain types first: a results.json has ~10⁵ of them
    if t is str or t is int or t is bool:
        return x
    if t is float:
        return None if math.isnan(x) or math.isinf(x) else x
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in x]
    if isinstance(x, pd.Timestamp):
        return x.isoformat()
    if hasattr(x, "isoformat") and not isinstance(x, str):
        return x.isoformat()
    if hasattr(x, "item") and not isinstance(x, (str, bytes)):
        x = x.item()
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return None
    return x
