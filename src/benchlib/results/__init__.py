"""Every number the reports of a wave show, computed once (language-independent), then rendered.

Three jobs, three modules:

* :mod:`benchlib.results.compute` — :func:`compute_wave` runs the statistics once per wave
  into a :class:`WaveResults` (tidy tables of ids and numbers, no text);
* :mod:`benchlib.results.wording` — the sentences (summary, headline, first screen) in a
  language, using exactly the adjusted p of the multiplicity policy (:mod:`.policy`);
* :mod:`benchlib.results.display` — one declared spec per report table (columns, labels from
  the text resources and the configuration, formats).

:func:`write` / :func:`load` store it as ``reports/<wave>/results.json``; :func:`prepare_wave`
writes it before a wave's notebooks run and :func:`for_report` is what a report notebook
calls (:mod:`.files`). The small-cell rule lives in :mod:`.suppression`.

>>> import benchlib
>>> from benchlib.results import compute_wave
>>> res = compute_wave(benchlib.load_study(), "2026-10")
>>> res.wave, sorted(res.tables)[:3]
('2026-10', ['attribution_checks', 'calibration_agreement', 'change'])
"""

from __future__ import annotations

from typing import Any

from benchlib.results.display import ReportView, display_table, reliable, view
from benchlib.results.files import for_report, prepare_wave, write_tables, xlsx_tables
from benchlib.results.model import WaveResults, from_json_dict, load, write
from benchlib.results.suppression import effective_k, suppress_small

__all__ = ["ALPHA", "ReportView", "WaveResults", "compute_wave", "display_table",
           "effective_k", "for_report", "from_json_dict", "load", "prepare_wave", "reliable",
           "suppress_small", "view", "wave_counts", "wave_results", "write",
           "write_tables", "xlsx_tables"]


_COMPUTE = ("ALPHA", "compute_wave", "wave_counts")


def __getattr__(name: str) -> Any:
    """The computation (statistics: scipy, statsmodels, pingouin) is imported on first use,
    so a report notebook that only loads results.json starts without it."""
    if name in _COMPUTE:
        from benchlib.results import compute

        return getattr(compute, name)
    raise AttributeError(f"module 'benchlib.results' has no attribute {name!r}")


def wave_results(study: Any, wave: str, lang: str = "de") -> ReportView:
    """Compute ``wave``'s results and view them in ``lang`` (for analysts in JupyterLab).

    >>> import benchlib
    >>> v = wave_results(benchlib.load_study(), "2026-10", "en")
    >>> v.lang, v.name(v.shop)
    ('en', 'Voltera')
    """
    from benchlib.results.compute import compute_wave

    return view(compute_wave(study, wave), study.config, lang)
