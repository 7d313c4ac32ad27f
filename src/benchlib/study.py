"""The analyst's entry point: one call loads the configuration and the processed tables.

>>> import benchlib
>>> study = benchlib.load_study()
>>> study.shop, study.waves[-1], len(study.wave_contacts("2026-10")) > 300
('voltera', '2026-10', True)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from benchlib.config import StudyConfig, load_config
from benchlib.errors import InputError


@dataclass(frozen=True)
class Study:
    """Configuration plus processed tables of one study (see docs/data-model.md).

    ``processed`` is one complete generation of processed data (``data/processed/gen-…``),
    fixed when the study is loaded: a clean that runs meanwhile switches the project to a
    new generation but never changes the tables this study reads.
    """

    config: StudyConfig
    processed: Path

    def _read(self, name: str) -> pd.DataFrame:
        path = self.processed / name
        if not path.is_file():
            raise InputError(str(path), "file", "processed table missing: run `make data` "
                             "(or `benchlib clean`) first")
        if path.suffix == ".csv":
            return pd.read_csv(path, dtype={"source_row": "Int64"}, keep_default_na=False,
                               na_values=[""])
        return pd.read_parquet(path)

    @cached_property
    def contacts(self) -> pd.DataFrame:
        """One row per cleaned contact (scores, outcomes, pseudonymised agent)."""
        return self._read("contacts.parquet")

    @cached_property
    def items(self) -> pd.DataFrame:
        """Long item table: contact × grid item with raw value, points and status."""
        return self._read("items.parquet")

    @cached_property
    def calibration(self) -> pd.DataFrame:
        """Calibration ratings: recording × evaluator with total and dimension scores."""
        return self._read("calibration.parquet")

    @cached_property
    def calibration_items(self) -> pd.DataFrame:
        """Calibration ratings in long item form."""
        return self._read("calibration_items.parquet")

    @cached_property
    def quarantine(self) -> pd.DataFrame:
        """Rejected rows, one line per problem (file, row, column, value, expected, reason)."""
        return self._read("quarantine.csv")

    @cached_property
    def duplicates(self) -> pd.DataFrame:
        """Dropped exact duplicates: file, row, the row it duplicates (kept), contact id, wave."""
        return self._read("duplicates.csv")

    @cached_property
    def reconciliation(self) -> pd.DataFrame:
        """Per raw file: rows read, clean, quarantined, duplicates dropped."""
        return self._read("reconciliation.csv")

    @cached_property
    def manifest(self) -> dict:
        """Input hashes, config hash and totals of the run that wrote the tables."""
        path = self.processed / "manifest.json"
        if not path.is_file():
            raise InputError(str(path), "file", "processed data missing: run `make data` "
                             "(or `benchlib clean`) first")
        return json.loads(path.read_text(encoding="utf-8"))

    @property
    def shop(self) -> str:
        """Company id of the shop."""
        return self.config.shop.id

    @property
    def waves(self) -> tuple[str, ...]:
        """Configured wave ids, oldest first."""
        return self.config.wave_ids

    def previous_wave(self, wave: str) -> str | None:
        """The wave before ``wave`` (None for the first)."""
        return self.config.previous_wave(wave)

    def wave_contacts(self, wave: str, scored_only: bool = True) -> pd.DataFrame:
        """Contacts of one wave (by default only scored ones)."""
        self.config.wave(wave)
        c = self.contacts[self.contacts["wave"] == wave]
        return c[c["scored"]] if scored_only else c

    @cached_property
    def _comparable_cache(self) -> dict:
        return {}

    def comparable(self, waves) -> tuple[pd.DataFrame, object]:
        """Contacts of ``waves`` scored on their comparable core (see benchlib.comparable).

        ``total``/``dim_*`` are core scores, ``full_total``/``full_dim_*`` the full grid;
        the second value is the :class:`~benchlib.comparable.CoreItems` used. Computed once
        per set of waves (a wave report asks for the same pair twice, a trend report for
        the same series twice); each call gets its own (copy-on-write) frame.
        """
        from benchlib.comparable import comparable_contacts

        key = tuple(sorted(waves))
        for w in key:
            self.config.wave(w)
        if key not in self._comparable_cache:
            self._comparable_cache[key] = comparable_contacts(self.contacts, self.items,
                                                              self.config, key)
        contacts, core = self._comparable_cache[key]
        return contacts.copy(deep=False), core

    def truth(self) -> dict:
        """The planted effects of the example study (data/raw/example_truth.json)."""
        path = self.config.root / "data" / "raw" / "example_truth.json"
        if not path.is_file():
            raise InputError(str(path), "file", "no truth file: this is not the example study")
        return json.loads(path.read_text(encoding="utf-8"))


def load_study(root: Path | str | None = None) -> Study:
    """Load the study at ``root`` (default: the project of the working directory).

    The tables come from the current generation of ``data/processed`` (see
    :mod:`benchlib.generation`); before the first clean, reading a table raises an
    :class:`~benchlib.errors.InputError` saying to run ``make data``.
    """
    from benchlib.paths import get_paths

    cfg = load_config(root)
    paths = get_paths(cfg.root)
    return Study(cfg, paths.current or paths.processed / "(no generation yet)")
