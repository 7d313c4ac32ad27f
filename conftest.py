"""Doctests share what is expensive: a wave's results are computed once per session.

Two module doctests (``benchlib.results``, ``benchlib.plots``) start from the same
``wave_results(load_study(), "2026-10", lang="en")``; computing it once instead of once per
doctest saves a full wave of statistics. The cache is keyed by the study's folder, the
content of its processed manifest, the wave and the language, so a doctest never sees the
results of other data. (Fixtures for ``tests/`` live in ``tests/conftest.py``.)
"""

from __future__ import annotations

import functools
import hashlib
import json

import pytest

_RESULTS: dict[tuple, object] = {}


def _shared(wave_results):
    @functools.wraps(wave_results)
    def cached(study, wave, lang="de"):
        manifest = json.dumps(study.manifest, sort_keys=True).encode()
        key = (str(study.config.root), hashlib.sha256(manifest).hexdigest(), wave, lang)
        if key not in _RESULTS:
            _RESULTS[key] = wave_results(study, wave, lang)
        return _RESULTS[key]

    cached.__wrapped_for_doctests__ = True
    return cached


@pytest.fixture(autouse=True)
def _wave_results_once_for_doctests(request, monkeypatch):
    from _pytest.doctest import DoctestItem

    if isinstance(request.node, DoctestItem):
        import benchlib.results as results

        original = getattr(results.wave_results, "__wrapped__", results.wave_results)
        shared = _shared(original)
        monkeypatch.setattr(results, "wave_results", shared)
        globs = request.node.dtest.globs
        if globs.get("wave_results") is original:  # the module's own doctest
            monkeypatch.setitem(globs, "wave_results", shared)
    yield
