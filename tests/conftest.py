"""Shared fixtures: a private copy of the example project, cleaned once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from projects import REPORT_EPOCH, REPORT_UNITS, ROOT, _environ, copy_project

# Property tests draw the same examples in every run (a fixed seed per test, no example
# database): a failure reproduces, and a run cannot fail on a draw the previous one missed.
# `make test` draws 150 examples per property; `make test-fast` passes
# --hypothesis-profile=benchlib-fast: 25 (derandomized as well).
settings.register_profile("benchlib", derandomize=True, database=None, deadline=None,
                          max_examples=150)
settings.register_profile("benchlib-fast", settings.get_profile("benchlib"), max_examples=25)
settings.load_profile("benchlib")


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


@pytest.fixture(scope="session", autouse=True)
def shared_results(tmp_path_factory):
    """Wave results computed by one pytest-xdist worker are read by the others
    (:func:`benchlib.results.memo.persist_to`, a folder of this run only)."""
    from benchlib.results import memo

    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if _worker_id().startswith("gw") else base) / "benchlib-results"
    memo.persist_to(folder)
    yield folder
    memo.persist_to(None)


@pytest.fixture(scope="session")
def wave_result(study):
    """``wave_result(wave)``: :func:`benchlib.results.compute_wave` of the example study. The
    library remembers each wave's results (:mod:`benchlib.results.memo`, shared by the
    workers): computed once per session, every call a private deep copy with its build time
    renewed (``SOURCE_DATE_EPOCH`` of the calling test).

    Under pytest-xdist the fixture's set-up (at the first test that needs it) computes every
    wave, each worker in its own order (:func:`_staggered`): the suite needs them all, and a
    worker would otherwise wait, idle, for the wave the other is computing."""
    from benchlib.results import compute_wave

    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    for wave in _staggered([w.id for w in study.config.waves], _worker_id(), count):
        compute_wave(study, wave)
    return lambda wave: compute_wave(study, wave)


def _worker_id() -> str:
    """pytest-xdist's worker name (``gw0``, ``gw1``, …), ``master`` in a run without workers —
    read from the environment, so that ``pytest -p no:xdist`` (no ``worker_id`` fixture)
    runs as well."""
    return os.environ.get("PYTEST_XDIST_WORKER", "master")


def _staggered(waves: list[str], worker_id: str, count: int) -> list[str]:
    """The order in which worker ``worker_id`` of ``count`` computes ``waves`` up front: none
    outside pytest-xdist; else the workers start at evenly spread waves, every other worker
    going backwards, so that each computes a share and waits only where the shares meet.

    >>> _staggered(["a", "b", "c", "d"], "gw1", 2), _staggered(["a", "b"], "master", 1)
    (['d', 'c', 'b', 'a'], [])
    >>> _staggered(["a", "b", "c", "d"], "gw2", 4)
    ['c', 'd', 'a', 'b']
    """
    if not worker_id.startswith("gw") or count < 2:
        return []
    i = int(worker_id[2:])
    start = (i // 2) * len(waves) * 2 // count
    order = waves[start:] + waves[:start]
    return order[::-1] if i % 2 else order


@pytest.fixture(scope="session")
def wave_view(study, wave_result):
    """``wave_view(wave, lang)``: the shared results of ``wave`` as the report in ``lang``
    shows them (= :func:`benchlib.results.wave_results` without recomputing)."""
    from benchlib.results import view

    return lambda wave, lang="de": view(wave_result(wave), study.config, lang)


# Scripts that compute reference values (R fixtures, method comparisons) are run by hand,
# never imported by the doctest collection.
collect_ignore_glob = ["reference/*.py"]


@pytest.fixture(scope="session")
def example_reports(example_project, tmp_path_factory) -> Path:
    """Every report of :data:`REPORT_UNITS`, built once for the session with one job pool per
    language set (``SOURCE_DATE_EPOCH`` = :data:`REPORT_EPOCH`), copied to a folder that no
    later build touches: ``<folder>/<wave>/results.json`` and ``<folder>/<wave>/<lang>/…``.

    The build fails the fixture when any notebook fails (it raises ReportError naming the
    cell), so every test that reads a page also proves that its notebook ran."""
    from benchlib.report import build_reports

    by_langs: dict[tuple[str, ...], list[str]] = {}
    for wave, langs in REPORT_UNITS.items():
        by_langs.setdefault(langs, []).append(wave)
    with _environ({"SOURCE_DATE_EPOCH": REPORT_EPOCH}):
        for langs, waves in by_langs.items():
            build_reports(waves, list(langs), root=example_project)
    keep = tmp_path_factory.mktemp("example_reports") / "reports"
    shutil.copytree(example_project / "reports", keep)
    return keep


_SHARED_BUILDS = {"example_reports"}
"""Session fixtures too expensive to build once per pytest-xdist worker: the tests that use
them run in one worker (``--dist loadgroup``)."""


_SHARED_MODULE_FIXTURES = {"small_res", "second_study_root"}
"""Module fixtures that build or compute a study of their own (not in the session's memo
folder's reach before the first of their tests ran): their tests run in one worker, so the
fixture is built once and the other worker goes on with other tests."""


def pytest_configure(config):
    # pytest-xdist registers its group marker; registered here too, so that
    # `pytest -p no:xdist` runs the same tests (markers are strict)
    config.addinivalue_line("markers", "xdist_group(name): run in one pytest-xdist worker")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if _SHARED_BUILDS & names:
            item.add_marker(pytest.mark.xdist_group("example_reports"))
        elif _SHARED_MODULE_FIXTURES & names:
            fixture = sorted(_SHARED_MODULE_FIXTURES & names)[0]
            item.add_marker(pytest.mark.xdist_group(f"{item.path.stem}_{fixture}"))
        elif item.nodeid.startswith("tests/test_report_matrix.py"):  # module fixtures
            # one group per study: its tests share the study's build, and the studies
            # spread over the workers
            study = getattr(getattr(item, "callspec", None), "params", {}).get("study_root")
            item.add_marker(pytest.mark.xdist_group(f"report_matrix_{study}"))
    if getattr(config.option, "loadgroup", False):  # an xdist worker with --dist loadgroup
        _suffix_groups(items)


def _suffix_groups(items) -> None:
    """``nodeid@group``, which --dist loadgroup schedules by. pytest-xdist 3.8 sets the
    suffix on ``item._nodeid``, which pytest 9.2 no longer reads (its node ids live in
    ``item._id``): without this every group is spread over the workers."""
    from _pytest.nodeid import coerce_node_id

    for item in items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})
        if names and "@" not in item.nodeid:
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(names)}")
