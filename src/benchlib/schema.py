"""The canonical contact table's value rules, built from the study configuration.

Parsing (:mod:`benchlib.parse`) turns strings into values; this schema then checks what a
value must satisfy: scale ranges and whole numbers, the date inside the wave's field period
and not in the future, the company in the wave's panel, a non-empty contact id, a comment of
sane length. Every failing cell is reported (one record per row and column), and
:func:`schema_problems` returns them as quarantine records.

The checks are vectorised, and those on repetitive columns (wave, company, evaluator) run
once per distinct value, so validating a million rows costs a few array operations.
Where a cell breaks two rules, the rule about the whole row wins: a date outside its wave's
field period is reported as such even when it is also in the future.

>>> from benchlib.config import load_config
>>> cfg = load_config()
>>> s = build_schema(cfg, ["politeness"])
>>> df = pd.DataFrame({"contact_id": ["a", "b"], "wave": ["2026-04"] * 2,
...                    "contact_date": pd.to_datetime(["2026-04-02", "2026-05-30"]),
...                    "company": ["voltera"] * 2, "evaluator": ["E01"] * 2,
...                    "comment": ["", ""], "v:politeness": [4.0, 7.0]})
>>> schema_problems(s, df)[["row", "column", "value"]].to_dict("records")
[{'row': 1, 'column': 'contact_date', 'value': '2026-05-30'}, {'row': 1, 'column': 'v:politeness', 'value': '7.0'}]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from benchlib.config import StudyConfig
from benchlib.scales import SCALES

MAX_COMMENT_CHARS = 5000
# valid values (a list) or range (a tuple) and the message, from benchlib.scales
SCALE_CHECKS = {name: (list(s.valid_values) if s.valid_values else (s.low, s.high), s.invalid)
                for name, s in SCALES.items()}
PERIOD = "expected a date inside the wave's field period"
PANEL = ("company is not in this wave's panel (see first_wave/last_wave in "
         "config/companies.yaml)")
FUTURE = "expected a date that is not in the future"
EMPTY_ID = "expected a non-empty contact id"
EMPTY_EVALUATOR = "expected an evaluator code"
LONG_COMMENT = f"expected a comment of at most {MAX_COMMENT_CHARS} characters"


@dataclass(frozen=True)
class ItemRule:
    """What a parsed item value (``v:<item>``) must be: one of ``values``, or inside
    ``[low, high]`` (and whole if ``whole``). An item with several scales in the grid (one
    per channel or grid version) is checked by its parser only (``message`` is None)."""

    values: tuple[float, ...] | None
    low: float
    high: float
    whole: bool
    message: str | None


@dataclass(frozen=True)
class Schema:
    """The rules of :func:`build_schema`; applied by :func:`schema_problems`."""

    periods: dict[str, tuple[pd.Timestamp, pd.Timestamp]]
    panel: frozenset[tuple[str, str]]
    today: pd.Timestamp
    items: dict[str, ItemRule]  # column (``v:<item>``) -> rule


def _item_rule(scales: set[str]) -> ItemRule:
    if len(scales) != 1:
        return ItemRule(None, -np.inf, np.inf, False, None)
    (scale,) = scales
    spec, msg = SCALE_CHECKS[scale]
    if isinstance(spec, list):
        return ItemRule(tuple(float(v) for v in spec), -np.inf, np.inf, False, msg)
    return ItemRule(None, float(spec[0]), float(spec[1]), bool(SCALES[scale].whole), msg)


def build_schema(cfg: StudyConfig, item_ids: Sequence[str], today: date | None = None
                 ) -> Schema:
    """The rules for a parsed export with the given item columns (``v:<item>``)."""
    periods = {w.id: (pd.Timestamp(w.start), pd.Timestamp(w.end)) for w in cfg.waves}
    panel = frozenset((w, c.id) for w in cfg.wave_ids for c in cfg.companies if c.active_in(w))
    scales: dict[str, set[str]] = {}
    for it in cfg.grid.items:
        scales.setdefault(it.id, set()).add(it.scale)
    items = {f"v:{iid}": _item_rule(scales[iid]) for iid in item_ids}
    return Schema(periods, panel, pd.Timestamp(today or date.today()), items)


def _per_distinct(values: pd.Series, fn) -> np.ndarray:
    """Boolean ``fn(value)`` decided once per distinct value (missing values: False)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    decided = np.array([bool(fn(u)) for u in uniques] + [False], dtype=bool)
    return decided[codes]  # code -1 (missing) takes the appended False


def _failures(schema: Schema, df: pd.DataFrame) -> list[tuple[np.ndarray, str, str]]:
    """(failing rows, column, expected) per rule, the row-level rules first."""
    out: list[tuple[np.ndarray, str, str]] = []
    n = len(df)
    date_s = df["contact_date"] if "contact_date" in df.columns else None
    d = (pd.to_datetime(date_s).to_numpy() if date_s is not None else None)
    if "wave" in df.columns:  # the waves, once for the period and the panel rules
        wcodes, wuniq = pd.factorize(df["wave"], use_na_sentinel=True)
    if d is not None and "wave" in df.columns:
        nat = np.datetime64("NaT")
        bounds = [schema.periods.get(w, (None, None)) for w in wuniq]
        lo = np.array([b[0].to_datetime64() if b[0] is not None else nat for b in bounds]
                      + [nat], dtype="datetime64[ns]").astype(d.dtype)[wcodes]
        hi = np.array([b[1].to_datetime64() if b[1] is not None else nat for b in bounds]
                      + [nat], dtype="datetime64[ns]").astype(d.dtype)[wcodes]
        inside = (d >= lo) & (d <= hi)  # False against NaT: a wave without a period fails
        out.append((~(np.isnat(d) | (wcodes < 0) | inside), "contact_date", PERIOD))
    if "wave" in df.columns and "company" in df.columns:
        ccodes, cuniq = pd.factorize(df["company"], use_na_sentinel=True)
        off = np.array([[(str(w), str(c)) not in schema.panel for c in cuniq]
                        for w in wuniq], dtype=bool).reshape(len(wuniq), len(cuniq))
        known = (wcodes >= 0) & (ccodes >= 0)  # a missing wave or company: checked elsewhere
        bad = np.zeros(n, dtype=bool)
        bad[known] = off[wcodes[known], ccodes[known]]
        out.append((bad, "company", PANEL))
    if "contact_id" in df.columns:
        out.append(((df["contact_id"].astype(str).str.strip() == "").to_numpy(dtype=bool),
                    "contact_id", EMPTY_ID))
    if d is not None:
        today = schema.today.to_datetime64().astype(d.dtype)
        out.append((~np.isnat(d) & (d > today), "contact_date", FUTURE))
    if "evaluator" in df.columns:
        out.append((_per_distinct(df["evaluator"], lambda e: str(e).strip() == ""),
                    "evaluator", EMPTY_EVALUATOR))
    if "comment" in df.columns:
        s = df["comment"]
        long_ = (s.astype(str).str.len() > MAX_COMMENT_CHARS).to_numpy(dtype=bool)
        out.append((long_ & s.notna().to_numpy(), "comment", LONG_COMMENT))
    for col, rule in schema.items.items():
        if rule.message is None or col not in df.columns:
            continue
        v = df[col].to_numpy(dtype=float)
        given = ~np.isnan(v)
        if rule.values is not None:
            ok = np.isin(v, rule.values)
        else:
            with np.errstate(invalid="ignore"):
                ok = (v >= rule.low) & (v <= rule.high)
                if rule.whole:
                    ok &= np.mod(v, 1) == 0
        out.append((given & ~ok, col, rule.message))
    return out


def schema_problems(schema: Schema, df: pd.DataFrame) -> pd.DataFrame:
    """Every failing cell as ``row`` (positional), ``column``, ``value``, ``expected``: one
    record per row and column (the first rule of :func:`_failures` that fails), sorted."""
    cols = ["row", "column", "value", "expected"]
    rows, columns, expected = [], [], []
    for bad, col, msg in _failures(schema, df):
        idx = np.flatnonzero(bad)
        rows.append(idx)
        columns += [col] * len(idx)
        expected += [msg] * len(idx)
    if not columns:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame({"row": np.concatenate(rows), "column": columns, "expected": expected})
    out = out.drop_duplicates(["row", "column"], keep="first")
    out["value"] = [_show(df.iat[r, df.columns.get_loc(c)])
                    for r, c in zip(out["row"], out["column"], strict=True)]
    return out[cols].sort_values(["row", "column"], kind="stable").reset_index(drop=True)


def _show(v: object) -> str:
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    return str(v)
