"""Helpers shared by the tests: the repository root and private copies of the project."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
