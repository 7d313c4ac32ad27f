"""Loaded by ``-p pytest_boot`` (pyproject ``addopts``) before any plugin from an entry point.

nbval's plugin imports nbformat, whose jsonschema builds an IRI grammar (about a second) in
every pytest process — the controller and each xdist worker — for a format check that
nbformat never makes. This blocks it as :func:`benchlib.report.without_iri_grammar` does in a
report build, written out here rather than imported: importing benchlib before pytest-cov
starts would leave the module-level lines of every module it imports unmeasured
(``test_report`` checks that both block the same module).

It also gives every test process one BLAS thread (unless the caller set a number): the
pytest-xdist workers, and the report builds and kernels the tests start, run side by side on
all cores already, and OpenBLAS's own thread per core in each of them only oversubscribes
the cores — the example's six waves took 16 % more CPU for the same results with it
(``docs/performance.md``). Set before numpy is first imported, which is what counts.
"""

import os
import sys

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

IRI_GRAMMAR_MODULE = "rfc3987_syntax"

sys.modules.setdefault(IRI_GRAMMAR_MODULE, None)
