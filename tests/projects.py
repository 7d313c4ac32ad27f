"""Helpers shared by the tests: the repository root and private copies of the project."""

from __future__ import annotations

import contextlib
import io
import logging
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

REPORT_EPOCH = "1767225600"
"""SOURCE_DATE_EPOCH of the session's report builds (2026-01-01T00:00:00Z)."""

REPORT_UNITS = {"2026-10": ("de", "en"), "2025-07": ("de", "en"), "2026-01": ("en",),
                "2026-04": ("en",), "2026-07": ("en",)}
"""The example's (wave, languages) whose reports the tests read: the last wave in both
languages, the first wave (no change, no training), a grid change (2026-01), a panel change
(2026-04) and a wave without calibration ratings (2026-07)."""


def copy_project(dest: Path, with_raw: bool = True) -> Path:
    """Copy config/, notebooks/ and (optionally) data/raw/ of the repository to ``dest``."""
    shutil.copytree(ROOT / "config", dest / "config")
    if (ROOT / "notebooks").is_dir():
        shutil.copytree(ROOT / "notebooks", dest / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (dest / "data" / "processed").mkdir(parents=True)
    (dest / "reports").mkdir()
    if with_raw:
        shutil.copytree(ROOT / "data" / "raw", dest / "data" / "raw")
    return dest


SMALL_RAW_FILE = "2026-10/feldhaus_anrufe_2026-10.csv"
"""The one raw file of :func:`small_project`: the last wave's call export."""


def small_project(dest: Path) -> Path:
    """config/ plus one wave's call export (:data:`SMALL_RAW_FILE`): a clean takes about a
    second — for tests of the pipeline's mechanics, not of the example's numbers."""
    shutil.copytree(ROOT / "config", dest / "config")
    (dest / "data" / "raw" / Path(SMALL_RAW_FILE).parent).mkdir(parents=True)
    (dest / "data" / "processed").mkdir()
    shutil.copy2(ROOT / "data" / "raw" / SMALL_RAW_FILE, dest / "data" / "raw" / SMALL_RAW_FILE)
    return dest


class _TimedOut(Exception):
    pass


@contextlib.contextmanager
def _environ(changes: Mapping[str, str | None]):
    old = {k: os.environ.get(k) for k in changes}
    for k, v in changes.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_cli_inprocess(root: Path, *args: str, timeout: float = 120,
                      env: Mapping[str, str | None] | None = None
                      ) -> subprocess.CompletedProcess:
    """``benchlib <args>`` in this process with ``BENCHLIB_ROOT=root`` (and ``env``: a value
    None unsets the variable): exit code, stdout and the stderr a subprocess would show —
    Python's default warning display (what is not ignored by default) and log records of
    WARNING and above included. A run longer than ``timeout`` fails (SIGALRM), so a hang is
    still caught. Saves a Python + pandas start-up per call where the start-up is not what
    is tested."""
    from benchlib.cli import main

    out, err = io.StringIO(), io.StringIO()
    handler = logging.StreamHandler(err)
    handler.setLevel(logging.WARNING)

    def alarm(signum, frame):
        raise _TimedOut(f"benchlib {' '.join(args)} took more than {timeout} s")

    old_alarm = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    logging.getLogger().addHandler(handler)
    try:
        with _environ({**(env or {}), "BENCHLIB_ROOT": str(root)}), \
                warnings.catch_warnings(record=True) as caught, \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            warnings.simplefilter("default")
            for cat in (DeprecationWarning, PendingDeprecationWarning, ImportWarning,
                        ResourceWarning):
                warnings.filterwarnings("ignore", category=cat)
            code = main(list(args))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_alarm)
        logging.getLogger().removeHandler(handler)
    shown = "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno)
                    for w in caught)
    return subprocess.CompletedProcess(["benchlib", *args], code, out.getvalue(),
                                       err.getvalue() + shown)


FORKSERVER_PRELOAD = ["benchlib.cli", "benchlib.pipeline"]
"""What the fork server imports once: what ``benchlib validate`` and ``clean`` need."""


def run_cli_forked(root: Path, *args: str, timeout: float = 120,
                   env: Mapping[str, str | None] | None = None) -> subprocess.CompletedProcess:
    """``benchlib <args>`` in a process of its own with ``BENCHLIB_ROOT=root``, as
    ``python -m benchlib.cli`` run from ``root`` would be, forked from a server that imported
    benchlib once (multiprocessing's forkserver, one per test process).

    A crash ends that process only (a negative exit code for a signal), a run longer than
    ``timeout`` is killed and raises :class:`subprocess.TimeoutExpired`, stdout and stderr
    are the process's file descriptors 1 and 2 — what a fresh subprocess would show, without
    its ~1 s of Python and pandas start-up. The environment is this process's (with ``env``
    applied; a value None unsets) at the time of the call, not the server's."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(FORKSERVER_PRELOAD)
    with _environ({**(env or {}), "BENCHLIB_ROOT": str(root), "PYTHONUNBUFFERED": "1"}):
        environ = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp, "stdout"), Path(tmp, "stderr")
        proc = ctx.Process(target=_cli_child, args=(str(root), list(args), environ, str(out),
                                                    str(err)))
        proc.start()
        proc.join(timeout)
        if proc.is_alive():
            proc.kill()
            proc.join()
            raise subprocess.TimeoutExpired(["benchlib", *args], timeout)
        return subprocess.CompletedProcess(["benchlib", *args], proc.exitcode,
                                           out.read_text(encoding="utf-8", errors="replace"),
                                           err.read_text(encoding="utf-8", errors="replace"))


def _cli_child(root: str, args: list[str], environ: dict[str, str], out: str,
               err: str) -> None:
    """The forked process of :func:`run_cli_forked`: fds 1 and 2 to the files, then the CLI."""
    from benchlib.cli import main

    # Ctrl-C as in a fresh interpreter, even when the test run was started with SIGINT
    # ignored (nohup, CI), which the fork server would pass on
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(root)
    os.environ.clear()
    os.environ.update(environ)
    for fd, path in ((1, out), (2, err)):
        f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(f, fd)
        os.close(f)
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8",
                                  write_through=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                  errors="backslashreplace", write_through=True)
    raise SystemExit(main(args))
