"""Shared fixtures: a private copy of the example project, cleaned once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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


@pytest.fixture(scope="session")
def example_project(tmp_path_factory) -> Path:
    """The example study in a temp folder, cleaned (data/processed written)."""
    from benchlib.pipeline import run_pipeline

    root = copy_project(tmp_path_factory.mktemp("example"))
    run_pipeline(root)
    return root


@pytest.fixture(scope="session")
def study(example_project):
    import benchlib

    return benchlib.load_study(example_project)


@pytest.fixture(scope="session")
def truth() -> dict:
    import json

    return json.loads((ROOT / "data" / "raw" / "example_truth.json").read_text(encoding="utf-8"))
