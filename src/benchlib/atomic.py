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
import io
import os
import re
import tempfile
import zipfile
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


def write_with(target: Path | str, writer: Callable[[Path], Any]) -> None:
    """Atomically write via ``writer(tmp_path)`` (e.g. ``df.to_parquet``)."""
    with atomic_path(target) as tmp:
        writer(tmp)


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip (XLSX) with fixed timestamps and order so equal content gives equal bytes."""
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
