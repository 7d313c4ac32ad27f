"""The canonical contact table's schema (pandera), built from the study configuration.

Parsing (:mod:`benchlib.parse`) turns strings into values; this schema then checks what a
value must satisfy: scale ranges and whole numbers, the date inside the wave's field period
and not in the future, the company in the wave's panel, a non-empty contact id, a comment of
sane length. Validation is lazy: every failing cell is reported, and
:func:`schema_problems` turns pandera's failure cases into quarantine records.

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
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa

from benchlib.config import StudyConfig
from benchlib.scales import SCALES

MAX_COMMENT_CHARS = 5000
# valid values (a list) or range (a tuple) and the message, from benchlib.scales
SCALE_CHECKS = {name: (list(s.valid_values) if s.valid_values else (s.low, s.high), s.invalid)
                for name, s in SCALES.items()}


def _whole(s: pd.Series) -> pd.Series:
    return s.isna() | (s % 1 == 0)


def _item_checks(scale: str) -> list[pa.Check]:
    spec, msg = SCALE_CHECKS[scale]
    if isinstance(spec, list):
        return [pa.Check.isin(spec, error=msg, ignore_na=True)]
    checks = [pa.Check.in_range(spec[0], spec[1], error=msg, ignore_na=True)]
    if SCALES[scale].whole:
        checks.append(pa.Check(_whole, error=msg, element_wise=False))
    return checks


def build_schema(cfg: StudyConfig, item_ids: Sequence[str], today: date | None = None
                 ) -> pa.DataFrameSchema:
    """Schema for a parsed export with the given item columns (``v:<item>``)."""
    periods = {w.id: (pd.Timestamp(w.start), pd.Timestamp(w.end)) for w in cfg.waves}
    panel = {(w, c.id) for w in cfg.wave_ids for c in cfg.companies if c.active_in(w)}
    today_ts = pd.Timestamp(today or date.today())
    scales = {}
    for it in cfg.grid.items:
        scales.setdefault(it.id, set()).add(it.scale)

    lo_of = {w: lo for w, (lo, _) in periods.items()}
    hi_of = {w: hi for w, (_, hi) in periods.items()}
    panel_keys = [f"{w}\x1f{c}" for w, c in panel]

    def in_period(df: pd.DataFrame) -> pd.Series:
        lo = pd.to_datetime(df["wave"].map(lo_of))
        hi = pd.to_datetime(df["wave"].map(hi_of))
        d = df["contact_date"]
        return d.isna() | df["wave"].isna() | ((d >= lo) & (d <= hi))

    def in_panel(df: pd.DataFrame) -> pd.Series:
        key = df["wave"].astype(str) + "\x1f" + df["company"].astype(str)
        return key.isin(panel_keys) | df["wave"].isna() | df["company"].isna()

    # Text columns carry no dtype check: pandas' ``str`` columns are not ``object``, and
    # pandera would then test every cell for coercibility (Python per row, ~1 s per million).
    columns = {
        "contact_id": pa.Column(None, pa.Check(lambda s: s.astype(str).str.strip() != "",
                                                  error="expected a non-empty contact id",
                                                  element_wise=False), nullable=False),
        "contact_date": pa.Column("datetime64[ns]", pa.Check.le(
            today_ts, error="expected a date that is not in the future"), nullable=True,
            coerce=True),
        "evaluator": pa.Column(None, pa.Check(lambda s: s.astype(str).str.strip() != "",
                                                 error="expected an evaluator code",
                                                 element_wise=False), nullable=True),
        "comment": pa.Column(None, pa.Check(
            lambda s: s.astype(str).str.len() <= MAX_COMMENT_CHARS,
            error=f"expected a comment of at most {MAX_COMMENT_CHARS} characters",
            element_wise=False), nullable=True, required=False),
    }
    for iid in item_ids:
        checks = [c for sc in sorted(scales[iid]) for c in _item_checks(sc)]
        columns[f"v:{iid}"] = pa.Column(float, checks if len(scales[iid]) == 1 else [],
                                        nullable=True, required=False)
    return pa.DataFrameSchema(columns, checks=[
        pa.Check(in_period, error="contact_date|expected a date inside the wave's field period"),
        pa.Check(in_panel, error="company|company is not in this wave's panel "
                 "(see first_wave/last_wave in config/companies.yaml)"),
    ], strict=False)


def schema_problems(schema: pa.DataFrameSchema, df: pd.DataFrame) -> pd.DataFrame:
    """Validate lazily; return problems as ``row`` (positional), ``column``, ``value``,
    ``expected`` — one per failing cell."""
    cols = ["row", "column", "value", "expected"]
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
    else:
        return pd.DataFrame(columns=cols)
    fc = fc[fc["index"].notna()].copy()
    msg = fc["check"].astype(str)
    tagged = msg.str.contains("|", regex=False)
    fc["expected"] = np.where(tagged, msg.str.split("|", n=1).str[-1], msg)
    fc.loc[tagged, "column"] = msg[tagged].str.split("|", n=1).str[0]
    fc = fc.drop_duplicates(["index", "column"])
    pos = pd.Index(df.index).get_indexer(fc["index"].astype(df.index.dtype))
    out = pd.DataFrame({"row": pos, "column": fc["column"].astype(str).to_numpy(),
                        "expected": fc["expected"].to_numpy()})
    out["value"] = [_show(df.iat[r, df.columns.get_loc(c)]) for r, c in zip(out["row"],
                                                                           out["column"], strict=True)]
    return out[cols].sort_values(["row", "column"], kind="stable").reset_index(drop=True)


def _show(v: object) -> str:
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    return str(v)
