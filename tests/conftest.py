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


@pytest.fixture(scope="session")
def wave_result(study):
    """``wave_result(wave)``: :func:`benchlib.results.compute_wave` of the example study,
    computed once per wave for the whole session; every call returns a private deep copy (a
    test may change what it gets without affecting another test)."""
    import copy

    from benchlib.results import compute_wave

    cache: dict = {}

    def get(wave: str):
        if wave not in cache:
            cache[wave] = compute_wave(study, wave)
        return copy.deepcopy(cache[wave])

    return get


@pytest.fixture(scope="session")
def wave_view(study, wave_result):
    """``wave_view(wave, lang)``: the shared results of ``wave`` as the report in ``lang``
    shows them (= :func:`benchlib.results.wave_results` without recomputing)."""
    from benchlib.results import view

    return lambda wave, lang="de": view(wave_result(wave), study.config, lang)


# Scripts that compute reference values (R fixtures, method comparisons) are run by hand,
# never imported by the doctest collection.
collect_ignore_glob = ["reference/*.py"]
