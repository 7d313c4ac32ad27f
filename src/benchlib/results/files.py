"""Where a wave's results live and how reports get them: results.json and tables.xlsx.

Layout (see the README): ``reports/<wave>/results.json`` is computed once per wave and
shared by every language; ``reports/<wave>/<lang>/tables.xlsx`` holds the same numbers.

* :func:`prepare_wave` — compute and write ``results.json`` into a wave's (build) folder;
  the report scheduler calls it once before the wave's notebooks run.
* :func:`for_report` — what a report notebook calls: load that file (when it exists and
  was computed from the current processed data), else compute it (and write it when the
  notebook builds into a folder).
* :func:`xlsx_tables` / :func:`write_tables` — the workbook of the same numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from benchlib.paths import RESULTS_FILE
from benchlib.results.display import ReportView, view
from benchlib.results.model import WaveResults, load, write

__all__ = ["RESULTS_FILE", "for_report", "prepare_wave", "results_location", "write_tables",
           "xlsx_tables"]



def results_location(out_dir: Path | str, langs: tuple[str, ...] = ("de", "en")) -> Path:
    """The wave folder's ``results.json`` for a notebook writing into ``out_dir``.

    ``out_dir`` is the wave folder itself or its per-language subfolder
    (``reports/<wave>/<lang>/``); the results file is shared by the languages.

    >>> results_location("reports/2026-10/en").as_posix(), results_location("r/2026-10").as_posix()
    ('reports/2026-10/results.json', 'r/2026-10/results.json')
    """
    out = Path(out_dir)
    return (out.parent if out.name in langs else out) / RESULTS_FILE


def _current(res: WaveResults, study: Any, wave: str) -> bool:
    """True when ``res`` was computed for ``wave`` from the study's current processed data."""
    prov = res.meta.get("provenance", {})
    man = study.manifest
    return (res.meta.get("wave") == wave and prov.get("inputs") == man.get("inputs")
            and prov.get("config_sha256") == man.get("config_sha256"))


def prepare_wave(study: Any, wave: str, directory: Path | str) -> Path:
    """Compute ``wave``'s results once and write ``directory/results.json`` (atomic).

    The report scheduler calls this before the wave's notebooks run (they then only load).
    """
    from benchlib.results.compute import compute_wave

    return write(compute_wave(study, wave), Path(directory) / RESULTS_FILE)


def for_report(study: Any, wave: str, lang: str, out_dir: Path | str = "") -> ReportView:
    """The results of ``wave`` as the report in ``lang`` shows them.

    Loads the wave's ``results.json`` beside ``out_dir`` when it is current; otherwise
    computes the results (and, when ``out_dir`` is given, writes the file there so the other
    notebooks and languages of the build reuse it). Interactive use (no ``out_dir``)
    computes in memory.
    """
    from benchlib.results.compute import compute_wave

    langs = tuple(getattr(study.config.settings, "languages", ("de", "en")))
    res = None
    if out_dir:
        path = results_location(out_dir, langs)
        if path.is_file():
            res = load(path)
            if not _current(res, study, wave):
                res = None
        if res is None:
            res = compute_wave(study, wave)
            write(res, path)
    else:
        res = compute_wave(study, wave)
    return view(res, study.config, lang)


XLSX_TABLES = ("companies", "ranking", "shop_vs_competitors", "games_howell", "emm",
               "mix_contrasts", "mixed_contrasts", "evaluator_blups", "dimensions", "items",
               "item_comparisons", "change", "dimension_change", "training_by_dimension",
               "mail_response", "logrank", "planning", "trend", "market_trend",
               "event_study", "training_history", "wave_steps", "items_moved",
               "calibration_agreement", "leniency", "design_by_company", "design_by_scenario",
               "attribution_checks")
"""Tables of results.json that go into tables.xlsx (tidy, ids, unrounded, suppressed)."""


def _one_row(d: dict | None) -> pd.DataFrame:
    if not d:
        return pd.DataFrame()
    flat = {k: (", ".join(map(str, v)) if isinstance(v, list) and all(
        not isinstance(x, dict) for x in v) else v) for k, v in d.items()}
    flat = {k: v for k, v in flat.items() if not isinstance(v, (list, dict))}
    return pd.DataFrame([flat])


def xlsx_tables(res: WaveResults) -> dict[str, pd.DataFrame]:
    """The sheets of tables.xlsx: the same numbers as results.json, CIs in two columns."""
    out = {name: res.tables[name] for name in XLSX_TABLES if name in res.tables}
    for name, df in out.items():  # list cells (e.g. "tied with") as text
        for c in df.columns:
            if df[c].map(lambda x: isinstance(x, list)).any():
                out[name] = df = df.assign(**{c: df[c].map(
                    lambda x: ", ".join(map(str, x)) if isinstance(x, list) else x)})
    out["shop_vs_market"] = _one_row(res.meta.get("shop_vs_market"))
    out["welch_anova"] = _one_row(res.meta.get("welch_anova"))
    out["evaluator_variance"] = _one_row(res.meta.get("evaluator_variance"))
    out["design"] = _one_row(res.meta.get("design"))
    te = res.meta.get("training")
    if te is not None:
        te = dict(te) | {"trainings": "; ".join(f"{x['date']}: {', '.join(x['topics'])}"
                                               for x in te["trainings"])}
    out["net_change_vs_market_did"] = _one_row(te)  # the DiD (not called a training effect)
    out["calibration"] = _one_row(res.meta.get("calibration"))
    out["counts"] = _one_row(res.meta.get("counts"))
    return {k: v for k, v in out.items() if len(v.columns)}


def write_tables(res: WaveResults, path: Path | str, lang: str) -> None:
    """Write tables.xlsx for ``lang`` (booleans and p formats in that language)."""
    from benchlib.excel import write_tables_xlsx

    write_tables_xlsx(xlsx_tables(res), path, lang)
