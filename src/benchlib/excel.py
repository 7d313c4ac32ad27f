"""Result tables as one Excel workbook: one sheet per table, safe against formula injection.

Numbers are written as numbers (with a number format), text as text. A text cell starting
with ``=``, ``+``, ``-`` or ``@`` (or a tab/CR, as in CSV injection) is stored as a string
with Excel's *quote prefix* – Excel shows it literally and never evaluates it – so no cell
of the workbook is a formula. The file is written atomically and byte-reproducibly
(:func:`benchlib.atomic.save_workbook`).

>>> import tempfile, openpyxl
>>> p = Path(tempfile.mkdtemp()) / "t.xlsx"
>>> write_tables_xlsx({"x": pd.DataFrame({"a": ["=1+1"], "b": [1.5]})}, p, "de")
>>> ws = openpyxl.load_workbook(p)["x"]
>>> ws["A2"].value, ws["A2"].data_type, ws["B2"].value
('=1+1', 's', 1.5)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["INJECTION_PREFIXES", "is_p_column", "p_number_format", "safe_sheet_title",
           "write_tables_xlsx"]

INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_BOOL = {"de": ("ja", "nein"), "en": ("yes", "no")}


def safe_sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique (case-insensitively) sheet title of at most 31 characters.

    >>> safe_sheet_title("a/b:c" * 10, set())
    'a_b_ca_b_ca_b_ca_b_ca_b_ca_b_ca'
    >>> safe_sheet_title("x", {"x"})
    'x~2'
    """
    base = _BAD_TITLE.sub("_", str(name)).strip("'") or "Sheet"
    title, i = base[:31], 1
    lower = {x.lower() for x in taken}
    while title.lower() in lower:
        i += 1
        suffix = f"~{i}"
        title = base[:31 - len(suffix)] + suffix
    return title


def is_p_column(name: str) -> bool:
    """Columns holding a p-value: ``p``, ``p_*`` and ``*_p``.

    >>> is_p_column("p_holm"), is_p_column("naive_p"), is_p_column("pair")
    (True, True, False)
    """
    return name == "p" or name.startswith("p_") or name.endswith("_p")


def p_number_format(lang: str) -> str:
    """Excel number format that shows a p-value as the HTML does (``< 0.001``, else 3 decimals).

    The literal for tiny p comes from :func:`benchlib.stats.format_p` (the one formatter), so
    a German workbook shows ``< 0,001`` like the German report.

    >>> p_number_format("de"), p_number_format("en")
    ('[<0.001]"< 0,001";0.000', '[<0.001]"< 0.001";0.000')
    """
    from benchlib.stats import format_p

    return f'[<0.001]"{format_p(0.0, lang).removeprefix("p ")}";0.000'


def _cell_value(v: Any, lang: str) -> tuple[Any, str | None]:
    """(value, number format) for a cell; None for empty."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None, None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool):
        return _BOOL[lang][0 if v else 1], None
    if isinstance(v, int):
        return v, "0"
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return None, None
        return v, "0.000"
    if isinstance(v, (list, tuple, dict, set)):
        return str(v), None
    return str(v), None


def write_tables_xlsx(tables: Mapping[str, pd.DataFrame], path: Path | str,
                      lang: str = "de") -> None:
    """Write each table to its own sheet of ``path`` (atomic, byte-reproducible).

    Header row bold and frozen, column widths from the content, numbers as numbers with a
    number format (Excel shows them in the reader's locale; p-values as the HTML shows them,
    ``< 0.001`` below 0.001, see :func:`p_number_format`), booleans as ``ja/nein`` or
    ``yes/no`` (``lang``), missing values empty, formula-like text neutralised.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from benchlib.atomic import save_workbook

    if lang not in _BOOL:
        raise ValueError(f"lang must be 'de' or 'en', got {lang!r}")
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    bold = Font(bold=True)
    for name, df in tables.items():
        title = safe_sheet_title(name, taken)
        taken.add(title)
        ws = wb.create_sheet(title)
        columns = [str(c) for c in df.columns]
        widths = [len(c) for c in columns]
        for j, col in enumerate(columns, 1):
            _put(ws.cell(row=1, column=j), col, None)
            ws.cell(row=1, column=j).font = bold
        p_cols = {j for j, c in enumerate(columns, 1) if is_p_column(c)}
        for i, row in enumerate(df.itertuples(index=False), 2):
            for j, v in enumerate(row, 1):
                value, fmt = _cell_value(v, lang)
                if j in p_cols and isinstance(value, float):
                    fmt = p_number_format(lang)
                _put(ws.cell(row=i, column=j), value, fmt)
                shown = len(f"{value:.3f}") if isinstance(value, float) else len(str(value or ""))
                widths[j - 1] = max(widths[j - 1], shown)
        for j, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, w + 2))
        ws.freeze_panes = "A2"
    if not taken:
        wb.create_sheet("empty")
    save_workbook(wb, path)


def _put(cell: Any, value: Any, fmt: str | None) -> None:
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        cell.value = value
        cell.data_type = "s"  # never a formula, even when it starts with "="
        if value.startswith(INJECTION_PREFIXES):
            cell.quotePrefix = True
        return
    cell.value = value
    if fmt is not None:
        cell.number_format = fmt
