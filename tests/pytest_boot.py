"""Loaded by ``-p pytest_boot`` (pyproject ``addopts``) before any plugin from an entry point.

nbval's plugin imports nbformat, whose jsonschema builds an IRI grammar (about a second) in
every pytest process — the controller and each xdist worker — for a format check that
nbformat never makes. This blocks it as :func:`benchlib.report.without_iri_grammar` does in a
report build, written out here rather than imported: importing benchlib before pytest-cov
starts would leave the module-level lines of every module it imports unmeasured
(``test_report`` checks that both block the same module).
"""

import sys

IRI_GRAMMAR_MODULE = "rfc3987_syntax"

sys.modules.setdefault(IRI_GRAMMAR_MODULE, None)
