"""Processed data as generations, switched in one atomic step; staleness by content.

Writing (:func:`write_generation`): every table and the manifest are written into a hidden
staging folder ``data/processed/.gen-000008.building-<pid>``, each file fsync'ed; the folder
is renamed to ``gen-000008``; then the pointer file ``data/processed/CURRENT`` is replaced
by a rename (the switch). A kill, a full disk or Ctrl-C before the switch leaves the previous
generation current and complete; the next run removes what the broken one left. The two
newest generations are kept (an open notebook that loaded the previous one keeps working),
older ones are removed after the switch. A lock file serialises concurrent cleans.

Staleness (:func:`input_fingerprint`, :func:`stale_reasons`): the manifest of a generation
records every file under ``data/raw`` with its SHA-256, the SHA-256 of every file under
``config/`` and the library version plus a hash of its code. ``benchlib clean`` compares
that with the inputs of now and re-cleans only when something differs, so an added,
removed, renamed, edited or back-dated file is seen whatever its time stamps. A file is
re-hashed only when its size, mtime, ctime or inode changed (a cache beside the
generations; ctime cannot be set back by a user), so the "up to date" answer is fast.

This module imports no pandas: the up-to-date check runs in a fraction of a second.

>>> import tempfile
>>> d = Path(tempfile.mkdtemp())
>>> g = write_generation(d, [("a.txt", lambda p: p.write_text("x"))])
>>> g.name, (d / "CURRENT").read_text()
('gen-000001', 'gen-000001\\n')
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import hashlib
import json
import os
import shutil
import signal
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from benchlib.atomic import fsync_dir, remove_stale_temps, write_text
from benchlib.errors import InputError, OutputError
from benchlib.paths import GENERATION_RE, POINTER, ProjectPaths, current_generation

KEEP_GENERATIONS = 2
HASH_CACHE = ".input-hashes.json"
LOCK = ".lock"
FAILPOINT_ENV = "BENCHLIB_FAILPOINT"
LEGACY_TABLES = ("contacts.parquet", "items.parquet", "calibration.parquet",
                 "calibration_items.parquet", "quarantine.csv", "reconciliation.csv",
                 "corrections_applied.csv", "manifest.json")
CODE_SUFFIXES = (".py", ".yaml", ".yml", ".j2", ".json", ".css", ".tpl")


# --------------------------------------------------------------------------- fault injection
def failpoint(step: str) -> None:
    """Deterministic fault injection for the fault tests (no sleeps, no timing).

    ``BENCHLIB_FAILPOINT=<step>[=kill|enospc|sigint]`` makes the run die by SIGKILL (the
    default), raise ``OSError(ENOSPC)`` or receive SIGINT exactly at ``step``; the steps are
    ``write:<file name>``, ``publish``, ``switch`` and ``cleanup`` (see
    :func:`write_generation`). Without the variable this does nothing.
    """
    spec = os.environ.get(FAILPOINT_ENV)
    if not spec:
        return
    name, _, action = spec.rpartition("=") if "=" in spec else (spec, "", "kill")
    if name != step:
        return
    if action == "enospc":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), step)
    if action == "sigint":
        os.kill(os.getpid(), signal.SIGINT)
        return
    os.kill(os.getpid(), signal.SIGKILL)


# --------------------------------------------------------------------------- writing
def write_file(path: Path, write: Callable[[Path], object]) -> None:
    """Write one member of a generation and fsync it (the single place files are written)."""
    write(path)
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock, the rename is still atomic
        yield
        return
    with open(folder / LOCK, "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def generations(processed: Path) -> list[Path]:
    """Complete and incomplete generation folders, oldest first."""
    if not processed.is_dir():
        return []
    found = [p for p in processed.iterdir() if p.is_dir() and GENERATION_RE.match(p.name)]
    return sorted(found, key=lambda p: int(GENERATION_RE.match(p.name).group(1)))


def write_generation(processed: Path, members: Iterable[tuple[str, Callable[[Path], object]]],
                     root: Path | None = None) -> Path:
    """Write ``members`` (file name, writer) as a new generation and switch to it.

    The last member should be ``manifest.json``: a generation without it is never current.
    An OS error (read-only folder, disk full, permission) becomes :class:`OutputError`
    naming the path; the previous generation stays current and complete.
    """
    processed = Path(processed)
    try:
        processed.mkdir(parents=True, exist_ok=True)
        with _locked(processed):
            return _write_locked(processed, members)
    except OSError as err:  # name the folder: staging paths mean nothing to a user
        raise OutputError(err, processed, root) from None


def _write_locked(processed: Path, members) -> Path:
    _remove_leftovers(processed)
    existing = generations(processed)
    seq = int(GENERATION_RE.match(existing[-1].name).group(1)) + 1 if existing else 1
    staging = processed / f".gen-{seq:06d}.building-{os.getpid()}"
    staging.mkdir()
    try:
        for name, write in members:
            failpoint(f"write:{name}")
            write_file(staging / name, write)
        fsync_dir(staging)
        failpoint("publish")
        final = processed / f"gen-{seq:06d}"
        os.rename(staging, final)
        fsync_dir(processed)
        failpoint("switch")
        write_text(processed / POINTER, final.name + "\n")  # the one atomic switch
        fsync_dir(processed)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    failpoint("cleanup")
    _remove_old(processed, final)
    return final


def _remove_leftovers(processed: Path) -> None:
    """Staging folders and temp files of runs that died (we hold the lock: none is live)."""
    remove_stale_temps(processed)
    for p in processed.iterdir():
        if p.name.startswith(".gen-") and ".building-" in p.name:
            shutil.rmtree(p, ignore_errors=True)


def _remove_old(processed: Path, current: Path) -> None:
    keep = {p.name for p in generations(processed)[-KEEP_GENERATIONS:]} | {current.name}
    for p in generations(processed):
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)
    for name in LEGACY_TABLES:  # the flat layout of benchlib before generations
        if (processed / name).is_file():
            (processed / name).unlink()


# --------------------------------------------------------------------------- raw files
@dataclass(frozen=True)
class RawFile:
    """A regular file under data/raw: its real path and the path it is known by."""

    path: Path
    rel: str  # relative to data/raw, POSIX, as the user sees it (symlinks not resolved)

    @property
    def display(self) -> str:
        return f"data/raw/{self.rel}"


def walk_raw(paths: ProjectPaths) -> list[RawFile]:
    """Every file under ``data/raw``, symlinks followed when they stay inside the project.

    A dangling symlink, a symlink that leaves the project, a symlink loop, an unreadable
    folder or a special file (FIFO, socket, device) is an :class:`InputError` naming it:
    nothing under data/raw is skipped silently. ``.gitkeep`` files are not data.
    """
    raw = paths.raw
    if not raw.is_dir():
        raise InputError("data/raw", "folder", "not found; put the agencies' exports there "
                         "(or run `make example-data`)")
    root = paths.root.resolve()
    out: list[RawFile] = []
    seen_dirs: set[Path] = {raw.resolve()}

    def visit(folder: Path, rel: str) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as err:
            raise InputError(f"data/raw/{rel}".rstrip("/"), "folder",
                             f"cannot be read ({err.strerror}); fix its permissions") from None
        for e in entries:
            name = f"{rel}{e.name}"
            shown = f"data/raw/{name}"
            p = Path(e.path)
            if e.is_symlink():
                try:
                    target = p.resolve(strict=True)
                except (FileNotFoundError, RuntimeError, OSError):
                    raise InputError(shown, "symlink", f"points to {os.readlink(p)!r}, which "
                                     "does not exist (a dangling link); fix or remove the "
                                     "link") from None
                if not target.is_relative_to(root):
                    raise InputError(shown, "symlink", f"points outside the project ({target});"
                                     " copy the file into data/raw instead") from None
            if e.is_dir(follow_symlinks=True):
                real = p.resolve()
                if real in seen_dirs:
                    raise InputError(shown, "symlink", "leads to a folder that is already read "
                                     "(a loop or a second link to it); remove the link")
                seen_dirs.add(real)
                visit(p, name + "/")
            elif e.is_file(follow_symlinks=True):
                if e.name != ".gitkeep":
                    out.append(RawFile(p, name))
            else:
                raise InputError(shown, "file", "is not a regular file (FIFO, socket or "
                                 "device); remove it from data/raw")

    visit(raw, "")
    return out


def matches(rel: str, globs: Iterable[str]) -> bool:
    """``rel`` (relative to data/raw) matches one of ``globs`` (fnmatch; ``**/`` optional).

    >>> matches("2026-10/README.md", ["**/README.md"]), matches("README.md", ["**/README.md"])
    (True, True)
    """
    for g in globs:
        if fnmatch.fnmatchcase(rel, g):
            return True
        if g.startswith("**/") and fnmatch.fnmatchcase(rel, g[3:]):
            return True
    return False


# --------------------------------------------------------------------------- fingerprint
def _stat_key(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


class _Hasher:
    """SHA-256 of files, re-using the cached hash when size/mtime/ctime/inode are unchanged."""

    def __init__(self, cache_file: Path | None) -> None:
        self.cache_file = cache_file
        self.old: dict[str, list] = {}
        if cache_file is not None:
            try:
                self.old = json.loads(cache_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.old = {}
        self.new: dict[str, list] = {}
        self.hashed = 0

    def __call__(self, path: Path) -> str:
        key = str(path.resolve())
        st = path.stat()
        stat = _stat_key(st)
        hit = self.old.get(key)
        if isinstance(hit, list) and hit[:-1] == stat:
            digest = hit[-1]
        else:
            h = hashlib.sha256()
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            digest = h.hexdigest()
            self.hashed += 1
        self.new[key] = [*stat, digest]
        return digest

    def save(self) -> None:
        if self.cache_file is None or self.new == self.old or not self.cache_file.parent.is_dir():
            return
        with contextlib.suppress(OSError):  # read-only: only costs re-hashing next time
            write_text(self.cache_file, json.dumps(self.new, sort_keys=True) + "\n")


def _code_files() -> list[Path]:
    pkg = Path(__file__).resolve().parent
    return sorted(p for p in pkg.rglob("*") if p.is_file() and p.suffix in CODE_SUFFIXES
                  and "__pycache__" not in p.parts)


def input_fingerprint(paths: ProjectPaths, raw_files: list[RawFile] | None = None,
                      cache: bool = True) -> dict:
    """What the processed data is made from: raw files, configuration, library (hashes)."""
    from benchlib import __version__

    hasher = _Hasher(paths.processed / HASH_CACHE if cache else None)
    files = walk_raw(paths) if raw_files is None else raw_files
    raw = {f.rel: hasher(f.path) for f in files}
    config = {p.relative_to(paths.config).as_posix(): hasher(p)
              for p in sorted(paths.config.rglob("*")) if p.is_file()}
    code = hashlib.sha256()
    pkg = Path(__file__).resolve().parent
    for p in _code_files():
        code.update(p.relative_to(pkg).as_posix().encode() + b"\0" + hasher(p).encode())
    hasher.save()
    return {"raw": raw, "config": config,
            "library": {"version": __version__, "code_sha256": code.hexdigest()}}


def stale_reasons(paths: ProjectPaths, fingerprint: dict | None = None) -> list[str]:
    """Why the current generation is out of date (empty list: up to date).

    >>> stale_reasons(ProjectPaths(Path("/nonexistent")))
    ['no processed data yet']
    """
    current = current_generation(paths.processed)
    if current is None:
        return ["no processed data yet"]
    try:
        old = json.loads((current / "manifest.json").read_text(encoding="utf-8"))["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        return [f"{current.name} has no input fingerprint (written by an older benchlib)"]
    new = fingerprint if fingerprint is not None else input_fingerprint(paths)
    reasons = []
    for part, label in (("raw", "data/raw/"), ("config", "config/")):
        a, b = old.get(part, {}), new[part]
        reasons += [f"{label}{f} added" for f in sorted(set(b) - set(a))]
        reasons += [f"{label}{f} removed" for f in sorted(set(a) - set(b))]
        reasons += [f"{label}{f} changed" for f in sorted(set(a) & set(b)) if a[f] != b[f]]
    if old.get("library") != new["library"]:
        reasons.append("benchlib changed (version or code)")
    return reasons


def build_time(paths: ProjectPaths, raw_files: list[RawFile] | None = None) -> str:
    """The build time written into manifests (UTC, ISO 8601), reproducible by default.

    ``SOURCE_DATE_EPOCH`` when set; otherwise the modification time of the newest input
    (raw file or configuration file), so a rebuild from the same files gives the same bytes.

    >>> os.environ["SOURCE_DATE_EPOCH"] = "0"; build_time(ProjectPaths(Path(".")), [])
    '1970-01-01T00:00:00Z'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        ts = int(epoch)
    else:
        files = [f.path for f in (walk_raw(paths) if raw_files is None else raw_files)]
        if paths.config.is_dir():
            files += [p for p in paths.config.rglob("*") if p.is_file()]
        ts = max((int(p.stat().st_mtime) for p in files), default=0)
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
