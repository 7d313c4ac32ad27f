"""Loaded by ``-p pytest_boot`` (pyproject ``addopts``) before any plugin from an entry point.

nbval's plugin imports nbformat, whose jsonschema builds an IRI grammar (about a second) in
every pytest process — the controller and each xdist worker — for a format check that
nbformat never makes. :func:`benchlib.report.without_iri_grammar` keeps it out, as a report
build does.
"""

from benchlib.report import without_iri_grammar

without_iri_grammar()
