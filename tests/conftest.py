"""Shared fixtures: a private copy of the example project, cleaned once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from projects import ROOT, copy_project


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
