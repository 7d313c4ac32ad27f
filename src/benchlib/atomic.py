"""Atomic, deterministic file writes: write to a temp file beside the target, fsync, rename.

A reader never sees a half-written file: either the old one or the new one.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_bytes(d / "x.txt", b"hello")
>>> (d / "x.txt").read_bytes()
b'hello'
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_MODIFIED_RE = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it over ``target`` on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_bytes(target: Path | str, data: bytes) -> None:
    """Atomically write ``data`` to ``target``."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path | str, text: str, encoding: str = "utf-8") -> None:
    """Atomically write text (``\\n`` line ends)."""
    write_bytes(target, text.encode(encoding))


def write_json(target: Path | str, data: dict) -> None:
    """Atomic, deterministic JSON: sorted keys, indent 2, UTF-8, NaN written as null.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.json"
    >>> write_json(p, {"b": float("nan"), "a": (1, 2)})
    >>> p.read_text().split()
    ['{', '"a":', '[', '1,', '2', '],', '"b":', 'null', '}']
    """
    write_bytes(target, json_bytes(data))


def json_bytes(data: dict) -> bytes:
    """The deterministic JSON text of :func:`write_json`, as UTF-8 bytes."""
    return (json.dumps(_clean_json(data), indent=2, sort_keys=True, ensure_ascii=False,
                       allow_nan=False) + "\n").encode("utf-8")


def _clean_json(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _clean_json(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean_json(v) for v in x]
    if isinstance(x, float) and x != x:
        return None
    if hasattr(x, "item") and not isinstance(x, (str, bytes)):
        return _clean_json(x.item())
    return x


def sha256_file(path: Path | str) -> str:
    """Hex SHA-256 of a file's bytes (input hashes in manifests, provenance, check-raw)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_with(target: Path | str, writer: Callable[[Path], Any]) -> None:
    """Atomically write via ``writer(tmp_path)`` (e.g. ``df.to_parquet``)."""
    with atomic_path(target) as tmp:
        writer(tmp)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                   ctypes.c_uint]
    return fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def replace_dir(new: Path, final: Path) -> None:
    """Put folder ``new`` at ``final``; the old ``final`` (if any) is removed afterwards.

    Where the OS allows (Linux), the swap is one atomic exchange, so a reader (or a crash)
    sees either the complete old folder or the complete new one, never none.
    """
    import shutil

    new, final = Path(new), Path(final)
    if not final.exists():
        os.replace(new, final)
        return
    if _renameat2_exchange(new, final):
        shutil.rmtree(new)  # now holds the old content
        return
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    os.replace(final, old)
    os.replace(new, final)
    shutil.rmtree(old, ignore_errors=True)


def remove_stale_temps(folder: Path) -> list[Path]:
    """Remove temp files/folders that a killed run left behind (hidden ``.*.tmp`` etc.)."""
    import shutil

    removed = []
    if not Path(folder).is_dir():
        return removed
    for p in Path(folder).iterdir():
        if p.name.startswith(".") and (p.name.endswith(".tmp") or ".building-" in p.name
                                       or ".old-" in p.name):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
            removed.append(p)
    return removed


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip (XLSX) with fixed timestamps and order so equal content gives equal bytes."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps 'modified' at save time
                data = _MODIFIED_RE.sub(rb"\g<1>2000-01-01T00:00:00Z\2", data)
            dst.writestr(zi, data)
    return out.getvalue()


def save_workbook(wb: Any, target: Path | str) -> None:
    """Save an openpyxl workbook atomically and byte-reproducibly (fixed document dates)."""
    import datetime as _dt

    fixed = _dt.datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "benchlib"
    wb.properties.lastModifiedBy = "benchlib"
    buf = io.BytesIO()
    wb.save(buf)
    write_bytes(target, normalise_zip(buf.getvalue()))


def fsync_dir(folder: Path | str) -> None:
    """Make a rename inside ``folder`` durable (no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- safe CSV
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")


def neutralise_formula(text: str) -> str:
    """Text a spreadsheet would run as a formula, made inert with a leading ``'``.

    A cell is neutralised when its first character – or its first after leading white
    space – is ``=``, ``+``, ``-`` or ``@``, or when it starts with a tab or carriage
    return (CSV injection, OWASP). A plain signed number (``-3``, ``+1,5``) stays as it is.

    >>> [neutralise_formula(t) for t in ("=1+1", " @SUM(A1)", "\\t=1", "-3", "-1+cmd", "ok")]
    ["'=1+1", "' @SUM(A1)", "'\\t=1", '-3', "'-1+cmd", 'ok']
    """
    s = str(text)
    if not s or _PLAIN_NUMBER.match(s.strip()):
        return s
    if s[0] in FORMULA_PREFIXES or s.lstrip()[:1] in FORMULA_PREFIXES:
        return "'" + s
    return s


def csv_safe(df: Any) -> Any:
    """A copy of a DataFrame whose text cells are :func:`neutralise_formula`-d.

    >>> import pandas as pd
    >>> csv_safe(pd.DataFrame({"v": ["=HYPERLINK(1)", "x"], "n": [-1, 2]}))["v"].tolist()
    ["'=HYPERLINK(1)", 'x']
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or str(s.dtype) in ("string", "str", "category"):
            mask = s.notna()
            out[col] = s.astype(object)
            out.loc[mask, col] = [neutralise_formula(v) if isinstance(v, str) else v
                                  for v in s[mask]]
    return out


def write_csv(target: Path | str, df: Any) -> None:
    """Atomically write a DataFrame as UTF-8 CSV (``\\n`` line ends), formula-safe."""
    write_with(target, lambda p: csv_safe(df).to_csv(p, index=False, lineterminator="\n"))
