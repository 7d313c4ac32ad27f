"""Exceptions that carry what a user needs to fix the problem (file, key/row/column, value)."""

from __future__ import annotations

import errno
import os
from pathlib import Path


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


_OS_HINTS = {
    errno.ENOSPC: ("no space left on the device", "free some space, then run again"),
    errno.EDQUOT: ("disk quota exceeded", "free some space (or raise the quota), then run again"),
    errno.EACCES: ("permission denied", "make it readable/writable for your user (check owner "
                   "and mode), then run again"),
    errno.EPERM: ("operation not permitted", "check the owner and mode of the folder, then run "
                  "again"),
    errno.EROFS: ("read-only file system", "write to a writable disk (or remount it), then run "
                  "again"),
    errno.ENOENT: ("no such file or folder", "check the path, then run again"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "remove or rename that file"),
    errno.EISDIR: ("is a folder, not a file", "remove or rename that folder"),
    errno.EMFILE: ("too many open files", "raise the limit (ulimit -n), then run again"),
}


def os_error_message(err: OSError, path: str | Path | None = None,
                     root: str | Path | None = None) -> str:
    """One line for an OS error: the path, what went wrong and what to do.

    ``path`` defaults to the error's own file name; paths under ``root`` (default: the
    working directory) are shown relative to it.

    >>> os_error_message(OSError(errno.ENOSPC, "No space left", "/x/data/processed"))
    '/x/data/processed: no space left on the device; free some space, then run again'
    """
    shown = path if path is not None else (err.filename or "(unknown path)")
    shown = _relative(Path(shown), Path(root) if root else Path.cwd())
    what, hint = _OS_HINTS.get(err.errno, (err.strerror or str(err), "fix it, then run again"))
    return f"{shown}: {what}; {hint}"


def _relative(p: Path, root: Path) -> str:
    try:
        return Path(os.path.abspath(p)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return str(p)


class OutputError(BenchlibError):
    """An output could not be written (permission, read-only folder, disk full).

    The message names the path and what to do, and says the previous outputs are unchanged
    (every writer in benchlib writes to a temporary file or folder and renames it last).

    >>> str(OutputError(OSError(errno.EROFS, "Read-only", "/x/reports"), root="/x"))
    'reports: read-only file system; write to a writable disk (or remount it), then run \
again (the previous outputs are unchanged)'
    """

    def __init__(self, err: OSError, path: str | Path | None = None,
                 root: str | Path | None = None) -> None:
        self.os_error = err
        super().__init__(os_error_message(err, path, root)
                         + " (the previous outputs are unchanged)")
