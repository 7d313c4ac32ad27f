"""Exceptions that carry what a user needs to fix the problem (file, key/row/column, value)."""

from __future__ import annotations


class BenchlibError(Exception):
    """Base class: the CLI prints ``str(err)`` and exits with ``exit_code``."""

    exit_code = 2


class ConfigError(BenchlibError):
    """A configuration file is wrong. The message names the file and the key.

    >>> str(ConfigError("config/grid.yaml", "items[3].weight", "must be >= 0, found -1"))
    'config/grid.yaml: items[3].weight: must be >= 0, found -1'
    """

    def __init__(self, file: str, key: str, message: str) -> None:
        self.file, self.key, self.message = str(file), key, message
        super().__init__(f"{file}: {key}: {message}")


class InputError(BenchlibError):
    """A raw export cannot be read at all (not a single bad row: those are quarantined).

    >>> str(InputError("data/raw/a.csv", "header", "missing column 'Datum'", row=1))
    "data/raw/a.csv: row 1: header: missing column 'Datum'"
    """

    def __init__(self, file: str, where: str, message: str, row: int | None = None) -> None:
        self.file, self.where, self.message, self.row = str(file), where, message, row
        loc = f"row {row}: " if row is not None else ""
        super().__init__(f"{file}: {loc}{where}: {message}")


class ReconciliationError(BenchlibError):
    """Rows read != cleaned + quarantined + duplicates dropped."""

    exit_code = 1
